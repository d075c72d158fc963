import { AgreementView } from "@/components/reviews/agreement-view";
import { getProject, orNavigate } from "@/app/_lib/load";
import { getServerCaller } from "@/server/api/server-caller";

type Params = { org: string; project: string; queue: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { queue } = await params;
  return { title: `Agreement · ${queue}` };
}

export default async function ReviewAgreementPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, queue: name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:read")) return null;
  await orNavigate((await getServerCaller()).reviews.get({ orgSlug, projectSlug: project.slug, name }), { badRequestIsNotFound: true });
  return <AgreementView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} name={name} />;
}
