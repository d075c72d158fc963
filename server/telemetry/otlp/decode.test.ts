// The OTLP trace decoder against what real exporters send: spans recorded with the OpenTelemetry
// SDK and serialized by the exporter's own JSON and protobuf serializers (every mapping test
// decodes both and requires the same rows), plus hand-written bodies for what the SDK cannot
// produce (bad ids, snake_case JSON, malformed bodies).
import { describe, expect, it } from "vitest";
import { SpanKind, SpanStatusCode, context, trace, type Attributes, type HrTime } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type TracerProviderOptions } from "@opentelemetry/sdk-trace";
import { LangfuseOtelSpanAttributes as LF } from "@langfuse/core";
import type { DecodedBatch, SpanRow } from "../types";
import { OtlpDecodeError, decodeTraceRequest, type DecodeOptions } from "./index";
import { TRUNCATION_MARKER } from "./limits";
import { ExportTraceServiceRequestType } from "./proto";
import { findUnstorableText } from "../../contracts/fields";

// --- recording spans with the SDK ------------------------------------------------------------

type SpanSpec = {
  name?: string;
  kind?: SpanKind;
  attributes?: Attributes;
  events?: { name: string; attributes?: Attributes; time?: HrTime }[];
  status?: { code: SpanStatusCode; message?: string };
  start?: HrTime;
  end?: HrTime;
};

type Resource = NonNullable<TracerProviderOptions["resource"]>;

/** A minimal Resource (the SDK only reads its attributes). */
function resource(attributes: Attributes): Resource {
  const r: Resource = { attributes, merge: () => r, getRawAttributes: () => Object.entries(attributes) };
  return r;
}

/** Records the specs as children of one root span "root" (returned first). */
async function record(specs: SpanSpec[], resourceAttributes: Attributes = { "service.name": "test-app" }): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resource(resourceAttributes), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer("keel-test", "1.0.0");
  const root = tracer.startSpan("root");
  const parent = trace.setSpan(context.active(), root);
  for (const spec of specs) {
    const span = tracer.startSpan(spec.name ?? "span", { kind: spec.kind, attributes: spec.attributes, startTime: spec.start }, parent);
    for (const event of spec.events ?? []) span.addEvent(event.name, event.attributes, event.time);
    if (spec.status) span.setStatus(spec.status);
    span.end(spec.end);
  }
  root.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  return [...spans.filter((s) => s.name === "root"), ...spans.filter((s) => s.name !== "root")];
}

const toBuffer = (bytes: Uint8Array | undefined): Buffer => {
  if (!bytes) throw new Error("serializer returned nothing");
  return Buffer.from(bytes);
};

/** Decodes the spans' JSON and protobuf exports; both must give the same batch. */
function decodeBoth(spans: ReadableSpan[], options?: DecodeOptions): DecodedBatch {
  const json = decodeTraceRequest(toBuffer(JsonTraceSerializer.serializeRequest(spans)), "json", options);
  const protobuf = decodeTraceRequest(toBuffer(ProtobufTraceSerializer.serializeRequest(spans)), "protobuf", options);
  expect(protobuf).toEqual(json);
  return json;
}

/** Records one span (under a root) and returns its row, checked across both encodings. */
async function rowOf(spec: SpanSpec, resourceAttributes?: Attributes, options?: DecodeOptions): Promise<SpanRow> {
  const batch = decodeBoth(await record([spec], resourceAttributes), options);
  const row = batch.spans.find((s) => s.name !== "root");
  if (!row) throw new Error("span missing");
  return row;
}

// --- hand-written bodies ---------------------------------------------------------------------

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";
const T0 = "1700000000123456789";

const jsonBody = (spans: unknown[], resourceAttributes: unknown[] = []): Buffer =>
  Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: "x" }, spans }] }] }));

const goodJsonSpan = (overrides: Record<string, unknown> = {}) => ({
  traceId: TRACE,
  spanId: SPAN,
  name: "ok",
  kind: 1,
  startTimeUnixNano: T0,
  endTimeUnixNano: "1700000001000000000",
  ...overrides,
});

/** A protobuf body built from the same plain shape (ids as bytes). */
function protobufBody(spans: Record<string, unknown>[]): Buffer {
  const message = ExportTraceServiceRequestType.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  return Buffer.from(ExportTraceServiceRequestType.encode(message).finish());
}

