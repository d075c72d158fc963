"use client";
// Comparing two evaluation runs on the same dataset version (?baseline=&candidate=, run numbers):
// per evaluator the plain-language verdict, both means, the paired difference with its 95% CI
// drawn around zero, wins/losses/ties and McNemar on pass/fail; then the items the candidate does
// worse on, each of which opens side by side (input, expected, both outputs, explanations).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { isUsableRun, type ResultRow, type RunStatus, type RunSummary } from "@/server/contracts/evaluations";
import { useTRPC } from "@/components/trpc/client";
import {
  ActionsTH,
  Alert,
  Badge,
  Button,
  ButtonLink,
  Card,
  CardHeader,
  Dialog,
  EmptyState,
  PageHeader,
  Select,
  Spinner,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  cn,
  ScrollArea,
} from "@/components/ui";
import { ArrowRightIcon, ChevronUpDownIcon, CompareIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { errorInfo } from "@/components/lib/errors";
import { evaluationsHref, formatMs, formatUsd, runHref } from "./model";
import { StatusBadge } from "./run-bits";
import { formatCount } from "@/components/lib/format";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

type Direction = "better" | "worse" | "inconclusive";
type EvaluatorComparison = {
  name: string;
  n: number;
  baselineMean: number;
  candidateMean: number;
  wins: number;
  losses: number;
  ties: number;
  meanDifference: number;
  low: number;
  high: number;
  direction: Direction;
  mcnemar: { b01: number; b10: number; pValue: number; method: string } | null;
  verdict: string;
};
type Regression = { position: number; worse: { evaluator: string; baseline: number; candidate: number; baselinePassed: boolean; candidatePassed: boolean }[] };
type ListedRun = {
  number: number;
  status: RunStatus;
  datasetVersionId: string;
  repetitions: number;
  summary?: unknown;
  promptVersion: { version: number; prompt: { name: string } };
  datasetVersion: { version: number; dataset: { name: string } };
};

const DIRECTION_STYLE: Record<Direction, { text: string; border: string; stroke: string; label: string }> = {
  better: { text: "text-emerald-800", border: "border-l-emerald-500", stroke: "#059669", label: "Better" },
  worse: { text: "text-red-800", border: "border-l-red-500", stroke: "#dc2626", label: "Worse" },
  inconclusive: { text: "text-zinc-800", border: "border-l-zinc-300", stroke: "#71717a", label: "Inconclusive" },
};

const MINUS = "\u2212";

/** A difference on a [0,1] scale in points (×100), signed like the verdict: +4.2, −1.5, 0.0. */
export function points(x: number, decimals = 1): string {
  const text = Math.abs(x * 100).toFixed(decimals);
  if (Number(text) === 0) return text;
  return (x > 0 ? "+" : MINUS) + text;
}

/** A mean score: a percentage when it lies in [0,1] (most evaluators), else the number itself. */
export function formatMean(x: number): string {
  if (x >= 0 && x <= 1) return `${(x * 100).toFixed(1)}%`;
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= 1 ? n : undefined;
}

export function runLabel(r: ListedRun): string {
  return `#${r.number} ${r.promptVersion.prompt.name} v${r.promptVersion.version} · ${r.datasetVersion.dataset.name} v${r.datasetVersion.version}`;
}

/** Without ?baseline=&candidate=: the newest completed run, against the completed run before it on the same items. */
function defaultPair(runs: ListedRun[]): { baseline?: number; candidate?: number } {
  // Only runs that measured something (enough answered calls) make a default comparison.
  const done = runs.filter((r) => isUsableRun(r.status, r.summary as RunSummary | null));
  const candidate = done[0];
  if (!candidate) return {};
  const sameItems = done.filter((r) => r.number !== candidate.number && r.datasetVersionId === candidate.datasetVersionId);
  const baseline = sameItems.find((r) => r.promptVersion.prompt.name === candidate.promptVersion.prompt.name) ?? sameItems[0];
  return { baseline: baseline?.number, candidate: candidate.number };
}

function ComparableLinks({ title, runs, href }: { title: string; runs: { number: number; prompt: string; version: number }[]; href: (n: number) => string }) {
  if (!runs.length) return null;
  return (
    <div>
      <p>{title}</p>
      <ul className="mt-1 flex flex-wrap gap-2">
        {runs.map((r) => (
          <li key={r.number}>
            <Link href={href(r.number)} className="font-mono text-xs text-accent hover:underline">
              #{r.number} {r.prompt} v{r.version}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---- the interval bar -----------------------------------------------------------------------

const NICE = [0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1];

/** A symmetric half-width around zero that holds every interval (shared so the bars compare). */
export function intervalExtent(evaluators: { low: number; high: number; meanDifference: number }[]): number {
  const widest = Math.max(0, ...evaluators.flatMap((e) => [Math.abs(e.low), Math.abs(e.high), Math.abs(e.meanDifference)]));
  return NICE.find((n) => widest <= n) ?? Math.ceil(widest);
}

function IntervalBar({ e, extent }: { e: EvaluatorComparison; extent: number }) {
  const W = 280;
  const pad = 14;
  const x = (v: number) => pad + ((Math.max(-extent, Math.min(extent, v)) + extent) / (2 * extent)) * (W - 2 * pad);
  const color = DIRECTION_STYLE[e.direction].stroke;
  const crosses = e.low <= 0 && e.high >= 0;
  const description = `Difference ${points(e.meanDifference)} points, 95% confidence interval from ${points(e.low)} to ${points(e.high)} points; ${crosses ? "the interval includes zero" : e.direction === "better" ? "the whole interval is above zero" : "the whole interval is below zero"}.`;
  return (
    <svg viewBox={`0 0 ${W} 44`} className="h-11 w-full max-w-sm" role="img" aria-label={description}>
      <line x1={pad} x2={W - pad} y1={18} y2={18} stroke="#e4e4e7" strokeWidth={1} />
      <line x1={x(0)} x2={x(0)} y1={6} y2={30} stroke="#a1a1aa" strokeWidth={1} strokeDasharray="2 2" />
      <line x1={x(e.low)} x2={x(e.high)} y1={18} y2={18} stroke={color} strokeWidth={3} strokeLinecap="round" />
      <line x1={x(e.low)} x2={x(e.low)} y1={12} y2={24} stroke={color} strokeWidth={2} />
      <line x1={x(e.high)} x2={x(e.high)} y1={12} y2={24} stroke={color} strokeWidth={2} />
      <circle cx={x(e.meanDifference)} cy={18} r={4.5} fill={color} stroke="white" strokeWidth={1.5} />
      <g fontSize={10} fill="#71717a" textAnchor="middle" aria-hidden="true">
        <text x={pad} y={41}>
          {points(-extent, 0)}
        </text>
        <text x={x(0)} y={41}>
          0
        </text>
        <text x={W - pad} y={41}>
          {points(extent, 0)}
        </text>
      </g>
    </svg>
  );
}

// ---- one evaluator --------------------------------------------------------------------------

function EvaluatorCard({
  e,
  extent,
  baselineLabel,
  candidateLabel,
}: {
  e: EvaluatorComparison;
  extent: number;
  baselineLabel: string;
  candidateLabel: string;
}) {
  const style = DIRECTION_STYLE[e.direction];
  const titleId = `evaluator-${e.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const significant = e.mcnemar ? e.mcnemar.pValue < 0.05 : false;
  return (
    <section aria-labelledby={titleId} className={cn("rounded-lg border border-l-4 border-zinc-200 bg-white shadow-xs", style.border)}>
      <div className="flex items-center justify-between gap-3 px-4 pt-3">
        <h3 id={titleId} className="font-mono text-[13px] font-semibold text-zinc-900">
          {e.name}
        </h3>
        <span className="flex items-center gap-2">
          <span className="text-xs text-zinc-500">
            <span className="font-mono tabular-nums">{formatCount(e.n)}</span> {e.n === 1 ? "item" : "items"}
          </span>
          <Badge tone={e.direction === "better" ? "success" : e.direction === "worse" ? "danger" : "neutral"}>{style.label}</Badge>
        </span>
      </div>
      <p className={cn("px-4 pt-1.5 text-[15px] leading-snug font-medium", style.text)}>{e.verdict}</p>
      {e.n === 0 ? null : (
        <div className="grid gap-x-6 gap-y-3 px-4 pt-3 pb-4 sm:grid-cols-[auto_minmax(0,1fr)]">
          <dl className="grid grid-cols-[auto_1fr] content-start gap-x-3 gap-y-1 text-[13px] whitespace-nowrap">
            <dt className="text-zinc-500">Baseline mean</dt>
            <dd className="font-mono text-zinc-800 tabular-nums">
              {formatMean(e.baselineMean)} <span className="font-sans text-xs text-zinc-500">{baselineLabel}</span>
            </dd>
            <dt className="text-zinc-500">Candidate mean</dt>
            <dd className="font-mono text-zinc-800 tabular-nums">
              {formatMean(e.candidateMean)} <span className="font-sans text-xs text-zinc-500">{candidateLabel}</span>
            </dd>
            <dt className="text-zinc-500">Difference</dt>
            <dd className={cn("font-mono tabular-nums", style.text)}>
              {points(e.meanDifference)} pts{" "}
              <span className="text-xs text-zinc-500">
                [{points(e.low)}, {points(e.high)}]
              </span>
            </dd>
          </dl>
          <div className="flex flex-col gap-1">
            <p className="text-xs text-zinc-500">95% CI of the difference, points</p>
            <IntervalBar e={e} extent={extent} />
          </div>
          <div className="text-[13px] sm:col-span-2">
            <p className="flex flex-wrap gap-x-4 gap-y-1" aria-label={`Item by item: candidate better on ${e.wins}, worse on ${e.losses}, tied on ${e.ties}`}>
              <span>
                <span className="font-mono font-medium text-emerald-700 tabular-nums">{e.wins}</span> <span className="text-zinc-600">wins</span>
              </span>
              <span>
                <span className="font-mono font-medium text-red-700 tabular-nums">{e.losses}</span> <span className="text-zinc-600">losses</span>
              </span>
              <span>
                <span className="font-mono font-medium text-zinc-700 tabular-nums">{e.ties}</span> <span className="text-zinc-600">ties</span>
              </span>
              <span className="text-xs text-zinc-500">(candidate vs baseline, item by item)</span>
            </p>
            {e.mcnemar ? (
              <p className="mt-1.5 text-zinc-600">
                <span className="font-medium text-zinc-800">McNemar on pass/fail:</span> {e.mcnemar.b01} fixed (fail → pass), {e.mcnemar.b10} broken (pass →
                fail); p {formatP(e.mcnemar.pValue)} ({e.mcnemar.method === "exact" ? "exact binomial" : e.mcnemar.method}
                ).{" "}
                <span className={cn("font-medium", significant ? (e.mcnemar.b10 > e.mcnemar.b01 ? "text-red-700" : "text-emerald-700") : "text-zinc-700")}>
                  {significant ? "Significant at 5%." : "Not significant at 5%."}
                </span>
              </p>
            ) : null}
          </div>
        </div>
      )}
    </section>
  );
}

/** "< 0.001" or "= 0.04": reads after a "p". */
function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return `= ${p.toFixed(p < 0.01 ? 3 : 2)}`;
}

// ---- one item side by side --------------------------------------------------------------------

const PAGE_SIZE = 100;

/** The result rows (every repetition) of one item position. */
function useItemRows(orgSlug: string, projectSlug: string, run: number, position: number) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.runs.results.queryOptions({ orgSlug, projectSlug, number: run, position, page: 1, pageSize: PAGE_SIZE, sort: "position", direction: "asc" }),
    select: (res) => res.rows as ResultRow[],
  });
}

function pretty(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function OutputColumn({
  title,
  rows,
  worse,
  pending,
  error,
}: {
  title: string;
  rows: ResultRow[] | undefined;
  worse: Set<string>;
  pending: boolean;
  error: unknown;
}) {
  return (
    <section aria-label={title} className="flex min-w-0 flex-col gap-2">
      <h3 className="text-[13px] font-semibold text-zinc-900">{title}</h3>
      {pending ? (
        <Spinner label="Loading…" />
      ) : error ? (
        <QueryErrorAlert title="Could not load this output" error={error} />
      ) : !rows?.length ? (
        <p className="text-[13px] text-zinc-500">This run has no result for the item.</p>
      ) : (
        rows.map((r) => (
          <div key={r.repetition} className="flex flex-col gap-2">
            {rows.length > 1 ? <p className="text-xs text-zinc-500">Repetition {r.repetition}</p> : null}
            {r.error ? <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">{r.error}</p> : null}
            <ScrollArea
              as="pre"
              className="max-h-72 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-sans text-[13px] whitespace-pre-wrap text-zinc-800"
            >
              {r.output ?? "(no output)"}
            </ScrollArea>
            <p className="text-xs text-zinc-500">
              {formatMs(r.latencyMs)} · {formatUsd(r.costUsd)}
            </p>
            <ul className="flex flex-col gap-1.5">
              {(r.scores ?? []).map((s) => (
                <li
                  key={s.name}
                  className={cn("rounded-md border px-2.5 py-1.5 text-[13px]", worse.has(s.name) ? "border-red-200 bg-red-50/50" : "border-zinc-200")}
                >
                  <span className="flex flex-wrap items-center gap-2">
                    <span className="font-mono text-xs font-medium text-zinc-900">{s.name}</span>
                    <Badge tone={s.passed ? "success" : "danger"}>{s.passed ? "Pass" : "Fail"}</Badge>
                    <span className="font-mono text-xs text-zinc-600 tabular-nums">{formatMean(s.score)}</span>
                  </span>
                  {s.explanation ? <span className="mt-0.5 block text-xs text-zinc-600">{s.explanation}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}

function ItemDialog({
  orgSlug,
  projectSlug,
  regression,
  baseline,
  candidate,
  onClose,
}: {
  orgSlug: string;
  projectSlug: string;
  regression: Regression;
  baseline: { number: number; label: string; repetitions: number };
  candidate: { number: number; label: string; repetitions: number };
  onClose: () => void;
}) {
  const a = useItemRows(orgSlug, projectSlug, baseline.number, regression.position);
  const b = useItemRows(orgSlug, projectSlug, candidate.number, regression.position);
  const item = a.data?.[0] ?? b.data?.[0];
  const worse = new Set(regression.worse.map((w) => w.evaluator));
  return (
    <Dialog
      open
      onClose={onClose}
      size="xl"
      title={`Item #${regression.position}`}
      description={`Worse on ${regression.worse.map((w) => w.evaluator).join(", ")}`}
    >
      <div className="flex flex-col gap-4">
        {item ? (
          <dl className="divide-y divide-zinc-100 rounded-md border border-zinc-200 text-[13px]">
            {Object.entries(item.input).map(([k, v]) => (
              <div key={k} className="grid grid-cols-[10rem_minmax(0,1fr)] gap-3 px-3 py-1.5">
                <dt className="truncate font-mono text-xs text-zinc-600" title={`input.${k}`}>
                  input.{k}
                </dt>
                <dd className={cn("whitespace-pre-wrap text-zinc-800", typeof v !== "string" && "font-mono text-xs")}>{pretty(v)}</dd>
              </div>
            ))}
            <div className="grid grid-cols-[10rem_minmax(0,1fr)] gap-3 px-3 py-1.5">
              <dt className="font-mono text-xs text-zinc-600">expected</dt>
              <dd className={cn("whitespace-pre-wrap text-zinc-800", typeof item.expected !== "string" && "font-mono text-xs")}>
                {item.expected === null || item.expected === undefined ? <span className="text-zinc-500">none</span> : pretty(item.expected)}
              </dd>
            </div>
          </dl>
        ) : null}
        <div className="grid gap-4 md:grid-cols-2">
          <OutputColumn title={`Baseline: ${baseline.label}`} rows={a.data} worse={new Set()} pending={a.isPending} error={a.error} />
          <OutputColumn title={`Candidate: ${candidate.label}`} rows={b.data} worse={worse} pending={b.isPending} error={b.error} />
        </div>
      </div>
    </Dialog>
  );
}

// ---- the page -----------------------------------------------------------------------------------

export function CompareView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const runs = useQuery(trpc.runs.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  // Runs Keel executed: an external (SDK) run names no prompt version and is never compared.
  const list = (runs.data?.runs ?? []).flatMap((r) => (r.promptVersion ? [{ ...r, promptVersion: r.promptVersion }] : [])) as ListedRun[];
  const fallback = defaultPair(list);
  const baseline = positiveInt(searchParams.get("baseline")) ?? fallback.baseline;
  const candidate = positiveInt(searchParams.get("candidate")) ?? fallback.candidate;
  const ready = baseline !== undefined && candidate !== undefined && baseline !== candidate;
  const compare = useQuery({
    ...trpc.runs.compare.queryOptions({ orgSlug, projectSlug, baseline: baseline ?? 1, candidate: candidate ?? 1 }),
    enabled: ready,
    // A refusal (different dataset versions) or a missing run will not change on a retry.
    retry: (count, error) => count < 2 && !["BAD_REQUEST", "NOT_FOUND", "FORBIDDEN", "UNAUTHORIZED"].includes(errorInfo(error).code ?? ""),
    // Unfinished runs: the comparison grows as items finish.
    refetchInterval: (q) => {
      const d = q.state.data;
      return d && [d.baseline.status, d.candidate.status].some((s) => s === "queued" || s === "running") ? 3000 : false;
    },
  });
  const [open, setOpen] = useState<Regression | null>(null);

  const header = (
    <PageHeader
      eyebrow={projectName}
      title="Compare runs"
      description="Two runs on the same dataset version, item by item: which evaluators moved, by how much, and whether the change is more than noise."
    />
  );

  if (runs.isPending) {
    return (
      <>
        {header}
        <Spinner label="Loading runs…" />
      </>
    );
  }
  if (runs.isError) {
    return (
      <>
        {header}
        <QueryErrorAlert title="Could not load the runs" error={runs.error} />
      </>
    );
  }
  if (list.length < 2) {
    return (
      <>
        {header}
        <Card as="div">
          <EmptyState
            icon={<CompareIcon />}
            title="Nothing to compare yet"
            description="Comparing needs two runs on the same dataset version, for example two prompt versions over one test set."
            action={
              <ButtonLink size="sm" href={evaluationsHref(orgSlug, projectSlug)}>
                Go to runs
              </ButtonLink>
            }
          />
        </Card>
      </>
    );
  }

  const byNumber = new Map(list.map((r) => [r.number, r]));
  const options = (chosen: number | undefined) => (
    <>
      {chosen === undefined ? <option value="">Choose a run</option> : null}
      {chosen !== undefined && !byNumber.has(chosen) ? <option value={chosen}>#{chosen}</option> : null}
      {list.map((r) => (
        <option key={r.number} value={r.number}>
          {runLabel(r)}
          {r.status === "completed" ? "" : ` (${r.status})`}
        </option>
      ))}
    </>
  );
  const data = compare.data;
  const extent = data ? intervalExtent(data.evaluators) : 0.1;
  const baselineLabel = data ? `#${data.baseline.number} v${data.baseline.version}` : "";
  const candidateLabel = data ? `#${data.candidate.number} v${data.candidate.version}` : "";
  const unfinished = data ? [data.baseline, data.candidate].filter((r) => r.status !== "completed") : [];

  return (
    <>
      {header}
      <div className="flex flex-col gap-4">
        <Card as="div">
          <form aria-label="Runs to compare" className="flex flex-wrap items-end gap-3 px-4 py-3" onSubmit={(e) => e.preventDefault()}>
            <Select
              label="Baseline"
              size="sm"
              value={baseline ?? ""}
              onChange={(e) => setParams({ baseline: positiveInt(e.target.value), candidate })}
              boxClassName="w-80"
            >
              {options(baseline)}
            </Select>
            <ArrowRightIcon className="mb-1.5 text-zinc-500" />
            <Select
              label="Candidate"
              size="sm"
              value={candidate ?? ""}
              onChange={(e) => setParams({ baseline, candidate: positiveInt(e.target.value) })}
              boxClassName="w-80"
            >
              {options(candidate)}
            </Select>
            <Button
              size="sm"
              icon={<ChevronUpDownIcon size={14} className="rotate-90" />}
              onClick={() => setParams({ baseline: candidate, candidate: baseline })}
              disabled={baseline === undefined || candidate === undefined}
            >
              Swap
            </Button>
          </form>
          {baseline !== undefined && baseline === candidate ? (
            <p className="border-t border-zinc-200 px-4 py-2.5 text-[13px] text-amber-800">Choose two different runs.</p>
          ) : null}
        </Card>

        {!ready ? (
          baseline === undefined || candidate === undefined ? (
            <Card as="div">
              <EmptyState
                icon={<CompareIcon />}
                title="Choose two runs"
                description="Pick a baseline (the version you have) and a candidate (the version you consider)."
              />
            </Card>
          ) : null
        ) : compare.isPending ? (
          <div className="py-10 text-center">
            <Spinner label="Comparing…" />
          </div>
        ) : compare.isError ? (
          <section aria-label="Comparison">
            <QueryErrorAlert title="These runs cannot be compared" error={compare.error} />
          </section>
        ) : data ? (
          <>
            <section aria-labelledby="comparison-title" className="flex flex-col gap-3">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="comparison-title" className="text-sm font-semibold text-zinc-900">
                  <Link href={runHref(orgSlug, projectSlug, data.baseline.number)} className="hover:text-accent hover:underline">
                    #{data.baseline.number}
                  </Link>{" "}
                  <span className="font-mono font-normal text-zinc-600">
                    {data.baseline.prompt} v{data.baseline.version}
                  </span>{" "}
                  →{" "}
                  <Link href={runHref(orgSlug, projectSlug, data.candidate.number)} className="hover:text-accent hover:underline">
                    #{data.candidate.number}
                  </Link>{" "}
                  <span className="font-mono font-normal text-zinc-600">
                    {data.candidate.prompt} v{data.candidate.version}
                  </span>
                </h2>
                <p className="text-[13px] text-zinc-600">
                  <span className="font-medium text-zinc-900">{formatCount(data.items)}</span> {data.items === 1 ? "item" : "items"} compared on{" "}
                  <span className="font-mono">
                    {data.dataset.name} v{data.dataset.version}
                  </span>{" "}
                  · <span className="font-medium text-zinc-900">{formatCount(data.regressions.length)}</span>{" "}
                  {data.regressions.length === 1 ? "regression" : "regressions"}
                </p>
              </div>
              {unfinished.length ? (
                <Alert tone="warning">
                  {unfinished.map((r) => (
                    <span key={r.number} className="mr-2 inline-flex items-center gap-1.5">
                      Run #{r.number} <StatusBadge status={r.status} summary={r.summary} />
                    </span>
                  ))}
                  {unfinished.some((r) => r.status === "queued" || r.status === "running")
                    ? "The comparison covers the items both runs have finished so far, and updates as they finish."
                    : "The comparison covers only the items both runs finished."}
                </Alert>
              ) : null}
              {data.incomparable ? (
                <Card as="div">
                  <section aria-label="Why there is nothing to compare" className="flex flex-col gap-3 px-4 py-4 text-[13px] text-zinc-700">
                    <p className="font-medium text-zinc-900">{data.incomparable.reason}</p>
                    {data.incomparable.candidates.length || data.incomparable.baselines.length ? (
                      <div className="flex flex-col gap-2">
                        <ComparableLinks
                          title={`Compare #${data.baseline.number} with a run on ${data.incomparable.baselineDataset.name} v${data.incomparable.baselineDataset.version}:`}
                          runs={data.incomparable.candidates}
                          href={(n) => evaluationsHref(orgSlug, projectSlug, "compare", { baseline: data.baseline.number, candidate: n })}
                        />
                        <ComparableLinks
                          title={`Compare #${data.candidate.number} with a run on ${data.incomparable.candidateDataset.name} v${data.incomparable.candidateDataset.version}:`}
                          runs={data.incomparable.baselines}
                          href={(n) => evaluationsHref(orgSlug, projectSlug, "compare", { baseline: n, candidate: data.candidate.number })}
                        />
                      </div>
                    ) : (
                      <p>No other scored run used either dataset version: start a run of the other version on the same dataset version to compare them.</p>
                    )}
                  </section>
                </Card>
              ) : data.items === 0 ? (
                <Card as="div">
                  {data.unanswered ? (
                    <EmptyState title="Nothing to compare" description={`No item was answered in both runs: ${data.unanswered}.`} />
                  ) : (
                    <EmptyState
                      title="No items to compare yet"
                      description="No item has been answered in both runs. Results appear here once both runs have finished items."
                    />
                  )}
                </Card>
              ) : data.evaluators.length === 0 ? (
                <Card as="div">
                  <EmptyState
                    title="No evaluator in common"
                    description="The two runs share no evaluator, so there are no scores to compare. Start runs with the same evaluators."
                  />
                </Card>
              ) : (
                <div className="grid gap-3 xl:grid-cols-2">
                  {data.evaluators.map((e) => (
                    <EvaluatorCard key={e.name} e={e} extent={extent} baselineLabel={baselineLabel} candidateLabel={candidateLabel} />
                  ))}
                </div>
              )}
            </section>

            {data.items > 0 && data.evaluators.length > 0 ? (
              <Card aria-labelledby="regressions-title">
                <CardHeader
                  titleId="regressions-title"
                  title={`Regressions (${formatCount(data.regressions.length)}${data.regressions.length >= 500 ? "+" : ""})`}
                  description="Items the candidate does worse on: a lower score, or a pass that became a fail."
                />
                {data.regressions.length === 0 ? (
                  <EmptyState title="No regressions" description="The candidate scores at least as well as the baseline on every item and evaluator." />
                ) : (
                  <Table caption="Regressions">
                    <THead>
                      <TR>
                        <TH>Item</TH>
                        <TH>Worse on (score before → after)</TH>
                        <ActionsTH />
                      </TR>
                    </THead>
                    <TBody>
                      {data.regressions.map((r) => (
                        <TR key={r.position}>
                          <TD className="align-top font-mono text-xs leading-5 font-medium text-zinc-900">#{r.position}</TD>
                          <TD className="align-top">
                            <ul className="flex flex-col gap-1">
                              {r.worse.map((w) => (
                                <li key={w.evaluator} className="flex flex-wrap items-center gap-1.5 text-xs leading-5">
                                  <span className="mr-1 min-w-40 font-mono text-zinc-900">{w.evaluator}</span>
                                  <span className="font-mono tabular-nums">{formatMean(w.baseline)}</span>
                                  <Badge tone={w.baselinePassed ? "success" : "danger"}>{w.baselinePassed ? "pass" : "fail"}</Badge>
                                  <span aria-label="to">→</span>
                                  <span className="font-mono text-red-700 tabular-nums">{formatMean(w.candidate)}</span>
                                  <Badge tone={w.candidatePassed ? "success" : "danger"}>{w.candidatePassed ? "pass" : "fail"}</Badge>
                                </li>
                              ))}
                            </ul>
                          </TD>
                          <TD className="py-1 text-right align-top">
                            <Button size="sm" aria-label={`Open item #${r.position} side by side`} onClick={() => setOpen(r)}>
                              Side by side
                            </Button>
                          </TD>
                        </TR>
                      ))}
                    </TBody>
                  </Table>
                )}
              </Card>
            ) : null}
          </>
        ) : null}
      </div>
      {open && data ? (
        <ItemDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          regression={open}
          baseline={{
            number: data.baseline.number,
            label: `#${data.baseline.number} ${data.baseline.prompt} v${data.baseline.version}`,
            repetitions: byNumber.get(data.baseline.number)?.repetitions ?? 1,
          }}
          candidate={{
            number: data.candidate.number,
            label: `#${data.candidate.number} ${data.candidate.prompt} v${data.candidate.version}`,
            repetitions: byNumber.get(data.candidate.number)?.repetitions ?? 1,
          }}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </>
  );
}
