// Dataset shapes shared by the UI, the tRPC procedures, the import/export endpoints and the public
// API. Client code may import this file.
import { z } from "zod";
import { jsonChecked, jsonRecord, text } from "./fields";

export const DATASET_ITEM_SOURCES = ["manual", "import", "playground", "evaluation", "review", "trace"] as const;
export type DatasetItemSource = (typeof DATASET_ITEM_SOURCES)[number];

export const DATASET_CHANGE_KINDS = ["add", "edit", "archive", "tag", "import", "bulk"] as const;
export type DatasetChangeKind = (typeof DATASET_CHANGE_KINDS)[number];

export const IMPORT_FORMATS = ["csv", "jsonl", "json"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Items per page when browsing; page numbers are 1-based. */
export const DATASET_PAGE_SIZES = [25, 50, 100] as const;
/** The largest JSON an item's input, expected output and metadata may serialise to, together. */
export const MAX_ITEM_BYTES = 512 * 1024;
export const MAX_ITEM_KEYS = 200;
export const MAX_ITEM_TAGS = 20;
/** Items per call of the JSON "add items" path (bigger sets go through the streamed import). */
export const MAX_ITEMS_PER_ADD = 1_000;
/** Problems listed in an import report (all are counted). */
export const MAX_REPORTED_PROBLEMS = 100;
/** Default size limit of an imported file; KEEL_DATASET_IMPORT_MAX_BYTES changes it. */
export const DEFAULT_IMPORT_MAX_BYTES = 256 * 1024 * 1024;
/** Bytes of a file the import preview reads. */
export const PREVIEW_BYTES = 256 * 1024;

export const datasetName = z
  .string()
  .min(1, "is required")
  .max(100, "must be at most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may use letters, digits, . _ and - (starting with a letter or digit)");

export const itemTag = z
  .string()
  .min(1, "must not be empty")
  .max(40, "must be at most 40 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "may use letters, digits, . _ : and -");
export const itemTags = z.array(itemTag).max(MAX_ITEM_TAGS, `may have at most ${MAX_ITEM_TAGS} tags`);

/** A JSON Schema document (checked with ajv on the server), or null for "no schema". */
export const jsonSchemaDocument = jsonRecord(1_000).nullable();

export const datasetVersionNumber = z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647, "is out of range");

export const itemInput = jsonChecked(z.record(text(200), z.unknown()));

export const itemContent = z.object({
  input: itemInput,
  /** Text, any JSON value, or null for none. */
  expected: jsonChecked(z.unknown()).optional(),
  metadata: jsonRecord().default({}),
  tags: itemTags.default([]),
});

export const changeMessage = text(500).trim().default("");

/** Live items a bulk field edit may rewrite in one version (larger sets: export, edit, import with replace). */
export const MAX_BULK_EDIT_ITEMS = 100_000;

/** The name of one key of an item's input (what a prompt variable reads). */
export const itemFieldName = text(200).trim().min(1, "must not be empty");

/**
 * A bulk edit of the items' input fields; each is one new version.
 * - addField: items without `field` get `value`; items that have it keep their value, unless
 *   `overwrite` (then every item in scope gets `value`: "set field").
 * - renameField: `from` becomes `to`; refused when no item has `from` or any item has `to`.
 * - dropField: `field` is removed; refused when no item in scope has it.
 */
export const bulkFieldOperation = z.discriminatedUnion("op", [
  z.object({ op: z.literal("addField"), field: itemFieldName, value: jsonChecked(z.unknown()), overwrite: z.boolean().default(false) }),
  z.object({ op: z.literal("renameField"), from: itemFieldName, to: itemFieldName }),
  z.object({ op: z.literal("dropField"), field: itemFieldName }),
]);
export type BulkFieldOperation = z.infer<typeof bulkFieldOperation>;

/** What a bulk edit did: items rewritten, items in scope it left as they were, and the version. */
export type BulkEditResult = { version: number | null; changed: number; unchanged: number; scope: "all" | "selection" };

/** How an import treats the dataset's live items. */
export const IMPORT_MODES = ["append", "upsert", "replace"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** The key an upsert matches rows to items by: the item id (an `id` column/key), or an input or metadata field. */
export const upsertKey = z
  .string()
  .max(220)
  .regex(/^(id|(input|metadata)\.[^\u0000-\u001F]{1,200})$/, "must be id, input.<field> or metadata.<field>");

/**
 * Where an imported column (CSV) or top-level key (JSONL, JSON) goes:
 * - `input.<key>` / `metadata.<key>`: one key of the item's input / metadata
 * - `input` / `metadata`: the whole object (the value must be a JSON object, or JSON text of one)
 * - `expected`: the expected output as is (text stays text); `expected:json`: text parsed as JSON
 * - `tags`: a list, or text separated by commas or semicolons
 * - `ignore`: dropped
 */
export const mappingTarget = z
  .string()
  .max(220)
  .regex(
    /^(ignore|input|metadata|expected|expected:json|tags|(input|metadata)\.[^\u0000-\u001F]{1,200})$/,
    "is not a known target (input.<key>, input, expected, expected:json, metadata.<key>, metadata, tags or ignore)",
  );
export type MappingTarget = z.infer<typeof mappingTarget>;

export const columnMapping = z.array(z.object({ column: text(200), target: mappingTarget })).max(500, "has too many columns");
export type ColumnMapping = z.infer<typeof columnMapping>;

export const importOptions = z
  .object({
    format: z.enum(IMPORT_FORMATS, { error: "must be csv, jsonl or json" }),
    /** Omitted: the suggested mapping (see suggestTarget). */
    mapping: columnMapping.optional(),
    /** CSV only; default: detected from the header line. */
    delimiter: z.enum([",", ";", "\t", "|"]).optional(),
    /** Import rows whose input and expected output equal an existing item's (default: skip them). */
    allowDuplicates: z.boolean().default(false),
    fileName: text(255).default(""),
    message: changeMessage,
    /** Tags added to every imported item (e.g. the split). */
    tags: itemTags.default([]),
    /** append (default): rows are added; upsert: rows matching a live item by `key` replace it, others are added; replace: the new version holds exactly the file's items. */
    mode: z.enum(IMPORT_MODES, { error: "must be append, upsert or replace" }).default("append"),
    /** upsert only: what matches a row to an item. */
    key: upsertKey.optional(),
  })
  .superRefine((o, ctx) => {
    if (o.mode === "upsert" && !o.key)
      ctx.addIssue({ code: "custom", path: ["key"], message: "is required to upsert (id, input.<field> or metadata.<field>)" });
    if (o.mode !== "upsert" && o.key) ctx.addIssue({ code: "custom", path: ["key"], message: "is only used to upsert" });
  });
/** `mode` may be left out by server callers (the seed): append. */
export type ImportOptions = Omit<z.infer<typeof importOptions>, "mode"> & { mode?: ImportMode };

/** The mapping an import proposes for a column name before the user changes it. */
export function suggestTarget(column: string): MappingTarget {
  const name = column.trim();
  const lower = name.toLowerCase();
  if (/^(expected([_ .-]?[a-z]+)?|reference|ground[_ ]?truth|ideal([_ ]?answer)?)$/.test(lower)) return "expected";
  if (lower === "input" || lower === "metadata") return lower;
  if (lower === "tags" || lower === "split" || lower === "splits") return "tags";
  if (lower === "id" || lower === "source") return "ignore";
  const dotted = /^(input|metadata)\.(.+)$/.exec(name);
  if (dotted) return `${dotted[1]}.${dotted[2]}` as MappingTarget;
  if (!name) return "ignore";
  return `input.${name}` as MappingTarget;
}

/** Result of a finished import, as the endpoints return it. */
export type ImportResult = {
  version: number | null;
  mode: ImportMode;
  rows: number;
  added: number;
  /** upsert: live items whose content the file changed. */
  updated: number;
  /** upsert and replace: live items the file matched with the same content. */
  unchanged: number;
  /** replace: live items the file does not hold. */
  removed: number;
  duplicatesSkipped: number;
  bytes: number;
  sha256: string;
};

export type ImportProblem = { row: number | null; line: number | null; field?: string; message: string; code?: "FILE_TOO_LARGE" };

export type ImportReport = {
  ok: false;
  message: string;
  rowsRead: number;
  problemCount: number;
  problems: ImportProblem[];
};

/** Progress lines streamed while an import runs (application/x-ndjson). */
export type ImportEvent = { type: "progress"; bytes: number; rows: number } | { type: "done"; result: ImportResult } | { type: "failed"; report: ImportReport };
