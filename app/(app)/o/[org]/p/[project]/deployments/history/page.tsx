import { HistoryView } from "@/components/deployments/history-view";
import { DeploymentTabs } from "@/components/deployments/deployment-tabs";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Deployment history" };

export default async function DeploymentHistoryPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("deployment:read")) {
    return (
      <>
        <DeploymentTabs orgSlug={orgSlug} projectSlug={project.slug} />
        <PageHeader eyebrow={project.name} title="Deployment history" />
        <Forbidden title="Your role cannot see deployments">Your role in this project ({project.role}) does not include deployment:read.</Forbidden>
      </>
    );
  }
  return <HistoryView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
