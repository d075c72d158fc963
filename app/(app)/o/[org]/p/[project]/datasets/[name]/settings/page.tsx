import { SettingsView } from "@/components/datasets/settings-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";

export const metadata = { title: "Dataset settings" };

export default async function DatasetSettingsPage({ params }: { params: Promise<{ org: string; project: string; name: string }> }) {
  const { org: orgSlug, project: projectSlug, name } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("dataset:read")) return null;
  if (!project.permissions.includes("dataset:write")) {
    return (
      <Forbidden title="Your role cannot change datasets">
        Your role in this project ({project.role}) does not include dataset:write. Owners, admins and editors change dataset settings.
      </Forbidden>
    );
  }
  return <SettingsView orgSlug={orgSlug} projectSlug={project.slug} name={name} canDelete={project.permissions.includes("dataset:delete")} />;
}
