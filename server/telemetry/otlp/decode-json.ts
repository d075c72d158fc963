import "server-only";
// OTLP/HTTP JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): the
// protobuf JSON mapping with OTLP's exceptions. Ids are hex (base64 of the raw bytes, which
// proto3 JSON would use, is accepted too); enums may be numbers or names; int64 may be a string
// or a number; field names are lowerCamelCase, snake_case accepted. The body's outer shape must
// hold; a span that is malformed on its own is rejected (partial success), not the whole body.
import { BatchCollector, identityProblem, parentOrNull } from "./batch";
import { OtlpDecodeError } from "./errors";
import { prepareResource, type RawEvent } from "./span-row";
import { doubleValue, isSafeKey, storableText, type AttrValue, type Attrs } from "./values";

/** Nesting beyond this (arrays in kvlists in arrays…) is stored as null, as for protobuf. */
const MAX_VALUE_DEPTH = 32;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field under its lowerCamelCase or its original snake_case name. */
const field = (o: Json, camel: string, snake: string): unknown => (o[camel] !== undefined ? o[camel] : o[snake]);

function fail(message: string): never {
  throw new OtlpDecodeError(`The body is not valid OTLP JSON (ExportTraceServiceRequest): ${message}`);
}

/** An optional repeated field: absent is empty, anything but an array is malformed. */
function list(o: Json, camel: string, snake: string, path: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${path}.${camel} must be an array`);
  return v;
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * An id as lowercase hex: "" when absent or empty, null when it is neither `bytes` long hex nor
 * base64 of `bytes` bytes.
 */
function jsonId(v: unknown, bytes: number): string | null {
  if (v === undefined || v === null || v === "") return "";
  if (typeof v !== "string") return null;
  if (v.length === bytes * 2 && HEX.test(v)) return v.toLowerCase();
  if (v.length >= Math.ceil((bytes * 4) / 3) && v.length <= Math.ceil(bytes / 3) * 4 && BASE64.test(v)) {
    const raw = Buffer.from(v, "base64");
    if (raw.length === bytes) return raw.toString("hex");
  }
  return null;
}

/** Unix nanoseconds (decimal string or number) to microseconds; 0 when absent, NaN when unreadable. */
function jsonNanosToMicros(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "string") {
    if (!/^\d+$/.test(v)) return Number.NaN;
    return v.length <= 3 ? 0 : Number(v.slice(0, -3));
  }
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.floor(v / 1000) : Number.NaN;
  return Number.NaN;
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** An enum given as its number or its name; unknown values read as 0. */
function enumValue(v: unknown, names: Record<string, number>): number {
  if (typeof v === "number") return Number.isInteger(v) ? v : 0;
  if (typeof v === "string") return Object.hasOwn(names, v) ? (names[v] as number) : /^\d+$/.test(v) ? Number(v) : 0;
  return 0;
}

function intValue(v: unknown): AttrValue {
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === "string" && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.replace(/^(-?)0+(?=\d)/, "$1");
  }
  return null;
}

function anyValue(v: unknown, depth: number): AttrValue {
  if (!isObject(v)) return null;
  let x: unknown;
  if ((x = field(v, "stringValue", "string_value")) !== undefined) return typeof x === "string" ? storableText(x) : null;
  if ((x = field(v, "intValue", "int_value")) !== undefined) return intValue(x);
  if ((x = field(v, "boolValue", "bool_value")) !== undefined) return typeof x === "boolean" ? x : null;
  if ((x = field(v, "doubleValue", "double_value")) !== undefined) {
    return typeof x === "number" || typeof x === "string" ? doubleValue(Number(x)) : null;
  }
  if ((x = field(v, "bytesValue", "bytes_value")) !== undefined) return typeof x === "string" ? storableText(x) : null;
  if ((x = field(v, "arrayValue", "array_value")) !== undefined) {
    if (depth >= MAX_VALUE_DEPTH || !isObject(x)) return null;
    const values = Array.isArray(x.values) ? x.values : [];
    const out: AttrValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = anyValue(values[i], depth + 1);
    return out;
  }
  if ((x = field(v, "kvlistValue", "kvlist_value")) !== undefined) {
    if (depth >= MAX_VALUE_DEPTH || !isObject(x)) return null;
    return keyValues(x.values, depth + 1);
  }
  return null;
}

/** A KeyValue list; entries that are not `{ key: string, value }` are skipped. */
function keyValues(list: unknown, depth: number): Attrs {
  const out: Attrs = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== "string" || !isSafeKey(kv.key)) continue;
    out[storableText(kv.key)] = anyValue(kv.value, depth);
  }
  return out;
}

export function decodeJsonRequest(body: Buffer, batch: BatchCollector): void {
  let request: unknown;
  try {
    request = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new OtlpDecodeError(`The body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(request)) fail("expected an object with resourceSpans");

  list(request, "resourceSpans", "resource_spans", "body").forEach((resourceSpans, r) => {
    const rPath = `resourceSpans[${r}]`;
    if (!isObject(resourceSpans)) fail(`${rPath} must be an object`);
    const resourceField = resourceSpans.resource;
    const resource = prepareResource(isObject(resourceField) ? keyValues(resourceField.attributes, 0) : {});
    list(resourceSpans, "scopeSpans", "scope_spans", rPath).forEach((scopeSpans, s) => {
      const sPath = `${rPath}.scopeSpans[${s}]`;
      if (!isObject(scopeSpans)) fail(`${sPath} must be an object`);
      for (const span of list(scopeSpans, "spans", "spans", sPath)) {
        if (!isObject(span)) {
          batch.reject("span is not an object");
          continue;
        }
        const traceId = jsonId(field(span, "traceId", "trace_id"), 16);
        const spanId = jsonId(field(span, "spanId", "span_id"), 8);
        const parentSpanId = jsonId(field(span, "parentSpanId", "parent_span_id"), 8);
        const startUs = jsonNanosToMicros(field(span, "startTimeUnixNano", "start_time_unix_nano"));
        const problem = identityProblem({ traceId, spanId, parentSpanId, startUs });
        if (problem !== null) {
          batch.reject(problem);
          continue;
        }
        const events: RawEvent[] = [];
        const rawEvents = field(span, "events", "events");
        if (Array.isArray(rawEvents)) {
          for (const event of rawEvents) {
            if (!isObject(event)) continue;
            const timeUs = jsonNanosToMicros(field(event, "timeUnixNano", "time_unix_nano"));
            events.push({
              name: typeof event.name === "string" ? storableText(event.name) : "",
              timeUs: timeUs > 0 ? timeUs : startUs,
              attributes: keyValues(event.attributes, 0),
            });
          }
        }
        const endUs = jsonNanosToMicros(field(span, "endTimeUnixNano", "end_time_unix_nano"));
        const status = isObject(span.status) ? span.status : {};
        batch.add(
          {
            traceId: traceId as string,
            spanId: spanId as string,
            parentSpanId: parentOrNull(parentSpanId as string),
            name: typeof span.name === "string" ? storableText(span.name) : "",
            kind: enumValue(span.kind, SPAN_KINDS),
            startUs,
            endUs: endUs > 0 ? endUs : startUs,
            statusCode: enumValue(status.code, STATUS_CODES),
            statusMessage: typeof status.message === "string" ? storableText(status.message) : "",
            attributes: keyValues(span.attributes, 0),
            events,
          },
          resource,
        );
      }
    });
  });
}
