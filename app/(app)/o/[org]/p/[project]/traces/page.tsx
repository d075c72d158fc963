// The trace explorer: a project's traces with their filters in the address. A role without
// trace:read (reviewers) sees why instead of the page.
import { ObservabilityTabs } from "@/components/observability/observability-tabs";
import { TracesView } from "@/components/observability/traces-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Traces" };

export default async function TracesPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("trace:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Traces" />
        <Forbidden title="Your role cannot see production traces">Your role in this project ({project.role}) does not include trace:read.</Forbidden>
      </>
    );
  }
  return (
    <>
      <ObservabilityTabs orgSlug={orgSlug} projectSlug={project.slug} />
      <TracesView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />
    </>
  );
}
