// One dataset: the header (name, description, latest version, item count) and the tabs shared by
// its pages. A dataset that does not exist is a page that does not exist.
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { DatasetHeader } from "@/components/datasets/dataset-header";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";
import { PageHeader } from "@/components/ui";
import { datasetName } from "@/server/contracts/datasets";

type Params = { org: string; project: string; name: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { name } = await params;
  return { title: datasetName.safeParse(name).success ? name : "Dataset" };
}

export default async function DatasetLayout({ children, params }: { children: ReactNode; params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, name } = await params;
  if (!datasetName.safeParse(name).success) notFound();
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("dataset:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title={name} />
        <Forbidden title="Your role cannot see datasets">Your role in this project ({project.role}) does not include dataset:read.</Forbidden>
      </>
    );
  }
  const dataset = await prefetchOrNavigate(trpc.datasets.get.queryOptions({ orgSlug, projectSlug: project.slug, name }), { badRequestIsNotFound: true });
  return (
    <Hydrate>
      <DatasetHeader
        orgSlug={orgSlug}
        projectSlug={project.slug}
        projectName={project.name}
        name={dataset.name}
        canWrite={project.permissions.includes("dataset:write")}
      />
      {children}
    </Hydrate>
  );
}
