import { QueueForm } from "@/components/reviews/queue-form";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "New review queue" };

export default async function NewReviewQueuePage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:read")) return null;
  if (!project.permissions.includes("review:manage")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="New review queue" />
        <Forbidden title="Your role cannot create review queues">Your role in this project ({project.role}) does not include review:manage.</Forbidden>
      </>
    );
  }
  return <QueueForm orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
