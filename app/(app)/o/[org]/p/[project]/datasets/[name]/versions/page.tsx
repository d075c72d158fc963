import { VersionsView } from "@/components/datasets/versions-view";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Dataset versions" };

export default async function DatasetVersionsPage({ params }: { params: Promise<{ org: string; project: string; name: string }> }) {
  const { org: orgSlug, project: projectSlug, name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("dataset:read")) return null;
  return <VersionsView orgSlug={orgSlug} projectSlug={project.slug} name={name} />;
}
