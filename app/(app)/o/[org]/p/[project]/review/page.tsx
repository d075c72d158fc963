import { MyQueues } from "@/components/review/my-queues";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "My reviews" };

export default async function MyReviewQueuesPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  // The layout explains a missing review:grade; it renders no page then.
  if (!project.permissions.includes("review:grade")) return null;
  return <MyQueues orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
