import { describe, expect, it } from "vitest";
import type { ImportReport } from "@/server/contracts/datasets";
import { CANCELLED, importStepsReducer, initialSteps, type StepsAction, type StepsState } from "./use-import-steps";

const csv = new File(["question\nhello\n"], "qa.csv");
const txt = new File(["question\nhello\n"], "qa.txt");
const report: ImportReport = { ok: false, message: "Row 2 has a problem", rowsRead: 2, problemCount: 1, problems: [] };
const run = (...actions: StepsAction[]) => actions.reduce<StepsState>(importStepsReducer, initialSteps);

describe("importStepsReducer", () => {
  it("choosing a file goes to the mapping; each choice has a key of its own", () => {
    const first = run({ type: "choose", file: csv });
    expect(first).toMatchObject({ step: 1, source: { file: csv, key: 1, formatGuessed: false } });
    const second = importStepsReducer(first, { type: "choose", file: txt });
    expect(second).toMatchObject({ step: 1, source: { file: txt, key: 2, formatGuessed: true } });
    expect(importStepsReducer(second, { type: "formatChanged" }).source?.formatGuessed).toBe(false);
  });

  it("an import starts from zero, counts progress and ends on the result", () => {
    const state = run({ type: "choose", file: csv }, { type: "start" }, { type: "uploaded", bytes: 16 }, { type: "read", bytes: 10, rows: 1 });
    expect(state).toMatchObject({ step: 2, progress: { uploaded: 16, processed: 10, rows: 1 } });
    const done = importStepsReducer(state, { type: "finish", outcome: { kind: "failed", report } });
    expect(done).toMatchObject({ step: 3, outcome: { kind: "failed", report } });
    const again = importStepsReducer(importStepsReducer(done, { type: "backToMapping" }), { type: "start" });
    expect(again).toMatchObject({ step: 2, progress: { uploaded: 0, processed: 0, rows: 0 }, outcome: null });
  });

  it("a cancelled import goes back to the mapping and says nothing was imported", () => {
    const state = run({ type: "choose", file: csv }, { type: "start" }, { type: "cancelled" });
    expect(state).toMatchObject({ step: 1, notice: CANCELLED, outcome: null });
    // The next attempt clears the notice.
    expect(importStepsReducer(state, { type: "start" }).notice).toBeNull();
  });

  it("a refusal naming a form field goes back to the mapping with that field", () => {
    const state = run({ type: "choose", file: csv }, { type: "start" }, { type: "refused", field: "tags" });
    expect(state).toMatchObject({ step: 1, refusedField: "tags", outcome: null });
    expect(importStepsReducer(state, { type: "start" }).refusedField).toBeNull();
  });

  it("reports that arrive when no import runs change nothing", () => {
    const mapping = run({ type: "choose", file: csv });
    for (const action of [
      { type: "uploaded", bytes: 1 },
      { type: "read", bytes: 1, rows: 1 },
      { type: "finish", outcome: { kind: "failed", report } },
      { type: "cancelled" },
      { type: "refused", field: "tags" },
    ] as StepsAction[]) {
      expect(importStepsReducer(mapping, action)).toBe(mapping);
    }
  });

  it("nothing starts without a file; starting over forgets it", () => {
    expect(run({ type: "start" })).toBe(initialSteps);
    expect(run({ type: "backToMapping" })).toBe(initialSteps);
    const over = run({ type: "choose", file: csv }, { type: "start" }, { type: "finish", outcome: { kind: "failed", report } }, { type: "startOver" });
    expect(over).toMatchObject({ step: 0, source: null, outcome: null, notice: null });
    // The next file still gets a key of its own (the preview cache is keyed by it).
    expect(importStepsReducer(over, { type: "choose", file: csv }).source?.key).toBe(2);
  });
});
