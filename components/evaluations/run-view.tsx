"use client";
// One evaluation run: what ran (prompt@version, dataset@version, model, who, when), its live
// progress while queued or running (runs.progress every second, no reload), then its summary
// (per evaluator mean and pass rate with 95% intervals, latency, tokens, cost, consistency) and
// the results table. Writers cancel a queued or running run after a confirmation.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { answeredText, isUsableRun, MIN_USABLE_SHARE, runOutcome, type RunStatus, type RunSummary } from "@/server/contracts/evaluations";
import { EVALUATOR_KIND_INFO, type EvaluatorKind } from "@/server/contracts/evaluators";
import { useTRPC } from "@/components/trpc/client";
import {
  Alert,
  Badge,
  Button,
  Card,
  CardBody,
  CardHeader,
  ConfirmDialog,
  Menu,
  PageHeader,
  Spinner,
  Stat,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  buttonClasses,
} from "@/components/ui";
import { ChevronDownIcon, CompareIcon, StopIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { promptHref } from "@/components/prompts/model";
import { datasetHref } from "@/components/datasets/model";
import { durationBetween, evaluationsHref, evaluatorHref, formatDuration, formatMs, formatScore, formatUsd, isActive, pct, runHref } from "./model";
import { ProgressBar, StatusBadge } from "./run-bits";
import { RunResults } from "./run-results";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string; number: number; canWrite: boolean };

