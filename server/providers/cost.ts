import "server-only";
// Cost estimates: token usage × price per million tokens. A built-in table covers common
// models; a project's ModelPrice rows override it (and add models it lacks). Unknown model →
// null, shown as "no price" rather than a made-up $0.
import type { Usage } from "./types";

export type Price = { inputPerMillion: number; outputPerMillion: number };

/** A ModelPrice row (Prisma returns Decimal; numbers and strings are accepted too). */
export type PriceRow = { model: string; inputPerMillion: number | string | { toString(): string }; outputPerMillion: number | string | { toString(): string } };

/**
 * Public list prices in USD per million tokens (input / output), standard tier, no batch or
 * cache discounts, as published by the vendors as of this date. Defaults only: editable per
 * project (ModelPrice), which is where a negotiated or newer price belongs.
 */
export const DEFAULT_PRICES_AS_OF = "2025-08-01";
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  "gpt-5": { inputPerMillion: 1.25, outputPerMillion: 10 },
  "gpt-5-mini": { inputPerMillion: 0.25, outputPerMillion: 2 },
  "gpt-5-nano": { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  "gpt-4-turbo": { inputPerMillion: 10, outputPerMillion: 30 },
  "gpt-3.5-turbo": { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  o1: { inputPerMillion: 15, outputPerMillion: 60 },
  o3: { inputPerMillion: 2, outputPerMillion: 8 },
  "o3-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  "o4-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  "claude-opus-4-1": { inputPerMillion: 15, outputPerMillion: 75 },
  "claude-opus-4": { inputPerMillion: 15, outputPerMillion: 75 },
  "claude-sonnet-4": { inputPerMillion: 3, outputPerMillion: 15 },
  "claude-3-7-sonnet": { inputPerMillion: 3, outputPerMillion: 15 },
  "claude-3-5-sonnet": { inputPerMillion: 3, outputPerMillion: 15 },
  "claude-3-5-haiku": { inputPerMillion: 0.8, outputPerMillion: 4 },
  "claude-3-opus": { inputPerMillion: 15, outputPerMillion: 75 },
  "claude-3-haiku": { inputPerMillion: 0.25, outputPerMillion: 1.25 },
  // Embedding models bill input tokens only (they have no output tokens; the output price is moot).
  "text-embedding-3-small": { inputPerMillion: 0.02, outputPerMillion: 0.02 },
  "text-embedding-3-large": { inputPerMillion: 0.13, outputPerMillion: 0.13 },
  "text-embedding-ada-002": { inputPerMillion: 0.1, outputPerMillion: 0.1 },
};

// Providers answer with dated snapshots ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022") or
// "-latest" aliases; those share the base model's price. Only such suffixes are stripped, so
// "gpt-4o-mini" never falls back to "gpt-4o".
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/** The names to look a model up by, most specific first. */
function lookupNames(model: string): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    for (let n = name; n && !names.includes(n); n = n.replace(SNAPSHOT_SUFFIX, "")) names.push(n);
  };
  const lower = model.trim().toLowerCase();
  add(lower);
  // Router-style names ("openai/gpt-4o") price like the plain model.
  if (lower.includes("/")) add(lower.slice(lower.lastIndexOf("/") + 1));
  return names;
}

function toNumber(value: PriceRow["inputPerMillion"]): number {
  return typeof value === "number" ? value : Number(value.toString());
}

export type FoundPrice = Price & { source: "project" | "default"; matched: string };

export function findPrice(model: string, projectPrices: readonly PriceRow[] = []): FoundPrice | null {
  const names = lookupNames(model);
  const own = new Map(projectPrices.map((row) => [row.model.trim().toLowerCase(), row]));
  for (const name of names) {
    const row = own.get(name);
    if (row) return { inputPerMillion: toNumber(row.inputPerMillion), outputPerMillion: toNumber(row.outputPerMillion), source: "project", matched: row.model };
  }
  for (const name of names) {
    const price = DEFAULT_PRICES[name];
    if (price) return { ...price, source: "default", matched: name };
  }
  return null;
}

/** USD for this usage, or null when the model has no price (built in or set for the project). */
export function estimateCost(model: string, usage: Usage, projectPrices: readonly PriceRow[] = []): number | null {
  const price = findPrice(model, projectPrices);
  if (!price) return null;
  const usd = (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000;
  // Round away float noise (0.1 + 0.2); a billionth of a dollar is far below any price step.
  return Math.round(usd * 1e9) / 1e9;
}
