import { notFound, redirect } from "next/navigation";
import { ReviseView } from "@/components/review/revise-view";
import { getProject } from "@/app/_lib/load";
import { getCurrentUser } from "@/server/api/server-caller";

type Params = { org: string; project: string; queue: string; position: string };

export const metadata = { title: "Revise a grade" };

export default async function RevisePage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, queue, position } = await params;
  const n = Number(position);
  if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) notFound();
  const [project, user] = await Promise.all([getProject(orgSlug, projectSlug), getCurrentUser()]);
  if (!user) redirect("/sign-in");
  if (!project.permissions.includes("review:grade")) return null;
  const name = decodeURIComponent(queue);
  return <ReviseView key={`${name}:${n}`} orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} queue={name} position={n} userId={user.id} />;
}
