import "server-only";
// Import options as query parameters (the session route and the public API read them the same
// way) and the import size limit.
import { z } from "zod";
import { importOptions } from "../../../contracts/datasets";
import { AppError } from "../../../errors";
import { setting } from "../../../env";

/** KEEL_DATASET_IMPORT_MAX_BYTES, or the default (DEFAULT_IMPORT_MAX_BYTES). */
export function importMaxBytes(): number {
  return setting("KEEL_DATASET_IMPORT_MAX_BYTES");
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  throw new AppError("BAD_REQUEST", field ? `${field} ${issue.message}` : issue.message, { field: field || undefined });
}

export function jsonParam(url: URL, name: string): unknown {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError("BAD_REQUEST", `${name} must be JSON`, { field: name });
  }
}

/** Import options from the query string: format, mapping (JSON), delimiter, allowDuplicates, fileName, message, tags, mode, key. */
export function importOptionsFrom(url: URL) {
  const q = url.searchParams;
  return parseOrThrow(importOptions, {
    format: q.get("format") ?? undefined,
    mapping: jsonParam(url, "mapping"),
    delimiter: q.get("delimiter") || undefined,
    allowDuplicates: q.get("allowDuplicates") === "1" || q.get("allowDuplicates") === "true",
    fileName: q.get("fileName") ?? undefined,
    message: q.get("message") ?? undefined,
    tags: q.get("tags")
      ? q
          .get("tags")!
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined,
    mode: q.get("mode") || undefined,
    key: q.get("key") || undefined,
  });
}
