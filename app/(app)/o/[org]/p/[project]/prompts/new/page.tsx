import { NewPromptView } from "@/components/prompts/new-prompt-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "New prompt" };

export default async function NewPromptPage({ params }: { params: Promise<{ org: string; project: string }> }) {
  const { org: orgSlug, project: projectSlug } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("prompt:write")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title="New prompt" />
        <Forbidden title="Your role cannot create prompts">
          Your role in this project ({project.role}) does not include prompt:write. Owners, admins and editors create prompts.
        </Forbidden>
      </>
    );
  }
  return <NewPromptView orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} />;
}
