import { AuditView } from "@/components/audit/audit-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getOrg } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Audit log" };

export default async function AuditPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const org = await getOrg(orgSlug);
  if (!org.permissions.includes("audit:read")) {
    return (
      <>
        <PageHeader title="Audit log" />
        <Forbidden title="Your role cannot read the audit log">
          Your role ({org.role}) does not include audit:read. Owners, admins and auditors can read the audit log.
        </Forbidden>
      </>
    );
  }
  return <AuditView orgSlug={org.slug} orgName={org.name} projects={org.projects.map((p) => ({ slug: p.slug, name: p.name }))} />;
}
