// An ingestion worker thread: decodes OTLP bodies (and Langfuse ingestion batches) and writes them
// through the store, off the main thread, so a flood of traces (JSON parsing, parameter encoding,
// garbage collection in its own heap) does not stall the event loop that serves prompts and the
// gateway. See ingest-pool.ts.
import { parentPort } from "node:worker_threads";
import { ingestOtlp } from "./ingest";
import { ingestLangfuseBatch, LangfuseBatchError, type LangfuseBatchResult } from "./langfuse-ingestion";
import { OtlpDecodeError } from "./otlp";
import { isDatabaseUnavailable } from "../db/unavailable";

export type IngestRequest = { id: number; projectId: string; body: Uint8Array; encoding: "json" | "protobuf" | "langfuse" };
export type IngestReply =
  | { ready: true }
  | { id: number; ok: true; result: Awaited<ReturnType<typeof ingestOtlp>> | LangfuseBatchResult }
  | { id: number; ok: false; decode: boolean; unavailable: boolean; message: string; name?: string; code?: string; details?: string[] };

parentPort!.on("message", (request: IngestRequest) => {
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  const work = request.encoding === "langfuse" ? ingestLangfuseBatch(request.projectId, body) : ingestOtlp(request.projectId, body, request.encoding);
  work.then(
    (result) => parentPort!.postMessage({ id: request.id, ok: true, result } satisfies IngestReply),
    (error: unknown) => {
      // Not logged here: the request that sent the batch fails with this error and logs it in one
      // line with its id; its class and code travel along (a lost connection's is a 503).
      const decode = error instanceof OtlpDecodeError || error instanceof LangfuseBatchError;
      const unavailable = isDatabaseUnavailable(error);
      const code = (error as { code?: unknown } | null)?.code;
      parentPort!.postMessage({
        id: request.id,
        ok: false,
        decode,
        unavailable,
        message: error instanceof Error ? error.message : String(error),
        name: error instanceof Error ? error.name : undefined,
        code: typeof code === "string" ? code : undefined,
        details: error instanceof LangfuseBatchError ? error.details : undefined,
      } satisfies IngestReply);
    },
  );
});

// Loaded and listening: the pool's ready() resolves once every worker has said so.
parentPort!.postMessage({ ready: true } satisfies IngestReply);
