"use client";
// One evaluator: its description and every version (configuration, change message, author, time),
// newest first. Writers save a new version with the form (prefilled from the latest) or archive it;
// an archived evaluator can no longer be chosen for runs, and runs that used it keep their results.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useState } from "react";
import { EVALUATOR_KIND_INFO, type EvaluatorKind } from "@/server/contracts/evaluators";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, CardHeader, ConfirmDialog, PageHeader, Spinner, ScrollArea } from "@/components/ui";
import { PencilIcon, TrashIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { describeConfig, draftFromConfig } from "./evaluator-model";
import { evaluationsHref } from "./model";

// Loaded with its first opening (react-hook-form stays out of the page's first load).
const EvaluatorDialog = dynamic(() => import("./evaluator-form").then((m) => m.EvaluatorDialog));

type Props = { orgSlug: string; projectSlug: string; projectName: string; name: string; canWrite: boolean };

export function EvaluatorDetail({ orgSlug, projectSlug, projectName, name, canWrite }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const evaluator = useQuery(trpc.evaluators.get.queryOptions({ orgSlug, projectSlug, name }));
  const [editing, setEditing] = useState(false);
  const [archiving, setArchiving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const archive = useMutation(
    trpc.evaluators.archive.mutationOptions({
      onSuccess: async () => {
        setArchiving(false);
        setSaved("Archived. New runs can no longer use this evaluator; earlier runs keep their results.");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.evaluators.get.queryKey({ orgSlug, projectSlug, name }) }),
          queryClient.invalidateQueries({ queryKey: trpc.evaluators.list.queryKey() }),
        ]);
      },
    }),
  );

  const eyebrow = (
    <>
      {projectName} ·{" "}
      <Link href={evaluationsHref(orgSlug, projectSlug, "evaluators")} className="hover:text-zinc-800 hover:underline">
        Evaluators
      </Link>
    </>
  );
  if (evaluator.isPending) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading the evaluator…" />
      </div>
    );
  }
  if (evaluator.isError) {
    return (
      <>
        <PageHeader eyebrow={eyebrow} title={<span className="font-mono">{name}</span>} />
        <QueryErrorAlert title="Could not load the evaluator" error={evaluator.error} />
      </>
    );
  }
  const e = evaluator.data;
  const latest = e.versions[0];
  const kind = latest?.kind as EvaluatorKind | undefined;
  const writable = canWrite && !e.archivedAt;

  return (
    <>
      <PageHeader
        eyebrow={eyebrow}
        title={<span className="font-mono">{e.name}</span>}
        description={
          <span className="flex flex-col gap-1.5">
            <span className="flex flex-wrap items-center gap-1.5">
              {e.archivedAt ? <Badge tone="warning">archived</Badge> : null}
              {kind ? <Badge tone="accent">{EVALUATOR_KIND_INFO[kind]?.label ?? kind}</Badge> : null}
              <Badge tone="outline" mono>
                latest v{e.latestVersion}
              </Badge>
            </span>
            {e.description ? <span className="text-zinc-600">{e.description}</span> : <span className="text-zinc-500">No description</span>}
          </span>
        }
        actions={
          writable ? (
            <>
              <Button variant="danger-ghost" icon={<TrashIcon size={14} />} onClick={() => (archive.reset(), setArchiving(true))}>
                Archive
              </Button>
              <Button variant="primary" icon={<PencilIcon size={14} />} onClick={() => (setSaved(null), setEditing(true))}>
                Save new version
              </Button>
            </>
          ) : null
        }
      />
      {saved ? (
        <Alert tone="success" className="mb-4">
          {saved}
        </Alert>
      ) : null}
      <Card aria-labelledby="versions-title">
        <CardHeader
          title={`${e.versions.length} ${e.versions.length === 1 ? "version" : "versions"}`}
          titleId="versions-title"
          description="Versions never change; a run records the version it used."
        />
        <ol aria-label="Versions" className="divide-y divide-zinc-100">
          {e.versions.map((v) => (
            <li key={v.id} aria-label={`Version ${v.version}`} className="grid gap-3 px-4 py-3 md:grid-cols-[10rem_1fr]">
              <div className="flex flex-col gap-1">
                <span className="flex items-center gap-2">
                  <span className="font-mono text-[13px] font-semibold text-zinc-900">v{v.version}</span>
                  {v.version === e.latestVersion ? <Badge tone="success">latest</Badge> : null}
                </span>
                <span className="text-xs text-zinc-600">{v.authorLabel}</span>
                <Time value={v.createdAt} className="text-xs text-zinc-500" />
              </div>
              <div className="flex min-w-0 flex-col gap-1.5">
                <p className="text-[13px] text-zinc-800">
                  <Badge tone="outline" className="mr-1.5">
                    {EVALUATOR_KIND_INFO[v.kind as EvaluatorKind]?.label ?? v.kind}
                  </Badge>
                  <span className="font-mono text-xs">{describeConfig(v.config)}</span>
                </p>
                {v.commitMessage ? <p className="text-xs text-zinc-600">{v.commitMessage}</p> : null}
                <details className="text-xs">
                  <summary className="cursor-pointer text-zinc-500 hover:text-zinc-800">Configuration</summary>
                  <ScrollArea
                    as="pre"
                    className="mt-1.5 max-h-72 overflow-auto rounded-md border border-zinc-200 bg-zinc-50/60 px-3 py-2 font-mono text-xs text-zinc-800"
                  >
                    {JSON.stringify(v.config, null, 2)}
                  </ScrollArea>
                </details>
              </div>
            </li>
          ))}
        </ol>
      </Card>
      {editing && latest ? (
        <EvaluatorDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          mode={{ type: "version", name: e.name, description: e.description }}
          initial={draftFromConfig(latest.config)}
          onClose={() => setEditing(false)}
          onSaved={(r) => (
            setEditing(false),
            setSaved(r.changed ? `Version ${r.version} saved. New runs use it.` : "Nothing changed: the latest version already has this configuration.")
          )}
        />
      ) : null}
      <ConfirmDialog
        open={archiving}
        onClose={() => setArchiving(false)}
        title={`Archive ${e.name}?`}
        confirmLabel="Archive"
        onConfirm={() => archive.mutate({ orgSlug, projectSlug, name: e.name })}
        pending={archive.isPending}
        error={archive.error ? <Alert tone="error">{errorInfo(archive.error).message}</Alert> : null}
      >
        <p>New runs can no longer choose it. Runs that used it keep their scores and still show its versions.</p>
      </ConfirmDialog>
    </>
  );
}
