// The production dashboard: totals, charts and a breakdown over a time window. A role without
// trace:read (reviewers) sees why instead of the page; the server refuses the data anyway.
import { DashboardView } from "@/components/observability/dashboard-view";
import { ObservabilityTabs } from "@/components/observability/observability-tabs";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Observability" };

export default async function ObservabilityPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("trace:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Observability" />
        <Forbidden title="Your role cannot see production telemetry">Your role in this project ({project.role}) does not include trace:read.</Forbidden>
      </>
    );
  }
  return (
    <>
      <ObservabilityTabs orgSlug={orgSlug} projectSlug={project.slug} />
      <DashboardView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />
    </>
  );
}
