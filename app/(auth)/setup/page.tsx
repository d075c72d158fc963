import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SetupForm } from "@/components/auth/setup-form";
import { getServerCaller } from "@/server/api/server-caller";

export const metadata = { title: "Set up" };

export default async function SetupPage() {
  const caller = await getServerCaller();
  if (!(await caller.setup.status()).needsSetup) redirect("/sign-in");
  return (
    <AuthCard
      wide
      title="Welcome to Keel"
      description="Create the first owner account, your organization and its first project. This page is available only once, on an empty installation."
    >
      <SetupForm />
    </AuthCard>
  );
}
