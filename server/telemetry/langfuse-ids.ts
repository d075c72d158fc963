// Langfuse ids as Keel's telemetry stores them. Langfuse ids are free strings (usually UUIDs);
// Keel's spans carry OpenTelemetry ids, so an id that already is one is kept and any other is
// derived from the project and the id (the original is kept as `langfuse.trace.id` /
// `langfuse.observation.id`). The ingestion endpoint and the dataset run items both use these, so a
// run item's Langfuse trace id finds the trace that ingestion stored.
import { createHash } from "node:crypto";

export const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");
const ZERO = /^0+$/;

/** The OpenTelemetry trace id of a Langfuse trace id (kept when it already is one). */
export function langfuseTraceId(projectId: string, id: string): string {
  return /^[0-9a-f]{32}$/.test(id) && !ZERO.test(id) ? id : sha256Hex(`${projectId}\u0000trace\u0000${id}`).slice(0, 32);
}

/** The OpenTelemetry span id of a Langfuse observation id (kept when it already is one). */
export function langfuseSpanId(projectId: string, id: string): string {
  return /^[0-9a-f]{16}$/.test(id) && !ZERO.test(id) ? id : sha256Hex(`${projectId}\u0000observation\u0000${id}`).slice(0, 16);
}

/** The span a trace-create becomes: the trace's root. */
export function langfuseRootSpanId(projectId: string, traceId: string): string {
  return sha256Hex(`${projectId}\u0000root\u0000${traceId}`).slice(0, 16);
}
