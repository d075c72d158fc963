import { ApiReferenceView } from "@/components/api-reference/api-reference-view";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "API reference" };

export default async function ApiReferencePage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  return <ApiReferenceView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canSeeKeys={project.permissions.includes("apikey:read")} />;
}
