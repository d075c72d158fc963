import "server-only";
// Dataset files over HTTP (session routes, see http-routes.ts): streamed import with progress,
// the import preview, and streamed export.
import { z } from "zod";
import { EXPORT_FORMATS, PREVIEW_BYTES, columnMapping, datasetName, datasetVersionNumber, importOptions, type ImportEvent } from "../contracts/datasets";
import { AppError } from "../errors";
import { datasetByName } from "../domain/datasets/queries";
import { importItems, ImportFailedError } from "../domain/datasets/import/import";
import { previewImport } from "../domain/datasets/import/preview";
import { formatBytes } from "../domain/datasets/import/records";
import { exportVersion } from "../domain/datasets/export";
import { jsonError, type ProjectHttpContext } from "./http-routes";
import { importMaxBytes, importOptionsFrom, jsonParam, parseOrThrow } from "../domain/datasets/import/options";
import type { ReadDb } from "../db/client";
import { logger } from "../runtime/log";

const log = logger("http");

/** Import runs may take minutes for very large files; the transaction may stay open this long. */
const IMPORT_TIMEOUT_MS = 30 * 60 * 1000;

async function datasetFor(db: ReadDb, projectId: string, name: string | undefined) {
  return datasetByName(db, projectId, parseOrThrow(datasetName, name));
}

function tooLarge(req: Request, limit: number): Response | null {
  const length = Number(req.headers.get("content-length"));
  if (Number.isFinite(length) && length > limit) {
    return jsonError(413, "PAYLOAD_TOO_LARGE", `The file is ${formatBytes(length)}; the limit is ${formatBytes(limit)}`);
  }
  return null;
}

const encoder = new TextEncoder();
const line = (event: ImportEvent) => encoder.encode(`${JSON.stringify(event)}\n`);

export async function handleImport(ctx: ProjectHttpContext): Promise<Response> {
  const dataset = await datasetFor(ctx.db, ctx.project.id, ctx.params.dataset);
  const options = importOptionsFrom(new URL(ctx.req.url));
  const maxBytes = importMaxBytes();
  const refused = tooLarge(ctx.req, maxBytes);
  if (refused) return refused;
  // Node's web streams are async iterable (the DOM typings do not say so).
  const body = ctx.req.body as unknown as AsyncIterable<Uint8Array> | null;
  if (!body) return jsonError(400, "BAD_REQUEST", "Send the file as the request body");
  const scope = { orgId: ctx.org.id, projectId: ctx.project.id };
  const run = (onProgress?: (p: { bytes: number; rows: number }) => void) =>
    ctx.auditedSql((w) => importItems(w, scope, { datasetId: dataset.id, body, options, maxBytes, onProgress }), { timeoutMs: IMPORT_TIMEOUT_MS });

  if (!(ctx.req.headers.get("accept") ?? "").includes("application/x-ndjson")) {
    try {
      return Response.json({ result: await run() });
    } catch (error) {
      if (error instanceof ImportFailedError) {
        const tooBig = error.report.problems.some((p) => p.code === "FILE_TOO_LARGE");
        return Response.json(
          { error: { code: tooBig ? "PAYLOAD_TOO_LARGE" : "IMPORT_FAILED", message: error.message }, report: error.report },
          { status: tooBig ? 413 : 400 },
        );
      }
      throw error;
    }
  }
  // Progress as JSON lines while the file streams in; the last line says how it ended.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      run((progress) => controller.enqueue(line({ type: "progress", ...progress })))
        .then((result) => controller.enqueue(line({ type: "done", result })))
        .catch((error: unknown) => {
          if (error instanceof ImportFailedError) controller.enqueue(line({ type: "failed", report: error.report }));
          else {
            const known = error instanceof AppError && error.code !== "INTERNAL";
            if (!known) log.error("datasets.import failed", { route: "datasets.import", requestId: ctx.req.headers.get("x-request-id"), error });
            const message = known ? error.message : "Something went wrong on our side. The error was logged.";
            controller.enqueue(
              line({ type: "failed", report: { ok: false, message, rowsRead: 0, problemCount: 1, problems: [{ row: null, line: null, message }] } }),
            );
          }
        })
        .finally(() => controller.close());
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
}

export async function handlePreview(ctx: ProjectHttpContext): Promise<Response> {
  const dataset = await datasetFor(ctx.db, ctx.project.id, ctx.params.dataset);
  const url = new URL(ctx.req.url);
  const format = parseOrThrow(importOptions.shape.format, url.searchParams.get("format") ?? undefined);
  const mapping = parseOrThrow(columnMapping.optional(), jsonParam(url, "mapping"));
  const delimiter = parseOrThrow(importOptions.shape.delimiter, url.searchParams.get("delimiter") || undefined);
  const refused = tooLarge(ctx.req, PREVIEW_BYTES);
  if (refused) return refused;
  const head = new Uint8Array(await ctx.req.arrayBuffer());
  if (head.length > PREVIEW_BYTES) return jsonError(413, "PAYLOAD_TOO_LARGE", `Send at most the first ${formatBytes(PREVIEW_BYTES)} of the file`);
  const truncated = url.searchParams.get("truncated") === "1" || url.searchParams.get("truncated") === "true";
  return Response.json(await previewImport(dataset, { head, truncated, format, delimiter, mapping }));
}

export async function handleExport(ctx: ProjectHttpContext): Promise<Response> {
  const dataset = await datasetFor(ctx.db, ctx.project.id, ctx.params.dataset);
  const url = new URL(ctx.req.url);
  const format = parseOrThrow(z.enum(EXPORT_FORMATS, { error: "must be csv or jsonl" }), url.searchParams.get("format") ?? "csv");
  const rawVersion = url.searchParams.get("version");
  const version = rawVersion ? parseOrThrow(datasetVersionNumber, Number(rawVersion)) : dataset.latestVersion;
  if (version === 0) return jsonError(404, "NOT_FOUND", `"${dataset.name}" has no versions yet`);
  const file = await exportVersion(ctx.db, dataset, { version, format });
  const iterator = file.chunks[Symbol.asyncIterator]();
  // Pull-based: the next page is read only when the client has taken the previous one.
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        log.error("datasets.export failed mid-stream", { route: "datasets.export", requestId: ctx.req.headers.get("x-request-id"), error });
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
  return new Response(ctx.req.method === "HEAD" ? null : stream, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.fileName.replace(/[^\w.-]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      "cache-control": "no-store",
      "x-keel-dataset-version": String(version),
    },
  });
}
