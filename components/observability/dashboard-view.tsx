"use client";
// The production dashboard of a project: totals and charts over a time window (volume, latency
// percentiles, errors, tokens, cost, guardrails, quality from feedback and online evaluators) and a
// breakdown per prompt version, model and environment whose rows narrow the dashboard. The window
// and the filters are in the address. Before any telemetry arrives it explains how to send some.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import type { BreakdownRow, Dashboard, DashboardFilters, WindowName } from "@/server/contracts/observability";
import { WINDOWS } from "@/server/contracts/observability";
import { useUrlParams } from "@/components/lib/url-params";
import { useTRPC } from "@/components/trpc/client";
import { Button, ButtonLink, Card, CardHeader, EmptyState, PageHeader, Spinner, Stat, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { ChartFigure, SERIES_COLORS, type DataTable } from "@/components/evaluations/charts";
import { NoChartData, TimeBarChart, TimeLineChart, type TimePoint, type TimeSeries } from "./charts";
import { OptionSelect, WindowPicker } from "./filters";
import { ActivityIcon, TracesIcon } from "@/components/ui/icons";
import {
  DEFAULT_WINDOW,
  formatCompact,
  formatMs,
  formatPercent,
  formatPointTime,
  formatUsd,
  observabilityHref,
  parsePositiveInt,
  parseText,
  parseWindow,
  qualitySummaries,
  sourceLabel,
  tracesHref,
} from "./model";
import { TelemetrySetup } from "./setup-help";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

const VOLUME: TimeSeries[] = [
  { key: "ok", name: "Succeeded", color: "#6366f1" },
  { key: "errors", name: "Errors", color: "#dc2626" },
];
const LATENCY: TimeSeries[] = [
  { key: "p50", name: "p50", color: "#a5b4fc" },
  { key: "p95", name: "p95", color: "#6366f1" },
  { key: "p99", name: "p99", color: "#312e81" },
];
const ERROR_RATE: TimeSeries[] = [{ key: "errorRate", name: "Error rate", color: "#dc2626" }];
const TOKENS: TimeSeries[] = [
  { key: "inputTokens", name: "Input", color: "#0891b2" },
  { key: "outputTokens", name: "Output", color: "#a78bfa" },
];
const COST: TimeSeries[] = [{ key: "costUsd", name: "Cost", color: "#0d9488" }];
const GUARDRAILS: TimeSeries[] = [
  { key: "guardrailBlocks", name: "Blocked", color: "#dc2626" },
  { key: "guardrailFlags", name: "Flagged", color: "#f59e0b" },
];

const shortUsd = (v: number) => (v === 0 ? "$0" : v < 0.01 ? `$${Number(v.toPrecision(2))}` : `$${v.toFixed(2)}`);
const pctAxis = (v: number) => `${Number(v.toFixed(1))}%`;
const score = (v: number) => String(Number(v.toFixed(2)));

/** The filters in the address. */
function useFilters() {
  const { searchParams, setParams } = useUrlParams();
  const filters: DashboardFilters = {
    window: parseWindow(searchParams.get("window"), DEFAULT_WINDOW.dashboard),
    promptName: parseText(searchParams.get("prompt")),
    promptVersion: undefined,
    model: parseText(searchParams.get("model")),
    environment: parseText(searchParams.get("environment"), 64),
  };
  if (filters.promptName) filters.promptVersion = parsePositiveInt(searchParams.get("version"));
  return { filters, setParams };
}

/** Rows of a chart's data table: only intervals with something in them. */
function tableRows(points: TimePoint[], window: WindowName, cells: (p: TimePoint) => ReactNode[], keep: (p: TimePoint) => boolean): DataTable["rows"] {
  return points.filter(keep).map((p) => ({ key: p.t, cells: [formatPointTime(p.t, window), ...cells(p)] }));
}

function Stats({ d }: { d: Dashboard }) {
  const t = d.totals;
  return (
    <dl aria-label="Totals" className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
      <Stat label="Generations" detail={`${WINDOWS[d.window].label.toLowerCase()}`} look="headline" boxed>
        {formatCompact(t.generations)}
      </Stat>
      <Stat
        label="Error rate"
        detail={`${formatCount(t.errors)} ${t.errors === 1 ? "error" : "errors"}`}
        tone={t.errors > 0 ? "danger" : undefined}
        look="headline"
        boxed
      >
        {formatPercent(t.errorRate)}
      </Stat>
      <Stat label="Latency p50" detail={`p95 ${formatMs(t.p95)} · p99 ${formatMs(t.p99)}`} look="headline" boxed>
        {formatMs(t.p50)}
      </Stat>
      <Stat label="Tokens" detail={`${formatCompact(t.inputTokens)} in · ${formatCompact(t.outputTokens)} out`} look="headline" boxed>
        {formatCompact(t.inputTokens + t.outputTokens)}
      </Stat>
      <Stat label="Cost" detail={t.generations ? `${formatUsd(t.costUsd / t.generations)} per call` : undefined} look="headline" boxed>
        {formatUsd(t.costUsd)}
      </Stat>
      <Stat
        label="Guardrails"
        detail={`${formatCount(t.guardrailFlags)} flagged`}
        tone={t.guardrailBlocks > 0 ? "warning" : undefined}
        look="headline"
        boxed
      >{`${formatCount(t.guardrailBlocks)} blocked`}</Stat>
    </dl>
  );
}

function Charts({ d }: { d: Dashboard }) {
  const w = d.window;
  const points: TimePoint[] = d.points.map((p) => ({
    t: p.t,
    ok: p.generations - p.errors,
    errors: p.errors,
    generations: p.generations,
    p50: p.p50,
    p95: p.p95,
    p99: p.p99,
    errorRate: p.errorRate === null ? null : Math.round(p.errorRate * 1000) / 10,
    inputTokens: p.inputTokens,
    outputTokens: p.outputTokens,
    costUsd: p.costUsd,
    guardrailBlocks: p.guardrailBlocks,
    guardrailFlags: p.guardrailFlags,
  }));
  const busy = (p: TimePoint) => Number(p.generations) > 0;
  const t = d.totals;
  const step = formatMs(d.stepMs).replace(".0", "");
  const peak = d.points.reduce((m, p) => Math.max(m, p.generations), 0);

  // Quality: one line per score (name and source), the average value per interval.
  const qualityKeys = [...new Map(d.quality.totals.map((q) => [`${q.name}\u0000${q.source}`, q])).values()];
  const qualitySeries: TimeSeries[] = qualityKeys.map((q, i) => ({
    key: `q${i}`,
    name: `${q.name} (${sourceLabel(q.source).toLowerCase()})`,
    color: SERIES_COLORS[i % SERIES_COLORS.length]!,
  }));
  const negativeKeys = qualityKeys.filter((q) => q.negatives > 0);
  const negativeSeries: TimeSeries[] = negativeKeys.map((q, i) => ({
    key: `n${i}`,
    name: q.name,
    color: ["#dc2626", "#f97316", "#db2777", "#a16207"][i % 4]!,
  }));
  const byTime = new Map<string, TimePoint>(d.points.map((p) => [p.t, { t: p.t }]));
  for (const qp of d.quality.points) {
    const row = byTime.get(qp.t);
    if (!row) continue;
    const i = qualityKeys.findIndex((q) => q.name === qp.name && q.source === qp.source);
    if (i >= 0 && qp.avg !== null) row[`q${i}`] = Math.round(qp.avg * 1000) / 1000;
    const n = negativeKeys.findIndex((q) => q.name === qp.name && q.source === qp.source);
    if (n >= 0) row[`n${n}`] = (Number(row[`n${n}`]) || 0) + qp.negatives;
  }
  const quality = [...byTime.values()];
  const hasQuality = qualitySeries.length > 0;
  const totalNegatives = qualityKeys.reduce((s, q) => s + q.negatives, 0);
  // Both captions from the same totals (one query): "84 up, 16 down" beside "16 thumbs-down".
  const summaries = qualitySummaries(qualityKeys, (source) => sourceLabel(source).toLowerCase());

  const figures = [
    {
      id: "chart-volume",
      title: "Requests",
      summary: `${formatCount(t.generations)} generations in ${step} intervals (busiest: ${formatCount(peak)}), ${formatCount(t.errors)} failed.`,
      table: { columns: ["Interval", "Generations", "Errors"], rows: tableRows(points, w, (p) => [String(p.generations), String(p.errors)], busy) },
      chart: <TimeBarChart data={points} series={VOLUME} window={w} format={(v) => formatCompact(v)} integer />,
    },
    {
      id: "chart-latency",
      title: "Latency",
      summary: `Over the window: p50 ${formatMs(t.p50)}, p95 ${formatMs(t.p95)}, p99 ${formatMs(t.p99)}.`,
      table: {
        columns: ["Interval", "p50", "p95", "p99"],
        rows: tableRows(points, w, (p) => [formatMs(p.p50 as number | null), formatMs(p.p95 as number | null), formatMs(p.p99 as number | null)], busy),
      },
      chart: <TimeLineChart data={points} series={LATENCY} window={w} format={(v) => formatMs(v)} axisWidth={56} />,
    },
    {
      id: "chart-errors",
      title: "Error rate",
      summary: t.errors ? `${formatPercent(t.errorRate)} of generations failed (${formatCount(t.errors)}).` : "No generation failed in this window.",
      table: { columns: ["Interval", "Error rate", "Errors"], rows: tableRows(points, w, (p) => [`${p.errorRate}%`, String(p.errors)], busy) },
      chart: <TimeLineChart data={points} series={ERROR_RATE} window={w} format={pctAxis} domain={[0, (max: number) => Math.max(5, Math.ceil(max))]} />,
    },
    {
      id: "chart-tokens",
      title: "Tokens",
      summary: `${formatCompact(t.inputTokens)} input and ${formatCompact(t.outputTokens)} output tokens.`,
      table: { columns: ["Interval", "Input", "Output"], rows: tableRows(points, w, (p) => [String(p.inputTokens), String(p.outputTokens)], busy) },
      chart: <TimeBarChart data={points} series={TOKENS} window={w} format={(v) => formatCompact(v)} integer />,
    },
    {
      id: "chart-cost",
      title: "Cost",
      summary: t.costUsd ? `${formatUsd(t.costUsd)} in this window.` : "No cost recorded: the models have no prices, or the calls reported none.",
      table: { columns: ["Interval", "Cost"], rows: tableRows(points, w, (p) => [formatUsd(p.costUsd as number)], busy) },
      chart: t.costUsd ? <TimeBarChart data={points} series={COST} window={w} format={shortUsd} axisWidth={56} /> : <NoChartData>No cost recorded</NoChartData>,
    },
    {
      id: "chart-guardrails",
      title: "Guardrails",
      summary:
        t.guardrailBlocks || t.guardrailFlags
          ? `${formatCount(t.guardrailBlocks)} blocked and ${formatCount(t.guardrailFlags)} flagged calls.`
          : "No guardrail blocked or flagged a call in this window.",
      table: {
        columns: ["Interval", "Blocked", "Flagged"],
        rows: tableRows(
          points,
          w,
          (p) => [String(p.guardrailBlocks), String(p.guardrailFlags)],
          (p) => Number(p.guardrailBlocks) + Number(p.guardrailFlags) > 0,
        ),
      },
      chart:
        t.guardrailBlocks || t.guardrailFlags ? (
          <TimeBarChart data={points} series={GUARDRAILS} window={w} format={(v) => formatCompact(v)} integer />
        ) : (
          <NoChartData>No guardrail violations</NoChartData>
        ),
    },
    {
      id: "chart-quality",
      title: "Quality",
      summary: summaries.quality,
      table: {
        columns: ["Interval", ...qualitySeries.map((s) => s.name)],
        rows: tableRows(
          quality,
          w,
          (p) => qualitySeries.map((s) => (typeof p[s.key] === "number" ? score(p[s.key] as number) : "—")),
          (p) => qualitySeries.some((s) => typeof p[s.key] === "number"),
        ),
      },
      chart: hasQuality ? (
        <TimeLineChart data={quality} series={qualitySeries} window={w} format={score} />
      ) : (
        <NoChartData>No scores: send feedback or add an online evaluator</NoChartData>
      ),
    },
    {
      id: "chart-negative",
      title: "Negative feedback",
      summary: summaries.negative,
      table: {
        columns: ["Interval", ...negativeSeries.map((s) => s.name)],
        rows: tableRows(
          quality,
          w,
          (p) => negativeSeries.map((s) => String(p[s.key] ?? 0)),
          (p) => negativeSeries.some((s) => Number(p[s.key]) > 0),
        ),
      },
      chart: totalNegatives ? (
        <TimeBarChart data={quality} series={negativeSeries} window={w} format={(v) => formatCompact(v)} integer />
      ) : (
        <NoChartData>No negative feedback</NoChartData>
      ),
    },
  ];

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {figures.map((f) => (
        <ChartFigure key={f.id} id={f.id} title={f.title} summary={f.summary} table={f.table}>
          {f.chart}
        </ChartFigure>
      ))}
    </div>
  );
}

