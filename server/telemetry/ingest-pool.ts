import "server-only";
// Where OTLP batches are decoded and written: in worker threads (KEEL_INGEST_THREADS; by default
// one in a web process, more in an ingest process: server/runtime/capacity.ts) or, with 0, on the
// main thread. A worker has its own heap, garbage collector and connection
// pools, so heavy ingestion costs the main event loop (prompt API, gateway, UI) only the body's
// bytes: the bench's prompt-under-ingest case measures what that buys. A crashed worker is
// replaced; its in-flight batches fail with a 500, and exporters retry them (idempotent by span id).
import { Worker } from "node:worker_threads";
import { ingestOtlp, type IngestResult } from "./ingest";
import { ingestLangfuseBatch, LangfuseBatchError, type LangfuseBatchResult } from "./langfuse-ingestion";
import { OtlpDecodeError } from "./otlp";
import { DatabaseUnavailableError } from "../db/unavailable";
import type { IngestReply, IngestRequest } from "./ingest-worker";
import { logger } from "../runtime/log";

const log = logger("telemetry");

/** The worker thread's error as the caller's: message, class name and code (pg's, errno); a lost database is still one. */
function threadError(reply: { message: string; unavailable: boolean; name?: string; code?: string }): Error {
  const error = reply.unavailable ? new DatabaseUnavailableError(reply.message) : new Error(reply.message);
  if (reply.name) error.name = reply.name;
  if (reply.code) Object.assign(error, { code: reply.code });
  return error;
}
import { ingestThreads } from "../runtime/capacity";

export type Ingest = (projectId: string, body: Buffer, encoding: "json" | "protobuf") => Promise<IngestResult>;

/** Parses, maps and writes a Langfuse ingestion batch (POST /api/public/ingestion). */
export type IngestLangfuse = (projectId: string, body: Buffer) => Promise<LangfuseBatchResult>;

/** ready() resolves once every worker thread has loaded and listens (at once on the main thread). */
export type IngestPool = { ingest: Ingest; ingestLangfuse: IngestLangfuse; ready(): Promise<void>; close(): Promise<void> };

type Pending = { resolve(result: IngestResult | LangfuseBatchResult): void; reject(error: Error): void };

export function createIngestPool(threads = ingestThreads("web")): IngestPool {
  if (!(threads > 0))
    return { ingest: ingestOtlp, ingestLangfuse: (projectId, body) => ingestLangfuseBatch(projectId, body), ready: async () => {}, close: async () => {} };
  const workers: Worker[] = [];
  // Batches posted before a worker has loaded wait in its queue; ready() lets a server hold its
  // readiness (and a test its first request) until they would not.
  const booted: Promise<void>[] = [];
  const pending = new Map<number, Pending & { worker: Worker }>();
  let nextId = 1;
  let turn = 0;
  let closing = false;

  const spawn = (slot: number) => {
    const worker = new Worker(new URL("./ingest-worker-boot.mjs", import.meta.url), {
      workerData: { entry: new URL("./ingest-worker.ts", import.meta.url).href },
      env: process.env,
    });
    let markBooted = () => {};
    booted[slot] = new Promise<void>((resolve) => {
      markBooted = resolve;
      worker.once("exit", () => resolve());
    });
    worker.on("message", (reply: IngestReply) => {
      if ("ready" in reply) return markBooted();
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else if (reply.details) waiting.reject(new LangfuseBatchError(reply.message, reply.details));
      else waiting.reject(reply.decode ? new OtlpDecodeError(reply.message) : threadError(reply));
    });
    worker.on("error", (error) => log.error("an ingestion worker failed", { error }));
    worker.on("exit", () => {
      for (const [id, waiting] of pending) {
        if (waiting.worker !== worker) continue;
        pending.delete(id);
        waiting.reject(new Error("The ingestion worker stopped"));
      }
      if (!closing) workers[slot] = spawn(slot);
    });
    worker.unref();
    return worker;
  };
  for (let i = 0; i < threads; i++) workers.push(spawn(i));

  const post = <T>(projectId: string, body: Buffer, encoding: IngestRequest["encoding"]) => {
    const worker = workers[turn++ % workers.length]!;
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as Pending["resolve"], reject, worker });
      // The body's bytes move to the worker (no copy) when the Buffer owns its memory.
      const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      const transfer =
        body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && !(body.buffer instanceof SharedArrayBuffer) ? [body.buffer as ArrayBuffer] : [];
      worker.postMessage({ id, projectId, body: bytes, encoding } satisfies IngestRequest, transfer);
    });
  };

  return {
    ingest: (projectId, body, encoding) => post<IngestResult>(projectId, body, encoding),
    ingestLangfuse: (projectId, body) => post<LangfuseBatchResult>(projectId, body, "langfuse"),
    ready: async () => {
      await Promise.all(booted);
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
