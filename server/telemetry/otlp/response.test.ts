// OTLP/HTTP reply bodies, read back the way clients read them: the exporter's own response
// deserializers for ExportTraceServiceResponse, and google/rpc/status.proto for Status.
import { describe, expect, it } from "vitest";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import protobuf from "protobufjs";
import { encodeExportTraceServiceResponse, encodeStatus } from "./index";

// google/rpc/status.proto as published (details included), independent of the module's schema.
const rpcRoot = new protobuf.Root();
protobuf.parse(`syntax = "proto3"; package google.protobuf; message Any { string type_url = 1; bytes value = 2; }`, rpcRoot);
protobuf.parse(
  `syntax = "proto3"; package google.rpc; message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }`,
  rpcRoot,
);
const RpcStatus = rpcRoot.lookupType("google.rpc.Status");

describe("ExportTraceServiceResponse", () => {
  it("encodes partial success in protobuf", () => {
    const body = encodeExportTraceServiceResponse({ rejectedSpans: 3, errorMessage: "invalid traceId" }, "protobuf");
    expect(ProtobufTraceSerializer.deserializeResponse(body)).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: "invalid traceId" } });
  });

  it("encodes full success as an empty message", () => {
    const body = encodeExportTraceServiceResponse(null, "protobuf");
    expect(body.length).toBe(0);
    expect(ProtobufTraceSerializer.deserializeResponse(body)).toEqual({});
    expect(JsonTraceSerializer.deserializeResponse(encodeExportTraceServiceResponse(null, "json"))).toEqual({});
  });

  it("encodes partial success in JSON (int64 as a decimal string)", () => {
    const body = encodeExportTraceServiceResponse({ rejectedSpans: 2, errorMessage: "missing or invalid startTimeUnixNano" }, "json");
    expect(JsonTraceSerializer.deserializeResponse(body)).toEqual({
      partialSuccess: { rejectedSpans: "2", errorMessage: "missing or invalid startTimeUnixNano" },
    });
  });
});

describe("google.rpc.Status", () => {
  it("round-trips in protobuf and JSON", () => {
    const message = "The body is not valid JSON: Unexpected token";
    const decoded = RpcStatus.toObject(RpcStatus.decode(encodeStatus(3, message, "protobuf")));
    expect(decoded).toEqual({ code: 3, message });
    expect(JSON.parse(encodeStatus(3, message, "json").toString())).toEqual({ code: 3, message });
  });
});