function Breakdown({ d, orgSlug, projectSlug }: { d: Dashboard; orgSlug: string; projectSlug: string }) {
  const router = useRouter();
  const rowQuery = (r: BreakdownRow) => ({
    window: d.window === "24h" ? undefined : d.window,
    prompt: r.promptName || undefined,
    version: r.promptName && r.promptVersion ? r.promptVersion : undefined,
    model: r.model || undefined,
    environment: r.environment || undefined,
  });
  const rowLabel = (r: BreakdownRow) =>
    [
      r.promptName ? `${r.promptName}${r.promptVersion ? ` v${r.promptVersion}` : ""}` : "no prompt",
      r.model || "unknown model",
      r.environment || "no environment",
    ].join(" · ");
  const dash = <span className="text-zinc-500">—</span>;
  return (
    <Card aria-labelledby="breakdown-title">
      <CardHeader
        titleId="breakdown-title"
        title="Breakdown"
        description="Generations per prompt version, model and environment in the window. Open a row to narrow the dashboard to it."
      />
      {d.breakdown.length === 0 ? (
        <EmptyState title="Nothing to break down" description="No generations match these filters in this window." />
      ) : (
        <Table caption="Breakdown by prompt version, model and environment">
          <THead>
            <TR>
              <TH>Prompt</TH>
              <TH>Version</TH>
              <TH>Model</TH>
              <TH>Environment</TH>
              <TH className="text-right">Generations</TH>
              <TH className="text-right">Error rate</TH>
              <TH className="text-right">Cost</TH>
              <TH className="text-right">p95</TH>
              <TH>
                <span className="sr-only">Traces</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {d.breakdown.map((r) => {
              const href = observabilityHref(orgSlug, projectSlug, rowQuery(r));
              return (
                <TR
                  key={`${r.promptName}\u0000${r.promptVersion}\u0000${r.model}\u0000${r.environment}`}
                  className="cursor-pointer hover:bg-zinc-50"
                  onClick={(e) => !(e.target as HTMLElement).closest("a") && router.push(href, { scroll: false })}
                >
                  <TD className="max-w-64 font-mono text-xs">
                    <Link
                      href={href}
                      scroll={false}
                      aria-label={`Show ${rowLabel(r)}`}
                      className="block truncate text-zinc-900 hover:text-accent hover:underline"
                    >
                      {r.promptName || <span className="font-sans text-zinc-500 italic">No prompt</span>}
                    </Link>
                  </TD>
                  <TD className="font-mono text-xs">{r.promptName && r.promptVersion ? `v${r.promptVersion}` : dash}</TD>
                  <TD className="font-mono text-xs whitespace-nowrap">{r.model || dash}</TD>
                  <TD className="font-mono text-xs whitespace-nowrap">{r.environment || dash}</TD>
                  <TD className="text-right font-mono text-xs tabular-nums">{formatCount(r.generations)}</TD>
                  <TD className={cn("text-right font-mono text-xs tabular-nums", r.errors > 0 && "text-red-700")}>
                    {formatPercent(r.generations ? r.errors / r.generations : null)}
                  </TD>
                  <TD className="text-right font-mono text-xs tabular-nums">{formatUsd(r.costUsd)}</TD>
                  <TD className="text-right font-mono text-xs tabular-nums">{formatMs(r.p95)}</TD>
                  <TD className="text-right">
                    <Link
                      href={tracesHref(orgSlug, projectSlug, {
                        window: d.window,
                        prompt: r.promptName || undefined,
                        model: r.model || undefined,
                        environment: r.environment || undefined,
                      })}
                      aria-label={`Traces of ${rowLabel(r)}`}
                      className="text-xs font-medium text-zinc-600 hover:text-accent hover:underline"
                    >
                      Traces
                    </Link>
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

export function DashboardView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const { filters, setParams } = useFilters();
  const filtered = !!(filters.promptName || filters.model || filters.environment);
  const dashboard = useQuery({
    ...trpc.observability.dashboard.queryOptions({ orgSlug, projectSlug, ...filters }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  // The menus offer everything seen in the window, not only what the current filters leave.
  const unfiltered = useQuery({
    ...trpc.observability.dashboard.queryOptions({ orgSlug, projectSlug, window: filters.window }),
    placeholderData: keepPreviousData,
    enabled: filtered,
  });
  const menus = (filtered ? unfiltered.data : dashboard.data) ?? dashboard.data;
  const d = dashboard.data;
  const empty = !!d && d.totals.generations === 0 && d.quality.totals.length === 0;
  // Nothing in the window: is there telemetry at all (then say so), or none yet (then explain)?
  const anyTrace = useQuery({ ...trpc.observability.traces.queryOptions({ orgSlug, projectSlug, window: "30d", limit: 1 }), enabled: empty && !filtered });
  const noTelemetry = empty && !filtered && anyTrace.data?.items.length === 0;
  const versions = filters.promptName
    ? [...new Set((menus?.breakdown ?? []).filter((r) => r.promptName === filters.promptName && r.promptVersion > 0).map((r) => r.promptVersion))]
        .sort((a, b) => b - a)
        .map(String)
    : [];

  const windowParam = (w: WindowName) => (w === "24h" ? undefined : w);
  const tracesLink = tracesHref(orgSlug, projectSlug, {
    window: filters.window === "7d" ? undefined : filters.window,
    prompt: filters.promptName,
    model: filters.model,
    environment: filters.environment,
  });

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Observability"
        description="Production calls of this project: volume, latency, errors, tokens, cost, guardrails and quality, from traces and gateway calls."
        actions={<WindowPicker value={filters.window} onChange={(w) => setParams({ window: windowParam(w) })} />}
      />
      <div className="flex flex-col gap-4">
        <Card as="div" hidden={noTelemetry}>
          <form role="search" aria-label="Dashboard filters" className="flex flex-wrap items-end gap-3 px-4 py-3" onSubmit={(e) => e.preventDefault()}>
            <OptionSelect
              label="Prompt"
              allLabel="All prompts"
              value={filters.promptName ?? ""}
              options={menus?.options.prompts ?? []}
              onChange={(v) => setParams({ prompt: v, version: undefined })}
              className="w-60"
            />
            {filters.promptName ? (
              <OptionSelect
                label="Version"
                allLabel="All versions"
                value={filters.promptVersion ? String(filters.promptVersion) : ""}
                options={versions}
                onChange={(v) => setParams({ version: v })}
                className="w-32"
                render={(v) => `v${v}`}
              />
            ) : null}
            <OptionSelect
              label="Model"
              allLabel="All models"
              value={filters.model ?? ""}
              options={menus?.options.models ?? []}
              onChange={(v) => setParams({ model: v })}
              className="w-52"
            />
            <OptionSelect
              label="Environment"
              allLabel="All environments"
              value={filters.environment ?? ""}
              options={menus?.options.environments ?? []}
              onChange={(v) => setParams({ environment: v })}
              className="w-44"
            />
            {filtered ? (
              <Button size="sm" variant="ghost" onClick={() => setParams({ prompt: undefined, version: undefined, model: undefined, environment: undefined })}>
                Clear filters
              </Button>
            ) : null}
            <div className="ml-auto flex items-center gap-2">
              {dashboard.isFetching && !dashboard.isPending ? <Spinner size={12} /> : null}
              <ButtonLink size="sm" icon={<TracesIcon size={14} />} href={tracesLink}>
                View traces
              </ButtonLink>
            </div>
          </form>
        </Card>

        {dashboard.isPending ? (
          <div className="py-10 text-center">
            <Spinner label="Loading the dashboard…" />
          </div>
        ) : dashboard.isError ? (
          <section aria-label="Dashboard">
            <QueryErrorAlert title="Could not load the dashboard" error={dashboard.error} />
          </section>
        ) : empty && !filtered && anyTrace.isPending ? (
          <div className="py-10 text-center">
            <Spinner label="Loading the dashboard…" />
          </div>
        ) : noTelemetry ? (
          <TelemetrySetup orgSlug={orgSlug} projectSlug={projectSlug} />
        ) : empty ? (
          <Card as="div">
            <EmptyState
              icon={<ActivityIcon />}
              title={`No generations ${filtered ? "match these filters " : ""}in the ${WINDOWS[filters.window].label.toLowerCase()}`}
              description={filtered ? "Clear the filters or choose a longer window." : "Choose a longer window to see earlier calls."}
              action={
                filters.window !== "30d" ? (
                  <Button size="sm" onClick={() => setParams({ window: "30d" })}>
                    Show the last 30 days
                  </Button>
                ) : null
              }
            />
          </Card>
        ) : d ? (
          <>
            <section aria-label="Summary" className="flex flex-col gap-4">
              <Stats d={d} />
            </section>
            <section aria-labelledby="charts-title" className="flex flex-col gap-3">
              <h2 id="charts-title" className="sr-only">
                Charts
              </h2>
              <Charts d={d} />
            </section>
            <Breakdown d={d} orgSlug={orgSlug} projectSlug={projectSlug} />
          </>
        ) : null}
      </div>
    </>
  );
}
