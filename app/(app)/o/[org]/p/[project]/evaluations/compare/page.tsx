import { CompareView } from "@/components/evaluations/compare-view";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Compare evaluation runs" };

export default async function EvaluationComparePage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  // The evaluations layout explains a missing evaluation:read; it renders no page then.
  if (!project.permissions.includes("evaluation:read")) return null;
  return <CompareView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
