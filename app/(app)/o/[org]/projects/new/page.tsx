import { NewProjectForm } from "@/components/projects/new-project-form";
import { Forbidden } from "@/components/shell/forbidden";
import { getOrg } from "@/app/_lib/load";
import { Card, CardBody, PageHeader } from "@/components/ui";

export const metadata = { title: "New project" };

export default async function NewProjectPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const org = await getOrg(orgSlug);
  const first = org.projects[0];
  return (
    <div className="max-w-xl">
      <PageHeader
        eyebrow={org.name}
        title="New project"
        description="A project holds prompts, datasets, evaluations and API keys. Members keep their organization role in it unless you set a project role."
      />
      {org.permissions.includes("project:create") ? (
        <Card as="div">
          <CardBody className="py-4">
            <NewProjectForm orgSlug={org.slug} cancelHref={first ? `/o/${org.slug}/p/${first.slug}` : `/o/${org.slug}/members`} />
          </CardBody>
        </Card>
      ) : (
        <Forbidden title="Your role cannot create projects">
          Your role ({org.role}) does not include project:create. Owners and admins can create projects.
        </Forbidden>
      )}
    </div>
  );
}