// --- tests -----------------------------------------------------------------------------------

describe("wire encodings", () => {
  it("decodes the SDK's JSON and protobuf exports to the same rows", async () => {
    const spans = await record(
      [
        {
          name: "chat gpt-4o",
          kind: SpanKind.CLIENT,
          attributes: {
            "gen_ai.request.model": "gpt-4o",
            "http.response.status_code": 200,
            ratio: 0.25,
            streamed: false,
            tags: ["a", "b"],
            counts: [1, 2, 3],
            raw: new Uint8Array([1, 2, 255]),
            params: { top_p: 0.9, stop: ["\n"], nested: { deep: "x" } },
          },
          events: [{ name: "first token", attributes: { index: 0 }, time: [1_700_000_000, 500_000_000] }],
          status: { code: SpanStatusCode.ERROR, message: "rate limited" },
          start: [1_700_000_000, 123_456_789],
          end: [1_700_000_001, 999],
        },
      ],
      { "service.name": "checkout", "host.name": "web-1" },
    );
    const batch = decodeBoth(spans);
    expect(batch.rejected).toBe(0);
    const [root, chat] = batch.spans;
    const [rootSpan, chatSpan] = spans;
    expect(root).toMatchObject({ traceId: rootSpan?.spanContext().traceId, spanId: rootSpan?.spanContext().spanId, parentSpanId: null, kind: 1 });
    expect(chat).toMatchObject({
      traceId: chatSpan?.spanContext().traceId,
      spanId: chatSpan?.spanContext().spanId,
      parentSpanId: rootSpan?.spanContext().spanId,
      name: "chat gpt-4o",
      kind: 3,
      startUs: 1_700_000_000_123_456,
      endUs: 1_700_000_001_000_000,
      statusCode: 2,
      statusMessage: "rate limited",
      serviceName: "checkout",
      model: "gpt-4o",
      isGeneration: true,
      events: [{ name: "first token", timeUs: 1_700_000_000_500_000, attributes: { index: 0 } }],
    });
    expect(chat?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(chat?.attributes).toEqual({
      "http.response.status_code": 200,
      ratio: 0.25,
      streamed: false,
      tags: ["a", "b"],
      counts: [1, 2, 3],
      raw: Buffer.from([1, 2, 255]).toString("base64"),
      "params.top_p": 0.9,
      "params.stop": ["\n"],
      "params.nested.deep": "x",
      "host.name": "web-1",
    });
  });

  it("reads OTLP/JSON's variants: snake_case names, enum names, int64 as numbers, base64 ids", () => {
    const camel = decodeTraceRequest(
      jsonBody([goodJsonSpan({ kind: 2, status: { code: 2, message: "x" }, attributes: [{ key: "n", value: { intValue: "42" } }] })]),
      "json",
    );
    const variant = decodeTraceRequest(
      Buffer.from(
        JSON.stringify({
          resource_spans: [
            {
              resource: { attributes: [] },
              scope_spans: [
                {
                  spans: [
                    {
                      trace_id: Buffer.from(TRACE, "hex").toString("base64"),
                      span_id: SPAN.toUpperCase(),
                      name: "ok",
                      kind: "SPAN_KIND_SERVER",
                      start_time_unix_nano: Number(T0),
                      end_time_unix_nano: 1700000001000000000,
                      status: { code: "STATUS_CODE_ERROR", message: "x" },
                      attributes: [{ key: "n", value: { int_value: 42 } }],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ),
      "json",
    );
    expect(camel.spans[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, kind: 2, statusCode: 2, attributes: { n: 42 } });
    // A JSON number cannot hold nanoseconds exactly; the microsecond may differ by one.
    const { startUs, ...rest } = variant.spans[0] as SpanRow;
    const { startUs: camelStart, ...camelRest } = camel.spans[0] as SpanRow;
    expect(rest).toEqual(camelRest);
    expect(Math.abs(startUs - camelStart)).toBeLessThanOrEqual(1);
  });

  it("keeps int64 values beyond 2^53 exact, as decimal text", () => {
    const big = "9007199254740993";
    const json = decodeTraceRequest(jsonBody([goodJsonSpan({ attributes: [{ key: "big", value: { intValue: big } }] })]), "json");
    const protobuf = decodeTraceRequest(
      protobufBody([
        {
          traceId: Buffer.from(TRACE, "hex"),
          spanId: Buffer.from(SPAN, "hex"),
          name: "ok",
          kind: 1,
          startTimeUnixNano: T0,
          endTimeUnixNano: "1700000001000000000",
          attributes: [{ key: "big", value: { intValue: big } }],
        },
      ]),
      "protobuf",
    );
    expect(json.spans[0]?.attributes.big).toBe(big);
    expect(protobuf.spans[0]).toEqual(json.spans[0]);
  });
});

describe("GenAI semantic conventions", () => {
  it("maps the current conventions (messages, provider, usage) and keeps the rest", async () => {
    const row = await rowOf({
      name: "chat gpt-4o",
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-08-06",
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 42,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be brief." }]),
        "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Hi" }] }]),
        // Structured (an AnyValue array of kvlists) rather than a JSON string: stored as JSON.
        "gen_ai.output.messages": [{ role: "assistant", parts: [{ type: "text", content: "Hello!" }], finish_reason: "stop" }],
      },
    });
    expect(row).toMatchObject({
      isGeneration: true,
      model: "gpt-4o-2024-08-06",
      provider: "openai",
      inputTokens: 120,
      outputTokens: 42,
      costUsd: null,
      promptName: null,
    });
    expect(JSON.parse(row.input ?? "")).toEqual([
      { role: "system", parts: [{ type: "text", content: "Be brief." }] },
      { role: "user", parts: [{ type: "text", content: "Hi" }] },
    ]);
    expect(JSON.parse(row.output ?? "")).toEqual([{ role: "assistant", parts: [{ type: "text", content: "Hello!" }], finish_reason: "stop" }]);
    // Mapped attributes are not repeated; the unmapped request model and parameters stay.
    expect(row.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.request.temperature": 0.2,
    });
  });

  it("maps the older conventions: gen_ai.system, prompt/completion tokens, indexed messages", async () => {
    const row = await rowOf({
      attributes: {
        "gen_ai.system": "anthropic",
        "gen_ai.request.model": "claude-3-5-haiku",
        "gen_ai.usage.prompt_tokens": 10,
        "gen_ai.usage.completion_tokens": 3,
        "gen_ai.prompt.0.role": "system",
        "gen_ai.prompt.0.content": "Be brief.",
        "gen_ai.prompt.1.role": "user",
        "gen_ai.prompt.1.content": "Hi",
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "Hello!",
        "gen_ai.completion.0.finish_reason": "stop",
        "llm.request.type": "chat",
      },
    });
    expect(row).toMatchObject({ isGeneration: true, provider: "anthropic", model: "claude-3-5-haiku", inputTokens: 10, outputTokens: 3 });
    expect(JSON.parse(row.input ?? "")).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ]);
    expect(JSON.parse(row.output ?? "")).toEqual([{ role: "assistant", content: "Hello!", finish_reason: "stop" }]);
    expect(row.attributes).toEqual({ "llm.request.type": "chat" });
  });

  it("takes content from gen_ai.content.prompt / gen_ai.content.completion events", async () => {
    const row = await rowOf({
      attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini" },
      events: [
        { name: "gen_ai.content.prompt", attributes: { "gen_ai.prompt": '[{"role":"user","content":"Hi"}]' } },
        { name: "gen_ai.content.completion", attributes: { "gen_ai.completion": '[{"role":"assistant","content":"Yo"}]', extra: 1 } },
      ],
    });
    expect(row.input).toBe('[{"role":"user","content":"Hi"}]');
    expect(row.output).toBe('[{"role":"assistant","content":"Yo"}]');
    expect(row.events.map((e) => [e.name, e.attributes])).toEqual([
      ["gen_ai.content.prompt", {}],
      ["gen_ai.content.completion", { extra: 1 }],
    ]);
  });

  it("reads error.type as an error status", async () => {
    const unset = await rowOf({ attributes: { "error.type": "timeout" } });
    expect(unset).toMatchObject({ statusCode: 2, statusMessage: "timeout" });
    expect(unset.attributes["error.type"]).toBe("timeout");
    const described = await rowOf({ attributes: { "error.type": "500" }, status: { code: SpanStatusCode.ERROR, message: "upstream failed" } });
    expect(described).toMatchObject({ statusCode: 2, statusMessage: "upstream failed" });
    const ok = await rowOf({ status: { code: SpanStatusCode.OK } });
    expect(ok).toMatchObject({ statusCode: 1, statusMessage: null });
  });

  it("tells model calls from other spans", async () => {
    const rows = await Promise.all([
      rowOf({ attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 900 } }),
      rowOf({ attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search" } }),
      rowOf({ attributes: { "http.request.method": "GET" } }),
      rowOf({ attributes: { "gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small" } }),
      rowOf({ attributes: { "gen_ai.usage.input_tokens": 5 } }),
    ]);
    expect(rows.map((r) => r.isGeneration)).toEqual([false, false, false, true, true]);
    // The agent span still reports its model and usage.
    expect(rows[0]).toMatchObject({ model: "gpt-4o", inputTokens: 900 });
  });

  it("reads OpenInference's model, token counts and input.value / output.value", async () => {
    const row = await rowOf({
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.model_name": "gpt-4o-mini",
        "llm.provider": "openai",
        "llm.token_count.prompt": 7,
        "llm.token_count.completion": 2,
        "input.value": "What is 2+2?",
        "output.value": "4",
      },
    });
    expect(row).toMatchObject({
      isGeneration: true,
      model: "gpt-4o-mini",
      provider: "openai",
      inputTokens: 7,
      outputTokens: 2,
      input: "What is 2+2?",
      output: "4",
    });
  });

  it("reads the Vercel AI SDK's prompt and response text", async () => {
    const row = await rowOf({
      name: "ai.generateText.doGenerate",
      attributes: {
        "gen_ai.system": "openai.chat",
        "gen_ai.request.model": "gpt-4o",
        "ai.prompt.messages": '[{"role":"user","content":[{"type":"text","text":"Hi"}]}]',
        "ai.response.text": "Hello",
      },
    });
    expect(row).toMatchObject({ isGeneration: true, input: '[{"role":"user","content":[{"type":"text","text":"Hi"}]}]', output: "Hello" });
  });

  it("takes a cost the sender computed from gen_ai.usage.cost", async () => {
    expect((await rowOf({ attributes: { "gen_ai.request.model": "m", "gen_ai.usage.cost": 0.0125 } })).costUsd).toBe(0.0125);
    expect((await rowOf({ attributes: { "gen_ai.request.model": "m", "gen_ai.usage.cost": "0.5" } })).costUsd).toBe(0.5);
  });
});

