import "server-only";
// The OTLP/HTTP trace decoder: a request body (already decompressed) in, Keel SpanRows out, plus
// the reply bodies the route sends back. Pure: no database, no I/O. The route picks the encoding
// from Content-Type (application/x-protobuf or application/json).
import type { DecodedBatch } from "../types";
import { BatchCollector } from "./batch";
import { decodeJsonRequest } from "./decode-json";
import { decodeProtobufRequest } from "./decode-protobuf";
import { DEFAULT_LIMITS } from "./span-row";

export { OtlpDecodeError } from "./errors";
export { encodeExportTraceServiceResponse, encodeStatus } from "./response";

export type DecodeOptions = {
  /** Serialized size budget of one span's attributes (default 16 KiB; an event gets a quarter). */
  maxAttributeBytes?: number;
  /** Input and output are each cut to this many UTF-8 bytes (default 64 KiB). */
  maxIoBytes?: number;
};

/**
 * Decodes an ExportTraceServiceRequest. Spans with an unusable trace id, span id or start time
 * are rejected one by one (counted, with up to 5 distinct reasons); a body that is not an OTLP
 * trace export at all throws OtlpDecodeError.
 */
export function decodeTraceRequest(body: Buffer, contentType: "json" | "protobuf", options: DecodeOptions = {}): DecodedBatch {
  const batch = new BatchCollector({
    maxAttributeBytes: options.maxAttributeBytes ?? DEFAULT_LIMITS.maxAttributeBytes,
    maxIoBytes: options.maxIoBytes ?? DEFAULT_LIMITS.maxIoBytes,
  });
  if (contentType === "protobuf") decodeProtobufRequest(body, batch);
  else decodeJsonRequest(body, batch);
  return batch.result();
}
