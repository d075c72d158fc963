// Client-side helpers of the leads' review pages: addresses, the rubric draft the queue form edits
// (text for numbers so a field can be empty) and how grades and agreement figures read.
import type { Grade, GradeValue, Rubric, RubricDimension } from "@/server/contracts/reviews";
import type { BadgeTone } from "@/components/ui";
import { AGREEMENT_NULL_REASON_TEXT } from "@/server/contracts/reviews";

export type ItemState = "pending" | "disagreement" | "finalized";
export const ITEM_STATES: readonly ItemState[] = ["pending", "disagreement", "finalized"];
export const STATE_LABELS: Record<ItemState, string> = { pending: "Pending", disagreement: "Disagreement", finalized: "Finalized" };
export const STATE_COUNT_SUFFIX: Record<ItemState, string> = { pending: "pending", disagreement: "in disagreement", finalized: "finalized" };
export const STATE_TONES: Record<ItemState, BadgeTone> = { pending: "outline", disagreement: "warning", finalized: "success" };

export function reviewsHref(orgSlug: string, projectSlug: string, queue?: string, sub?: "agreement", params?: Record<string, string | undefined>): string {
  const path = `/o/${orgSlug}/p/${projectSlug}/reviews${queue ? `/${encodeURIComponent(queue)}` : ""}${sub ? `/${sub}` : ""}`;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) qs.set(k, v);
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export const newQueueHref = (orgSlug: string, projectSlug: string) => `/o/${orgSlug}/p/${projectSlug}/reviews/new`;

/** "Tone of voice" → "tone_of_voice" (what the rubric's key rule accepts). */
export function keyFromLabel(label: string): string {
  const k = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .replace(/_+$/, "")
    .slice(0, 40)
    .replace(/_+$/, "");
  return k;
}

export const TYPE_LABELS: Record<RubricDimension["type"], string> = {
  numeric: "Numeric scale",
  categorical: "Categories",
  boolean: "Yes / no",
  text: "Free text",
};

export function formatGradeValue(d: RubricDimension | undefined, v: GradeValue | undefined): string {
  if (v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (d?.type === "categorical") return d.options.find((o) => o.value === v)?.label ?? String(v);
  return String(v);
}

export function gradeSummary(rubric: Rubric, grade: Grade | null | undefined): string {
  if (!grade) return "—";
  return rubric
    .filter((d) => grade[d.key] !== undefined && grade[d.key] !== "")
    .map((d) => `${d.label}: ${formatGradeValue(d, grade[d.key])}`)
    .join(" · ");
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return "—";
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return r ? `${m} min ${r} s` : `${m} min`;
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`;
}

export function coefficient(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  return v.toFixed(3);
}

/** Why an agreement figure is missing, in words (shared with the server). */
export const NULL_REASON_TEXT: Record<string, string> = AGREEMENT_NULL_REASON_TEXT;

export function reasonText(reason: string | null | undefined): string {
  return reason ? (NULL_REASON_TEXT[reason] ?? reason) : "Not available.";
}

export type Reliability = { label: string; tone: BadgeTone; hint: string };

/** Krippendorff's own thresholds for alpha (Content Analysis, 2004): ≥ .800 reliable, ≥ .667 tentative. */
export function alphaReliability(alpha: number | null): Reliability | null {
  if (alpha === null) return null;
  if (alpha >= 0.8) return { label: "Reliable", tone: "success", hint: "α ≥ 0.8: reviewers agree well enough to rely on these grades." };
  if (alpha >= 0.667) return { label: "Tentative", tone: "warning", hint: "0.667 ≤ α < 0.8: good enough for tentative conclusions only." };
  return { label: "Unreliable", tone: "danger", hint: "α < 0.667: reviewers disagree too often; sharpen the guidelines or the rubric." };
}

/** Landis and Koch's bands, the usual reading of kappa. */
export function kappaReading(kappa: number | null): string | null {
  if (kappa === null) return null;
  if (kappa < 0) return "worse than chance";
  if (kappa < 0.2) return "slight";
  if (kappa < 0.4) return "fair";
  if (kappa < 0.6) return "moderate";
  if (kappa < 0.8) return "substantial";
  return "almost perfect";
}

export const LEVEL_LABELS: Record<string, string> = { nominal: "nominal", ordinal: "ordinal", interval: "interval", ratio: "ratio" };