describe("Langfuse and Keel attributes", () => {
  it("maps what the Langfuse SDK sets on a generation", async () => {
    const row = await rowOf({
      attributes: {
        [LF.OBSERVATION_TYPE]: "generation",
        [LF.OBSERVATION_MODEL]: "gpt-4o-mini",
        [LF.OBSERVATION_INPUT]: JSON.stringify([{ role: "user", content: "Hi" }]),
        [LF.OBSERVATION_OUTPUT]: JSON.stringify({ role: "assistant", content: "Hello" }),
        [LF.OBSERVATION_USAGE_DETAILS]: JSON.stringify({ input: 11, output: 4, total: 15 }),
        [LF.OBSERVATION_COST_DETAILS]: JSON.stringify({ input: 0.25, output: 0.5 }),
        [LF.OBSERVATION_PROMPT_NAME]: "support/answer",
        [LF.OBSERVATION_PROMPT_VERSION]: 4,
        [LF.ENVIRONMENT]: "staging",
        [LF.TRACE_COMPAT_USER_ID]: "u-1",
        [LF.TRACE_COMPAT_SESSION_ID]: "s-1",
        [LF.OBSERVATION_LEVEL]: "ERROR",
        [LF.OBSERVATION_STATUS_MESSAGE]: "model refused",
      },
    });
    expect(LF.OBSERVATION_PROMPT_NAME).toBe("langfuse.observation.prompt.name");
    expect(LF.OBSERVATION_PROMPT_VERSION).toBe("langfuse.observation.prompt.version");
    expect(row).toMatchObject({
      isGeneration: true,
      model: "gpt-4o-mini",
      input: '[{"role":"user","content":"Hi"}]',
      output: '{"role":"assistant","content":"Hello"}',
      inputTokens: 11,
      outputTokens: 4,
      costUsd: 0.75,
      promptName: "support/answer",
      promptVersion: 4,
      environment: "staging",
      userId: "u-1",
      sessionId: "s-1",
      statusCode: 2,
      statusMessage: "model refused",
    });
    for (const key of [LF.OBSERVATION_INPUT, LF.OBSERVATION_OUTPUT, LF.OBSERVATION_MODEL, LF.OBSERVATION_PROMPT_NAME, LF.ENVIRONMENT]) {
      expect(row.attributes).not.toHaveProperty([key]);
    }
  });

  it("links prompts from the AI SDK's langfusePrompt metadata (JSON text, as prompt.toJSON() gives), not from a fallback", async () => {
    const row = await rowOf({
      attributes: {
        "ai.telemetry.metadata.langfusePrompt": JSON.stringify({ name: "movie-critic", version: 3, isFallback: false }),
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 10,
      },
    });
    expect(row).toMatchObject({ isGeneration: true, promptName: "movie-critic", promptVersion: 3, model: "gpt-4o-mini" });
    expect(row.attributes).not.toHaveProperty(["ai.telemetry.metadata.langfusePrompt"]);
    const fallback = await rowOf({
      attributes: {
        "ai.telemetry.metadata.langfusePrompt": JSON.stringify({ name: "movie-critic", version: 3, isFallback: true }),
        "gen_ai.request.model": "gpt-4o-mini",
      },
    });
    expect(fallback.promptName).toBeNull();
  });

  it("links prompts from the AI SDK's langfusePrompt metadata sent as a structured value", () => {
    const batch = decodeTraceRequest(
      jsonBody([
        goodJsonSpan({
          attributes: [
            {
              key: "ai.telemetry.metadata.langfusePrompt",
              value: {
                kvlistValue: {
                  values: [
                    { key: "name", value: { stringValue: "support/reply" } },
                    { key: "version", value: { intValue: "2" } },
                  ],
                },
              },
            },
          ],
        }),
      ]),
      "json",
    );
    expect(batch.spans[0]).toMatchObject({ promptName: "support/reply", promptVersion: 2, isGeneration: true });
  });

  it("links Keel prompts from the AI SDK's metadata (ai.telemetry.metadata.keel.prompt.*), the label as the environment", async () => {
    const row = await rowOf({
      attributes: {
        "ai.telemetry.metadata.keel.prompt.name": "onboarding/welcome",
        "ai.telemetry.metadata.keel.prompt.version": "5",
        "ai.telemetry.metadata.keel.prompt.label": "staging",
        "gen_ai.request.model": "gpt-4o",
      },
    });
    expect(row).toMatchObject({ isGeneration: true, promptName: "onboarding/welcome", promptVersion: 5, environment: "staging", model: "gpt-4o" });
  });

  it("links the prompt named by a gateway-style model (prompt:<name>@<label>), which is not taken as the model", async () => {
    const row = await rowOf({
      attributes: {
        "gen_ai.request.model": "prompt:support/reply@production",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.operation.name": "chat",
      },
    });
    expect(row).toMatchObject({
      isGeneration: true,
      promptName: "support/reply",
      promptVersion: null,
      environment: "production",
      model: "gpt-4o-mini-2024-07-18",
    });
    const noLabel = await rowOf({ attributes: { "gen_ai.request.model": "prompt:faq", "gen_ai.operation.name": "chat" } });
    expect(noLabel).toMatchObject({ promptName: "faq", environment: null, model: null });
    // An explicit link wins over the model reference.
    const explicit = await rowOf({
      attributes: { "gen_ai.request.model": "prompt:faq@production", "keel.prompt.name": "faq", "keel.prompt.version": 2, "keel.prompt.label": "staging" },
    });
    expect(explicit).toMatchObject({ promptName: "faq", promptVersion: 2, environment: "staging" });
  });

  it("links Keel prompts (version as text too) and uses the label as the environment", async () => {
    const row = await rowOf(
      { attributes: { "keel.prompt.name": "onboarding/welcome", "keel.prompt.version": "7", "keel.prompt.label": "production", "user.id": "u-9" } },
      { "service.name": "web", "deployment.environment.name": "staging", "session.id": "s-7" },
    );
    expect(row).toMatchObject({
      isGeneration: true,
      promptName: "onboarding/welcome",
      promptVersion: 7,
      environment: "production",
      userId: "u-9",
      sessionId: "s-7",
      serviceName: "web",
    });
    // Mapped keys are dropped from resource attributes as well.
    expect(row.attributes).toEqual({ "deployment.environment.name": "staging" });
  });

  it("falls back to the resource's environment; span attributes win over resource ones", async () => {
    const row = await rowOf(
      { attributes: { "host.name": "from-span" } },
      { "service.name": "api", "deployment.environment.name": "staging", "host.name": "from-resource", "cloud.region": "eu-west-1" },
    );
    expect(row).toMatchObject({ environment: "staging", serviceName: "api", isGeneration: false });
    expect(row.attributes).toEqual({ "host.name": "from-span", "cloud.region": "eu-west-1" });
  });

  it("ignores a prompt version that is not a positive integer", async () => {
    const row = await rowOf({ attributes: { "keel.prompt.name": "p", "keel.prompt.version": "latest" } });
    expect(row).toMatchObject({ promptName: "p", promptVersion: null });
    expect(row.attributes["keel.prompt.version"]).toBe("latest");
  });
});

