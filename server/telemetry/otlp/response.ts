import "server-only";
// OTLP/HTTP reply bodies, in the request's encoding. Success is an ExportTraceServiceResponse
// (partial_success set only when spans were rejected or there is a warning); an error status
// (400 and the like) carries a google.rpc.Status, as the OTLP/HTTP spec asks.
import { ExportTraceServiceResponseType, RpcStatusType } from "./proto";

export type PartialSuccess = { rejectedSpans: number; errorMessage: string };

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function encodeExportTraceServiceResponse(partial: PartialSuccess | null, contentType: "json" | "protobuf"): Buffer {
  const rejectedSpans = Math.max(0, Math.trunc(partial?.rejectedSpans ?? 0));
  if (contentType === "json") {
    // proto3 JSON writes int64 as a decimal string; OTLP receivers and exporters read both.
    const body = partial ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage: partial.errorMessage } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  const message = partial ? { partialSuccess: { rejectedSpans, errorMessage: partial.errorMessage } } : {};
  return toBuffer(ExportTraceServiceResponseType.encode(ExportTraceServiceResponseType.fromObject(message)).finish());
}

/** A google.rpc.Status: `code` is a google.rpc.Code (3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, …). */
export function encodeStatus(code: number, message: string, contentType: "json" | "protobuf"): Buffer {
  if (contentType === "json") return Buffer.from(JSON.stringify({ code, message }));
  return toBuffer(RpcStatusType.encode(RpcStatusType.fromObject({ code, message })).finish());
}
