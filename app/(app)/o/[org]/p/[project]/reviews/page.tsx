import { QueuesList } from "@/components/reviews/queues-list";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Review queues" };

export default async function ReviewQueuesPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  // The layout explains a missing review:read; it renders no page then.
  if (!project.permissions.includes("review:read")) return null;
  return <QueuesList orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canManage={project.permissions.includes("review:manage")} />;
}
