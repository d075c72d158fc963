import "server-only";
// A review queue's grades as a file: one row per submitted review (reviewer, each dimension),
// with the item's final grade and how it was reached, as CSV or JSON Lines, streamed by pages.
import { text } from "../contracts/fields";
import { stringify } from "csv-stringify/sync";
import { readSql } from "../db/client";
import { AppError, notFound } from "../errors";
import type { Grade, Rubric } from "../contracts/reviews";
import type { ProjectHttpContext } from "./http-routes";

const PAGE = 500;

export async function handleReviewExport(ctx: ProjectHttpContext): Promise<Response> {
  const name = text(100).min(1).safeParse(ctx.params.queue);
  if (!name.success) throw new AppError("BAD_REQUEST", "Name a review queue", { field: "queue" });
  const format = new URL(ctx.req.url).searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "jsonl") throw new AppError("BAD_REQUEST", "format must be csv or jsonl", { field: "format" });
  const queue = await ctx.db.reviewQueue.findUnique({ where: { projectId_name: { projectId: ctx.project.id, name: name.data } } });
  if (!queue) throw notFound(`Review queue "${name.data}"`);
  const rubric = queue.rubric as Rubric;
  const keys = rubric.map((d) => d.key);
  const encoder = new TextEncoder();
  const db = ctx.db;
  async function* lines(): AsyncGenerator<string> {
    if (format === "csv") yield stringify([["position", "source", "reviewer", ...keys, "submitted_at", "revised_at", ...keys.map((k) => `final_${k}`), "final_source", "adjudication_note"]]);
    for (let after = 0; ; ) {
      const rows = await readSql<{ position: number; source_ref: unknown; email: string; grade: Grade; submitted_at: Date; revised_at: Date | null; final_grade: Grade | null; final_source: string | null; adjudication_note: string | null }>(
        db,
        `SELECT i.position, i.source_ref, u.email, a.grade, a.submitted_at, a.revised_at, i.final_grade, i.final_source, i.adjudication_note
         FROM review_items i JOIN review_assignments a ON a.item_id = i.id AND a.status = 'submitted' JOIN users u ON u.id = a.reviewer_id
         WHERE i.queue_id = $1::uuid AND i.position > $2 AND i.position <= $2 + ${PAGE} ORDER BY i.position, u.email`,
        queue!.id,
        after,
      );
      const [check] = await readSql<{ more: boolean }>(db, `SELECT EXISTS (SELECT 1 FROM review_items WHERE queue_id = $1::uuid AND position > $2) AS more`, queue!.id, after + PAGE);
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
  const iterator = lines();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  const fileName = `${queue.name}-grades.${format}`;
  return new Response(stream, {
    headers: { "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8", "content-disposition": `attachment; filename="${fileName.replace(/[^\w.-]/g, "_")}"`, "cache-control": "no-store" },
  });
}
