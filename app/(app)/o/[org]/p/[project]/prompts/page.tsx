import { PromptsList } from "@/components/prompts/prompts-list";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Prompts" };

export default async function PromptsPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("prompt:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="Prompts" />
        <Forbidden title="Your role cannot see prompts">Your role in this project ({project.role}) does not include prompt:read.</Forbidden>
      </>
    );
  }
  return <PromptsList orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} canWrite={project.permissions.includes("prompt:write")} />;
}
