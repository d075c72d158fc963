// Observability settings: retention and gateway routing, guardrails, online evaluators and trace
// routing rules. Everyone with trace:read sees them; observability:manage (owners, admins) changes
// them, and the server checks again.
import { ObservabilitySettingsView } from "@/components/observability/settings/settings-view";
import { ObservabilityTabs } from "@/components/observability/observability-tabs";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Observability settings" };

export default async function ObservabilitySettingsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("trace:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Observability settings" />
        <Forbidden title="Your role cannot see observability settings">Your role in this project ({project.role}) does not include trace:read.</Forbidden>
      </>
    );
  }
  return (
    <>
      <ObservabilityTabs orgSlug={orgSlug} projectSlug={project.slug} />
      <ObservabilitySettingsView
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        canManage={project.permissions.includes("observability:manage")}
        canReadKeys={project.permissions.includes("apikey:read")}
        canReadProviders={project.permissions.includes("provider:read")}
        canReadEvaluators={project.permissions.includes("evaluation:read")}
      />
    </>
  );
}
