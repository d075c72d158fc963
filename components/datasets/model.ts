// Client-side helpers of the dataset pages: addresses, labels, and turning an item into the
// drafts the form and JSON editors work on (and back).
import { itemTag, type DatasetChangeKind, type DatasetItemSource, type ExportFormat } from "@/server/contracts/datasets";

export type DatasetTab = "items" | "versions" | "import" | "settings" | "compare";

/** `/o/{org}/p/{project}/datasets/{name}[/sub][?params]`; undefined and empty params are left out. */
export function datasetHref(
  orgSlug: string,
  projectSlug: string,
  name?: string,
  sub?: Exclude<DatasetTab, "items"> | null,
  params?: Record<string, string | number | undefined | null>,
): string {
  let path = `/o/${orgSlug}/p/${projectSlug}/datasets`;
  if (name) path += `/${encodeURIComponent(name)}`;
  if (name && sub) path += `/${sub}`;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export function exportHref(orgSlug: string, projectSlug: string, name: string, version: number, format: ExportFormat): string {
  return `/api/datasets/${orgSlug}/${projectSlug}/${encodeURIComponent(name)}/export?version=${version}&format=${format}`;
}

export const KIND_LABELS: Record<DatasetChangeKind, string> = {
  add: "Added",
  edit: "Edited",
  archive: "Archived",
  tag: "Tagged",
  import: "Imported",
  bulk: "Bulk edit",
};

export const SOURCE_LABELS: Record<DatasetItemSource, string> = {
  manual: "Manual",
  import: "Import",
  playground: "Playground",
  evaluation: "Evaluation",
  review: "Review",
  trace: "Trace",
};

/** A short one-line preview of any JSON value. */
export function preview(value: unknown, max = 120): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function pretty(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function parseTagList(text: string): { tags: string[]; error?: string } {
  const tags = [
    ...new Set(
      text
        .split(/[,;\s]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > 20) return { tags, error: "An item may have at most 20 tags" };
  for (const tag of tags) {
    const parsed = itemTag.safeParse(tag);
    if (!parsed.success) return { tags, error: `Tag "${tag.slice(0, 40)}" ${parsed.error.issues[0]?.message ?? "is not valid"}` };
  }
  return { tags };
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${(error as Error).message}` };
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

// ---- Item drafts ----

export type ItemContentValue = { input: Record<string, unknown>; expected: unknown; metadata: Record<string, unknown>; tags: string[] };

/** One input key in the form: text values are edited as text, anything else as JSON. */
export type FieldDraft = { id: number; key: string; value: string; json: boolean; /** Keys the item already has are labels, not editable. */ fixed?: boolean };

export type FormDraft = { fields: FieldDraft[]; expected: string; expectedJson: boolean; metadata: string; tags: string };

let nextId = 1;
export const newFieldId = () => nextId++;

export function toFormDraft(item: ItemContentValue | null, keys: string[] = []): FormDraft {
  const input = item?.input ?? Object.fromEntries(keys.map((k) => [k, ""]));
  const fields: FieldDraft[] = Object.entries(input).map(([key, value]) => ({
    id: newFieldId(),
    key,
    value: typeof value === "string" ? value : JSON.stringify(value, null, 2),
    json: typeof value !== "string",
    fixed: key !== "",
  }));
  if (fields.length === 0) fields.push({ id: newFieldId(), key: "", value: "", json: false });
  const expected = item?.expected ?? null;
  return {
    fields,
    expected: expected === null ? "" : typeof expected === "string" ? expected : JSON.stringify(expected, null, 2),
    expectedJson: expected !== null && typeof expected !== "string",
    metadata: item && Object.keys(item.metadata).length ? JSON.stringify(item.metadata, null, 2) : "",
    tags: (item?.tags ?? []).join(", "),
  };
}

export type DraftErrors = Partial<Record<string, string>>;

/** The form's content, or errors keyed by "input.<key>", "fields.<id>", "expected", "metadata", "tags". */
export function fromFormDraft(draft: FormDraft): { content: ItemContentValue; errors: null } | { content: null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const input: Record<string, unknown> = {};
  for (const f of draft.fields) {
    const key = f.key.trim();
    if (!key && !f.value.trim()) continue;
    if (!key) errors[`fields.${f.id}`] = "Name this field";
    else if (key in input) errors[`fields.${f.id}`] = `"${key}" appears twice`;
    if (f.json) {
      const parsed = parseJson(f.value);
      if (!parsed.ok) errors[`input.${key}`] = parsed.error;
      else input[key] = parsed.value;
    } else input[key] = f.value;
  }
  let expected: unknown = null;
  if (draft.expected.trim()) {
    if (draft.expectedJson) {
      const parsed = parseJson(draft.expected);
      if (!parsed.ok) errors.expected = parsed.error;
      else expected = parsed.value;
    } else expected = draft.expected;
  }
  let metadata: Record<string, unknown> = {};
  if (draft.metadata.trim()) {
    const parsed = parseJson(draft.metadata);
    if (!parsed.ok) errors.metadata = parsed.error;
    else if (!isPlainObject(parsed.value)) errors.metadata = "Metadata must be a JSON object";
    else metadata = parsed.value;
  }
  const tags = parseTagList(draft.tags);
  if (tags.error) errors.tags = tags.error;
  if (Object.keys(errors).length) return { content: null, errors };
  return { content: { input, expected, metadata, tags: tags.tags }, errors: null };
}

export function toJsonText(content: ItemContentValue): string {
  return JSON.stringify({ input: content.input, expected: content.expected ?? null, metadata: content.metadata, tags: content.tags }, null, 2);
}

export function fromJsonText(text: string): { content: ItemContentValue; error: null } | { content: null; error: string } {
  const parsed = parseJson(text);
  if (!parsed.ok) return { content: null, error: parsed.error };
  const v = parsed.value;
  if (!isPlainObject(v)) return { content: null, error: 'The item must be a JSON object like {"input": {…}, "expected": …}' };
  const unknownKeys = Object.keys(v).filter((k) => !["input", "expected", "metadata", "tags"].includes(k));
  if (unknownKeys.length) return { content: null, error: `Unknown key "${unknownKeys[0]}": use input, expected, metadata and tags` };
  if (!isPlainObject(v.input)) return { content: null, error: "input must be a JSON object (its keys feed prompt variables)" };
  if (v.metadata !== undefined && v.metadata !== null && !isPlainObject(v.metadata)) return { content: null, error: "metadata must be a JSON object" };
  if (v.tags !== undefined && v.tags !== null && (!Array.isArray(v.tags) || v.tags.some((t) => typeof t !== "string")))
    return { content: null, error: "tags must be a list of strings" };
  return {
    content: {
      input: v.input,
      expected: v.expected ?? null,
      metadata: (v.metadata as Record<string, unknown> | undefined) ?? {},
      tags: (v.tags as string[] | undefined) ?? [],
    },
    error: null,
  };
}
