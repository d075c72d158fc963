import Link from "next/link";
import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { SessionsCard } from "@/components/account/sessions-card";
import { TwoFactorCard } from "@/components/account/two-factor-card";
import { RoleBadge } from "@/components/projects/role-badge";
import { getMyOrganizations } from "@/app/_lib/load";
import { ButtonLink, Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui";
import { getCurrentUser } from "@/server/api/server-caller";

export const metadata = { title: "Account" };

export default async function AccountPage() {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  const organizations = await getMyOrganizations();
  return (
    <main id="main" tabIndex={-1} className="w-full flex-1 px-4 py-6 outline-none sm:px-8">
      <div className="mx-auto max-w-3xl">
        <PageHeader title="Account" description="Your profile, organizations, password, two-factor authentication and signed-in sessions." />
        <div className="grid gap-4">
          <Card aria-labelledby="profile-title">
            <CardHeader titleId="profile-title" title="Profile" />
            <CardBody>
              <dl className="grid gap-x-6 gap-y-3 text-[13px] sm:grid-cols-[8rem_1fr]">
                <dt className="text-zinc-500">Name</dt>
                <dd className="text-zinc-900">{user.name}</dd>
                <dt className="text-zinc-500">Email</dt>
                <dd className="text-zinc-900">{user.email}</dd>
              </dl>
            </CardBody>
          </Card>

          <Card aria-labelledby="orgs-title">
            <CardHeader
              titleId="orgs-title"
              title="Organizations"
              description="Where you are a member, and your role. To join another, open its invitation link."
              actions={
                <ButtonLink href="/orgs/new" size="sm">
                  New organization
                </ButtonLink>
              }
            />
            {organizations.length ? (
              <ul className="divide-y divide-zinc-100">
                {organizations.map((o) => (
                  <li key={o.slug} className="flex items-center justify-between gap-4 px-4 py-2.5 text-[13px]">
                    <Link href={`/o/${o.slug}`} className="font-medium text-zinc-900 hover:underline">
                      {o.name}
                    </Link>
                    <span className="flex items-center gap-3 text-zinc-500">
                      {o.projects.length} {o.projects.length === 1 ? "project" : "projects"}
                      <RoleBadge role={o.role} />
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState
                title="You are not a member of any organization"
                description="Open an invitation link an administrator sent you, or create an organization of your own."
              />
            )}
          </Card>

          <Card aria-labelledby="password-title">
            <CardHeader titleId="password-title" title="Password" />
            <CardBody className="py-4">
              <ChangePasswordForm email={user.email} />
            </CardBody>
          </Card>

          <TwoFactorCard />

          <SessionsCard />
        </div>
      </div>
    </main>
  );
}
