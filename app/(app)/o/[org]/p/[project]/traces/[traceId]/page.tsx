// One trace: its spans, the selected span's input and output, its scores, and the curation
// actions (add to a dataset, send to a review queue) the role allows. A malformed id is a page
// that does not exist.
import { notFound } from "next/navigation";
import { ObservabilityTabs } from "@/components/observability/observability-tabs";
import { TraceView } from "@/components/observability/trace-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Trace" };

export default async function TracePage({ params }: { params: Promise<{ org: string; project: string; traceId: string }> }) {
  const { org: orgSlug, project: projectSlug, traceId: rawId } = await params;
  const traceId = rawId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(traceId)) notFound();
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("trace:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Trace" />
        <Forbidden title="Your role cannot see production traces">Your role in this project ({project.role}) does not include trace:read.</Forbidden>
      </>
    );
  }
  return (
    <>
      <ObservabilityTabs orgSlug={orgSlug} projectSlug={project.slug} />
      <TraceView
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        traceId={traceId}
        canAddToDataset={project.permissions.includes("dataset:write")}
        canSendToQueue={project.permissions.includes("review:manage")}
      />
    </>
  );
}
