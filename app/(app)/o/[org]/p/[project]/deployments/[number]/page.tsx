// One deployment request: its evidence pack (gate, comparison, diff, decisions, audit) and what
// the viewer may do with it (approve, reject, cancel, deploy, break a freeze).
import { notFound } from "next/navigation";
import { RequestView } from "@/components/deployments/request-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetch, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";
import { PageHeader } from "@/components/ui";

type Params = { org: string; project: string; number: string };

const valid = (raw: string) => /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647;

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { number } = await params;
  return { title: valid(number) ? `Deployment request #${number}` : "Deployment request" };
}

export default async function DeploymentRequestPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, number: raw } = await params;
  if (!valid(raw)) notFound();
  const number = Number(raw);
  const project = await getProject(orgSlug, projectSlug);
  const can = (p: string) => (project.permissions as readonly string[]).includes(p);
  if (!can("deployment:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title={`Deployment request #${number}`} />
        <Forbidden title="Your role cannot see deployments">Your role in this project ({project.role}) does not include deployment:read.</Forbidden>
      </>
    );
  }
  // A request that does not exist is a page that does not exist.
  const input = { orgSlug, projectSlug: project.slug, number };
  await Promise.all([prefetchOrNavigate(trpc.deployments.get.queryOptions(input)), prefetch(trpc.deployments.evidence.queryOptions(input))]);
  return (
    <Hydrate>
      <RequestView
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        number={number}
        canRequest={can("deployment:request")}
        canReadEvaluations={can("evaluation:read")}
      />
    </Hydrate>
  );
}
