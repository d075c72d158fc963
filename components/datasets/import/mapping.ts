// The column mapping as the wizard edits it: the format a file name suggests, each column's
// target split into a kind and a key (input.<key> / metadata.<key>), the problems the server
// would refuse or that would lose data silently, and the keys an upsert can match on.
import type { ColumnMapping, ImportFormat, MappingTarget } from "@/server/contracts/datasets";

export type Delimiter = "" | "," | ";" | "\t" | "|";

/** One column's target as the form edits it: the kind, and the key for input.<key> / metadata.<key>. */
export type TargetKind = "input-key" | "input" | "expected" | "expected:json" | "metadata-key" | "metadata" | "tags" | "ignore";
export type ColumnTarget = { column: string; kind: TargetKind; key: string };

export const TARGET_KINDS: { value: TargetKind; label: string }[] = [
  { value: "input-key", label: "Input variable" },
  { value: "expected", label: "Expected output" },
  { value: "expected:json", label: "Expected output (JSON)" },
  { value: "metadata-key", label: "Metadata field" },
  { value: "tags", label: "Tags" },
  { value: "input", label: "Whole input (JSON object)" },
  { value: "metadata", label: "Whole metadata (JSON object)" },
  { value: "ignore", label: "Ignore" },
];

export const FORMAT_LABELS: Record<ImportFormat, string> = { csv: "CSV", jsonl: "JSON Lines", json: "JSON (array of objects)" };
export const DELIMITER_LABELS: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };

export const isKeyed = (kind: TargetKind) => kind === "input-key" || kind === "metadata-key";

/** The format (and TSV's delimiter) from the file name; null when the extension says nothing. */
export function detectFormat(fileName: string): { format: ImportFormat; delimiter: Delimiter } | null {
  const ext = fileName.toLowerCase().split(".").pop() ?? "";
  if (ext === "csv") return { format: "csv", delimiter: "" };
  if (ext === "tsv" || ext === "tab") return { format: "csv", delimiter: "\t" };
  if (ext === "jsonl" || ext === "ndjson") return { format: "jsonl", delimiter: "" };
  if (ext === "json") return { format: "json", delimiter: "" };
  return null;
}

export function toColumnTarget(column: string, target: MappingTarget): ColumnTarget {
  if (target.startsWith("input.")) return { column, kind: "input-key", key: target.slice(6) };
  if (target.startsWith("metadata.")) return { column, kind: "metadata-key", key: target.slice(9) };
  return { column, kind: target as TargetKind, key: column };
}

export function toTarget(t: ColumnTarget): MappingTarget {
  if (t.kind === "input-key") return `input.${t.key.trim()}` as MappingTarget;
  if (t.kind === "metadata-key") return `metadata.${t.key.trim()}` as MappingTarget;
  return t.kind as MappingTarget;
}

export const toMapping = (targets: ColumnTarget[]): ColumnMapping => targets.map((t) => ({ column: t.column, target: toTarget(t) }));

/** The targets the form shows: the user's, or (until they change one) the mapping the server suggested. */
export const shownTargets = (edited: ColumnTarget[] | null, suggested: ColumnMapping | undefined): ColumnTarget[] =>
  edited ?? suggested?.map((m) => toColumnTarget(m.column, m.target)) ?? [];

/** A new target for a column whose kind changed: a keyed kind starts from the old key, or the column's name. */
export function withKind(t: ColumnTarget, kind: TargetKind): ColumnTarget {
  return { ...t, kind, key: isKeyed(kind) ? t.key || t.column : t.key };
}

/** Problems with the mapping the server would refuse, or that would lose data silently, by row. */
export function mappingErrors(targets: ColumnTarget[]): Record<number, string> {
  const errors: Record<number, string> = {};
  const seen = new Map<string, string>();
  targets.forEach((t, i) => {
    if (isKeyed(t.kind)) {
      const key = t.key.trim();
      if (!key) errors[i] = "Name the key";
      else if (key.length > 200) errors[i] = "Use at most 200 characters";
      else if (/[\u0000-\u001F]/.test(key)) errors[i] = "Remove control characters";
    }
    if (errors[i] || t.kind === "ignore" || t.kind === "tags" || t.kind === "input" || t.kind === "metadata") return;
    const target = toTarget(t).replace("expected:json", "expected");
    const other = seen.get(target);
    if (other !== undefined) errors[i] = `"${other}" already goes to ${target}`;
    else seen.set(target, t.column);
  });
  return errors;
}

/** Keys an upsert can match on: an `id` column (item ids), then the mapped input and metadata fields. */
export function upsertKeyOptions(columns: string[], mapping: ColumnMapping): string[] {
  return [...(columns.includes("id") ? ["id"] : []), ...mapping.map((m) => m.target).filter((t) => t.startsWith("input.") || t.startsWith("metadata."))];
}

/** Short text for a cell value: strings as they are, anything else as JSON. */
export function show(value: unknown, max = 160): string {
  const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
