// Pure helpers shared by the observability settings forms: sample rates shown as percentages,
// scope wording, parsing number fields, the form fields that turn such text into what the
// procedures take.
import { z } from "zod";

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