describe("partial success", () => {
  const badSpans = [
    goodJsonSpan({ traceId: TRACE.slice(0, 16) }),
    goodJsonSpan({ spanId: "0000000000000000" }),
    goodJsonSpan({ startTimeUnixNano: undefined }),
    goodJsonSpan({ parentSpanId: "abc" }),
  ];

  it("rejects malformed spans one by one and keeps the rest (JSON)", () => {
    const batch = decodeTraceRequest(jsonBody([goodJsonSpan({ name: "first" }), ...badSpans, 42, goodJsonSpan({ name: "last" })]), "json");
    expect(batch.spans.map((s) => s.name)).toEqual(["first", "last"]);
    expect(batch.rejected).toBe(5);
    // At most five distinct reasons are kept.
    expect(batch.rejectReasons).toEqual([
      "invalid traceId (must be 16 bytes, not all zero)",
      "invalid spanId (must be 8 bytes, not all zero)",
      "missing or invalid startTimeUnixNano",
      "invalid parentSpanId (must be empty or 8 bytes)",
      "span is not an object",
    ]);
  });

  it("replaces NUL and unpaired surrogates in names, keys and values with U+FFFD instead of failing the batch", () => {
    const hostile = "a\u0000b\ud800c\udc00";
    const attributes = [
      { key: "k\u0000", value: { stringValue: hostile } },
      { key: "list", value: { arrayValue: { values: [{ stringValue: "\ud83d" }] } } },
      { key: "gen_ai.prompt", value: { stringValue: `[{"role":"user","content":"${"\\u0000"}x\u0000"}]` } },
    ];
    const spans = [
      goodJsonSpan({ name: hostile, attributes, status: { code: 2, message: hostile }, events: [{ name: hostile, timeUnixNano: T0, attributes }] }),
    ];
    const json = decodeTraceRequest(jsonBody(spans, attributes), "json");
    const protobuf = decodeTraceRequest(
      protobufBody(spans.map((span) => ({ ...span, traceId: Buffer.from(TRACE, "hex"), spanId: Buffer.from(SPAN, "hex") }))),
      "protobuf",
    );
    for (const batch of [json, protobuf]) {
      expect(batch.rejected).toBe(0);
      // (protobufjs writes an unpaired surrogate as 3 bytes that read back as 3 U+FFFD.)
      expect(batch.spans[0]?.name).toMatch(/^a\uFFFDb\uFFFD+c\uFFFD+$/);
      expect(findUnstorableText(JSON.parse(JSON.stringify(batch)))).toBeNull();
    }
    expect(json.spans[0]?.attributes).toMatchObject({ "k\uFFFD": "a\uFFFDb\uFFFDc\uFFFD", list: ["\uFFFD"] });
  });

  it("rejects malformed spans one by one and keeps the rest (protobuf)", () => {
    const good = { traceId: Buffer.from(TRACE, "hex"), spanId: Buffer.from(SPAN, "hex"), name: "good", startTimeUnixNano: T0 };
    const batch = decodeTraceRequest(
      protobufBody([
        good,
        { ...good, traceId: Buffer.alloc(16) },
        { ...good, spanId: Buffer.from("0102", "hex") },
        { ...good, startTimeUnixNano: 0 },
        { ...good, parentSpanId: Buffer.alloc(8) }, // all-zero parent: a root span
      ]),
      "protobuf",
    );
    expect(batch.spans.map((s) => [s.name, s.parentSpanId])).toEqual([
      ["good", null],
      ["good", null],
    ]);
    expect(batch.rejected).toBe(3);
    expect(batch.rejectReasons).toHaveLength(3);
  });

  it("clamps an end before the start, and a missing end, to the start", () => {
    const batch = decodeTraceRequest(
      jsonBody([goodJsonSpan({ endTimeUnixNano: "1600000000000000000" }), goodJsonSpan({ endTimeUnixNano: undefined })]),
      "json",
    );
    for (const span of batch.spans) expect(span.endUs).toBe(span.startUs);
  });
});

