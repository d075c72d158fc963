import "server-only";
// Production telemetry over the public API: OTLP/HTTP traces (what an OpenTelemetry exporter
// sends, protobuf or JSON, optionally gzip) and feedback scores. Both are data, not governed
// changes: nothing here writes an audit event (a score that makes a routing rule send a trace to
// a review queue does, through the rule).
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { scoreInput } from "../contracts/observability";
import { recordFeedback } from "../domain/observability/feedback";
import { admitBatch, DecompressionError, decompress, OTLP_MAX_BYTES } from "../telemetry/ingest";
import type { Ingest } from "../telemetry/ingest-pool";
import { encodeExportTraceServiceResponse, encodeStatus, OtlpDecodeError } from "../telemetry/otlp";
import { readRawBody } from "./input";
import { defineRoute, type PublicRoute, type Reply } from "./route-table";

const CONTENT_TYPES = { protobuf: "application/x-protobuf", json: "application/json" } as const;

// google.rpc.Code values used in OTLP error bodies.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

class TooLarge extends Error {}

function otlpError(status: number, code: number, message: string, encoding: "json" | "protobuf", extra: Record<string, string> = {}): Reply {
  return { status, raw: encodeStatus(code, message, encoding), headers: { "content-type": CONTENT_TYPES[encoding], ...extra } };
}

function encodingOf(contentType: string | undefined): "json" | "protobuf" | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return null;
}

const scoreResponse = z.object({
  id: z.string().describe("The score's id (yours, when you sent one)."),
  created: z.boolean().describe("false when a score with this id was already stored (a retry): nothing changed."),
  routed: z.number().int().describe("Review queues the trace was sent to by routing rules because of this score."),
});

async function ingest(req: IncomingMessage, projectId: string, encoding: "json" | "protobuf", write: Ingest): Promise<Reply> {
  let body: Buffer;
  try {
    const raw = await readRawBody(req, OTLP_MAX_BYTES, (what) => new TooLarge(`${what}; the limit is ${OTLP_MAX_BYTES} bytes`));
    body = await decompress(raw, req.headers["content-encoding"]);
  } catch (error) {
    if (error instanceof TooLarge) return otlpError(413, RESOURCE_EXHAUSTED, error.message, encoding);
    if (error instanceof DecompressionError)
      return otlpError(error.tooLarge ? 413 : 400, error.tooLarge ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT, error.message, encoding);
    throw error;
  }
  try {
    const result = await write(projectId, body, encoding);
    const partial = result.rejected ? { rejectedSpans: result.rejected, errorMessage: result.errorMessage } : null;
    return { status: 200, raw: encodeExportTraceServiceResponse(partial, encoding), headers: { "content-type": CONTENT_TYPES[encoding] } };
  } catch (error) {
    if (error instanceof OtlpDecodeError) return otlpError(400, INVALID_ARGUMENT, error.message, encoding);
    throw error;
  }
}

export const telemetryRoutes: PublicRoute[] = [
  defineRoute({
    method: "POST",
    path: "/api/public/otel/v1/traces",
    operationId: "exportTraces",
    summary: "Send traces (OTLP/HTTP)",
    description:
      "The OpenTelemetry OTLP/HTTP trace endpoint: point an exporter at `…/api/public/otel` (it appends `/v1/traces`) with `Authorization: Bearer sk-keel-…` (or Basic, as Langfuse exporters send). Accepts `application/x-protobuf` and `application/json`, optionally `Content-Encoding: gzip`. GenAI semantic-convention attributes (model, tokens, messages, errors) are recognised, and `keel.prompt.name` / `keel.prompt.version` / `keel.prompt.label` (or Langfuse's `langfuse.observation.prompt.name` / `.version`, the AI SDK's `ai.telemetry.metadata.langfusePrompt` or `ai.telemetry.metadata.keel.prompt.*`, or a `gen_ai.request.model` of `prompt:<name>@<label>`) link a span to a prompt version. Idempotent by span id: a retried batch is not counted twice. The reply comes once the batch is durable; spans refused one by one (bad ids, older than the project's retention) are reported as an OTLP partial success.",
    tag: "Telemetry",
    scope: "traces:ingest",
    permission: "trace:ingest",
    rawBody: { contentTypes: [CONTENT_TYPES.protobuf, CONTENT_TYPES.json], description: "An OTLP ExportTraceServiceRequest." },
    responses: {
      200: {
        description: "An ExportTraceServiceResponse in the request's encoding; `partialSuccess` (rejectedSpans, errorMessage) when some spans were refused.",
        contentTypes: [CONTENT_TYPES.protobuf, CONTENT_TYPES.json],
      },
    },
    errors: [413, 415, 503],
    async handle({ req, principal, services }) {
      const encoding = encodingOf(req.headers["content-type"]);
      if (!encoding)
        return otlpError(
          415,
          INVALID_ARGUMENT,
          `Send application/x-protobuf or application/json (got ${(req.headers["content-type"] ?? "no Content-Type").slice(0, 80)})`,
          "json",
        );
      const release = admitBatch();
      if (!release) {
        req.resume();
        return otlpError(503, UNAVAILABLE, "Keel is ingesting at capacity; retry this batch after the Retry-After delay", encoding, { "retry-after": "1" });
      }
      try {
        return await ingest(req, principal.projectId, encoding, services.ingest);
      } finally {
        release();
      }
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/public/v1/scores",
    operationId: "createScore",
    summary: "Send feedback on a trace",
    description:
      "Attaches a score to a trace, or to one generation of it (`spanId`; `observationId` is accepted too): a thumbs up/down (`true`/`false`), a number, or a category (a string), with an optional comment. Routing rules may send the trace to a review queue (negative feedback, a score below a threshold). Send your own `id` to make retries safe.",
    tag: "Telemetry",
    scope: "traces:ingest",
    permission: "trace:ingest",
    body: scoreInput,
    responses: {
      201: { description: "Stored.", schema: scoreResponse },
      200: { description: "A score with this id was already stored: nothing changed.", schema: scoreResponse },
    },
    errors: [404],
    async handle({ principal, body }) {
      const result = await recordFeedback(principal.projectId, body);
      return { status: result.created ? 201 : 200, body: result };
    },
  }),
];
