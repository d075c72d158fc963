import { redirect } from "next/navigation";
import { MembersView } from "@/components/members/members-view";
import { getOrg } from "@/app/_lib/load";
import { getCurrentUser } from "@/server/api/server-caller";

export const metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const [org, user] = await Promise.all([getOrg(orgSlug), getCurrentUser()]);
  if (!user) redirect("/sign-in");
  return (
    <MembersView
      orgSlug={org.slug}
      orgName={org.name}
      myRole={org.role}
      myUserId={user.id}
      projects={org.projects.map((p) => ({ slug: p.slug, name: p.name }))}
    />
  );
}
