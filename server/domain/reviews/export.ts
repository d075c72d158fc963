import "server-only";
// A review queue's grades as a file: one row per submitted review (reviewer, each dimension),
// with the item's final grade and how it was reached, as CSV or JSON Lines, read in pages of
// items so memory stays flat however large the queue.
import { stringify } from "csv-stringify/sync";
import { sql } from "../../db/sql";
import { readSql, type ReadDb } from "../../db/client";
import { notFound } from "../../errors";
import type { Grade, Rubric } from "../../contracts/reviews";

const PAGE = 500;

export type GradesFormat = "csv" | "jsonl";

type GradeRow = {
  position: number;
  source_ref: unknown;
  email: string;
  grade: Grade;
  submitted_at: Date;
  revised_at: Date | null;
  final_grade: Grade | null;
  final_source: string | null;
  adjudication_note: string | null;
};

export async function exportQueueGrades(db: ReadDb, projectId: string, queueName: string, format: GradesFormat) {
  const queue = await db.reviewQueue.findUnique({ where: { projectId_name: { projectId, name: queueName } } });
  if (!queue) throw notFound(`Review queue "${queueName}"`);
  const keys = (queue.rubric as Rubric).map((d) => d.key);
  async function* lines(): AsyncGenerator<string> {
    if (format === "csv")
      yield stringify([
        ["position", "source", "reviewer", ...keys, "submitted_at", "revised_at", ...keys.map((k) => `final_${k}`), "final_source", "adjudication_note"],
      ]);
    for (let after = 0; ;) {
      const rows = await readSql<GradeRow>(
        db,
        sql`SELECT i.position, i.source_ref, u.email, a.grade, a.submitted_at, a.revised_at, i.final_grade, i.final_source, i.adjudication_note
         FROM review_items i JOIN review_assignments a ON a.item_id = i.id AND a.status = 'submitted' JOIN users u ON u.id = a.reviewer_id
         WHERE i.queue_id = ${queue!.id}::uuid AND i.position > ${after} AND i.position <= ${after + PAGE} ORDER BY i.position, u.email`,
      );
      const [check] = await readSql<{ more: boolean }>(
        db,
        sql`SELECT EXISTS (SELECT 1 FROM review_items WHERE queue_id = ${queue!.id}::uuid AND position > ${after + PAGE}) AS more`,
      );
      if (format === "csv") {
        yield stringify(
          rows.map((r) => [
            r.position,
            JSON.stringify(r.source_ref),
            r.email,
            ...keys.map((k) => (r.grade?.[k] === undefined ? "" : String(r.grade[k]))),
            r.submitted_at.toISOString(),
            r.revised_at?.toISOString() ?? "",
            ...keys.map((k) => (r.final_grade?.[k] === undefined ? "" : String(r.final_grade[k]))),
            r.final_source ?? "",
            r.adjudication_note ?? "",
          ]),
        );
      } else {
        for (const r of rows) {
          yield `${JSON.stringify({ position: r.position, source: r.source_ref, reviewer: r.email, grade: r.grade, submittedAt: r.submitted_at, revisedAt: r.revised_at, finalGrade: r.final_grade, finalSource: r.final_source, adjudicationNote: r.adjudication_note })}\n`;
        }
      }
      if (!check?.more) return;
      after += PAGE;
    }
  }
  return {
    fileName: `${queue.name}-grades.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    lines: lines(),
  };
}
