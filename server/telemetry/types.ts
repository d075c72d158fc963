// What the rest of Keel knows about a span: the OTLP decoder (otlp/) produces these rows, the
// store (store.ts) writes them, the gateway logs its calls as them. Times are microseconds since
// the Unix epoch (exact in a double until the year 2255), ids lowercase hex.

/** Message-shaped input/output as captured (GenAI semconv), or plain text. */
export type SpanIo = string | null;

export type SpanEvent = { name: string; timeUs: number; attributes: Record<string, unknown> };

export type SpanRow = {
  traceId: string; // 32 hex chars
  spanId: string; // 16 hex chars
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startUs: number;
  endUs: number;
  /** OTLP status: 0 unset, 1 ok, 2 error. */
  statusCode: 0 | 1 | 2;
  statusMessage: string | null;
  serviceName: string | null;
  /** An LLM call (GenAI semconv attributes, Langfuse observation type generation, or a Keel prompt link). */
  isGeneration: boolean;
  /** gen_ai.response.model, else gen_ai.request.model. */
  model: string | null;
  /** gen_ai.provider.name / gen_ai.system. */
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** A cost the sender computed (Langfuse cost details / gen_ai.usage.cost); null: Keel prices it. */
  costUsd: number | null;
  promptName: string | null;
  promptVersion: number | null;
  /** The environment (label) the prompt was fetched with: keel.prompt.label, keel.environment, deployment.environment(.name). */
  environment: string | null;
  userId: string | null;
  sessionId: string | null;
  input: SpanIo;
  output: SpanIo;
  /** Every other attribute (span and resource), flattened `key -> scalar | array`; size-capped. */
  attributes: Record<string, unknown>;
  events: SpanEvent[];
};

/** One decoded request: the spans that parsed and, per OTLP partial success, what was rejected. */
export type DecodedBatch = { spans: SpanRow[]; rejected: number; rejectReasons: string[] };
