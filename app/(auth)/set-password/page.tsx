import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { SetPasswordForm } from "@/components/auth/set-password-form";
import { Alert, buttonClasses } from "@/components/ui";
import { getServerCaller } from "@/server/api/server-caller";

export const metadata = { title: "Choose a password" };

async function describe(token: string | undefined) {
  if (!token) return null;
  try {
    return await (await getServerCaller()).account.describePasswordLink({ token });
  } catch {
    // A malformed token is just an invalid link.
    return null;
  }
}

export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw : undefined;
  const link = await describe(token);
  if (!link || !token) {
    return (
      <AuthCard title="This link cannot be used">
        <div className="flex flex-col gap-4" role="region" aria-label="Link status">
          <Alert tone="error" title="The link is invalid, already used or expired">
            Set-password links work once and for seven days. Ask an administrator of your organization for a new link.
          </Alert>
          <Link href="/sign-in" className={buttonClasses({ className: "w-full" })}>
            Go to sign-in
          </Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose your password" description="You were added to Keel. Choose a password to finish setting up your account.">
      <SetPasswordForm token={token} email={link.email} />
    </AuthCard>
  );
}
