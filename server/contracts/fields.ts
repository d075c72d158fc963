// Field schemas shared by procedures, routes and forms: the one way to declare text, names,
// searches, dates and free-form JSON that comes in. Text refuses NUL and other control characters
// (PostgreSQL cannot store NUL) and unpaired UTF-16 surrogates (not encodable as UTF-8: jsonb
// refuses them, text columns would store U+FFFD); dates are bounded to years 1970..9999 (JS dates
// reach ±275760, which PostgreSQL and the ISO formatting cannot take). Bad input is a 400 that
// names the field. fields-coverage.test.ts walks every procedure's and route's input schema and
// fails on a string, date or JSON value declared without these checks.
import { z } from "zod";
import { PASSWORD_MIN_LENGTH } from "./limits";

const NO_CONTROL = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;

/** True when `s` can be stored as it is: well-formed UTF-16 and no NUL. */
export function isStorableText(s: string): boolean {
  return s.isWellFormed() && !s.includes("\u0000");
}

const WELL_FORMED = "must not contain unpaired surrogate characters";

/** Any string input: refuses NUL and unpaired surrogates, nothing else (patterns, ids, keys). */
export const safeString = () =>
  z
    .string()
    .refine((s) => s.isWellFormed(), WELL_FORMED)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters");

export const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(NO_CONTROL, "must not contain control characters")
    .refine((s) => s.isWellFormed(), WELL_FORMED);

export const requiredText = (max: number) => text(max).trim().min(1, "is required");

/** A name (prompt, dataset, queue, evaluator, rule…): trimmed, required, single-line text. */
export const name = (max: number, message = "is required") => text(max).trim().min(1, message);

/** A search box: trimmed text, empty allowed. */
export const searchText = (max = 200) => text(max).trim();

export const slug = z
  .string()
  .min(2, "must be at least 2 characters")
  .max(48, "must be at most 48 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "may contain lowercase letters, digits and single dashes");

export const email = z.string().trim().max(254, "is too long").pipe(z.email("is not a valid email address"));

export const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(256, "must be at most 256 characters")
  .regex(NO_CONTROL, "must not contain control characters")
  .refine((s) => s.isWellFormed(), WELL_FORMED);

export const id = z.uuid("is not a valid id");

/** A prompt/dataset version or a run/request number: stored as int4. */
export const versionNumber = z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647, "is out of range");
/** A 1-based page of a list. */
export const pageNumber = z.number().int("must be a whole number").min(1, "must be 1 or more").max(1_000_000, "is out of range");

// ---- dates --------------------------------------------------------------------------------

/** The range every date input must fall in (inclusive): years 1970..9999, UTC. */
export const MIN_DATE = new Date("1970-01-01T00:00:00.000Z");
export const MAX_DATE = new Date("9999-12-31T23:59:59.999Z");
const DATE_RANGE = "must be between 1970-01-01 and 9999-12-31";

/** A Date (not a string) within MIN_DATE..MAX_DATE; an invalid Date is refused with `error` (forms turn their text into a Date, then pipe it here). */
export const dateValue = (error = "must be a date and time") => z.date({ error }).min(MIN_DATE, DATE_RANGE).max(MAX_DATE, DATE_RANGE);

/** A date and time from a Date, an ISO string or epoch milliseconds, within MIN_DATE..MAX_DATE. */
export const dateTime = (error = "must be a date and time") => z.coerce.date({ error }).min(MIN_DATE, DATE_RANGE).max(MAX_DATE, DATE_RANGE);

/** An ISO 8601 time string with offset (kept as a string), within MIN_DATE..MAX_DATE. */
export const isoDateTime = (error = "must be an ISO 8601 time, e.g. 2026-11-27T09:00:00Z") =>
  z.iso.datetime({ offset: true, error }).refine((s) => {
    const ms = Date.parse(s);
    return ms >= MIN_DATE.getTime() && ms <= MAX_DATE.getTime();
  }, DATE_RANGE);

// ---- free-form JSON -------------------------------------------------------------------------

const MAX_JSON_DEPTH = 200;

/** The path of the first string (key or value) in `value` that cannot be stored, or null. */
export function findUnstorableText(value: unknown): (string | number)[] | null {
  const path: (string | number)[] = [];
  return containsUnstorable(value, path, 0) ? path.reverse() : null;
}

// Allocates nothing unless it finds something (the gateway checks every request body with it);
// the path is collected innermost-first on the way back up.
function containsUnstorable(value: unknown, path: (string | number)[], depth: number): boolean {
  if (typeof value === "string") return !isStorableText(value);
  if (value === null || typeof value !== "object") return false;
  if (depth > MAX_JSON_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (containsUnstorable(value[i], path, depth + 1)) {
        path.push(i);
        return true;
      }
    }
    return false;
  }
  for (const key in value) {
    if (!isStorableText(key) || containsUnstorable((value as Record<string, unknown>)[key], path, depth + 1)) {
      path.push(key);
      return true;
    }
  }
  return false;
}

// jsonChecked's checks: zod copies checks onto every schema derived from a checked one (refined,
// optional…), so the coverage test finds them there.
export const CHECKED_JSON = new WeakSet<object>();

/** Wraps a schema with free-form JSON inside (z.unknown()) so no string in it holds NUL or an unpaired surrogate. */
export function jsonChecked<T extends z.ZodType>(schema: T): T {
  const checked = schema.superRefine((value, ctx) => {
    const at = findUnstorableText(value);
    if (at)
      ctx.addIssue({
        code: "custom",
        message: `must not contain NUL or unpaired surrogate characters, nor nest deeper than ${MAX_JSON_DEPTH} levels`,
        path: at,
      });
  }) as unknown as T;
  const checks = (checked as unknown as { _zod: { def: { checks?: object[] } } })._zod.def.checks ?? [];
  CHECKED_JSON.add(checks[checks.length - 1]!);
  return checked;
}

/** A JSON object with free-form values (metadata, item inputs, JSON Schemas). */
export const jsonRecord = (keyMax = 200) => jsonChecked(z.record(text(keyMax), z.unknown()));
