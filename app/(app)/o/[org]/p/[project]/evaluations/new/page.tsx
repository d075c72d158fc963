import { NewRunForm } from "@/components/evaluations/new-run-form";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "New evaluation run" };

export default async function NewRunPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("evaluation:read")) return null;
  if (!project.permissions.includes("evaluation:write")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="New evaluation run" />
        <Forbidden title="Your role cannot start runs">Your role in this project ({project.role}) does not include evaluation:write.</Forbidden>
      </>
    );
  }
  return <NewRunForm orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
