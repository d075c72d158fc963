import { EvaluatorsList } from "@/components/evaluations/evaluators-list";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Evaluators" };

export default async function EvaluatorsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("evaluation:read")) return null;
  return <EvaluatorsList orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canWrite={project.permissions.includes("evaluation:write")} />;
}
