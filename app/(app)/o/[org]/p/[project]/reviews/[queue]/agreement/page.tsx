import { AgreementView } from "@/components/reviews/agreement-view";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetch, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";

type Params = { org: string; project: string; queue: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { queue } = await params;
  return { title: `Agreement · ${queue}` };
}

export default async function ReviewAgreementPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, queue: name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:read")) return null;
  const input = { orgSlug, projectSlug: project.slug, name };
  await Promise.all([
    prefetchOrNavigate(trpc.reviews.get.queryOptions(input), { badRequestIsNotFound: true }),
    prefetch(trpc.reviews.agreement.queryOptions(input)),
  ]);
  return (
    <Hydrate>
      <AgreementView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} name={name} />
    </Hydrate>
  );
}