describe("malformed bodies", () => {
  const decodeError = (body: string | Buffer, type: "json" | "protobuf") => {
    try {
      decodeTraceRequest(Buffer.from(body), type);
    } catch (err) {
      expect(err).toBeInstanceOf(OtlpDecodeError);
      return (err as Error).message;
    }
    throw new Error("expected an OtlpDecodeError");
  };

  it("names what is wrong with a JSON body", () => {
    expect(decodeError("{not json", "json")).toMatch(/^The body is not valid JSON: /);
    expect(decodeError("[]", "json")).toBe("The body is not valid OTLP JSON (ExportTraceServiceRequest): expected an object with resourceSpans");
    expect(decodeError('{"resourceSpans":5}', "json")).toMatch(/body\.resourceSpans must be an array$/);
    expect(decodeError('{"resourceSpans":[{"scopeSpans":{}}]}', "json")).toMatch(/resourceSpans\[0\]\.scopeSpans must be an array$/);
    expect(decodeError('{"resourceSpans":[{"scopeSpans":[{"spans":"x"}]}]}', "json")).toMatch(/resourceSpans\[0\]\.scopeSpans\[0\]\.spans must be an array$/);
  });

  it("names a protobuf body that does not decode", async () => {
    const valid = toBuffer(ProtobufTraceSerializer.serializeRequest(await record([{}])));
    expect(decodeError(valid.subarray(0, valid.length - 7), "protobuf")).toMatch(/^The body is not valid OTLP protobuf \(ExportTraceServiceRequest\): /);
    expect(decodeError(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), "protobuf")).toMatch(/not valid OTLP protobuf/);
  });

  it("accepts empty requests", () => {
    expect(decodeTraceRequest(Buffer.alloc(0), "protobuf")).toEqual({ spans: [], rejected: 0, rejectReasons: [] });
    expect(decodeTraceRequest(Buffer.from("{}"), "json")).toEqual({ spans: [], rejected: 0, rejectReasons: [] });
  });
});

