import { describe, expect, it } from "vitest";
import { checkPreview, type CheckedPreview } from "./preview-check";

const row = (n: number, input: Record<string, unknown> | null, problem: string | null = null) => ({
  row: n,
  line: n + 1,
  values: { id: `id-${n}` },
  item: input ? { input, metadata: {} } : null,
  problem,
});

describe("checkPreview", () => {
  it("a file-level problem blocks Import even when every previewed row is fine", () => {
    const preview: CheckedPreview = { rows: [row(1, { q: "a" })], problems: [{ row: null, line: 9, message: "Line 9: a quote is never closed" }] };
    const verdict = checkPreview(preview, { mode: "append", key: null });
    expect(verdict.problems).toEqual([{ row: null, line: 9, message: "Line 9: a quote is never closed", scope: "file" }]);
    expect(verdict.blocking).toBe("Fix the problem in the file first: Line 9: a quote is never closed");
  });

  it("row problems and file problems are one list, in file order", () => {
    const preview: CheckedPreview = {
      rows: [row(1, { q: "a" }), row(2, null, "input must be a JSON object")],
      problems: [{ row: null, line: 9, message: "Line 9: bad" }],
    };
    const verdict = checkPreview(preview, { mode: "append", key: null });
    expect(verdict.problems.map((p) => p.message)).toEqual(["Row 2 (line 3): input must be a JSON object", "Line 9: bad"]);
    expect(verdict.blocking).toMatch(/^Fix the 2 problems/);
  });

  it("no problems: Import may start, except without rows or without an upsert key", () => {
    const ok: CheckedPreview = { rows: [row(1, { q: "a" })], problems: [] };
    expect(checkPreview(ok, { mode: "append", key: null })).toEqual({ problems: [], blocking: null });
    expect(checkPreview(ok, { mode: "upsert", key: null }).blocking).toBe("Choose the key that matches rows to items.");
    expect(checkPreview({ rows: [], problems: [] }, { mode: "append", key: null }).blocking).toBe("The file has no rows to import.");
  });

  it("upsert: rows without the key or with a repeated key are problems, as the server words them", () => {
    const preview: CheckedPreview = { rows: [row(1, { name: "Ada" }), row(2, { name: "" }), row(3, { name: "Ada" }), row(4, { name: 7 })], problems: [] };
    expect(checkPreview(preview, { mode: "upsert", key: "input.name" }).problems.map((p) => p.message)).toEqual([
      "Row 2 (line 3): has no value for the key input.name",
      'Row 3: input.name "Ada" repeats row 1; each key may appear once',
    ]);
    expect(checkPreview(preview, { mode: "upsert", key: "id" }).problems).toEqual([]);
  });
});
