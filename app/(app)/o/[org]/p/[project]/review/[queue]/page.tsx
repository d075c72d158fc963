import { redirect } from "next/navigation";
import { GradingView } from "@/components/review/grading-view";
import { getProject } from "@/app/_lib/load";
import { getCurrentUser } from "@/server/api/server-caller";

type Params = { org: string; project: string; queue: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { queue } = await params;
  return { title: `Review ${decodeURIComponent(queue)}` };
}

export default async function GradingPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, queue } = await params;
  const [project, user] = await Promise.all([getProject(orgSlug, projectSlug), getCurrentUser()]);
  if (!user) redirect("/sign-in");
  if (!project.permissions.includes("review:grade")) return null;
  const name = decodeURIComponent(queue);
  // Keyed by queue so moving between queues starts afresh (a new lease, a new draft).
  return <GradingView key={name} orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} queue={name} userId={user.id} />;
}
