import "server-only";
// The OTLP trace protobuf schema, embedded as .proto source (no file reads at runtime, so the
// module bundles) and parsed into one protobufjs Root at module load. Field names and numbers
// are those of opentelemetry-proto v1 (collector/trace/v1/trace_service.proto, trace/v1/
// trace.proto, common/v1/common.proto, resource/v1/resource.proto) and google/rpc/status.proto.
//
// Fields Keel never reads (trace_state, flags, links, dropped_* counts, schema_url, the
// instrumentation scope, resource entity refs) are left out on purpose: protobufjs skips unknown
// fields without building objects or decoding strings for them, which keeps the ingestion hot
// path cheap. The message and field numbering is otherwise unchanged, so any OTLP sender's
// bytes decode.
import protobuf from "protobufjs";

// Proto3 semantics (implicit presence) written as edition 2023 so that strings skip UTF-8
// validation: protobufjs validates proto3 strings in JavaScript, byte by byte, which was most of
// the decode time; unvalidated strings go through Buffer's native decoder (an invalid sequence
// becomes U+FFFD instead of failing the whole batch).
const PREAMBLE = `edition = "2023";
option features.field_presence = IMPLICIT;
option features.utf8_validation = NONE;`;

const COMMON_PROTO = `
${PREAMBLE}
package opentelemetry.proto.common.v1;

// AnyValue's members are a \`oneof value\` upstream. Declared here as separate fields with
// explicit presence instead: the same wire format, but protobufjs assigns a oneof through a
// setter that deletes every other member, which cost a quarter of the decode time. The decoded
// message has exactly the member that was sent as an own property.
message AnyValue {
  string string_value = 1 [features.field_presence = EXPLICIT];
  bool bool_value = 2 [features.field_presence = EXPLICIT];
  int64 int_value = 3 [features.field_presence = EXPLICIT];
  double double_value = 4 [features.field_presence = EXPLICIT];
  ArrayValue array_value = 5;
  KeyValueList kvlist_value = 6;
  bytes bytes_value = 7 [features.field_presence = EXPLICIT];
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
}
`;

const RESOURCE_PROTO = `
${PREAMBLE}
package opentelemetry.proto.resource.v1;

message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
}
`;

const TRACE_PROTO = `
${PREAMBLE}
package opentelemetry.proto.trace.v1;

message ResourceSpans {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
}
message ScopeSpans {
  repeated Span spans = 2;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6; // SpanKind enum, read as its number
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
  }
  repeated Event events = 11;
  Status status = 15;
}
message Status {
  string message = 2;
  int32 code = 3; // StatusCode enum, read as its number
}
`;

const TRACE_SERVICE_PROTO = `
${PREAMBLE}
package opentelemetry.proto.collector.trace.v1;

message ExportTraceServiceRequest {
  repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1;
}
message ExportTraceServiceResponse {
  ExportTracePartialSuccess partial_success = 1;
}
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
`;

// OTLP/HTTP error replies carry a google.rpc.Status (details are never sent by Keel).
const RPC_STATUS_PROTO = `
${PREAMBLE}
package google.rpc;

message Status {
  int32 code = 1;
  string message = 2;
}
`;

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const source of [COMMON_PROTO, RESOURCE_PROTO, TRACE_PROTO, TRACE_SERVICE_PROTO, RPC_STATUS_PROTO]) {
    protobuf.parse(source, root, { keepCase: false });
  }
  root.resolveAll();
  return root;
}

const root = buildRoot();

export const ExportTraceServiceRequestType = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
export const ExportTraceServiceResponseType = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse");
export const RpcStatusType = root.lookupType("google.rpc.Status");

// The shapes protobufjs decodes into (camelCase fields). Unset scalars read as the proto3
// default from the prototype, unset messages as null, unset repeated fields as an empty array.

/** A 64-bit integer as protobufjs decodes it: a long.js Long (or a number without long.js). */
export type PbLong = number | { low: number; high: number; unsigned: boolean };

/** Only the member that was sent is an own property (the others read the prototype's defaults). */
export type PbAnyValue = {
  stringValue: string;
  boolValue: boolean;
  intValue: PbLong;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
};

export type PbKeyValue = { key: string; value: PbAnyValue | null };

export type PbEvent = { timeUnixNano: PbLong; name: string; attributes: PbKeyValue[] };

export type PbSpan = {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: PbLong;
  endTimeUnixNano: PbLong;
  attributes: PbKeyValue[];
  events: PbEvent[];
  status: { message: string; code: number } | null;
};

export type PbExportTraceServiceRequest = {
  resourceSpans: { resource: { attributes: PbKeyValue[] } | null; scopeSpans: { spans: PbSpan[] }[] }[];
};
