// An ingestion worker thread: decodes OTLP bodies and writes them through the store, off the
// main thread, so a flood of traces (JSON parsing, parameter encoding, garbage collection in its
// own heap) does not stall the event loop that serves prompts and the gateway. See ingest-pool.ts.
import { parentPort } from "node:worker_threads";
import { ingestOtlp } from "./ingest";
import { OtlpDecodeError } from "./otlp";

export type IngestRequest = { id: number; projectId: string; body: Uint8Array; encoding: "json" | "protobuf" };
export type IngestReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof ingestOtlp>> }
  | { id: number; ok: false; decode: boolean; message: string };

parentPort!.on("message", (request: IngestRequest) => {
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  ingestOtlp(request.projectId, body, request.encoding).then(
    (result) => parentPort!.postMessage({ id: request.id, ok: true, result } satisfies IngestReply),
    (error: unknown) => {
      if (!(error instanceof OtlpDecodeError)) console.error("[telemetry] ingesting a batch failed:", error);
      parentPort!.postMessage({ id: request.id, ok: false, decode: error instanceof OtlpDecodeError, message: error instanceof Error ? error.message : String(error) } satisfies IngestReply);
    },
  );
});
