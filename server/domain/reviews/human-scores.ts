import "server-only";
// Final human grades as scores beside the automatic ones: for evaluation runs whose outputs were
// reviewed, each rubric dimension that has a numeric meaning (numeric, boolean, ordered
// categories) becomes a "human" score in [0, 1]; and for every LLM-judge evaluator of the run,
// how well the judge agrees with the humans on the same items (Cohen's kappa on pass/fail and
// percent agreement), so a team can tell whether its judge can be trusted.
import { readSql, type ReadDb } from "../../db/client";
import { normalizedScore, type Grade, type Rubric } from "../../contracts/reviews";
import type { ItemScore } from "../../contracts/evaluations";
import { cohensKappa } from "./agreement";
import { sql } from "../../db/sql";

type Row = { queue: string; rubric: Rubric; position: number; repetition: number; final_grade: Grade; auto_scores: ItemScore[] | null };

export type HumanDimension = { queue: string; key: string; label: string; n: number; mean: number };
export type JudgeAgreement = { evaluator: string; queue: string; dimension: string; n: number; percent: number; kappa: number | null; reason: string | null };

export async function humanScoresOfRun(db: ReadDb, runId: string): Promise<{ dimensions: HumanDimension[]; judges: JudgeAgreement[] }> {
  const rows = await readSql<Row>(
    db,
    sql`SELECT q.name AS queue, q.rubric, (i.source_ref->>'position')::int AS position, (i.source_ref->>'repetition')::int AS repetition, i.final_grade, i.auto_scores
     FROM review_items i JOIN review_queues q ON q.id = i.queue_id
     WHERE i.source_type = 'evaluation' AND i.source_ref->>'runId' = ${runId} AND i.final_grade IS NOT NULL`,
  );
  const dimensions: HumanDimension[] = [];
  const judges: JudgeAgreement[] = [];
  const byQueue = new Map<string, Row[]>();
  for (const r of rows) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
  const judgeNames = await readSql<{ name: string }>(
    db,
    sql`SELECT e.name FROM evaluation_run_evaluators e JOIN evaluator_versions v ON v.id = e.evaluator_version_id WHERE e.run_id = ${runId}::uuid AND v.kind = 'llm_judge' ORDER BY e.position`,
  );
  for (const [queue, items] of byQueue) {
    for (const d of items[0]!.rubric) {
      const scored = items.map((i) => ({ i, s: normalizedScore(d, i.final_grade[d.key]) })).filter((x): x is { i: Row; s: number } => x.s !== null);
      if (!scored.length) continue;
      dimensions.push({ queue, key: d.key, label: d.label, n: scored.length, mean: scored.reduce((a, x) => a + x.s, 0) / scored.length });
      for (const { name } of judgeNames) {
        const pairs = scored
          .map(({ i, s }) => ({ unit: `${i.position}:${i.repetition}`, human: s >= 0.5, judge: i.auto_scores?.find((x) => x.name === name)?.passed }))
          .filter((p): p is { unit: string; human: boolean; judge: boolean } => p.judge !== undefined);
        if (!pairs.length) continue;
        const kappa = cohensKappa(
          pairs.flatMap((p) => [
            { unit: p.unit, coder: "human", value: p.human },
            { unit: p.unit, coder: "judge", value: p.judge },
          ]),
          "human",
          "judge",
        );
        judges.push({
          evaluator: name,
          queue,
          dimension: d.key,
          n: pairs.length,
          percent: pairs.filter((p) => p.human === p.judge).length / pairs.length,
          kappa: kappa.kappa,
          reason: kappa.reason,
        });
      }
    }
  }
  return { dimensions, judges };
}
