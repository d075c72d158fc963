import { EnvironmentsView } from "@/components/environments/environments-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Environments" };

export default async function EnvironmentsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("prompt:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Environments" />
        <Forbidden title="Your role cannot see environments">Your role in this project ({project.role}) does not include prompt:read.</Forbidden>
      </>
    );
  }
  return (
    <EnvironmentsView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canManage={project.permissions.includes("environment:manage")} />
  );
}
