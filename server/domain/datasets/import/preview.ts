import "server-only";
// The import preview: the first rows of a file (its first PREVIEW_BYTES), the columns or keys
// found, the suggested mapping, and each row as the mapping turns it into an item, with its
// problem if it has one. Nothing is written.
import { suggestTarget, type ColumnMapping, type ImportFormat, type ImportProblem } from "../../../contracts/datasets";
import { isProblem, prepareItem } from "../content";
import { validatorsFor } from "../schemas";
import { compileMapping } from "./import";
import { ImportAbort, detectDelimiter, readRecords, type ReadStats } from "./records";

export const PREVIEW_ROWS = 20;

export type PreviewRow = {
  row: number;
  line: number | null;
  values: Record<string, unknown>;
  item: { input: unknown; expected: unknown; metadata: unknown; tags: string[] } | null;
  problem: string | null;
};

export type ImportPreview = {
  format: ImportFormat;
  delimiter: string | null;
  columns: string[];
  suggestedMapping: ColumnMapping;
  rows: PreviewRow[];
  problems: ImportProblem[];
};

/** `head` is the start of the file; `truncated` says whether the file goes on after it. */
export async function previewImport(
  dataset: { inputSchema: unknown; expectedSchema: unknown },
  input: { head: Uint8Array; truncated: boolean; format: ImportFormat; delimiter?: string; mapping?: ColumnMapping },
): Promise<ImportPreview> {
  let bytes = input.head;
  if (input.truncated) {
    // Only whole lines: the cut may fall inside a row or a multi-byte character.
    const lastNewline = bytes.lastIndexOf(10);
    bytes = lastNewline >= 0 ? bytes.subarray(0, lastNewline + 1) : new Uint8Array(0);
  }
  const problems: ImportProblem[] = [];
  const stats: ReadStats = { bytes: 0, sha256: "", rows: 0 };
  const firstLine = new TextDecoder().decode(bytes.subarray(0, Math.max(0, bytes.indexOf(10))));
  const delimiter = input.format === "csv" ? (input.delimiter ?? detectDelimiter(firstLine)) : null;
  const reader = readRecords(
    (async function* () {
      yield bytes;
    })(),
    { format: input.format, delimiter: delimiter ?? undefined, maxBytes: Number.MAX_SAFE_INTEGER, stats, onProblem: (p) => problems.push(p) },
  );
  const map = compileMapping(input.mapping, input.format);
  const validators = validatorsFor(dataset);
  const rows: PreviewRow[] = [];
  try {
    for await (const record of reader.records) {
      const raw = map(record.values);
      const item = isProblem(raw) ? raw : prepareItem(raw, validators);
      rows.push({
        row: record.row,
        line: record.line,
        values: record.values,
        item: isProblem(item) ? null : { input: item.input, expected: item.expected, metadata: item.metadata, tags: item.tags },
        problem: isProblem(item) ? `${item.field} ${item.message}` : null,
      });
      if (rows.length >= PREVIEW_ROWS) break;
    }
  } catch (error) {
    if (!(error instanceof ImportAbort)) throw error;
    // A JSON array cut short is expected in a preview of a larger file.
    if (!(input.truncated && input.format === "json" && /not closed|malformed/.test(error.problem.message))) problems.push(error.problem);
  }
  const suggestedMapping = reader.columns.map((column) => ({
    column,
    target: input.mapping?.find((m) => m.column === column)?.target ?? suggestTarget(column),
  }));
  return { format: input.format, delimiter, columns: reader.columns, suggestedMapping, rows, problems: problems.slice(0, PREVIEW_ROWS) };
}
