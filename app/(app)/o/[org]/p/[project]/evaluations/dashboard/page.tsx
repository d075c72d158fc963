import { DashboardView } from "@/components/evaluations/dashboard-view";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Evaluation dashboard" };

export default async function EvaluationDashboardPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  // The evaluations layout explains a missing evaluation:read; it renders no page then.
  if (!project.permissions.includes("evaluation:read")) return null;
  return <DashboardView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
