import { RequestsList } from "@/components/deployments/requests-list";
import { DeploymentTabs } from "@/components/deployments/deployment-tabs";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Deployment requests" };

export default async function DeploymentRequestsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("deployment:read")) {
    return (
      <>
        <DeploymentTabs orgSlug={orgSlug} projectSlug={project.slug} />
        <PageHeader eyebrow={project.name} title="Deployment requests" />
        <Forbidden title="Your role cannot see deployments">Your role in this project ({project.role}) does not include deployment:read.</Forbidden>
      </>
    );
  }
  return (
    <RequestsList orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canRequest={project.permissions.includes("deployment:request")} />
  );
}
