import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/sign-in-form";
import { SsoSignIn } from "@/components/identity/sso-sign-in";
import { getCurrentUser, getServerCaller } from "@/server/api/server-caller";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const caller = await getServerCaller();
  if ((await caller.setup.status()).needsSetup) redirect("/setup");
  if (await getCurrentUser()) redirect("/");
  const { callbackUrl, error } = await searchParams;
  return (
    <AuthCard title="Sign in to Keel" description="Use your email and password, or your organization's single sign-on.">
      <SignInForm callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined} initialError={typeof error === "string" ? error : undefined} />
      <SsoSignIn callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined} instanceProviders={await caller.sso.instanceProviders()} />
    </AuthCard>
  );
}
