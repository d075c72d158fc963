import { WebhooksView } from "@/components/webhooks/webhooks-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Webhooks" };

export default async function WebhooksPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("webhook:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Webhooks" />
        <Forbidden title="Your role cannot see webhooks">
          Your role in this project ({project.role}) does not include webhook:read. Owners, admins and auditors can see webhooks and their deliveries.
        </Forbidden>
      </>
    );
  }
  return <WebhooksView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canManage={project.permissions.includes("webhook:manage")} />;
}
