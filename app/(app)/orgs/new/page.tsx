import { NewOrganizationForm } from "@/components/orgs/new-organization-form";
import { Card, CardBody, PageHeader } from "@/components/ui";

export const metadata = { title: "New organization" };

export default function NewOrganizationPage() {
  return (
    <main id="main" tabIndex={-1} className="w-full flex-1 px-4 py-6 outline-none sm:px-8">
      <div className="mx-auto max-w-xl">
        <PageHeader
          title="New organization"
          description="An organization has its own members, projects, API keys and audit log. You become its owner; your role in other organizations does not change."
        />
        <Card as="div">
          <CardBody className="py-4">
            <NewOrganizationForm />
          </CardBody>
        </Card>
      </div>
    </main>
  );
}
