import { notFound } from "next/navigation";
import { EvaluatorDetail } from "@/components/evaluations/evaluator-detail";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";
import { evaluatorName } from "@/server/contracts/evaluators";

type Params = { org: string; project: string; name: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { name } = await params;
  const decoded = decodeURIComponent(name);
  return { title: evaluatorName.safeParse(decoded).success ? decoded : "Evaluator" };
}

export default async function EvaluatorPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, name: raw } = await params;
  const name = decodeURIComponent(raw);
  if (!evaluatorName.safeParse(name).success) notFound();
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("evaluation:read")) return null;
  // An evaluator that does not exist is a page that does not exist.
  await prefetchOrNavigate(trpc.evaluators.get.queryOptions({ orgSlug, projectSlug: project.slug, name }), { badRequestIsNotFound: true });
  return (
    <Hydrate>
      <EvaluatorDetail
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        name={name}
        canWrite={project.permissions.includes("evaluation:write")}
      />
    </Hydrate>
  );
}
