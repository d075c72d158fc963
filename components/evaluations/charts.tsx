"use client";
// The dashboard's charts (Recharts, drawn client-side as SVG). Each chart sits in a figure with a
// one-sentence summary and its numbers as a table under a disclosure, which is the text
// alternative: the SVG itself is hidden from assistive technology.
import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type XAxisTickContentProps } from "recharts";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui";

export type Series = { key: string; name: string; color: string };

/** Evaluator colours: distinct hues, none of them the production green. */
export const SERIES_COLORS = ["#4f46e5", "#0891b2", "#d97706", "#db2777", "#7c3aed", "#65a30d", "#dc2626", "#0f766e", "#a16207", "#475569"];
const PRODUCTION = "#047857";
const GRID = "#e4e4e7";
const AXIS = { fontSize: 11, fill: "#71717a" };
const HEIGHT = 240;

export type DataTable = { columns: string[]; rows: { key: string; cells: ReactNode[] }[] };

export function ChartFigure({ id, title, summary, table, children }: { id: string; title: string; summary: ReactNode; table: DataTable; children: ReactNode }) {
  return (
    <figure
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-summary`}
      className="m-0 flex min-w-0 flex-col rounded-lg border border-zinc-200 bg-white shadow-xs"
    >
      <div className="border-b border-zinc-200 px-4 py-3">
        <h3 id={`${id}-title`} className="text-sm font-semibold text-zinc-900">
          {title}
        </h3>
        <p id={`${id}-summary`} className="mt-0.5 text-[13px] text-zinc-500">
          {summary}
        </p>
      </div>
      <div aria-hidden="true" className="px-2 pt-3" data-chart={id}>
        {children}
      </div>
      <details className="border-t border-zinc-100 px-4 py-2 text-[13px]">
        <summary className="cursor-pointer text-xs font-medium text-zinc-600 hover:text-zinc-900">Data table</summary>
        <div className="mt-2 -mx-4">
          <Table caption={title}>
            <THead>
              <TR>
                {table.columns.map((c) => (
                  <TH key={c}>{c}</TH>
                ))}
              </TR>
            </THead>
            <TBody>
              {table.rows.map((r) => (
                <TR key={r.key}>
                  {r.cells.map((c, i) => (
                    <TD key={i} className="font-mono text-xs tabular-nums">
                      {c}
                    </TD>
                  ))}
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      </details>
    </figure>
  );
}

function productionLine(version: string | null, present: boolean) {
  if (!version || !present) return null;
  return (
    <ReferenceLine
      x={version}
      stroke={PRODUCTION}
      strokeDasharray="4 3"
      strokeWidth={1.5}
      label={{ value: "production", position: "insideTopRight", fill: PRODUCTION, fontSize: 11, fontWeight: 600 }}
    />
  );
}

const tooltipStyle = { fontSize: 12, borderRadius: 6, borderColor: "#e4e4e7", boxShadow: "0 1px 3px rgb(0 0 0 / 0.08)" };

/** One line per evaluator across prompt versions (x: "v1", "v2", ...); values already ×100 when `percent`. */
export function VersionLineChart({
  data,
  series,
  productionVersion,
  percent,
}: {
  data: Record<string, string | number | null>[];
  series: Series[];
  productionVersion: string | null;
  percent: boolean;
}) {
  const present = data.some((d) => d.version === productionVersion);
  return (
    <LineChart responsive accessibilityLayer={false} style={{ width: "100%", height: HEIGHT }} data={data} margin={{ top: 16, right: 16, bottom: 0, left: -8 }}>
      <CartesianGrid stroke={GRID} vertical={false} />
      <XAxis dataKey="version" tick={AXIS} tickLine={false} axisLine={{ stroke: GRID }} padding={{ left: 16, right: 16 }} />
      <YAxis
        tick={AXIS}
        tickLine={false}
        axisLine={false}
        width={44}
        domain={percent ? [0, 100] : ["auto", "auto"]}
        tickFormatter={(v: number) => (percent ? `${v}%` : String(v))}
      />
      <Tooltip contentStyle={tooltipStyle} formatter={(v) => (typeof v === "number" ? (percent ? `${v.toFixed(1)}%` : v.toFixed(3)) : String(v))} />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      {productionLine(productionVersion, present)}
      {series.map((s) => (
        // Versions are discrete: straight segments between measured points, never a smoothed curve.
        <Line
          key={s.key}
          type="linear"
          dataKey={s.key}
          name={s.name}
          stroke={s.color}
          strokeWidth={2}
          dot={{ r: 3.5 }}
          activeDot={{ r: 5 }}
          connectNulls
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  );
}

function RunTick(props: XAxisTickContentProps & { versions: Map<string, { version: number; production: boolean }> }) {
  const { x, y, payload, versions } = props;
  const v = versions.get(String(payload.value));
  return (
    <g transform={`translate(${x},${y})`}>
      <text dy={12} textAnchor="middle" fontSize={11} fill="#52525b">
        {String(payload.value)}
      </text>
      {v ? (
        <text dy={25} textAnchor="middle" fontSize={10} fill={v.production ? PRODUCTION : "#71717a"} fontWeight={v.production ? 600 : 400}>
          v{v.version}
          {v.production ? " prod" : ""}
        </text>
      ) : null}
    </g>
  );
}

const FAILED = "#b91c1c";

/**
 * Pass rate per evaluator over runs (x: "#12", ...), oldest first; ticks show each run's version,
 * production in green. Runs in `unusable` (too few answers to score) have no values: a red dashed
 * line marks them instead of a point, and the tooltip says why.
 */
export function RunsLineChart({
  data,
  series,
  runVersions,
  unusable = new Map(),
}: {
  data: Record<string, string | number | null>[];
  series: Series[];
  runVersions: Map<string, { version: number; production: boolean }>;
  unusable?: Map<string, string>;
}) {
  return (
    <LineChart responsive accessibilityLayer={false} style={{ width: "100%", height: HEIGHT }} data={data} margin={{ top: 16, right: 16, bottom: 0, left: -8 }}>
      <CartesianGrid stroke={GRID} vertical={false} />
      <XAxis
        dataKey="run"
        height={44}
        tickLine={false}
        axisLine={{ stroke: GRID }}
        interval="preserveStartEnd"
        padding={{ left: 16, right: 16 }}
        tick={(p: XAxisTickContentProps) => <RunTick {...p} versions={runVersions} />}
      />
      <YAxis tick={AXIS} tickLine={false} axisLine={false} width={44} domain={[0, 100]} tickFormatter={(v: number) => `${v}%`} />
      <Tooltip
        contentStyle={tooltipStyle}
        formatter={(v) => (typeof v === "number" ? `${v.toFixed(1)}%` : String(v))}
        labelFormatter={(l) =>
          `Run ${String(l)}${runVersions.get(String(l)) ? ` · v${runVersions.get(String(l))!.version}` : ""}${unusable.get(String(l)) ? ` · ${unusable.get(String(l))}` : ""}`
        }
      />
      <Legend wrapperStyle={{ fontSize: 12, paddingTop: 4 }} />
      {[...unusable.keys()].map((run) => (
        <ReferenceLine
          key={run}
          x={run}
          stroke={FAILED}
          strokeDasharray="3 3"
          strokeWidth={1.5}
          label={{ value: "no score", position: "insideTop", fill: FAILED, fontSize: 10, fontWeight: 600 }}
        />
      ))}
      {series.map((s) => (
        // Each run is one measurement: points joined by straight segments; a run without a score breaks the line.
        <Line
          key={s.key}
          type="linear"
          dataKey={s.key}
          name={s.name}
          stroke={s.color}
          strokeWidth={2}
          dot={{ r: 3.5 }}
          activeDot={{ r: 5 }}
          connectNulls={false}
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  );
}

/** Bars per prompt version (x: "v1", ...), e.g. latency p50/p95 or cost. */
export function VersionBarChart({
  data,
  series,
  productionVersion,
  format,
}: {
  data: Record<string, string | number | null>[];
  series: Series[];
  productionVersion: string | null;
  format: (v: number) => string;
}) {
  const present = data.some((d) => d.version === productionVersion);
  return (
    <BarChart
      responsive
      accessibilityLayer={false}
      style={{ width: "100%", height: HEIGHT }}
      data={data}
      margin={{ top: 16, right: 16, bottom: 0, left: 4 }}
      barGap={2}
    >
      <CartesianGrid stroke={GRID} vertical={false} />
      <XAxis dataKey="version" tick={AXIS} tickLine={false} axisLine={{ stroke: GRID }} />
      <YAxis tick={AXIS} tickLine={false} axisLine={false} width={56} tickFormatter={(v: number) => format(v)} />
      <Tooltip contentStyle={tooltipStyle} cursor={{ fill: "#f4f4f5" }} formatter={(v) => (typeof v === "number" ? format(v) : String(v))} />
      {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
      {productionLine(productionVersion, present)}
      {series.map((s) => (
        <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color} radius={[3, 3, 0, 0]} maxBarSize={36} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}
