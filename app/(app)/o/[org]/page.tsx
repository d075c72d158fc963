import { redirect } from "next/navigation";
import { getOrg } from "@/app/_lib/load";

export default async function OrgIndex({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const org = await getOrg(orgSlug);
  const first = org.projects[0];
  redirect(first ? `/o/${org.slug}/p/${first.slug}` : `/o/${org.slug}/members`);
}