export function RunView({ orgSlug, projectSlug, projectName, number, canWrite }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useQuery(trpc.runs.get.queryOptions({ orgSlug, projectSlug, number }));
  const active = run.data ? isActive(run.data.status) : false;
  const progress = useQuery({
    ...trpc.runs.progress.queryOptions({ orgSlug, projectSlug, number }),
    enabled: active,
    refetchInterval: (query) => (!query.state.data || isActive(query.state.data.status) ? 1000 : false),
  });
  const liveStatus = (progress.data?.status ?? run.data?.status) as RunStatus | undefined;

  // When the worker finishes the run, load its summary and final results once.
  const lastStatus = useRef(liveStatus);
  useEffect(() => {
    if (lastStatus.current && liveStatus && lastStatus.current !== liveStatus) {
      void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ orgSlug, projectSlug, number }) });
      if (!isActive(liveStatus)) void queryClient.invalidateQueries({ queryKey: trpc.runs.results.queryKey() });
    }
    lastStatus.current = liveStatus;
  }, [liveStatus, queryClient, trpc, orgSlug, projectSlug, number]);

  const [confirmCancel, setConfirmCancel] = useState(false);
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: async () => {
        setConfirmCancel(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ orgSlug, projectSlug, number }) }),
          queryClient.invalidateQueries({ queryKey: trpc.runs.progress.queryKey({ orgSlug, projectSlug, number }) }),
          queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() }),
        ]);
      },
    }),
  );

  if (run.isPending) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading the run…" />
      </div>
    );
  }
  if (run.isError) {
    return (
      <>
        <PageHeader eyebrow={projectName} title={`Run #${number}`} />
        <QueryErrorAlert title="Could not load the run" error={run.error} />
      </>
    );
  }

  const r = run.data;
  const status = liveStatus ?? (r.status as RunStatus);
  const p = progress.data?.progress ?? r.progress;
  const summary = r.summary as RunSummary | null;
  const stillActive = isActive(status);
  const promptVersion = r.promptVersion;
  const promptName = promptVersion?.prompt.name ?? null;
  const settings = (r.settings ?? {}) as { temperature?: number; maxTokens?: number };
  const duration = durationBetween(r.startedAt, r.finishedAt);
  const evaluatorNames = r.evaluators.map((e) => e.name);

  return (
    <>
      <PageHeader
        className="mb-5"
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={evaluationsHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
              Runs
            </Link>
          </>
        }
        title={
          <span className="flex items-center gap-2.5">
            Run #{r.number}
            <StatusBadge status={status} summary={stillActive ? null : summary} />
          </span>
        }
        description={
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1 text-zinc-600">
            {promptVersion ? (
              <Link
                href={promptHref(orgSlug, projectSlug, promptVersion.prompt.name, undefined, { version: promptVersion.version })}
                className="font-mono text-zinc-800 hover:text-accent hover:underline"
              >
                {promptVersion.prompt.name}@v{promptVersion.version}
              </Link>
            ) : (
              <>
                <Badge tone="warning" title="Executed by an SDK outside Keel (Langfuse dataset run items); outputs and scores come from the linked traces">
                  external (SDK)
                </Badge>
                <span className="font-mono text-zinc-800">{r.name}</span>
              </>
            )}
            <span className="text-zinc-500">on</span>
            <Link
              href={datasetHref(orgSlug, projectSlug, r.datasetVersion.dataset.name, null, { v: r.datasetVersion.version })}
              className="font-mono text-zinc-800 hover:text-accent hover:underline"
            >
              {r.datasetVersion.dataset.name}@v{r.datasetVersion.version}
            </Link>
            {r.tag ? <Badge tone="outline">tag {r.tag}</Badge> : null}
            {r.model ? (
              <>
                <span aria-hidden="true" className="text-zinc-500">
                  ·
                </span>
                <span className="font-mono text-xs">{r.model}</span>
              </>
            ) : null}
            {settings.temperature !== undefined ? <span className="text-xs text-zinc-500">temperature {settings.temperature}</span> : null}
            {r.repetitions > 1 ? <Badge tone="outline">×{r.repetitions} repetitions</Badge> : null}
          </span>
        }
        actions={
          <>
            {promptName ? (
              <CompareMenu orgSlug={orgSlug} projectSlug={projectSlug} number={r.number} datasetVersionId={r.datasetVersionId} promptName={promptName} />
            ) : null}
            {canWrite && stillActive ? (
              <Button
                variant="danger-ghost"
                icon={<StopIcon size={14} />}
                onClick={() => (cancel.reset(), setConfirmCancel(true))}
                disabled={r.cancelRequested}
              >
                {r.cancelRequested ? "Cancelling…" : "Cancel run"}
              </Button>
            ) : null}
          </>
        }
      />

      <dl className="mb-5 grid grid-cols-2 gap-x-6 gap-y-2 text-[13px] sm:grid-cols-4">
        <Meta label="Started by">{r.createdByLabel}</Meta>
        <Meta label="Created">
          <Time value={r.createdAt} />
        </Meta>
        <Meta label={r.finishedAt ? "Finished" : "Started"}>
          {r.finishedAt ? (
            <Time value={r.finishedAt} />
          ) : r.startedAt ? (
            <Time value={r.startedAt} />
          ) : (
            <span className="text-zinc-500">waiting for a worker</span>
          )}
        </Meta>
        <Meta label="Duration">{duration !== null ? formatDuration(duration) : stillActive && r.startedAt ? "running…" : "—"}</Meta>
      </dl>

      {r.error ? (
        <div role="region" aria-label="Run error" className="mb-4">
          <Alert tone="error" title={status === "failed" ? "The run failed" : "Problem"}>
            {r.error}
            {summary && summary.errors > 0 ? (
              <span className="mt-1 block">
                <Link href={runHref(orgSlug, projectSlug, r.number, { status: "error" })} className="font-medium underline">
                  Show the {formatCount(summary.errors)} errored {summary.errors === 1 ? "call" : "calls"}
                </Link>{" "}
                ·{" "}
                <Link
                  href={datasetHref(orgSlug, projectSlug, r.datasetVersion.dataset.name, null, { v: r.datasetVersion.version })}
                  className="font-medium underline"
                >
                  Open the dataset
                </Link>
              </span>
            ) : null}
          </Alert>
        </div>
      ) : null}
      {!stillActive && summary && runOutcome(status, summary) === "completed_with_errors" ? (
        <div role="region" aria-label="Run outcome" className="mb-4">
          <Alert
            tone="warning"
            title={`Completed with errors: ${formatCount(summary.errors)} of ${formatCount(summary.items)} ${summary.items === 1 ? "call" : "calls"} failed`}
          >
            Errored calls are not scored: the scores below cover the {answeredText(summary)}.
            {summary.errorMessages?.[0] ? ` Most frequent error (${formatCount(summary.errorMessages[0].count)}): ${summary.errorMessages[0].message}.` : ""}
            {!isUsableRun(status, summary)
              ? ` Fewer than ${Math.round(MIN_USABLE_SHARE * 100)}% of the calls were answered, so this run does not count for deployment gates and is not plotted on the dashboard.`
              : ""}{" "}
            <Link href={runHref(orgSlug, projectSlug, r.number, { status: "error" })} className="font-medium underline">
              Show the errors
            </Link>
          </Alert>
        </div>
      ) : null}
      {status === "cancelled" ? (
        <Alert tone="warning" className="mb-4">
          This run was cancelled: {formatCount(p.done)} of {formatCount(p.total)} calls had finished. The summary covers those.
        </Alert>
      ) : null}

      {stillActive || !summary ? <ProgressCard status={status} progress={p} evaluatorNames={evaluatorNames} cancelRequested={r.cancelRequested} /> : null}
      {summary ? (
        <SummaryCards
          summary={summary}
          repetitions={r.repetitions}
          evaluators={r.evaluators}
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          runNumber={r.number}
        />
      ) : null}
      {r.human && r.human.dimensions.length ? <HumanReview human={r.human} /> : null}

      <RunResults
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        number={r.number}
        evaluatorNames={promptVersion ? evaluatorNames : r.traceScoreNames}
        repetitions={r.repetitions}
        live={stillActive}
      />

      <ConfirmDialog
        open={confirmCancel}
        onClose={() => setConfirmCancel(false)}
        title={`Cancel run #${r.number}?`}
        confirmLabel="Cancel run"
        onConfirm={() => cancel.mutate({ orgSlug, projectSlug, number: r.number })}
        mutation={cancel}
      >
        <p>
          Calls already made keep their results; the remaining {formatCount(Math.max(0, p.total - p.done))} are not made. A running run stops within a few
          seconds. This cannot be resumed.
        </p>
      </ConfirmDialog>
    </>
  );
}

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="truncate text-zinc-800">{children}</dd>
    </div>
  );
}