describe("size caps", () => {
  it("cuts input/output to 64 KiB and says so in keel.truncated", async () => {
    const long = "é".repeat(50_000); // 100 KB of UTF-8
    const row = await rowOf({ attributes: { "gen_ai.request.model": "m", "input.value": long, "output.value": "short" } });
    expect(Buffer.byteLength(row.input ?? "")).toBeLessThanOrEqual(64 * 1024);
    expect(row.input?.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(row.input?.startsWith("éé")).toBe(true);
    expect(row.output).toBe("short");
    expect(row.attributes["keel.truncated"]).toEqual(["input"]);
  });

  it("holds attributes under the budget, shortening the longest values first", async () => {
    const attributes: Attributes = { small: "kept whole", count: 3 };
    for (let i = 0; i < 20; i++) attributes[`big.${i}`] = `${i}:`.padEnd(4_000, "x");
    const row = await rowOf({ attributes });
    expect(Buffer.byteLength(JSON.stringify(row.attributes))).toBeLessThanOrEqual(16 * 1024);
    expect(row.attributes).toMatchObject({ small: "kept whole", count: 3, "keel.truncated": ["attributes"] });
    const big = row.attributes["big.7"] as string;
    expect(big.startsWith("7:xx")).toBe(true);
    expect(big.endsWith(TRUNCATION_MARKER)).toBe(true);

    const smaller = await rowOf({ attributes }, undefined, { maxAttributeBytes: 4096 });
    expect(Buffer.byteLength(JSON.stringify(smaller.attributes))).toBeLessThanOrEqual(4096);
  });

  it("caps event attributes too", async () => {
    const row = await rowOf({ events: [{ name: "exception", attributes: { "exception.stacktrace": "at x\n".repeat(10_000) } }] });
    const event = row.events[0];
    expect(Buffer.byteLength(JSON.stringify(event?.attributes))).toBeLessThanOrEqual(4096);
    expect(String(event?.attributes["exception.stacktrace"]).endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});
