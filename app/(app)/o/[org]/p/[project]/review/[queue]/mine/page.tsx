import { MyGrades } from "@/components/review/my-grades";
import { getProject } from "@/app/_lib/load";

type Params = { org: string; project: string; queue: string };

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const { queue } = await params;
  return { title: `My grades · ${decodeURIComponent(queue)}` };
}

export default async function MyGradesPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, queue } = await params;
  const project = await getProject(orgSlug, projectSlug);
  if (!project.permissions.includes("review:grade")) return null;
  return <MyGrades orgSlug={orgSlug} projectSlug={project.slug} projectName={project.name} queue={decodeURIComponent(queue)} />;
}
