import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { InvitationPanel } from "@/components/auth/invitation-panel";
import { Alert, buttonClasses } from "@/components/ui";
import { getServerCaller } from "@/server/api/server-caller";

export const metadata = { title: "Invitation" };

async function describe(token: string | undefined) {
  if (!token) return null;
  try {
    return await (await getServerCaller()).account.invitation({ token });
  } catch {
    // A malformed token is just an invalid link.
    return null;
  }
}

export default async function InvitationPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw : undefined;
  const invitation = await describe(token);
  if (!invitation || !token) {
    return (
      <AuthCard title="This invitation cannot be used">
        <div className="flex flex-col gap-4" role="region" aria-label="Invitation status">
          <Alert tone="error" title="The link is invalid, already used, revoked or expired">
            Invitation links work once and for seven days. Ask the person who invited you for a new link.
          </Alert>
          <Link href="/" className={buttonClasses({ className: "w-full" })}>
            Go to Keel
          </Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title={`Join ${invitation.organization.name}`}
      description={
        <>
          {invitation.invitedBy ? `${invitation.invitedBy} invited ` : ""}
          <span className="font-medium text-zinc-700">{invitation.email}</span>
          {invitation.invitedBy ? " to join as " : " is invited to join as "}
          <span className="font-medium text-zinc-700">{invitation.role}</span>.
        </>
      }
    >
      <InvitationPanel token={token} invitation={invitation} />
    </AuthCard>
  );
}
