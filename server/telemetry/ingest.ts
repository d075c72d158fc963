import "server-only";
// OTLP ingestion, between the HTTP route and the store: decompress, decode, drop what the project
// does not keep (older than its retention, or implausibly far in the future), price generations
// that came without a cost, and write the batch durably. Per OTLP, spans refused one by one are
// a partial success, not a failed request.
import { gunzip, inflate } from "node:zlib";
import { promisify } from "node:util";
import { getDb, type ReadDb } from "../db/client";
import { estimateCost, type PriceRow } from "../providers/cost";
import { onObservabilityChanged } from "../domain/observability/settings";
import { DEFAULT_TELEMETRY_SETTINGS } from "../contracts/observability";
import { decodeTraceRequest } from "./otlp";
import { writeSpans, type StoredSpan } from "./store";
import type { SpanRow } from "./types";
import { setting } from "../env";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** Largest OTLP request accepted, compressed or not, and its decompressed size. */
export const OTLP_MAX_BYTES = setting("KEEL_OTLP_MAX_BYTES");
export const OTLP_MAX_DECOMPRESSED_BYTES = 4 * OTLP_MAX_BYTES;
/**
 * Batches one process accepts at once; beyond it the route answers 503 with Retry-After, which
 * OTLP exporters retry with back-off: a burst is smoothed out instead of queueing until clients
 * time out (and nothing is lost: a refused batch was never taken).
 */
export const OTLP_MAX_INFLIGHT = setting("KEEL_OTLP_MAX_INFLIGHT");
let inflight = 0;

/** Takes an ingestion slot, or returns null when the process is saturated. */
export function admitBatch(): (() => void) | null {
  if (inflight >= OTLP_MAX_INFLIGHT) return null;
  inflight++;
  let released = false;
  return () => {
    if (!released) {
      released = true;
      inflight--;
    }
  };
}

/** Spans stamped further ahead than this are refused (a broken clock, not telemetry). */
export const MAX_FUTURE_MS = 86_400_000;

export class DecompressionError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export async function decompress(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  const e = (encoding ?? "identity").trim().toLowerCase();
  if (e === "identity" || e === "") return body;
  if (e !== "gzip" && e !== "deflate") throw new DecompressionError(`Content-Encoding ${e.slice(0, 40)} is not supported (use gzip or none)`);
  try {
    return await (e === "gzip" ? gunzipAsync : inflateAsync)(body, { maxOutputLength: OTLP_MAX_DECOMPRESSED_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new DecompressionError(`The decompressed body is larger than ${OTLP_MAX_DECOMPRESSED_BYTES} bytes`, true);
    throw new DecompressionError(`The body is not valid ${e} data`);
  }
}

type ProjectConfig = { retentionDays: number; prices: PriceRow[]; loadedAt: number };
const CONFIG_TTL_MS = 30_000;
const configs = new Map<string, ProjectConfig>();
onObservabilityChanged((projectId) => configs.delete(projectId));

/** A project's retention and prices (cached briefly; dropped when its settings change). */
export async function configOf(projectId: string): Promise<ProjectConfig> {
  const cached = configs.get(projectId);
  if (cached && Date.now() - cached.loadedAt < CONFIG_TTL_MS) return cached;
  const db = getDb() as unknown as ReadDb;
  const [settings, prices] = await Promise.all([
    db.telemetrySettings.findUnique({ where: { projectId }, select: { retentionDays: true } }),
    db.modelPrice.findMany({ where: { projectId }, select: { model: true, inputPerMillion: true, outputPerMillion: true } }),
  ]);
  const config = { retentionDays: settings?.retentionDays ?? DEFAULT_TELEMETRY_SETTINGS.retentionDays, prices, loadedAt: Date.now() };
  configs.set(projectId, config);
  return config;
}

/** Fills in the cost of generations that arrived without one, from the project's prices. */
export function priceSpan(span: SpanRow, prices: readonly PriceRow[]): void {
  if (span.costUsd !== null || !span.isGeneration || !span.model || (span.inputTokens === null && span.outputTokens === null)) return;
  span.costUsd = estimateCost(span.model, { inputTokens: span.inputTokens ?? 0, outputTokens: span.outputTokens ?? 0 }, prices);
}

export type IngestResult = { accepted: number; duplicates: number; rejected: number; errorMessage: string };

export async function ingestOtlp(projectId: string, body: Buffer, contentType: "json" | "protobuf", now = Date.now()): Promise<IngestResult> {
  const decoded = decodeTraceRequest(body, contentType);
  const config = await configOf(projectId);
  const oldest = (now - config.retentionDays * 86_400_000) * 1000;
  const newest = (now + MAX_FUTURE_MS) * 1000;
  const keep: StoredSpan[] = [];
  const reasons = [...decoded.rejectReasons];
  let rejected = decoded.rejected;
  let old = 0;
  let future = 0;
  for (const span of decoded.spans) {
    if (span.startUs < oldest) old++;
    else if (span.startUs > newest) future++;
    else {
      priceSpan(span, config.prices);
      keep.push(span);
    }
  }
  if (old) reasons.push(`${old} span(s) older than this project's ${config.retentionDays}-day retention`);
  if (future) reasons.push(`${future} span(s) start more than a day in the future`);
  rejected += old + future;
  const written = await writeSpans(projectId, keep);
  return { accepted: written.inserted, duplicates: written.duplicates, rejected, errorMessage: reasons.join("; ") };
}
