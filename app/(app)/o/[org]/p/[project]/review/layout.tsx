// The reviewer's pages (grading the queues one is assigned to). A role without review:grade sees
// why instead of the page; the server refuses the data anyway.
import type { ReactNode } from "react";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

type Params = { org: string; project: string };

export default async function ReviewLayout({ children, params }: { children: ReactNode; params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:grade")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="My reviews" />
        <Forbidden title="Your role cannot grade reviews">Your role in this project ({project.role}) does not include review:grade.</Forbidden>
      </>
    );
  }
  return children;
}
