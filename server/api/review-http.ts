import "server-only";
// A review queue's grades as a file (server/domain/reviews/export.ts builds it), streamed.
import { text } from "../contracts/fields";
import { AppError } from "../errors";
import { exportQueueGrades } from "../domain/reviews/export";
import type { ProjectHttpContext } from "./http-routes";

export async function handleReviewExport(ctx: ProjectHttpContext): Promise<Response> {
  const name = text(100).min(1).safeParse(ctx.params.queue);
  if (!name.success) throw new AppError("BAD_REQUEST", "Name a review queue", { field: "queue" });
  const format = new URL(ctx.req.url).searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "jsonl") throw new AppError("BAD_REQUEST", "format must be csv or jsonl", { field: "format" });
  const file = await exportQueueGrades(ctx.db, ctx.project.id, name.data, format);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await file.lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.fileName.replace(/[^\w.-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
