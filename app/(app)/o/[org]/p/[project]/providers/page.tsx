import { ProvidersView } from "@/components/providers/providers-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Providers" };

export default async function ProvidersPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("provider:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Providers" />
        <Forbidden title="Your role cannot see providers">Your role in this project ({project.role}) does not include provider:read.</Forbidden>
      </>
    );
  }
  return <ProvidersView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canManage={project.permissions.includes("provider:manage")} />;
}
