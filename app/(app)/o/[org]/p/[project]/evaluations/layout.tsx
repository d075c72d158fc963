// The evaluation pages: tab links (runs, evaluators, compare, dashboard) above each page. A role
// without evaluation:read sees why instead of the page.
import type { ReactNode } from "react";
import { EvaluationsTabs } from "@/components/evaluations/evaluations-tabs";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

type Params = { org: string; project: string };

export default async function EvaluationsLayout({ children, params }: { children: ReactNode; params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("evaluation:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Evaluations" />
        <Forbidden title="Your role cannot see evaluations">Your role in this project ({project.role}) does not include evaluation:read.</Forbidden>
      </>
    );
  }
  return (
    <>
      <EvaluationsTabs orgSlug={orgSlug} projectSlug={project.slug} />
      {children}
    </>
  );
}
