import { Forbidden } from "@/components/shell/forbidden";
import { IdentityPolicyCard } from "@/components/identity/policy-form";
import { SsoConnectionCard } from "@/components/identity/sso-connection-card";
import { getOrg } from "@/app/_lib/load";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Security" };

export default async function SecurityPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const org = await getOrg(orgSlug);
  if (!org.permissions.includes("identity:read")) {
    return (
      <>
        <PageHeader title="Security" />
        <Forbidden title="Your role cannot see the security settings">
          Your role ({org.role}) does not include identity:read. Owners and admins see how members sign in; owners change it.
        </Forbidden>
      </>
    );
  }
  const canManage = org.permissions.includes("identity:manage");
  return (
    <>
      <PageHeader title="Security" description={`How members of ${org.name} sign in, and when they must confirm it is them again.`} />
      <div className="flex flex-col gap-6">
        <SsoConnectionCard orgSlug={org.slug} canManage={canManage} />
        <IdentityPolicyCard orgSlug={org.slug} canManage={canManage} />
      </div>
    </>
  );
}
