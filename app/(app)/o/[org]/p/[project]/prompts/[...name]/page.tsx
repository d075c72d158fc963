// One prompt. Folders of the name are path segments (/prompts/support/greeting); a final
// "~edit" or "~compare" segment (never part of a name: "~" is not allowed in names) picks the
// editor or the comparison.
import { notFound } from "next/navigation";
import { CompareView } from "@/components/prompts/compare-view";
import { PromptDetailView } from "@/components/prompts/prompt-detail-view";
import { PromptEditorView } from "@/components/prompts/prompt-editor-view";
import { Forbidden } from "@/components/shell/forbidden";
import { getProject } from "@/app/_lib/load";
import { Hydrate, prefetchOrNavigate, trpc } from "@/app/_lib/prefetch";
import { PageHeader } from "@/components/ui";
import { promptName } from "@/server/contracts/prompts";

type Params = { org: string; project: string; name: string[] };

function parse(segments: string[]): { name: string; action: "view" | "edit" | "compare" } | null {
  const decoded = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const last = decoded.at(-1);
  const action = last === "~edit" ? "edit" : last === "~compare" ? "compare" : "view";
  const name = (action === "view" ? decoded : decoded.slice(0, -1)).join("/");
  return promptName.safeParse(name).success ? { name, action } : null;
}

export async function generateMetadata({ params }: { params: Promise<Params> }) {
  const parsed = parse((await params).name);
  if (!parsed) return { title: "Prompt" };
  return { title: parsed.action === "edit" ? `Edit ${parsed.name}` : parsed.action === "compare" ? `Compare ${parsed.name}` : parsed.name };
}

export default async function PromptPage({ params }: { params: Promise<Params> }) {
  const { org: orgSlug, project: projectSlug, name: segments } = await params;
  const parsed = parse(segments);
  if (!parsed) notFound();
  const project = await getProject(orgSlug, projectSlug);
  const can = (p: string) => (project.permissions as readonly string[]).includes(p);
  if (!can("prompt:read")) {
    return (
      <>
        <PageHeader eyebrow={project.name} title={parsed.name} />
        <Forbidden title="Your role cannot see prompts">Your role in this project ({project.role}) does not include prompt:read.</Forbidden>
      </>
    );
  }
  // A prompt that does not exist is a page that does not exist.
  const prompt = await prefetchOrNavigate(trpc.prompts.get.queryOptions({ orgSlug, projectSlug: project.slug, name: parsed.name }), {
    badRequestIsNotFound: true,
  });
  const common = { orgSlug, projectSlug: project.slug, projectName: project.name, name: prompt.name, type: prompt.type };

  if (parsed.action === "edit") {
    if (!can("prompt:write")) {
      return (
        <>
          <PageHeader eyebrow={project.name} title={`Edit ${prompt.name}`} />
          <Forbidden title="Your role cannot edit prompts">
            Your role in this project ({project.role}) does not include prompt:write. Owners, admins and editors save new versions.
          </Forbidden>
        </>
      );
    }
    return (
      <Hydrate>
        <PromptEditorView {...common} />
      </Hydrate>
    );
  }
  if (parsed.action === "compare") {
    return (
      <Hydrate>
        <CompareView {...common} />
      </Hydrate>
    );
  }
  return (
    <Hydrate>
      <PromptDetailView
        {...common}
        canWrite={can("prompt:write")}
        canMoveLabels={can("label:move")}
        canRun={can("playground:run")}
        canManageEnvironments={can("environment:manage")}
        canRequestDeployments={can("deployment:request")}
      />
    </Hydrate>
  );
}
