import "server-only";
// OTLP/HTTP binary protobuf: one protobufjs decode of ExportTraceServiceRequest, then a walk of
// the decoded messages straight into RawSpans (no toObject, no JSON round trip). Ids are Buffer
// views on the body, turned into hex; 64-bit times are long.js Longs, turned into microseconds
// exactly without going through a 64-bit float.
import { BatchCollector, identityProblem, parentOrNull } from "./batch";
import { OtlpDecodeError } from "./errors";
import { ExportTraceServiceRequestType, type PbAnyValue, type PbExportTraceServiceRequest, type PbKeyValue, type PbLong } from "./proto";
import { prepareResource, type RawEvent } from "./span-row";
import { bytesToBase64, bytesToHex, doubleValue, isSafeKey, storableText, type AttrValue, type Attrs } from "./values";

/** Nesting beyond this (arrays in kvlists in arrays…) is stored as null. */
const MAX_VALUE_DEPTH = 32;

/** Unix nanoseconds to microseconds (floor): 2^32 ns = 4294967 µs + 296 ns, so no step exceeds 2^53. */
export function nanosToMicros(nanos: PbLong): number {
  if (typeof nanos === "number") return Math.floor(nanos / 1000);
  const high = nanos.high >>> 0;
  const low = nanos.low >>> 0;
  return high * 4294967 + Math.floor((high * 296 + low) / 1000);
}

/** A signed int64 as a number, or as decimal text when a double cannot hold it exactly. */
function int64Value(v: PbLong): number | string {
  if (typeof v === "number") return v;
  const n = v.high * 4294967296 + (v.low >>> 0);
  return Number.isSafeInteger(n) ? n : String(v);
}

function anyValue(v: PbAnyValue | null, depth: number): AttrValue {
  if (v === null) return null;
  // The member that was sent is the one own property (see proto.ts); the common ones first.
  if (Object.hasOwn(v, "stringValue")) return storableText(v.stringValue);
  if (Object.hasOwn(v, "intValue")) return int64Value(v.intValue);
  if (Object.hasOwn(v, "doubleValue")) return doubleValue(v.doubleValue);
  if (Object.hasOwn(v, "boolValue")) return v.boolValue;
  if (Object.hasOwn(v, "arrayValue")) {
    if (depth >= MAX_VALUE_DEPTH || v.arrayValue === null) return null;
    const values = v.arrayValue.values;
    const out: AttrValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = anyValue(values[i] ?? null, depth + 1);
    return out;
  }
  if (Object.hasOwn(v, "kvlistValue")) {
    if (depth >= MAX_VALUE_DEPTH || v.kvlistValue === null) return null;
    return keyValues(v.kvlistValue.values, depth + 1);
  }
  if (Object.hasOwn(v, "bytesValue")) return bytesToBase64(v.bytesValue);
  return null;
}

function keyValues(list: PbKeyValue[], depth: number): Attrs {
  const out: Attrs = {};
  for (const kv of list) if (isSafeKey(kv.key)) out[storableText(kv.key)] = anyValue(kv.value, depth);
  return out;
}

export function decodeProtobufRequest(body: Buffer, batch: BatchCollector): void {
  let request: PbExportTraceServiceRequest;
  try {
    request = ExportTraceServiceRequestType.decode(body) as unknown as PbExportTraceServiceRequest;
  } catch (err) {
    throw new OtlpDecodeError(`The body is not valid OTLP protobuf (ExportTraceServiceRequest): ${(err as Error).message}`);
  }

  for (const resourceSpans of request.resourceSpans) {
    const resource = prepareResource(resourceSpans.resource ? keyValues(resourceSpans.resource.attributes, 0) : {});
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const traceId = bytesToHex(span.traceId);
        const spanId = bytesToHex(span.spanId);
        const parentSpanId = bytesToHex(span.parentSpanId);
        const startUs = nanosToMicros(span.startTimeUnixNano);
        const problem = identityProblem({ traceId, spanId, parentSpanId, startUs });
        if (problem !== null) {
          batch.reject(problem);
          continue;
        }
        const events: RawEvent[] = [];
        for (const event of span.events) {
          const timeUs = nanosToMicros(event.timeUnixNano);
          events.push({ name: storableText(event.name), timeUs: timeUs > 0 ? timeUs : startUs, attributes: keyValues(event.attributes, 0) });
        }
        const endUs = nanosToMicros(span.endTimeUnixNano);
        batch.add(
          {
            traceId,
            spanId,
            parentSpanId: parentOrNull(parentSpanId),
            name: storableText(span.name),
            kind: span.kind,
            startUs,
            endUs: endUs > 0 ? endUs : startUs,
            statusCode: span.status?.code ?? 0,
            statusMessage: storableText(span.status?.message ?? ""),
            attributes: keyValues(span.attributes, 0),
            events,
          },
          resource,
        );
      }
    }
  }
}
