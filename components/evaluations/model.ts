// Client-side helpers of the evaluation pages: addresses, status tones and the number formats
// (rates, durations, money) shared by the runs list, the run page and the evaluators.
import type { RunOutcome, RunStatus } from "@/server/contracts/evaluations";
import type { BadgeTone } from "@/components/ui";

function withQuery(path: string, params?: Record<string, string | number | undefined | null>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export function evaluationsHref(
  orgSlug: string,
  projectSlug: string,
  sub?: "new" | "evaluators" | "compare" | "dashboard",
  params?: Record<string, string | number | undefined | null>,
): string {
  return withQuery(`/o/${orgSlug}/p/${projectSlug}/evaluations${sub ? `/${sub}` : ""}`, params);
}

export function runHref(orgSlug: string, projectSlug: string, number: number, params?: Record<string, string | number | undefined | null>): string {
  return withQuery(`/o/${orgSlug}/p/${projectSlug}/evaluations/runs/${number}`, params);
}

export function evaluatorHref(orgSlug: string, projectSlug: string, name: string): string {
  return `/o/${orgSlug}/p/${projectSlug}/evaluations/evaluators/${encodeURIComponent(name)}`;
}

export const STATUS_TONES: Record<RunStatus, BadgeTone> = {
  queued: "outline",
  running: "accent",
  completed: "success",
  failed: "danger",
  cancelled: "warning",
};
export const OUTCOME_TONES: Record<RunOutcome, BadgeTone> = { ...STATUS_TONES, completed_with_errors: "warning" };

export const isActive = (status: string) => status === "queued" || status === "running";

/** 0.8123 → "81%" (one decimal under 10% and over 90% so near-certain rates stay distinct). */
export function pct(rate: number): string {
  const p = rate * 100;
  const digits = p > 0 && (p < 10 || (p > 90 && p < 100)) ? 1 : 0;
  return `${p.toFixed(digits)}%`;
}

export function formatScore(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
}

export { formatMs, formatUsd } from "@/components/lib/format";

/** Seconds as "1 h 2 min", "3 min 5 s", "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function durationBetween(start: Date | string | null, end: Date | string | null): number | null {
  if (!start || !end) return null;
  return (new Date(end).getTime() - new Date(start).getTime()) / 1000;
}
