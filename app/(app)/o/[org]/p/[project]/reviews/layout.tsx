// The leads' review pages (queues, one queue, agreement). A role without review:read sees why
// instead of the page; reviewers grade on their own page (../review).
import type { ReactNode } from "react";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

type Params = { org: string; project: string };

export default async function ReviewsLayout({ children, params }: { children: ReactNode; params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Review queues" />
        <Forbidden title="Your role cannot see review queues">
          Your role in this project ({project.role}) does not include review:read.
          {project.permissions.includes("review:grade") ? " The queues assigned to you are under My reviews." : null}
        </Forbidden>
      </>
    );
  }
  return children;
}
