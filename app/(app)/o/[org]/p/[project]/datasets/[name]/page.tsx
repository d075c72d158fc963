import { ItemsView } from "@/components/datasets/items-view";
import { getProject } from "@/app/_lib/load";

type Params = { org: string; project: string; name: string };

export default async function DatasetItemsPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  // The layout explains a missing dataset:read; it renders no page then.
  if (!project.permissions.includes("dataset:read")) return null;
  return <ItemsView orgSlug={orgSlug} projectSlug={project.slug} name={name} canWrite={project.permissions.includes("dataset:write")} />;
}
