import "server-only";
// Attribute values once decoded, whichever the wire encoding (protobuf or JSON), and the small
// readers the span mapping uses to pull typed columns out of them. Both decoders convert an
// OTLP AnyValue the same way, so the same content gives the same row:
//   string, bool, double -> as is (a non-finite double as its name, "NaN" / "Infinity", so it
//   survives JSON storage); int64 -> number (a decimal string beyond 2^53, never rounded);
//   bytes -> base64 (as OTLP/JSON writes them); array -> array; kvlist -> plain object.

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
/** One span's (or resource's, or event's) attributes by key; a later duplicate key wins. */
export type Attrs = Record<string, AttrValue>;

/**
 * A string as it can be stored: NUL (which PostgreSQL text and jsonb refuse) and unpaired
 * surrogates (not encodable as UTF-8) become U+FFFD, so one odd attribute cannot fail a batch.
 * Two native scans for the usual clean string; the copy only when something needs replacing.
 */
export function storableText(s: string): string {
  if (s.isWellFormed() && !s.includes("\u0000")) return s;
  return s.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

/** `__proto__` as a key would replace an object's prototype instead of adding an entry. */
export const isSafeKey = (key: string): boolean => key !== "__proto__";

/** A double as stored: finite numbers as is, NaN / ±Infinity by name. */
export const doubleValue = (n: number): number | string => (Number.isFinite(n) ? n : String(n));

/** Hex of raw id bytes (Buffer views from protobufjs, or any Uint8Array). */
export function bytesToHex(bytes: Uint8Array): string {
  if (bytes.length === 0) return "";
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("hex");
}

export function bytesToBase64(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("base64");
}

/** A non-empty string, or a number / boolean as text (ids sent as numbers); anything else null. */
export function asText(v: AttrValue | undefined): string | null {
  if (typeof v === "string") return v.length > 0 ? v : null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

/** A string only (model and provider names). */
export const asString = (v: AttrValue | undefined): string | null => (typeof v === "string" && v.length > 0 ? v : null);

const DIGITS = /^\s*\d+\s*$/;
const DECIMAL = /^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

/** A token count: a non-negative number (rounded) or a string of digits. */
export function asCount(v: AttrValue | undefined): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v === "string" && DIGITS.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/** A prompt version: a positive integer, as a number or a string of digits. */
export function asVersion(v: AttrValue | undefined): number | null {
  const n = asCount(v);
  return n !== null && n >= 1 && (typeof v !== "number" || Number.isInteger(v)) ? n : null;
}

/** An amount (USD): a non-negative finite number, or its decimal text. */
export function asAmount(v: AttrValue | undefined): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v === "string" && DECIMAL.test(v)) return Number(v);
  return null;
}

/** A value that may arrive as a JSON string or as a structured kvlist, as an object. */
export function asObject(v: AttrValue | undefined): Record<string, AttrValue> | null {
  let value: unknown = v;
  if (typeof v === "string") {
    if (!v.trimStart().startsWith("{")) return null;
    try {
      value = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, AttrValue>) : null;
}

/** Input/output text: strings as sent (usually JSON already), structured values as JSON. */
export function toIoText(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v.length > 0 ? v : null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
