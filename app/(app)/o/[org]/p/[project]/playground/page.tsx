import { PlaygroundView } from "@/components/playground/playground-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Playground" };

export default async function PlaygroundPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("playground:run")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Playground" />
        <Forbidden title="Your role cannot use the playground">
          Your role in this project ({project.role}) does not include playground:run. Owners, admins and editors run prompts against models.
        </Forbidden>
      </>
    );
  }
  return (
    <PlaygroundView
      orgSlug={orgSlug}
      projectSlug={project.slug}
      projectName={project.name}
      canWrite={project.permissions.includes("prompt:write")}
      canAddToDataset={project.permissions.includes("dataset:write")}
    />
  );
}
