// Pure helpers shared by the observability settings forms: sample rates shown as percentages,
// scope wording, parsing number fields, the form fields that turn such text into what the
// procedures take, and (for the routing form) putting a server error on the field it names (the
// server names nested config fields by path, e.g. "config.patterns.0").
import { z } from "zod";
import { errorInfo, phraseFieldMessage, type FormErrors } from "@/components/lib/errors";

/** 0.5 → "50", 0.125 → "12.5" (at most two decimals, no float noise). */
export function rateToPercent(rate: number): string {
  return String(Math.round(rate * 10_000) / 100);
}

/** "50" → 0.5; null when the text is not a percentage between `min` and 100. */
export function percentToRate(text: string, min = 1): number | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < min || value > 100) return null;
  return Math.round(value * 100) / 10_000;
}

/** A whole number from a form field; "" → null, anything else that is not an integer → NaN. */
export function parseWhole(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export const ALL_PROMPTS = "All prompts and plain model calls";
export const ALL_ENVIRONMENTS = "All environments";

/** "" (the "all" option of a scope select) is stored as null. */
export function scopeValue(selected: string): string | null {
  return selected === "" ? null : selected;
}

/** A percentage field as a sample rate (0.5 for "50"); anything but 1 to 100 is refused. */
export const percentText = z.string().transform((text, ctx) => {
  const rate = percentToRate(text);
  if (rate === null) ctx.addIssue({ code: "custom", message: "must be a percentage from 1 to 100" });
  return rate ?? z.NEVER;
});

// The routing form's placing of errors (the lists' forms use components/lib/form-errors.ts).

/**
 * The form field a server path is about: its first segment, or for a path inside `config`
 * (config.schema, config.patterns.0) the config field. Undefined when the form has no such field.
 */
export function fieldOfPath<F extends string>(path: string | undefined, labels: Record<F, string>): F | undefined {
  if (!path) return undefined;
  const segments = path.split(".");
  const candidates = segments[0] === "config" && segments[1] ? [segments[1], "config"] : [segments[0] ?? ""];
  return candidates.find((c): c is F => c in labels);
}

/** Labels for one item of a list field ("Pattern" → "Pattern 2 is not …" for path config.patterns.1). */
export type ItemLabels<F extends string> = Partial<Record<F, string>>;

function phrase<F extends string>(message: string, path: string, field: F, labels: Record<F, string>, items: ItemLabels<F>): string {
  const segments = path.split(".");
  const index = Number(segments[segments.indexOf(field) + 1]);
  const item = items[field];
  const label = item && segments.includes(field) && Number.isInteger(index) ? `${item} ${index + 1}` : labels[field];
  return phraseFieldMessage(message, path, label);
}

/** Like formErrorsFrom, but also places errors about nested config fields on their control. */
export function settingsErrorsFrom<F extends string>(error: unknown, labels: Record<F, string>, items: ItemLabels<F> = {}): FormErrors<F> {
  const info = errorInfo(error);
  const field = fieldOfPath(info.field, labels);
  if (!field) return { fields: {}, form: info.message };
  return { fields: { [field]: phrase(info.message, info.field ?? field, field, labels, items) } as Partial<Record<F, string>>, form: null };
}

/** Client-side issues from a zod result, each on its field (the first one per field wins). */
export function errorsFromIssues<F extends string>(issues: readonly { path: readonly PropertyKey[]; message: string }[], labels: Record<F, string>, items: ItemLabels<F> = {}): FormErrors<F> {
  const fields: Partial<Record<F, string>> = {};
  let form: string | null = null;
  for (const issue of issues) {
    const path = issue.path.map(String).join(".");
    const field = fieldOfPath(path, labels);
    if (field && !fields[field]) fields[field] = phrase(issue.message, path, field, labels, items);
    else if (!field && !form) form = path ? `${path}: ${issue.message}` : issue.message;
  }
  return { fields, form: Object.keys(fields).length ? null : form };
}
