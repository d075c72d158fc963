import "server-only";
// Size caps, so one huge span cannot blow up a row: input/output bodies are cut to a byte limit,
// and a span's attribute map is held under a serialized-size budget by shortening its longest
// values first (every value keeps as much as the budget allows, short ones stay whole), dropping
// trailing entries only if the keys and scalars alone do not fit. Sizes are UTF-8 bytes of the
// JSON the store writes.
import type { AttrValue, Attrs } from "./values";

export const TRUNCATION_MARKER = "…[truncated]";
const MARKER_BYTES = Buffer.byteLength(TRUNCATION_MARKER);

/** Kept for the `keel.truncated` entry the mapping may add after capping. */
const RESERVED_BYTES = 48;
/** No value is cut shorter than this, even when many long values share a small budget. */
const MIN_VALUE_BYTES = 64;
/** Nested kvlists deeper than this are kept as JSON text instead of more dotted keys. */
const MAX_FLATTEN_DEPTH = 4;

/** `s` when its UTF-8 form fits in maxBytes, else its longest prefix that fits with the marker. */
export function truncateUtf8(s: string, maxBytes: number): string {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: short strings fit, long ones cannot.
  if (s.length * 3 <= maxBytes) return s;
  if (s.length <= maxBytes && Buffer.byteLength(s) <= maxBytes) return s;
  const budget = Math.max(0, maxBytes - MARKER_BYTES);
  const head = Buffer.from(s.length > budget ? s.slice(0, budget) : s, "utf8")
    .subarray(0, budget)
    .toString("utf8");
  // A cut through a multi-byte character (or a surrogate pair) decodes as U+FFFD: drop it.
  return head.replace(/\uFFFD+$/, "") + TRUNCATION_MARKER;
}

/** Characters of a value's JSON, roughly (no escapes): a cheap first look at its size. */
function approxChars(v: AttrValue): number {
  if (typeof v === "string") return v.length + 2;
  if (v === null || typeof v !== "object") return 8;
  let n = 2;
  if (Array.isArray(v)) for (const item of v) n += approxChars(item) + 1;
  else for (const key in v) n += key.length + 4 + approxChars(v[key] as AttrValue);
  return n;
}

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/**
 * Shortens (in place) the values of `attrs` until its JSON fits in maxBytes. Strings and arrays
 * (as JSON text) are cut to a common length L chosen so that everything fits: values shorter
 * than L stay whole. Returns whether anything was cut or dropped.
 */
export function capAttributes(attrs: Attrs, maxBytes: number): boolean {
  let approx = 2;
  for (const key in attrs) approx += key.length + 4 + approxChars(attrs[key] as AttrValue);
  // Three UTF-8 bytes per character at most (control-character escapes aside): the common case.
  if (approx * 3 <= maxBytes - RESERVED_BYTES) return false;
  const limit = maxBytes - RESERVED_BYTES;
  if (jsonBytes(attrs) <= limit) return false;

  const keys = Object.keys(attrs);
  let fixed = 2;
  const variable: number[] = [];
  for (const key of keys) {
    const v = attrs[key] as AttrValue;
    fixed += jsonBytes(key) + 2;
    if (typeof v === "string" || (v !== null && typeof v === "object")) variable.push(jsonBytes(v));
    else fixed += String(v).length;
  }

  // Water-filling: the largest L with sum(min(size, L)) <= budget.
  let cap = Number.POSITIVE_INFINITY;
  let remaining = limit - fixed;
  const sorted = variable.sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(remaining / (sorted.length - i));
    if ((sorted[i] as number) <= share) remaining -= sorted[i] as number;
    else {
      cap = Math.max(MIN_VALUE_BYTES, share);
      break;
    }
  }
  for (const key of keys) {
    const v = attrs[key] as AttrValue;
    if (v === null || (typeof v !== "string" && typeof v !== "object")) continue;
    const text = typeof v === "string" ? v : JSON.stringify(v);
    const size = jsonBytes(text);
    if (size <= cap) continue;
    // Cut the text so that its JSON (escapes included, at the text's own escape rate) fits.
    const textBytes = Buffer.byteLength(text);
    attrs[key] = truncateUtf8(text, Math.floor(((cap - 2) * textBytes) / (size - 2)));
  }

  // Escapes can still overflow, and keys plus scalars alone may not fit: drop from the end.
  let total = jsonBytes(attrs);
  for (let i = keys.length - 1; i >= 0 && total > limit; i--) {
    const key = keys[i] as string;
    total -= jsonBytes(key) + jsonBytes(attrs[key]) + 2;
    delete attrs[key];
  }
  return true;
}

/**
 * Copies one attribute into a flat map: a kvlist (object) becomes dotted keys (`llm.params.top_p`),
 * anything else is kept as is. Existing keys win (span attributes over resource ones).
 */
export function putFlat(target: Attrs, key: string, value: AttrValue, depth = 0): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    if (depth >= MAX_FLATTEN_DEPTH) {
      if (!Object.hasOwn(target, key)) target[key] = JSON.stringify(value);
      return;
    }
    for (const sub in value) putFlat(target, `${key}.${sub}`, value[sub] as AttrValue, depth + 1);
    return;
  }
  if (!Object.hasOwn(target, key)) target[key] = value;
}
