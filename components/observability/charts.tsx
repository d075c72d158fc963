"use client";
// Time-series charts of the observability dashboard (Recharts, drawn client-side as SVG), in the
// same figures as the evaluation dashboard: a title, a one-sentence summary and the numbers as a
// table under a disclosure (the text alternative; the SVG is hidden from assistive technology).
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis, type AxisDomainItem } from "recharts";
import type { WindowName } from "@/server/contracts/observability";
import { formatPointTime } from "./model";

export type TimeSeries = { key: string; name: string; color: string };
export type TimePoint = { t: string } & Record<string, string | number | null>;

const GRID = "#e4e4e7";
const AXIS = { fontSize: 11, fill: "#71717a" };
const HEIGHT = 220;
const tooltipStyle = { fontSize: 12, borderRadius: 6, borderColor: "#e4e4e7", boxShadow: "0 1px 3px rgb(0 0 0 / 0.08)" };
const MARGIN = { top: 12, right: 16, bottom: 0, left: 4 };

type ChartProps = {
  data: TimePoint[];
  series: TimeSeries[];
  window: WindowName;
  /** Axis and tooltip values. */
  format: (v: number) => string;
  /** Y-axis width in pixels (wider for dollar amounts). */
  axisWidth?: number;
  /** Whole numbers only on the axis (counts). */
  integer?: boolean;
};

function xAxis(window: WindowName) {
  return (
    <XAxis dataKey="t" tick={AXIS} tickLine={false} axisLine={{ stroke: GRID }} minTickGap={28} tickFormatter={(t: string) => formatPointTime(t, window)} />
  );
}

export type Domain = [AxisDomainItem, AxisDomainItem];

function yAxis(format: (v: number) => string, width: number, integer: boolean, domain?: Domain) {
  return (
    <YAxis tick={AXIS} tickLine={false} axisLine={false} width={width} allowDecimals={!integer} domain={domain} tickFormatter={(v: number) => format(v)} />
  );
}

/** Bars per interval; stacked when there are several series that add up (requests, tokens, guardrails). */
export function TimeBarChart({ data, series, window, format, axisWidth = 48, integer = false, stacked = true }: ChartProps & { stacked?: boolean }) {
  return (
    <BarChart responsive accessibilityLayer={false} style={{ width: "100%", height: HEIGHT }} data={data} margin={MARGIN} barCategoryGap={1}>
      <CartesianGrid stroke={GRID} vertical={false} />
      {xAxis(window)}
      {yAxis(format, axisWidth, integer)}
      <Tooltip
        contentStyle={tooltipStyle}
        cursor={{ fill: "#f4f4f5" }}
        labelFormatter={(l) => formatPointTime(String(l), window)}
        formatter={(v) => (typeof v === "number" ? format(v) : String(v))}
      />
      {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} iconSize={10} /> : null}
      {series.map((s, i) => (
        <Bar
          key={s.key}
          dataKey={s.key}
          name={s.name}
          fill={s.color}
          stackId={stacked ? "a" : undefined}
          maxBarSize={24}
          radius={!stacked || i === series.length - 1 ? [2, 2, 0, 0] : 0}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}

/**
 * Lines over the window (latency percentiles, error rate, quality scores): straight segments
 * between measured intervals only — no smoothing that would invent values between them, and a gap
 * where an interval has no data. Every measured point is marked when points are sparse (an
 * interval between two gaps would otherwise not show at all).
 */
export function TimeLineChart({ data, series, window, format, axisWidth = 48, integer = false, domain }: ChartProps & { domain?: Domain }) {
  const valued = data.filter((d) => series.some((s) => typeof d[s.key] === "number")).length;
  const isolated = data.some((d, i) =>
    series.some((s) => typeof d[s.key] === "number" && typeof data[i - 1]?.[s.key] !== "number" && typeof data[i + 1]?.[s.key] !== "number"),
  );
  const dot = valued <= 48 || isolated ? { r: valued <= 48 ? 2.5 : 1.5 } : false;
  return (
    <LineChart responsive accessibilityLayer={false} style={{ width: "100%", height: HEIGHT }} data={data} margin={MARGIN}>
      <CartesianGrid stroke={GRID} vertical={false} />
      {xAxis(window)}
      {yAxis(format, axisWidth, integer, domain)}
      <Tooltip
        contentStyle={tooltipStyle}
        labelFormatter={(l) => formatPointTime(String(l), window)}
        formatter={(v) => (typeof v === "number" ? format(v) : String(v))}
      />
      {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} iconSize={10} /> : null}
      {series.map((s) => (
        <Line
          key={s.key}
          type="linear"
          dataKey={s.key}
          name={s.name}
          stroke={s.color}
          strokeWidth={1.75}
          dot={dot ? { ...dot, fill: s.color, stroke: s.color } : false}
          activeDot={{ r: 4 }}
          connectNulls={false}
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  );
}

/** Shown inside a figure instead of a chart with nothing to draw. */
export function NoChartData({ children }: { children: string }) {
  return <p className="flex h-[220px] items-center justify-center px-4 text-center text-[13px] text-zinc-500">{children}</p>;
}
