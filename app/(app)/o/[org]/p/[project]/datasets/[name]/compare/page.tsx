import { CompareView } from "@/components/datasets/compare-view";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Compare dataset versions" };

export default async function DatasetComparePage({ params }: { params: Promise<{ org: string; project: string; name: string }> }) {
  const { org: orgSlug, project: projectSlug, name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("dataset:read")) return null;
  return <CompareView orgSlug={orgSlug} projectSlug={project.slug} name={name} />;
}
