// What the import preview found, in one place: the file's problems (parser, encoding, a JSON
// array cut short), the rows the mapping cannot turn into items, and rows without an upsert key.
// The preview's badge, its problem list and the Import button all read this one verdict, so
// the page cannot say "No problems in these rows" beside "The file has a problem".
import type { ImportMode } from "@/server/contracts/datasets";

export type CheckedPreview = {
  rows: { row: number; line: number | null; values: Record<string, unknown>; item: { input: unknown; metadata: unknown } | null; problem: string | null }[];
  problems: { row: number | null; line: number | null; message: string }[];
};

export type PreviewProblem = { row: number | null; line: number | null; message: string; scope: "file" | "row" };

export type PreviewVerdict = {
  problems: PreviewProblem[];
  /** Why Import cannot start, or null when it can. */
  blocking: string | null;
};

const rowLabel = (row: number, line: number | null) => (line !== null ? `Row ${row} (line ${line})` : `Row ${row}`);

function keyValue(row: CheckedPreview["rows"][number], key: string): unknown {
  if (key === "id") return row.values.id;
  const [where, ...rest] = key.split(".");
  const field = rest.join(".");
  const from = (where === "input" ? row.item?.input : row.item?.metadata) as Record<string, unknown> | undefined;
  return from?.[field];
}

export function checkPreview(preview: CheckedPreview, options: { mode: ImportMode; key: string | null }): PreviewVerdict {
  const problems: PreviewProblem[] = preview.problems.map((p) => ({ row: p.row, line: p.line, message: p.message, scope: "file" }));
  const seen = new Map<string, number>();
  for (const r of preview.rows) {
    if (r.problem) {
      problems.push({ row: r.row, line: r.line, message: `${rowLabel(r.row, r.line)}: ${r.problem}`, scope: "row" });
      continue;
    }
    if (options.mode === "upsert" && options.key) {
      const v = keyValue(r, options.key);
      const text = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null;
      if (text === null || text === "") {
        problems.push({ row: r.row, line: r.line, message: `${rowLabel(r.row, r.line)}: has no value for the key ${options.key}`, scope: "row" });
      } else if (seen.has(text)) {
        problems.push({
          row: r.row,
          line: r.line,
          message: `Row ${r.row}: ${options.key} "${text.slice(0, 80)}" repeats row ${seen.get(text)}; each key may appear once`,
          scope: "row",
        });
      } else seen.set(text, r.row);
    }
  }
  problems.sort((a, b) => (a.line ?? a.row ?? Number.MAX_SAFE_INTEGER) - (b.line ?? b.row ?? Number.MAX_SAFE_INTEGER));
  let blocking: string | null = null;
  if (problems.length) {
    blocking =
      problems.length === 1
        ? `Fix the problem in the file first: ${problems[0]!.message}`
        : `Fix the ${problems.length} problems in the file first (the first: ${problems[0]!.message})`;
  } else if (preview.rows.length === 0) {
    blocking = "The file has no rows to import.";
  } else if (options.mode === "upsert" && !options.key) {
    blocking = "Choose the key that matches rows to items.";
  }
  return { problems, blocking };
}
