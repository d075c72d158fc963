"use client";
// The project's evaluation runs, newest first: prompt@version over dataset@version (+tag), each
// evaluator's pass rate, status (live progress while running), who started it and when. The
// prompt filter and the page (runs before #n) are kept in the address.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { RunStatus, RunSummary } from "@/server/contracts/evaluations";
import { useTRPC } from "@/components/trpc/client";
import { Badge, ButtonLink, Card, EmptyState, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { FlaskIcon, PlusIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { promptHref } from "@/components/prompts/model";
import { evaluationsHref, isActive, pct, runHref } from "./model";
import { ProgressBar, StatusBadge } from "./run-bits";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canWrite: boolean };

const PAGE = 50;

export function RunsList({ orgSlug, projectSlug, projectName, canWrite }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const promptName = searchParams.get("prompt")?.slice(0, 200) ?? "";
  const beforeParam = Number(searchParams.get("before"));
  const before = Number.isInteger(beforeParam) && beforeParam > 1 ? beforeParam : undefined;

  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const runs = useQuery({
    ...trpc.runs.list.queryOptions({ orgSlug, projectSlug, promptName: promptName || undefined, before, limit: PAGE }),
    placeholderData: keepPreviousData,
    // Statuses change while runs are queued or running: refresh until none is.
    refetchInterval: (query) => (query.state.data?.runs.some((r) => isActive(r.status)) ? 3000 : false),
  });
  const rows = runs.data?.runs ?? [];
  const filtered = !!promptName;

  const newButton = canWrite ? (
    <ButtonLink variant="primary" icon={<PlusIcon />} href={evaluationsHref(orgSlug, projectSlug, "new", { prompt: promptName || undefined })}>
      New run
    </ButtonLink>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Evaluation runs"
        description="A run answers every item of a dataset version with one prompt version and scores each answer with evaluators. Results are kept with the exact versions used."
        actions={newButton}
      />
      <Card aria-labelledby="runs-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="runs-title" className="text-sm font-semibold text-zinc-900">
              {runs.isSuccess
                ? `${rows.length}${runs.data.hasMore ? "+" : ""} ${rows.length === 1 ? "run" : "runs"}${before ? ` before #${before}` : ""}`
                : "Runs"}
            </h2>
            {runs.isFetching && !runs.isPending ? <Spinner size={12} /> : null}
          </div>
          <form role="search" aria-label="Filter runs" className="flex items-center gap-2" onSubmit={(e) => e.preventDefault()}>
            <Select
              label="Prompt"
              hideLabel
              size="sm"
              value={promptName}
              onChange={(e) => setParams({ prompt: e.target.value, before: undefined })}
              boxClassName="w-64"
              disabled={prompts.isPending}
            >
              <option value="">All prompts</option>
              {(prompts.data?.items ?? []).map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
              {promptName && prompts.data && !prompts.data.items.some((p) => p.name === promptName) ? <option value={promptName}>{promptName}</option> : null}
            </Select>
          </form>
        </div>
        {runs.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading runs…" />
          </div>
        ) : runs.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the runs" error={runs.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<FlaskIcon />}
            title={filtered ? `No runs of ${promptName} yet` : "No evaluation runs yet"}
            description={
              canWrite
                ? "Start a run: choose a prompt version, a dataset and the evaluators that score the answers."
                : "Editors start runs; you will see them here."
            }
            action={newButton}
          />
        ) : (
          <Table caption={`Evaluation runs of ${projectName}${filtered ? ` for ${promptName}` : ""}`}>
            <THead>
              <TR>
                <TH className="w-14">Run</TH>
                <TH>Prompt</TH>
                <TH>Dataset</TH>
                <TH>Pass rates</TH>
                <TH>Status</TH>
                <TH>Started by</TH>
                <TH>Created</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((run) => (
                <TR key={run.id}>
                  <TD>
                    <Link
                      href={runHref(orgSlug, projectSlug, run.number)}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                    >
                      #{run.number}
                    </Link>
                  </TD>
                  <TD>
                    {run.promptVersion ? (
                      <>
                        <Link
                          href={promptHref(orgSlug, projectSlug, run.promptVersion.prompt.name, undefined, { version: run.promptVersion.version })}
                          className="font-mono text-xs text-zinc-800 hover:text-accent hover:underline"
                        >
                          {run.promptVersion.prompt.name}
                          <span className="text-zinc-500">@v{run.promptVersion.version}</span>
                        </Link>
                        <span className="block text-xs text-zinc-500">{run.model}</span>
                      </>
                    ) : (
                      <>
                        <Badge tone="warning" title="Executed by an SDK outside Keel; outputs and scores come from the linked traces">
                          external (SDK)
                        </Badge>
                        <span className="block font-mono text-xs text-zinc-800">{run.name}</span>
                      </>
                    )}
                  </TD>
                  <TD>
                    <span className="font-mono text-xs text-zinc-800">
                      {run.datasetVersion.dataset.name}
                      <span className="text-zinc-500">@v{run.datasetVersion.version}</span>
                    </span>
                    {run.tag ? (
                      <Badge tone="outline" className="ml-1.5">
                        {run.tag}
                      </Badge>
                    ) : null}
                    {run.repetitions > 1 ? <span className="block text-xs text-zinc-500">×{run.repetitions} repetitions</span> : null}
                  </TD>
                  <TD>
                    <PassRates summary={run.summary as RunSummary | null} />
                  </TD>
                  <TD className="min-w-36">
                    {isActive(run.status) ? (
                      <LiveStatus orgSlug={orgSlug} projectSlug={projectSlug} number={run.number} status={run.status} />
                    ) : (
                      <StatusBadge status={run.status} summary={run.summary} />
                    )}
                  </TD>
                  <TD className="text-xs text-zinc-600">{run.createdByLabel}</TD>
                  <TD className="whitespace-nowrap text-zinc-500">
                    <Time value={run.createdAt} mode="relative" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        {before || runs.data?.hasMore ? (
          <nav aria-label="Pages" className="flex items-center justify-between gap-3 border-t border-zinc-200 px-4 py-2.5 text-[13px]">
            {before ? (
              <button type="button" className="font-medium text-zinc-700 hover:text-accent hover:underline" onClick={() => setParams({ before: undefined })}>
                Newest runs
              </button>
            ) : (
              <span />
            )}
            {runs.data?.hasMore && rows.length ? (
              <button
                type="button"
                className="font-medium text-zinc-700 hover:text-accent hover:underline"
                onClick={() => setParams({ before: rows.at(-1)!.number })}
              >
                Older runs
              </button>
            ) : null}
          </nav>
        ) : null}
      </Card>
    </>
  );
}

function PassRates({ summary }: { summary: RunSummary | null }) {
  if (!summary || summary.evaluators.length === 0) return <span className="text-xs text-zinc-500">{summary ? "no evaluators" : "—"}</span>;
  return (
    <ul className="flex flex-col gap-0.5">
      {summary.evaluators.map((e) => (
        <li key={e.evaluatorVersionId} className="flex items-baseline gap-2 text-xs">
          <span className="max-w-40 truncate font-mono text-zinc-600" title={e.name}>
            {e.name}
          </span>
          <span className="font-medium text-zinc-900 tabular-nums">{e.n ? pct(e.passRate) : "—"}</span>
        </li>
      ))}
    </ul>
  );
}

function LiveStatus({ orgSlug, projectSlug, number, status }: { orgSlug: string; projectSlug: string; number: number; status: RunStatus }) {
  const trpc = useTRPC();
  const progress = useQuery({ ...trpc.runs.progress.queryOptions({ orgSlug, projectSlug, number }), refetchInterval: 2000 });
  const p = progress.data?.progress;
  const current = (progress.data?.status as RunStatus | undefined) ?? status;
  return (
    <span className="flex flex-col gap-1">
      <StatusBadge status={current} />
      {p && p.total > 0 ? <ProgressBar done={p.done} total={p.total} label={`Run #${number} progress`} compact /> : null}
    </span>
  );
}
