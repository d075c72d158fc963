import { ApiKeysView } from "@/components/api-keys/api-keys-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getOrg, getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "API keys" };

export default async function ApiKeysPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const [org, project] = await Promise.all([getOrg(orgSlug), getProject(orgSlug, projectSlug)]);
  if (!project.permissions.includes("apikey:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="API keys" />
        <Forbidden title="Your role cannot see API keys">
          Your role in this project ({project.role}) does not include apikey:read. Owners, admins and auditors can see keys.
        </Forbidden>
      </>
    );
  }
  return (
    <ApiKeysView
      orgSlug={orgSlug}
      projectSlug={project.slug}
      projectName={project.name}
      canCreate={project.permissions.includes("apikey:create")}
      canRevoke={project.permissions.includes("apikey:revoke")}
      canCreateOrgWide={org.role === "owner" && project.permissions.includes("apikey:create")}
    />
  );
}
