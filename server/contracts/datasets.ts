// Dataset shapes shared by the UI, the tRPC procedures, the import/export endpoints and the public
// API. Client code may import this file.
import { z } from "zod";
import { jsonChecked, jsonRecord, text } from "./fields";

export const DATASET_ITEM_SOURCES = ["manual", "import", "playground", "evaluation", "review", "trace"] as const;
export type DatasetItemSource = (typeof DATASET_ITEM_SOURCES)[number];

export const DATASET_CHANGE_KINDS = ["add", "edit", "archive", "tag", "import"] as const;
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
export type ItemContent = z.input<typeof itemContent>;

export const changeMessage = text(500).trim().default("");

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
  .regex(/^(ignore|input|metadata|expected|expected:json|tags|(input|metadata)\.[^\u0000-\u001F]{1,200})$/, "is not a known target (input.<key>, input, expected, expected:json, metadata.<key>, metadata, tags or ignore)");
export type MappingTarget = z.infer<typeof mappingTarget>;

export const columnMapping = z
  .array(z.object({ column: text(200), target: mappingTarget }))
  .max(500, "has too many columns");
export type ColumnMapping = z.infer<typeof columnMapping>;

export const importOptions = z.object({
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
});
export type ImportOptions = z.infer<typeof importOptions>;

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
  rows: number;
  added: number;
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
export type ImportEvent =
  | { type: "progress"; bytes: number; rows: number }
  | { type: "done"; result: ImportResult }
  | { type: "failed"; report: ImportReport };
