"use client";
// One prompt: its header (details, editable by prompt:write, and the actions), a version's
// content read-only, the list of versions, the labels panel (each environment and the version it
// serves) and the label history with a point-in-time lookup. This file composes them and owns
// which version is shown (?version=, the latest when absent).
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Spinner } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { PromptDetailHeader } from "./prompt-detail-header";
import { VersionCard } from "./version-card";
import { VersionsTable } from "./versions-table";
import { LabelsPanel } from "./labels-panel";
import { LabelHistory } from "./label-history";

type Props = {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  name: string;
  type: "text" | "chat";
  canWrite: boolean;
  canMoveLabels: boolean;
  canRun: boolean;
  canManageEnvironments: boolean;
  /** Protected environments: may ask for a deployment or a rollback (deployment:request). */
  canRequestDeployments: boolean;
};

export function PromptDetailView(props: Props) {
  const { orgSlug, projectSlug, projectName, name, type, canWrite, canRun, canMoveLabels, canManageEnvironments, canRequestDeployments } = props;
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const prompt = useQuery(trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name }));

  if (prompt.isPending) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading the prompt…" />
      </div>
    );
  }
  if (prompt.isError) return <QueryErrorAlert title="Could not load the prompt" error={prompt.error} />;
  const p = prompt.data;
  const latest = p.latestVersion;
  const requested = Number(searchParams.get("version"));
  const shown = p.versions.some((v) => v.version === requested) ? requested : latest;
  const versionNumbers = p.versions.map((v) => v.version);
  const saved = Number(searchParams.get("saved"));

  function showVersion(version: number) {
    const params = new URLSearchParams(searchParams.toString());
    if (version === latest) params.delete("version");
    else params.set("version", String(version));
    const qs = params.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  return (
    <>
      <PromptDetailHeader
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        projectName={projectName}
        name={name}
        prompt={p}
        shown={shown}
        canWrite={canWrite}
        canRun={canRun}
      />
      {saved > 0 ? (
        <Alert tone="success" className="mb-4">
          Version {saved} saved. {saved === latest ? "It is the latest version; environments keep their versions until a label is moved." : null}
        </Alert>
      ) : null}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1fr)_22rem] [&>*]:min-w-0">
        <div className="flex min-w-0 flex-col gap-4">
          <VersionCard
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            name={name}
            type={type}
            version={shown}
            latest={latest}
            versions={versionNumbers}
            onChoose={showVersion}
          />
          <VersionsTable
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            name={name}
            canWrite={canWrite}
            versions={p.versions}
            labels={p.labels}
            latest={latest}
            shown={shown}
            onShow={showVersion}
          />
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <LabelsPanel
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            name={name}
            canMoveLabels={canMoveLabels}
            canManageEnvironments={canManageEnvironments}
            canRequestDeployments={canRequestDeployments}
            versions={versionNumbers}
            labels={p.labels}
            environments={p.environments}
            latest={latest}
            shown={shown}
          />
          <LabelHistory orgSlug={orgSlug} projectSlug={projectSlug} name={name} environments={p.environments.map((e) => e.name)} />
        </div>
      </div>
    </>
  );
}
