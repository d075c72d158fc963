import "server-only";
// Collects one request's rows and, per OTLP partial success, what was rejected: a span whose
// identity or start time is unusable is counted and skipped, the rest of the batch is kept.
import type { DecodedBatch, SpanRow } from "../types";
import { buildSpanRow, type DecodeLimits, type RawSpan, type ResourceInfo } from "./span-row";

/** Distinct reasons kept for the response's error_message. */
const MAX_REASONS = 5;

const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/** The ids and start time as decoded (hex; null when the sender's value could not be read). */
export type SpanIdentity = { traceId: string | null; spanId: string | null; parentSpanId: string | null; startUs: number };

/** Why a span cannot be stored, or null. An empty or all-zero parent id means a root span. */
export function identityProblem(span: SpanIdentity): string | null {
  if (span.traceId === null || span.traceId.length !== 32 || span.traceId === ZERO_TRACE_ID) {
    return "invalid traceId (must be 16 bytes, not all zero)";
  }
  if (span.spanId === null || span.spanId.length !== 16 || span.spanId === ZERO_SPAN_ID) {
    return "invalid spanId (must be 8 bytes, not all zero)";
  }
  if (span.parentSpanId === null || (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 16)) {
    return "invalid parentSpanId (must be empty or 8 bytes)";
  }
  if (!(span.startUs > 0)) return "missing or invalid startTimeUnixNano";
  return null;
}

/** A validated parent id as stored: null for a root span. */
export const parentOrNull = (parentSpanId: string): string | null => (parentSpanId.length === 0 || parentSpanId === ZERO_SPAN_ID ? null : parentSpanId);

export class BatchCollector {
  private readonly spans: SpanRow[] = [];
  private rejected = 0;
  private readonly reasons: string[] = [];

  constructor(private readonly limits: DecodeLimits) {}

  add(span: RawSpan, resource: ResourceInfo): void {
    this.spans.push(buildSpanRow(span, resource, this.limits));
  }

  reject(reason: string): void {
    this.rejected++;
    if (this.reasons.length < MAX_REASONS && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  result(): DecodedBatch {
    return { spans: this.spans, rejected: this.rejected, rejectReasons: this.reasons };
  }
}
