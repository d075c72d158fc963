"use client";
// One prompt's evaluation history (?prompt=, and ?dataset= when runs used several): mean score
// per evaluator across versions, pass rates run after run, latency and cost per version, the
// production version marked on each chart, and the table of finished runs. A run that answered too
// few of its calls (MIN_USABLE_SHARE) measured nothing: it is never plotted as a score, only marked
// with its reason ("run #6 failed: 0 of 48 answers").
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { Badge, ButtonLink, Card, CardHeader, EmptyState, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { CompareIcon, LayersIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { LabelBadge } from "@/components/prompts/badges";
import { promptHref } from "@/components/prompts/model";
import { answeredText, MIN_USABLE_SHARE } from "@/server/contracts/evaluations";
import { evaluationsHref, formatMs, formatUsd, pct, runHref } from "./model";
import { StatusBadge } from "./run-bits";
import { ChartFigure, RunsLineChart, SERIES_COLORS, VersionBarChart, VersionLineChart, type DataTable, type Series } from "./charts";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

type DashboardRun = {
  number: number;
  version: number;
  dataset: string;
  datasetVersion: number;
  model: string;
  finishedAt: Date | null;
  evaluators: { name: string; mean: number; passRate: number; ciLow: number; ciHigh: number }[];
  latencyP50: number | null;
  latencyP95: number | null;
  costUsd: number | null;
  done: number;
  errors: number;
  items: number;
  status: string;
  usable: boolean;
  error: string | null;
};

/** "run #6 failed: 0 of 48 answers (Missing variables: tone)". */
function unusableNote(r: DashboardRun): string {
  return `run #${r.number} ${r.status === "failed" ? "failed" : "has too few answers"}: ${answeredText(r)}${r.error ? ` (${r.error})` : ""}`;
}

const LATENCY: Series[] = [
  { key: "p50", name: "p50", color: "#818cf8" },
  { key: "p95", name: "p95", color: "#3730a3" },
];
const COST: Series[] = [{ key: "cost", name: "Cost", color: "#0891b2" }];

function latestPerVersion(runs: DashboardRun[]): DashboardRun[] {
  const byVersion = new Map<number, DashboardRun>();
  for (const r of runs) {
    const seen = byVersion.get(r.version);
    if (!seen || r.number > seen.number) byVersion.set(r.version, r);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

function shortMs(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

function shortUsd(v: number): string {
  if (v === 0) return "$0";
  return v < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toFixed(2)}`;
}

function Charts({ runs: all, productionVersion }: { runs: DashboardRun[]; productionVersion: number | null }) {
  const runs = all.filter((r) => r.usable);
  const names = [...new Set(runs.flatMap((r) => r.evaluators.map((e) => e.name)))];
  const series: Series[] = names.map((name, i) => ({ key: `e${i}`, name, color: SERIES_COLORS[i % SERIES_COLORS.length]! }));
  const keyOf = new Map(series.map((s) => [s.name, s.key]));
  const perVersion = latestPerVersion(runs);
  const prodLabel = productionVersion !== null ? `v${productionVersion}` : null;
  const percent = runs.every((r) => r.evaluators.every((e) => e.mean >= 0 && e.mean <= 1));
  const scale = (v: number) => (percent ? Math.round(v * 1000) / 10 : v);
  const prodNote =
    productionVersion === null
      ? "No version carries the production label."
      : perVersion.some((r) => r.version === productionVersion)
        ? `Production is v${productionVersion} (dashed green line).`
        : `Production (v${productionVersion}) has no completed run on this dataset.`;

  // Per version and evaluator: the latest run of that version that used the evaluator.
  const latestScore = (version: number, name: string) => {
    for (let i = runs.length - 1; i >= 0; i--) {
      const r = runs[i]!;
      const e = r.version === version ? r.evaluators.find((x) => x.name === name) : undefined;
      if (e) return { run: r, e };
    }
    return null;
  };
  const versions = perVersion.map((r) => r.version);
  const scoreData = versions.map((v) => ({
    version: `v${v}`,
    ...Object.fromEntries(
      names.flatMap((n) => {
        const hit = latestScore(v, n);
        return hit ? [[keyOf.get(n)!, scale(hit.e.mean)]] : [];
      }),
    ),
  }));
  // Every finished run has its place on the run axis; an unusable one has no values, only a mark.
  const passData = all.map((r) => ({
    run: `#${r.number}`,
    ...(r.usable ? Object.fromEntries(r.evaluators.map((e) => [keyOf.get(e.name)!, Math.round(e.passRate * 1000) / 10])) : {}),
  }));
  const runVersions = new Map(all.map((r) => [`#${r.number}`, { version: r.version, production: r.version === productionVersion }]));
  const unusableRuns = all.filter((r) => !r.usable);
  const unusable = new Map(unusableRuns.map((r) => [`#${r.number}`, unusableNote(r)]));
  const unusableSummary = unusableRuns.length
    ? ` Not scored (fewer than ${Math.round(MIN_USABLE_SHARE * 100)}% of calls answered, red dashed line): ${unusableRuns.map(unusableNote).join("; ")}.`
    : "";
  const latencyData = perVersion.map((r) => ({ version: `v${r.version}`, p50: r.latencyP50, p95: r.latencyP95 }));
  const costData = perVersion.map((r) => ({ version: `v${r.version}`, cost: r.costUsd }));
  const hasCost = perVersion.some((r) => r.costUsd !== null && r.costUsd > 0);

  const fmtMean = (v: number) => (percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  const first = perVersion[0];
  const last = perVersion.at(-1);
  const trends = names
    .map((n) => {
      const a = first ? latestScore(first.version, n) : null;
      const b = last ? latestScore(last.version, n) : null;
      return a && b ? `${n} ${fmtMean(a.e.mean)} → ${fmtMean(b.e.mean)}` : null;
    })
    .filter(Boolean);
  const scoreSummary =
    first && last && first !== last
      ? `Latest run of each version, v${first.version} to v${last.version}${trends.length ? `: ${trends.join("; ")}` : ""}. ${prodNote}`
      : first
        ? `One version so far (v${first.version}). ${prodNote}`
        : `No run of this prompt answered enough of its calls to be scored. ${prodNote}`;

  const scoreTable: DataTable = {
    columns: ["Version", ...names.map((n) => `${n} (mean, 95% CI, run)`)],
    rows: versions.map((v) => ({
      key: String(v),
      cells: [
        `v${v}${v === productionVersion ? " (production)" : ""}`,
        ...names.map((n) => {
          const hit = latestScore(v, n);
          return hit ? `${fmtMean(hit.e.mean)} [${fmtMean(hit.e.ciLow)}, ${fmtMean(hit.e.ciHigh)}] #${hit.run.number}` : "—";
        }),
      ],
    })),
  };
  const passTable: DataTable = {
    columns: ["Run", "Version", ...names],
    rows: all.map((r) => ({
      key: String(r.number),
      cells: [
        `#${r.number}`,
        `v${r.version}${r.version === productionVersion ? " (production)" : ""}`,
        ...(r.usable
          ? names.map((n) => {
              const e = r.evaluators.find((x) => x.name === n);
              return e ? pct(e.passRate) : "—";
            })
          : names.map((n, i) => (i === 0 ? `not scored: ${unusableNote(r)}` : "—"))),
      ],
    })),
  };
  const lastRun = runs.at(-1);
  const passSummary = `${lastRun ? `${runs.length} scored ${runs.length === 1 ? "run" : "runs"}, oldest first. Latest (#${lastRun.number}, v${lastRun.version}): ${lastRun.evaluators.map((e) => `${e.name} ${pct(e.passRate)}`).join(", ") || "no evaluators"}.` : "No run answered enough of its calls to be scored."}${unusableSummary}`;
  const latencyTable: DataTable = {
    columns: ["Version", "Run", "p50", "p95"],
    rows: perVersion.map((r) => ({
      key: String(r.version),
      cells: [`v${r.version}${r.version === productionVersion ? " (production)" : ""}`, `#${r.number}`, formatMs(r.latencyP50), formatMs(r.latencyP95)],
    })),
  };
  const latencySummary = last ? `Latest version v${last.version}: p50 ${formatMs(last.latencyP50)}, p95 ${formatMs(last.latencyP95)}. ${prodNote}` : "";
  const costTable: DataTable = {
    columns: ["Version", "Run", "Cost"],
    rows: perVersion.map((r) => ({
      key: String(r.version),
      cells: [`v${r.version}${r.version === productionVersion ? " (production)" : ""}`, `#${r.number}`, formatUsd(r.costUsd)],
    })),
  };
  const costSummary = hasCost
    ? `Cost of a full run, latest run of each version. Latest version v${last?.version}: ${formatUsd(last?.costUsd)}.`
    : "Nothing to draw: these runs cost nothing (the Simulated provider) or their provider reports no prices.";

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartFigure id="chart-scores" title="Mean score per evaluator, by version" summary={scoreSummary} table={scoreTable}>
        <VersionLineChart data={scoreData} series={series} productionVersion={prodLabel} percent={percent} />
      </ChartFigure>
      <ChartFigure id="chart-pass-rates" title="Pass rate, run by run" summary={passSummary} table={passTable}>
        <RunsLineChart data={passData} series={series} runVersions={runVersions} unusable={unusable} />
      </ChartFigure>
      <ChartFigure id="chart-latency" title="Latency per version" summary={latencySummary} table={latencyTable}>
        <VersionBarChart data={latencyData} series={LATENCY} productionVersion={prodLabel} format={shortMs} />
      </ChartFigure>
      <ChartFigure id="chart-cost" title="Cost per version" summary={costSummary} table={costTable}>
        {hasCost ? (
          <VersionBarChart data={costData} series={COST} productionVersion={prodLabel} format={shortUsd} />
        ) : (
          <p className="flex h-60 items-center justify-center text-[13px] text-zinc-500">No cost recorded</p>
        )}
      </ChartFigure>
    </div>
  );
}

function RunHistory({
  orgSlug,
  projectSlug,
  runs,
  productionVersion,
}: {
  orgSlug: string;
  projectSlug: string;
  runs: DashboardRun[];
  productionVersion: number | null;
}) {
  const newest = [...runs].reverse();
  return (
    <Card aria-labelledby="history-title">
      <CardHeader
        titleId="history-title"
        title="Run history"
        description="Finished runs of this prompt on every dataset, newest first. Runs that answered too few calls are listed but not scored."
      />
      <Table caption="Run history">
        <THead>
          <TR>
            <TH>Run</TH>
            <TH>Outcome</TH>
            <TH>Version</TH>
            <TH>Dataset</TH>
            <TH>Model</TH>
            <TH>Pass rates</TH>
            <TH className="text-right">p50 / p95</TH>
            <TH className="text-right">Cost</TH>
            <TH className="text-right">Items</TH>
            <TH>Finished</TH>
          </TR>
        </THead>
        <TBody>
          {newest.map((r) => (
            <TR key={r.number}>
              <TD className="font-mono text-xs font-medium">
                <Link href={runHref(orgSlug, projectSlug, r.number)} className="text-zinc-900 hover:text-accent hover:underline">
                  #{r.number}
                </Link>
              </TD>
              <TD>
                <StatusBadge status={r.status} summary={{ items: r.items, done: r.done, errors: r.errors }} />
              </TD>
              <TD className="whitespace-nowrap">
                <span className="font-mono text-xs">v{r.version}</span> {r.version === productionVersion ? <LabelBadge name="production" /> : null}
              </TD>
              <TD className="font-mono text-xs whitespace-nowrap">
                {r.dataset} v{r.datasetVersion}
              </TD>
              <TD className="font-mono text-xs whitespace-nowrap">{r.model}</TD>
              <TD>
                {!r.usable ? (
                  <span className="text-xs text-red-700">
                    not scored: {answeredText(r)}
                    {r.error ? ` (${r.error})` : ""}
                  </span>
                ) : null}
                <ul className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
                  {(r.usable ? r.evaluators : []).map((e) => (
                    <li key={e.name} className="whitespace-nowrap">
                      <span className="text-zinc-500">{e.name}</span> <span className="font-mono text-zinc-800 tabular-nums">{pct(e.passRate)}</span>
                    </li>
                  ))}
                </ul>
              </TD>
              <TD className="text-right font-mono text-xs whitespace-nowrap tabular-nums">
                {formatMs(r.latencyP50)} / {formatMs(r.latencyP95)}
              </TD>
              <TD className="text-right font-mono text-xs tabular-nums">{formatUsd(r.costUsd)}</TD>
              <TD className="text-right font-mono text-xs tabular-nums">
                {r.done}
                {r.errors ? <span className="text-red-700"> +{r.errors} errors</span> : null}
              </TD>
              <TD className="text-xs whitespace-nowrap">{r.finishedAt ? <Time value={r.finishedAt} mode="relative" /> : "—"}</TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

export function DashboardView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const recent = useQuery({ ...trpc.runs.list.queryOptions({ orgSlug, projectSlug, limit: 20 }), enabled: !searchParams.get("prompt") });
  // Without ?prompt=: the prompt of the latest completed run.
  const promptName = searchParams.get("prompt") || recent.data?.runs.find((r) => r.status === "completed" && r.promptVersion)?.promptVersion?.prompt.name || "";
  const dashboard = useQuery({ ...trpc.runs.dashboard.queryOptions({ orgSlug, projectSlug, promptName: promptName || "-" }), enabled: !!promptName });

  const runs = (dashboard.data?.runs ?? []) as DashboardRun[];
  // Datasets in the order of their latest use, the most recent first.
  const datasets = [...new Set([...runs].reverse().map((r) => r.dataset))];
  const datasetParam = searchParams.get("dataset");
  const dataset = datasetParam && datasets.includes(datasetParam) ? datasetParam : datasets[0];
  const shown = runs.filter((r) => r.dataset === dataset);
  const productionVersion = dashboard.data?.productionVersion ?? null;
  const names = (prompts.data?.items ?? []).map((p) => p.name);
  // The latest run and the one before it on the same dataset version (comparable item by item).
  const lastShown = shown.findLast((r) => r.usable);
  const previous = lastShown ? shown.slice(0, -1).findLast((r) => r.usable && r.datasetVersion === lastShown.datasetVersion) : undefined;
  const pair = lastShown && previous ? { baseline: previous.number, candidate: lastShown.number } : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Evaluation dashboard"
        description="How a prompt's versions score on its test sets over time, with latency and cost, and where production stands."
        actions={
          promptName ? (
            <ButtonLink href={promptHref(orgSlug, projectSlug, promptName)} icon={<LayersIcon size={14} />}>
              Open prompt
            </ButtonLink>
          ) : null
        }
      />
      <div className="flex flex-col gap-4">
        <Card as="div">
          <form aria-label="Dashboard filters" className="flex flex-wrap items-end gap-3 px-4 py-3" onSubmit={(e) => e.preventDefault()}>
            <Select
              label="Prompt"
              size="sm"
              value={promptName}
              onChange={(e) => setParams({ prompt: e.target.value, dataset: undefined })}
              boxClassName="w-72"
              disabled={prompts.isPending}
            >
              {!promptName ? <option value="">Choose a prompt</option> : null}
              {promptName && !names.includes(promptName) ? <option value={promptName}>{promptName}</option> : null}
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
            {datasets.length > 1 ? (
              <Select label="Dataset" size="sm" value={dataset} onChange={(e) => setParams({ dataset: e.target.value })} boxClassName="w-64">
                {datasets.map((d) => (
                  <option key={d} value={d}>
                    {d} ({runs.filter((r) => r.dataset === d).length} runs)
                  </option>
                ))}
              </Select>
            ) : dataset ? (
              <p className="mb-1 text-[13px] text-zinc-600">
                Dataset <span className="font-mono text-zinc-900">{dataset}</span>
              </p>
            ) : null}
            {dashboard.data ? (
              <div className="mb-1 flex flex-wrap items-center gap-1.5" aria-label="Labels">
                {dashboard.data.labels
                  .slice()
                  .sort((a, b) => (a.name === "production" ? -1 : b.name === "production" ? 1 : a.name.localeCompare(b.name)))
                  .map((l) => (
                    <LabelBadge key={l.name} name={l.name} version={l.version} />
                  ))}
              </div>
            ) : null}
          </form>
        </Card>

        {prompts.isError ? <QueryErrorAlert title="Could not load the prompts" error={prompts.error} /> : null}
        {!promptName ? (
          recent.isPending && !searchParams.get("prompt") ? (
            <Spinner label="Loading…" />
          ) : (
            <Card as="div">
              <EmptyState
                icon={<LayersIcon />}
                title="Choose a prompt"
                description="The dashboard follows one prompt across its versions and evaluation runs."
              />
            </Card>
          )
        ) : dashboard.isPending ? (
          <div className="py-10 text-center">
            <Spinner label="Loading the dashboard…" />
          </div>
        ) : dashboard.isError ? (
          <section aria-label="Dashboard">
            <QueryErrorAlert title="Could not load the dashboard" error={dashboard.error} />
          </section>
        ) : runs.length === 0 ? (
          <Card as="div">
            <EmptyState
              icon={<LayersIcon />}
              title={`No completed runs of ${promptName} yet`}
              description="Run an evaluation of a version over a dataset; completed runs appear here."
              action={
                <ButtonLink size="sm" href={evaluationsHref(orgSlug, projectSlug)}>
                  Go to runs
                </ButtonLink>
              }
            />
          </Card>
        ) : (
          <>
            <section aria-labelledby="charts-title" className="flex flex-col gap-3">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="charts-title" className="text-sm font-semibold text-zinc-900">
                  <span className="font-mono">{promptName}</span> on <span className="font-mono">{dataset}</span>
                </h2>
                <p className="flex items-center gap-2 text-[13px] text-zinc-600">
                  {shown.filter((r) => r.usable).length} scored {shown.filter((r) => r.usable).length === 1 ? "run" : "runs"}
                  {shown.some((r) => !r.usable) ? `, ${shown.filter((r) => !r.usable).length} not scored` : ""}
                  {productionVersion !== null ? (
                    <Badge tone="success" className="font-semibold">
                      production v{productionVersion}
                    </Badge>
                  ) : (
                    <Badge tone="outline">no production version</Badge>
                  )}
                  {pair ? (
                    <ButtonLink
                      size="sm"
                      variant="ghost"
                      icon={<CompareIcon size={14} />}
                      href={evaluationsHref(orgSlug, projectSlug, "compare", { baseline: pair.baseline, candidate: pair.candidate })}
                    >
                      Compare the last two
                    </ButtonLink>
                  ) : null}
                </p>
              </div>
              <Charts runs={shown} productionVersion={productionVersion} />
            </section>
            <RunHistory orgSlug={orgSlug} projectSlug={projectSlug} runs={runs} productionVersion={productionVersion} />
          </>
        )}
      </div>
    </>
  );
}
