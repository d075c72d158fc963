import { ImportWizard } from "@/components/datasets/import/import-wizard";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";

export const metadata = { title: "Import items" };

// Renders inside the dataset layout (header and tabs); this page is the tab's content only.
export default async function DatasetImportPage({ params }: { params: Promise<{ org: string; project: string; name: string }> }) {
  const { org: orgSlug, project: projectSlug, name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("dataset:write")) {
    return (
      <>
        <h2 className="mb-4 text-base font-semibold text-zinc-900">Import items</h2>
        <Forbidden title="Your role cannot import items">
          Your role in this project ({project.role}) does not include dataset:write. Owners, admins and editors import items into datasets.
        </Forbidden>
      </>
    );
  }
  // An unknown dataset is a missing page (the layout usually finds out first; its fetch is reused).
  const dataset = await prefetchOrNavigate(trpc.datasets.get.queryOptions({ orgSlug, projectSlug: project.slug, name }), { badRequestIsNotFound: true });
  return (
    <ImportWizard
      orgSlug={orgSlug}
      projectSlug={project.slug}
      datasetName={dataset.name}
      latestVersion={dataset.latestVersion}
      itemCount={dataset.itemCount}
      archived={dataset.archivedAt !== null}
    />
  );
}
