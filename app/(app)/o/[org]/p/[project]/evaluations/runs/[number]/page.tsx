import { notFound } from "next/navigation";
import { RunView } from "@/components/evaluations/run-view";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";

type Params = { org: string; project: string; number: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { number } = await params;
  return { title: /^[1-9]\d{0,9}$/.test(number) ? `Run #${number}` : "Run" };
}

export default async function RunPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, number: raw } = await params;
  const number = Number(raw);
  if (!/^[1-9]\d{0,9}$/.test(raw) || number > 2_147_483_647) notFound();
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("evaluation:read")) return null;
  // A run that does not exist is a page that does not exist.
  await prefetchOrNavigate(trpc.runs.get.queryOptions({ orgSlug, projectSlug: project.slug, number }));
  return (
    <Hydrate>
      <RunView
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        number={number}
        canWrite={project.permissions.includes("evaluation:write")}
      />
    </Hydrate>
  );
}
