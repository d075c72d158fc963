import { QueueView } from "@/components/reviews/queue-view";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";

type Params = { org: string; project: string; queue: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { queue } = await params;
  return { title: `Review queue ${queue}` };
}

export default async function ReviewQueuePage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, queue: name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:read")) return null;
  // A queue that does not exist (or a name that cannot be one) is a page that does not exist.
  await prefetchOrNavigate(trpc.reviews.get.queryOptions({ orgSlug, projectSlug: project.slug, name }), { badRequestIsNotFound: true });
  return (
    <Hydrate>
      <QueueView
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        name={name}
        canManage={project.permissions.includes("review:manage")}
      />
    </Hydrate>
  );
}
