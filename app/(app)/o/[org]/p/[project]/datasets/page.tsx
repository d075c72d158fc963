import { DatasetsList } from "@/components/datasets/datasets-list";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Datasets" };

export default async function DatasetsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("dataset:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Datasets" />
        <Forbidden title="Your role cannot see datasets">Your role in this project ({project.role}) does not include dataset:read.</Forbidden>
      </>
    );
  }
  return <DatasetsList orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canWrite={project.permissions.includes("dataset:write")} />;
}
