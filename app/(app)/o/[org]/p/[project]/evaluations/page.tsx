import { RunsList } from "@/components/evaluations/runs-list";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Evaluation runs" };

export default async function EvaluationRunsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  // The layout explains a missing evaluation:read; it renders no page then.
  if (!project.permissions.includes("evaluation:read")) return null;
  return <RunsList orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canWrite={project.permissions.includes("evaluation:write")} />;
}