type Progress = {
  total: number;
  done: number;
  errors: number;
  running: number;
  pending: number;
  passRates: { name: string; passRate: number; n: number }[];
  etaSeconds: number | null;
};

function ProgressCard({
  status,
  progress: p,
  evaluatorNames,
  cancelRequested,
}: {
  status: RunStatus;
  progress: Progress;
  evaluatorNames: string[];
  cancelRequested: boolean;
}) {
  const rates = new Map(p.passRates.map((x) => [x.name, x]));
  return (
    <Card aria-labelledby="progress-title" className="mb-5">
      <CardHeader
        title="Progress"
        titleId="progress-title"
        description={
          status === "queued"
            ? "Waiting for a worker to pick the run up."
            : cancelRequested
              ? "Stopping: calls in flight finish, no new ones start."
              : status === "running"
                ? "Updates every second."
                : undefined
        }
      />
      <CardBody className="flex flex-col gap-3 py-4">
        <ProgressBar done={p.done} total={p.total} errors={p.errors} label={`Run progress`} />
        <p className="flex flex-wrap gap-x-5 gap-y-1 text-[13px] text-zinc-600" aria-live="polite">
          <span>
            <strong className="font-semibold text-zinc-900 tabular-nums">
              {formatCount(p.done)} / {formatCount(p.total)}
            </strong>{" "}
            calls done
          </span>
          <span className={p.errors ? "text-red-700" : undefined}>
            <span className="tabular-nums">{formatCount(p.errors)}</span> {p.errors === 1 ? "error" : "errors"}
          </span>
          <span>
            <span className="tabular-nums">{formatCount(p.running)}</span> in flight
          </span>
          <span>
            <span className="tabular-nums">{formatCount(p.pending)}</span> waiting
          </span>
          {p.etaSeconds !== null ? <span>about {formatDuration(p.etaSeconds)} left</span> : null}
        </p>
        {evaluatorNames.length ? (
          <ul aria-label="Pass rate so far" className="flex flex-wrap gap-2">
            {evaluatorNames.map((name) => {
              const x = rates.get(name);
              return (
                <li key={name} className="flex items-center gap-2 rounded-md border border-zinc-200 px-2.5 py-1 text-xs">
                  <span className="font-mono text-zinc-600">{name}</span>
                  <span className="font-semibold text-zinc-900 tabular-nums">{x ? pct(x.passRate) : "—"}</span>
                  <span className="text-zinc-500 tabular-nums">{x ? `n=${x.n}` : ""}</span>
                </li>
              );
            })}
          </ul>
        ) : null}
      </CardBody>
    </Card>
  );
}

