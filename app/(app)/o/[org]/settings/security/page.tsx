import { SsoConnectionCard } from "@/components/identity/sso-connection-card";
import { Forbidden } from "@/components/shell/forbidden";
import { getOrg } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

// Minimal page for the single sign-on card; the lead's Security settings page replaces it.
export const metadata = { title: "Security" };

export default async function SecuritySettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const org = await getOrg(orgSlug);
  if (!org.permissions.includes("identity:read")) {
    return (
      <>
        <PageHeader title="Security" />
        <Forbidden title="Your role cannot see security settings">
          Your role ({org.role}) does not include identity:read. Owners and admins can see them.
        </Forbidden>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Security" description="How people sign in to this organization." />
      <SsoConnectionCard orgSlug={org.slug} canManage={org.permissions.includes("identity:manage")} />
    </>
  );
}
