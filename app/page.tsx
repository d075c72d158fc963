import { redirect } from "next/navigation";
import { getCurrentUser, getServerCaller } from "@/server/api/server-caller";

// "/" only routes: first-run setup, sign-in, or the first project the user can see.
export default async function Home() {
  const caller = await getServerCaller();
  if ((await caller.setup.status()).needsSetup) redirect("/setup");
  if (!(await getCurrentUser())) redirect("/sign-in");
  const organizations = await caller.account.organizations();
  const org = organizations[0];
  if (!org) redirect("/account");
  const project = org.projects[0];
  redirect(project ? `/o/${org.slug}/p/${project.slug}` : `/o/${org.slug}/members`);
}