type RunEvaluator = { name: string; evaluatorVersionId: string; evaluatorVersion: { version: number; kind: string } };

function SummaryCards({
  summary: s,
  repetitions,
  evaluators,
  orgSlug,
  projectSlug,
  runNumber,
}: {
  summary: RunSummary;
  repetitions: number;
  evaluators: RunEvaluator[];
  orgSlug: string;
  projectSlug: string;
  runNumber: number;
}) {
  const versionOf = new Map(evaluators.map((e) => [e.evaluatorVersionId, e.evaluatorVersion.version]));
  return (
    <section aria-labelledby="summary-title" className="mb-5 flex flex-col gap-4">
      <h2 id="summary-title" className="sr-only">
        Summary
      </h2>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-5">
        <Stat label="Calls" look="figure" boxed>
          {formatCount(s.done)} <span className="text-sm font-normal text-zinc-500">of {formatCount(s.items)}</span>
          {s.errors ? (
            <Link href={runHref(orgSlug, projectSlug, runNumber, { status: "error" })} className="block text-xs font-medium text-red-700 hover:underline">
              {formatCount(s.errors)} {s.errors === 1 ? "error" : "errors"} (not scored)
            </Link>
          ) : (
            <span className="block text-xs font-normal text-zinc-500">no errors</span>
          )}
        </Stat>
        <Stat label="Latency p50" look="figure" boxed>
          {formatMs(s.latencyP50)}
        </Stat>
        <Stat label="Latency p95" look="figure" boxed>
          {formatMs(s.latencyP95)}
        </Stat>
        <Stat label="Tokens" look="figure" boxed>
          {formatCount(s.inputTokens + s.outputTokens)}
          <span className="block text-xs font-normal text-zinc-500">
            {formatCount(s.inputTokens)} in · {formatCount(s.outputTokens)} out
          </span>
        </Stat>
        <Stat label="Cost" look="figure" boxed>
          {formatUsd(s.costUsd)}
          {s.costUsd === null ? <span className="block text-xs font-normal text-zinc-500">no price for this model</span> : null}
        </Stat>
      </dl>
      {s.evaluators.length ? (
        <Card aria-labelledby="scores-title">
          <CardHeader
            title="Scores"
            titleId="scores-title"
            description="Mean score with its 95% confidence interval, and the pass rate with its 95% (Wilson) interval, over the calls that completed."
          />
          <Table caption="Scores per evaluator">
            <THead>
              <TR>
                <TH>Evaluator</TH>
                <TH>Pass rate</TH>
                <TH className="text-right">Mean score</TH>
                <TH className="text-right">95% CI</TH>
                <TH className="text-right">Scored</TH>
              </TR>
            </THead>
            <TBody>
              {s.evaluators.map((e) => (
                <TR key={e.evaluatorVersionId}>
                  <TD>
                    <Link
                      href={evaluatorHref(orgSlug, projectSlug, e.name)}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                    >
                      {e.name}
                    </Link>
                    <span className="ml-1.5 font-mono text-[11px] text-zinc-500">v{versionOf.get(e.evaluatorVersionId) ?? "?"}</span>
                    <span className="block text-xs text-zinc-500">{EVALUATOR_KIND_INFO[e.kind as EvaluatorKind]?.label ?? e.kind}</span>
                  </TD>
                  <TD className="min-w-64">
                    {e.n ? (
                      <RateBar rate={e.passRate} low={e.passLow} high={e.passHigh} label={`${e.name} pass rate`} />
                    ) : (
                      <span className="text-xs text-zinc-500">nothing scored</span>
                    )}
                  </TD>
                  <TD className="text-right font-mono text-xs text-zinc-900 tabular-nums">{e.n ? formatScore(e.mean) : "—"}</TD>
                  <TD className="text-right font-mono text-xs text-zinc-500 tabular-nums">
                    {e.n ? `${formatScore(e.ciLow)} – ${formatScore(e.ciHigh)}` : "—"}
                  </TD>
                  <TD className="text-right font-mono text-xs text-zinc-500 tabular-nums">{formatCount(e.n)}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </Card>
      ) : null}
      {s.consistency && repetitions > 1 ? (
        <Card aria-labelledby="consistency-title">
          <CardHeader
            title="Consistency"
            titleId="consistency-title"
            description={`Each item was answered ${repetitions} times: the mean variance of its scores across repetitions (0 means every repetition scored the same).`}
          />
          <Table caption="Consistency per evaluator">
            <THead>
              <TR>
                <TH>Evaluator</TH>
                <TH className="text-right">Mean variance</TH>
              </TR>
            </THead>
            <TBody>
              {s.consistency.map((c) => (
                <TR key={c.name}>
                  <TD className="font-mono text-[13px]">{c.name}</TD>
                  <TD className="text-right font-mono text-xs tabular-nums">{c.meanVariance.toFixed(4)}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </Card>
      ) : null}
    </section>
  );
}

type HumanScores = {
  dimensions: { queue: string; key: string; label: string; n: number; mean: number }[];
  judges: { evaluator: string; queue: string; dimension: string; n: number; percent: number; kappa: number | null; reason: string | null }[];
};

/** Final human grades on this run's outputs (from review queues), and how far LLM judges agree with them. */
function HumanReview({ human }: { human: HumanScores }) {
  return (
    <Card aria-labelledby="human-title" className="mt-5">
      <CardHeader
        title="Human review"
        titleId="human-title"
        description="Final grades from review queues on this run's outputs, as scores from 0 to 1 beside the automatic ones."
      />
      <Table caption="Human grades per rubric dimension">
        <THead>
          <TR>
            <TH>Dimension</TH>
            <TH>Queue</TH>
            <TH className="text-right">Mean (0-1)</TH>
            <TH className="text-right">Items</TH>
          </TR>
        </THead>
        <TBody>
          {human.dimensions.map((d) => (
            <TR key={`${d.queue}:${d.key}`}>
              <TD>
                {d.label} <span className="font-mono text-xs text-zinc-500">human: {d.key}</span>
              </TD>
              <TD className="font-mono text-[13px]">{d.queue}</TD>
              <TD className="text-right font-mono text-xs tabular-nums">{d.mean.toFixed(3)}</TD>
              <TD className="text-right font-mono text-xs tabular-nums">{d.n}</TD>
            </TR>
          ))}
        </TBody>
      </Table>
      {human.judges.length ? (
        <Table caption="Agreement between LLM judges and the human grades (pass/fail; human pass = at least half the scale)">
          <THead>
            <TR>
              <TH>Judge</TH>
              <TH>Human dimension</TH>
              <TH className="text-right">Agreement</TH>
              <TH className="text-right">Cohen&apos;s kappa</TH>
              <TH className="text-right">Items</TH>
            </TR>
          </THead>
          <TBody>
            {human.judges.map((j) => (
              <TR key={`${j.evaluator}:${j.queue}:${j.dimension}`}>
                <TD className="font-mono text-[13px]">{j.evaluator}</TD>
                <TD className="font-mono text-[13px]">{j.dimension}</TD>
                <TD className="text-right font-mono text-xs tabular-nums">{(j.percent * 100).toFixed(0)}%</TD>
                <TD className="text-right font-mono text-xs tabular-nums">{j.kappa === null ? `n/a (${j.reason ?? "no data"})` : j.kappa.toFixed(2)}</TD>
                <TD className="text-right font-mono text-xs tabular-nums">{j.n}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
    </Card>
  );
}

/** A pass rate with its interval drawn as a whisker. */
function RateBar({ rate, low, high, label }: { rate: number; low: number; high: number; label: string }) {
  return (
    <span className="flex items-center gap-3">
      <span className="w-12 text-right text-[13px] font-semibold text-zinc-900 tabular-nums">{pct(rate)}</span>
      <span className="relative h-2 w-32 rounded-full bg-zinc-100" role="img" aria-label={`${label} ${pct(rate)}, 95% interval ${pct(low)} to ${pct(high)}`}>
        <span className="absolute inset-y-0 left-0 rounded-full bg-emerald-500/80" style={{ width: `${rate * 100}%` }} />
        <span
          className="absolute top-1/2 h-0.5 -translate-y-1/2 bg-zinc-700"
          style={{ left: `${low * 100}%`, width: `${Math.max(0.5, (high - low) * 100)}%` }}
        />
      </span>
      <span className="font-mono text-[11px] text-zinc-500 tabular-nums">
        {pct(low)}–{pct(high)}
      </span>
    </span>
  );
}

/** Other runs on the same dataset version; the older run of a pair is the baseline. */
function CompareMenu({
  orgSlug,
  projectSlug,
  number,
  datasetVersionId,
  promptName,
}: {
  orgSlug: string;
  projectSlug: string;
  number: number;
  datasetVersionId: string;
  promptName: string;
}) {
  const trpc = useTRPC();
  const runs = useQuery(trpc.runs.list.queryOptions({ orgSlug, projectSlug, limit: 100 }));
  // Runs Keel executed (external runs carry no automatic scores to compare).
  const candidates = (runs.data?.runs ?? []).flatMap((x) =>
    x.promptVersion && x.number !== number && x.datasetVersionId === datasetVersionId && x.status === "completed"
      ? [{ ...x, promptVersion: x.promptVersion }]
      : [],
  );
  // Same prompt first, then the rest.
  candidates.sort((a, b) => Number(b.promptVersion.prompt.name === promptName) - Number(a.promptVersion.prompt.name === promptName) || b.number - a.number);
  const items = candidates.slice(0, 20).map((x) => {
    const [baseline, candidate] = x.number < number ? [x.number, number] : [number, x.number];
    return {
      key: String(x.number),
      label: `Run #${x.number}`,
      textValue: `Run ${x.number}`,
      description: `${x.promptVersion.prompt.name}@v${x.promptVersion.version} · ${x.model}`,
      href: evaluationsHref(orgSlug, projectSlug, "compare", { baseline, candidate }),
    };
  });
  return (
    <Menu
      trigger={
        <>
          <CompareIcon size={14} />
          Compare with…
          <ChevronDownIcon size={14} />
        </>
      }
      triggerClassName={buttonClasses({})}
      menuLabel="Compare with"
      align="end"
      sections={[
        {
          key: "runs",
          label: "Completed runs on the same dataset version",
          items: items.length
            ? items
            : [
                {
                  key: "none",
                  label: runs.isPending ? "Loading…" : "No other completed run on these items",
                  href: evaluationsHref(orgSlug, projectSlug, "compare", { baseline: number }),
                },
              ],
        },
      ]}
    />
  );
}
