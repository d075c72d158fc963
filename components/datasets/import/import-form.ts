// The mapping step's form: format and delimiter, the column targets, and the options (tags,
// change message, mode, upsert key, duplicates). Checked with the contracts' field schemas
// (itemTag, changeMessage, upsertKey) and turned into the import endpoint's query string, which
// the server reads with importOptions.
import { z } from "zod";
import {
  IMPORT_FORMATS,
  IMPORT_MODES,
  MAX_ITEM_TAGS,
  changeMessage,
  itemTag,
  upsertKey,
  type ColumnMapping,
  type ImportMode,
} from "@/server/contracts/datasets";
import { phraseFieldMessage } from "@/components/lib/errors";
import { formatCount } from "@/components/lib/format";
import { detectFormat, mappingErrors, type ColumnTarget } from "./mapping";

export const LABELS = { format: "Format", delimiter: "Delimiter", tags: "Tags for every item", message: "Change message", key: "Key" } as const;

export const IMPORT_MODE_CHOICES: { mode: ImportMode; label: string; description: (itemCount: number) => string }[] = [
  { mode: "append", label: "Add the rows", description: () => "The file's rows are added to the items the dataset has." },
  {
    mode: "upsert",
    label: "Update matching items, add the rest (upsert)",
    description: () => "A row whose key matches an item becomes that item's new content (same id); other rows are added; items not in the file stay.",
  },
  {
    mode: "replace",
    label: "Replace all items",
    description: (n) =>
      `The new version holds exactly the file's rows${n ? `: of the ${formatCount(n)} current items, those not in the file leave it (earlier versions keep them)` : ""}.`,
  },
];

export const CHOOSE_KEY = "Choose the key that matches rows to items";

/** The tags typed for every item (separated by commas or spaces), or why they cannot be used. */
export function parseTags(text: string): { tags: string[]; error: string | null } {
  const tags = [
    ...new Set(
      text
        .split(/[,\s]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > MAX_ITEM_TAGS) return { tags, error: `Use at most ${MAX_ITEM_TAGS} tags` };
  for (const tag of tags) {
    const check = itemTag.safeParse(tag);
    if (!check.success) return { tags, error: `Tag "${tag}" ${check.error.issues[0]?.message ?? "is not valid"}` };
  }
  return { tags, error: null };
}

const columnTarget = z.object({
  column: z.string(),
  kind: z.enum(["input-key", "input", "expected", "expected:json", "metadata-key", "metadata", "tags", "ignore"]),
  key: z.string(),
}) satisfies z.ZodType<ColumnTarget>;

export const importFormSchema = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    delimiter: z.enum(["", ",", ";", "\t", "|"]),
    /** null until the user changes a target: the mapping the preview suggests applies. */
    targets: z.array(columnTarget).nullable(),
    tags: z.string(),
    message: z.string(),
    mode: z.enum(IMPORT_MODES),
    key: z.string(),
    allowDuplicates: z.boolean(),
  })
  .superRefine((v, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    for (const [i, message] of Object.entries(mappingErrors(v.targets ?? []))) problem(["targets", Number(i), "key"], message);
    const tags = parseTags(v.tags);
    if (tags.error) problem(["tags"], tags.error);
    const message = changeMessage.safeParse(v.message);
    if (!message.success) problem(["message"], phraseFieldMessage(message.error.issues[0]?.message ?? "is not valid", "message", LABELS.message));
    if (v.mode === "upsert") {
      if (!v.key) problem(["key"], CHOOSE_KEY);
      else if (!upsertKey.safeParse(v.key).success) problem(["key"], "Choose a key from the list");
    }
  });
export type ImportFormValues = z.infer<typeof importFormSchema>;

export const defaultImportValues: ImportFormValues = {
  format: "csv",
  delimiter: "",
  targets: null,
  tags: "",
  message: "",
  mode: "append",
  key: "",
  allowDuplicates: false,
};

/**
 * The form after a new file was chosen: the format its name suggests, the suggested mapping;
 * the options stay as they were (importing the next file of a split keeps its tags).
 */
export function valuesForFile(values: ImportFormValues, fileName: string): ImportFormValues {
  const detected = detectFormat(fileName);
  return { ...values, format: detected?.format ?? "csv", delimiter: detected?.delimiter ?? "", targets: null };
}

/** The import endpoint's query string (server/domain/datasets/import/options.ts reads it). */
export function importParams(
  values: ImportFormValues,
  { fileName, mapping, key }: { fileName: string; mapping: ColumnMapping; key: string | null },
): URLSearchParams {
  const { format, delimiter, mode } = values;
  const params = new URLSearchParams({
    format,
    mapping: JSON.stringify(mapping),
    fileName: fileName.slice(0, 255),
    message: values.message.trim() || `Imported ${fileName}`.slice(0, 500),
  });
  if (format === "csv" && delimiter) params.set("delimiter", delimiter);
  const tags = parseTags(values.tags).tags;
  if (tags.length) params.set("tags", tags.join(","));
  if (values.allowDuplicates && mode !== "upsert") params.set("allowDuplicates", "1");
  if (mode !== "append") params.set("mode", mode);
  if (mode === "upsert" && key) params.set("key", key);
  return params;
}

type FormField = keyof typeof LABELS | "mode";

/** A field the import endpoint named ("tags.0", "key", ...) as the form's field; null: not one of the form's. */
export function formFieldOf(path: string): FormField | null {
  const first = path.split(".")[0];
  return first === "format" || first === "delimiter" || first === "tags" || first === "message" || first === "key" || first === "mode" ? first : null;
}
