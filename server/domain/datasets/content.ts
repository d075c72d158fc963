import "server-only";
// One item's content, checked and prepared for storage the same way whether it comes from the
// form, the JSON editor, an import row, the playground or (later) evaluations and traces.
import { hash } from "node:crypto";
import { canonicalJson, type JsonValue } from "../../audit/canonical";
import { MAX_ITEM_BYTES, MAX_ITEM_KEYS, MAX_ITEM_TAGS, itemTag } from "../../contracts/datasets";
import { describeSchemaError, type ItemValidators } from "./schemas";

export type RawItem = { input: unknown; expected?: unknown; metadata?: unknown; tags?: unknown };

export type PreparedItem = {
  input: Record<string, JsonValue>;
  expected: JsonValue | null;
  metadata: Record<string, JsonValue>;
  tags: string[];
  inputJson: string;
  expectedJson: string | null;
  metadataJson: string;
  /** What makes two items "the same" for idempotent imports: input and expected output. */
  contentHash: string;
};

export type ItemProblem = { field: string; message: string };

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** PostgreSQL's jsonb cannot hold NUL characters; the problem names where one is. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key.includes("\u0000")) return path;
      const hit = findNul(v, `${path}.${key}`);
      if (hit) return hit;
    }
  }
  return null;
}

/** Whether JSON.stringify already gives the canonical form: keys in sorted order, no nested objects. */
function isCanonicalFlat(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return false;
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    const v = (value as Record<string, unknown>)[key];
    if (v !== null && typeof v === "object") return false;
    previous = key;
  }
  return true;
}

/** contentHashOf, reusing the JSON already written when it is canonical (the common, flat case). */
function contentHashFromJson(input: JsonValue, inputJson: string, expected: JsonValue | null, expectedJson: string | null): string {
  if (!isCanonicalFlat(input) || !isCanonicalFlat(expected)) return contentHashOf(input, expected);
  return hash("sha256", `{"expected":${expectedJson ?? "null"},"input":${inputJson}}`, "hex").slice(0, 32);
}

export function contentHashOf(input: JsonValue, expected: JsonValue | null): string {
  // One-shot hashing: about three times cheaper per item than createHash(), which imports feel.
  return hash("sha256", canonicalJson({ input, expected }), "hex").slice(0, 32);
}

/** Checks one item; returns the prepared item or the first problem (field path + message). */
export function prepareItem(raw: RawItem, validators: ItemValidators): PreparedItem | ItemProblem {
  const { input } = raw;
  if (!isPlainObject(input)) return { field: "input", message: "must be a JSON object (its keys feed prompt variables)" };
  if (Object.keys(input).length > MAX_ITEM_KEYS) return { field: "input", message: `has more than ${MAX_ITEM_KEYS} keys` };
  const expected = raw.expected === undefined ? null : raw.expected;
  const metadata = raw.metadata === undefined || raw.metadata === null ? {} : raw.metadata;
  if (!isPlainObject(metadata)) return { field: "metadata", message: "must be a JSON object" };
  const tags = raw.tags === undefined || raw.tags === null ? [] : raw.tags;
  if (!Array.isArray(tags)) return { field: "tags", message: "must be a list of tags" };
  if (tags.length > MAX_ITEM_TAGS) return { field: "tags", message: `may have at most ${MAX_ITEM_TAGS} tags` };
  const uniqueTags: string[] = [];
  for (const tag of tags) {
    const parsed = itemTag.safeParse(tag);
    if (!parsed.success) return { field: "tags", message: `"${String(tag).slice(0, 40)}" ${parsed.error.issues[0]?.message ?? "is not a valid tag"}` };
    if (!uniqueTags.includes(parsed.data)) uniqueTags.push(parsed.data);
  }
  if (validators.input && !validators.input(input)) return describeSchemaError("input", validators.input.errors);
  if (expected !== null && validators.expected && !validators.expected(expected)) return describeSchemaError("expected", validators.expected.errors);

  const inputJson = JSON.stringify(input);
  const expectedJson = expected === null ? null : JSON.stringify(expected);
  const metadataJson = JSON.stringify(metadata);
  // JSON writes a NUL as \u0000: only then is it worth finding where it is.
  if (inputJson.includes("\\u0000") || expectedJson?.includes("\\u0000") || metadataJson.includes("\\u0000")) {
    const nul = findNul(input, "input") ?? findNul(expected, "expected") ?? findNul(metadata, "metadata");
    if (nul) return { field: nul, message: "must not contain NUL characters" };
  }
  if (inputJson.length + (expectedJson?.length ?? 0) + metadataJson.length > MAX_ITEM_BYTES) {
    return { field: "input", message: `is too large: an item may hold at most ${MAX_ITEM_BYTES / 1024} KB of JSON` };
  }
  return {
    input: input as Record<string, JsonValue>,
    expected: expected as JsonValue | null,
    metadata: metadata as Record<string, JsonValue>,
    tags: uniqueTags,
    inputJson,
    expectedJson,
    metadataJson,
    contentHash: contentHashFromJson(input as JsonValue, inputJson, expected as JsonValue | null, expectedJson),
  };
}

export const isProblem = <T extends object>(value: T | ItemProblem): value is ItemProblem => "message" in value && "field" in value;
