// OTLP ingestion end to end over real HTTP: the real OpenTelemetry exporter (JSON), protobuf and
// gzip bodies, idempotent retries, OTLP partial success, the error shapes (400/413/415), retention,
// the rollups the dashboards read, and feedback scores with a routing rule sending a trace to a
// review queue.
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, trace, SpanStatusCode } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { startPublicApi, createKey, type RunningApi, type TestKey } from "@/test/support/public-api";
import { auditEventsOf, callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { dashboard, getTrace, listTraces } from "./queries";
import { foldRollups } from "./store";
import { admitBatch, OTLP_MAX_INFLIGHT } from "./ingest";
import { ExportTraceServiceRequestType, RpcStatusType, ExportTraceServiceResponseType } from "./otlp/proto";
import { getDb } from "../db/client";

let api: RunningApi;
let t: TestOrg;
let key: TestKey;
let readOnly: TestKey;

beforeAll(async () => {
  api = await startPublicApi();
  t = await createTestOrg();
  key = await createKey(t, ["traces:ingest"]);
  readOnly = await createKey(t, ["prompts:read"], "reader");
});
afterAll(() => api.close());

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

type Attr = { key: string; value: Record<string, unknown> };
const str = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): Attr => ({ key, value: { intValue: String(v) } });

function jsonSpan(
  traceId: string,
  opts: { spanId?: string; parent?: string; name?: string; startNs?: bigint; ms?: number; attrs?: Attr[]; error?: boolean } = {},
) {
  const start = opts.startNs ?? nowNs();
  return {
    traceId,
    spanId: opts.spanId ?? hex(8),
    ...(opts.parent ? { parentSpanId: opts.parent } : {}),
    name: opts.name ?? "chat gpt-4o-mini",
    kind: 3,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt((opts.ms ?? 120) * 1_000_000)),
    attributes: opts.attrs ?? [],
    status: opts.error ? { code: 2, message: "upstream 500" } : { code: 1 },
  };
}

function jsonBody(spans: unknown[]) {
  return { resourceSpans: [{ resource: { attributes: [str("service.name", "support-bot")] }, scopeSpans: [{ scope: { name: "test" }, spans }] }] };
}

const post = (body: BodyInit, headers: Record<string, string>, secret = key.secret) =>
  fetch(`${api.base}/api/public/otel/v1/traces`, { method: "POST", body, headers: { authorization: `Bearer ${secret}`, ...headers } });

const genAttrs = (extra: Attr[] = []) => [
  str("gen_ai.operation.name", "chat"),
  str("gen_ai.request.model", "gpt-4o-mini"),
  int("gen_ai.usage.input_tokens", 1000),
  int("gen_ai.usage.output_tokens", 500),
  ...extra,
];

describe("OTLP trace ingestion", () => {
  it("takes spans from the real OpenTelemetry exporter and links them to a prompt version", async () => {
    const exporter = new OTLPTraceExporter({ url: `${api.base}/api/public/otel/v1/traces`, headers: { Authorization: `Bearer ${key.secret}` } });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": "support-bot" }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer("keel-test");
    const root = tracer.startSpan("POST /reply");
    const llm = tracer.startSpan(
      "chat gpt-4o-mini",
      {
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.usage.input_tokens": 1200,
          "gen_ai.usage.output_tokens": 300,
          "keel.prompt.name": "support/reply",
          "keel.prompt.version": 3,
          "keel.prompt.label": "production",
          "gen_ai.input.messages": JSON.stringify([{ role: "user", content: "Where is my order?" }]),
          "gen_ai.output.messages": JSON.stringify([{ role: "assistant", content: "It ships tomorrow." }]),
        },
      },
      trace.setSpan(context.active(), root),
    );
    llm.setStatus({ code: SpanStatusCode.OK });
    llm.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    const detail = await getTrace(t.project.id, traceId);
    expect(detail).not.toBeNull();
    expect(detail!.trace).toMatchObject({
      name: "POST /reply",
      spans: 2,
      generations: 1,
      promptName: "support/reply",
      promptVersion: 3,
      environment: "production",
      model: "gpt-4o-mini",
      serviceName: "support-bot",
      inputTokens: 1200,
      outputTokens: 300,
    });
    // Priced from the built-in table: 1200 × 0.15 + 300 × 0.6 per million.
    expect(detail!.trace.costUsd).toBeCloseTo(0.00036, 8);
    const gen = detail!.spans.find((s) => s.isGeneration)!;
    expect(gen.parentSpanId).toBe(root.spanContext().spanId);
    expect(gen.input).toContain("Where is my order?");
    expect(gen.output).toContain("It ships tomorrow.");
  });

  it("accepts protobuf and gzip, and a retried batch is not counted twice", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const start = nowNs();
    const message = ExportTraceServiceRequestType.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "proto-bot" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(traceId, "hex"),
                  spanId: Buffer.from(spanId, "hex"),
                  name: "chat claude",
                  kind: 3,
                  startTimeUnixNano: start.toString(),
                  endTimeUnixNano: (start + 250_000_000n).toString(),
                  attributes: [
                    { key: "gen_ai.request.model", value: { stringValue: "claude-3-5-haiku" } },
                    { key: "gen_ai.usage.input_tokens", value: { intValue: 10 } },
                    { key: "langfuse.observation.prompt.name", value: { stringValue: "marketing/release-note" } },
                    { key: "langfuse.observation.prompt.version", value: { intValue: 2 } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const bytes = Buffer.from(ExportTraceServiceRequestType.encode(message).finish());
    const headers = { "content-type": "application/x-protobuf", "content-encoding": "gzip" };
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await post(gzipSync(bytes), headers);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-protobuf");
      const reply = ExportTraceServiceResponseType.decode(new Uint8Array(await res.arrayBuffer()));
      expect(reply.toJSON().partialSuccess).toBeUndefined();
    }
    const detail = await getTrace(t.project.id, traceId);
    expect(detail!.trace).toMatchObject({
      spans: 1,
      generations: 1,
      promptName: "marketing/release-note",
      promptVersion: 2,
      model: "claude-3-5-haiku",
      serviceName: "proto-bot",
    });
    const board = await dashboard(t.project.id, { window: "1h", promptName: "marketing/release-note" });
    expect(board.totals.generations).toBe(1);
  });

  it("answers a partial success for spans it refuses, keeping the rest", async () => {
    const traceId = hex(16);
    const old = nowNs() - 40n * 86_400_000_000_000n;
    const res = await post(
      JSON.stringify(jsonBody([jsonSpan(traceId, { attrs: genAttrs() }), { ...jsonSpan(traceId), spanId: "xyz" }, jsonSpan(traceId, { startNs: old })])),
      { "content-type": "application/json" },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(Number(body.partialSuccess.rejectedSpans)).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/spanId/i);
    expect(body.partialSuccess.errorMessage).toMatch(/30-day retention/);
    expect((await getTrace(t.project.id, traceId))!.spans).toHaveLength(1);
  });

  it("stores a batch whose span names and attributes carry NUL and unpaired surrogates, as U+FFFD", async () => {
    const traceId = hex(16);
    const hostile = "a\u0000b\ud800c";
    const attrs = [str("gen_ai.request.model", hostile), str("k\u0000", hostile), str("gen_ai.prompt", hostile), str("gen_ai.completion", `out ${hostile}`)];
    const res = await post(JSON.stringify(jsonBody([jsonSpan(traceId, { name: hostile, attrs }), jsonSpan(traceId, { name: "clean" })])), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const spans = (await getTrace(t.project.id, traceId))!.spans;
    expect(spans.map((s) => s.name).sort()).toEqual(["a\uFFFDb\uFFFDc", "clean"]);
    const odd = spans.find((s) => s.name !== "clean")!;
    expect(odd.model).toBe("a\uFFFDb\uFFFDc");
    expect(odd.attributes["k\uFFFD"]).toBe("a\uFFFDb\uFFFDc");
  });

  it("refuses malformed, oversized and mistyped bodies in the OTLP error shape", async () => {
    const badJson = await post("{ not json", { "content-type": "application/json" });
    expect(badJson.status).toBe(400);
    const status = (await badJson.json()) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/JSON/);

    const badProto = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), { "content-type": "application/x-protobuf" });
    expect(badProto.status).toBe(400);
    const decoded = RpcStatusType.decode(new Uint8Array(await badProto.arrayBuffer())).toJSON() as { code: number; message: string };
    expect(decoded.code).toBe(3);
    expect(decoded.message).toMatch(/protobuf/i);

    const badGzip = await post(Buffer.from("plain"), { "content-type": "application/json", "content-encoding": "gzip" });
    expect(badGzip.status).toBe(400);

    const huge = await post(Buffer.alloc(9 * 1_048_576, 0x20), { "content-type": "application/json" });
    expect(huge.status).toBe(413);

    const wrongType = await post("x=1", { "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);

    const noScope = await post(JSON.stringify(jsonBody([])), { "content-type": "application/json" }, readOnly.secret);
    expect(noScope.status).toBe(403);
    const noKey = await fetch(`${api.base}/api/public/otel/v1/traces`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(noKey.status).toBe(401);
  });

  it("answers 503 with Retry-After when the process is ingesting at capacity, and takes the retry", async () => {
    const slots = Array.from({ length: OTLP_MAX_INFLIGHT }, () => admitBatch()!);
    const traceId = hex(16);
    const body = JSON.stringify(jsonBody([jsonSpan(traceId)]));
    const busy = await post(body, { "content-type": "application/json" });
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(((await busy.json()) as { code: number }).code).toBe(14);
    for (const release of slots) release();
    expect((await post(body, { "content-type": "application/json" })).status).toBe(200);
    expect((await getTrace(t.project.id, traceId))!.spans).toHaveLength(1);
  });

  it("rolls generations up for the dashboards: volume, errors, tokens, cost, latency", async () => {
    const u = await createTestOrg();
    const k = await createKey(u, ["traces:ingest"]);
    const spans = [];
    for (let i = 0; i < 20; i++)
      spans.push(
        jsonSpan(hex(16), { ms: 100 + i * 10, error: i % 5 === 0, attrs: genAttrs([str("keel.prompt.name", "faq"), int("keel.prompt.version", 1 + (i % 2))]) }),
      );
    const res = await post(JSON.stringify(jsonBody(spans)), { "content-type": "application/json" }, k.secret);
    expect(res.status).toBe(200);
    const board = await dashboard(u.project.id, { window: "1h" });
    expect(board.totals).toMatchObject({ generations: 20, errors: 4, inputTokens: 20_000, outputTokens: 10_000 });
    expect(board.totals.errorRate).toBeCloseTo(0.2);
    expect(board.totals.costUsd).toBeCloseTo(20 * 0.00045, 8);
    // Percentiles come from log buckets (±12 %): the median span took 190–200 ms.
    expect(board.totals.p50).toBeGreaterThan(160);
    expect(board.totals.p50).toBeLessThan(230);
    expect(board.points.reduce((n, p) => n + p.generations, 0)).toBe(20);
    expect(board.breakdown.map((b) => [b.promptName, b.promptVersion, b.generations]).sort()).toEqual([
      ["faq", 1, 10],
      ["faq", 2, 10],
    ]);
    const v2 = await dashboard(u.project.id, { window: "1h", promptName: "faq", promptVersion: 2 });
    expect(v2.totals.generations).toBe(10);
    // Folding the pending deltas into the rollups changes no figure (and happens once).
    expect(await foldRollups()).toBeGreaterThan(0);
    expect(await foldRollups()).toBe(0);
    const folded = await dashboard(u.project.id, { window: "1h" });
    expect(folded.totals).toEqual(board.totals);
    expect((await dashboard(u.project.id, { window: "7d" })).totals.generations).toBe(20);
    const errors = await listTraces(u.project.id, { window: "1h", status: "error", limit: 50 });
    expect(errors.items).toHaveLength(4);
  });
});

describe("feedback scores", () => {
  const score = (body: unknown, secret = key.secret) =>
    fetch(`${api.base}/api/public/v1/scores`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    });

  it("stores a thumbs-down once, and a negative-feedback rule sends the trace to a review queue", async () => {
    const admin = callerFor(t.users.admin);
    const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
    await admin.reviews.create({ ...scope, name: "production-complaints", rubric: [{ key: "ok", label: "Acceptable", type: "boolean" }], reviewsPerItem: 1 });
    await admin.traceRules.create({ ...scope, name: "Thumbs down", kind: "negative_feedback", queue: "production-complaints" });

    const traceId = hex(16);
    const spanId = hex(8);
    await post(
      JSON.stringify(
        jsonBody([
          jsonSpan(traceId, { spanId, attrs: genAttrs([str("gen_ai.output.messages", JSON.stringify([{ role: "assistant", content: "No idea." }]))]) }),
        ]),
      ),
      { "content-type": "application/json" },
    );

    const id = crypto.randomUUID();
    const first = await score({ id, traceId, observationId: spanId, name: "user-feedback", value: false, comment: "Unhelpful" });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ id, created: true, routed: 1 });
    const again = await score({ id, traceId, observationId: spanId, name: "user-feedback", value: false });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id, created: false, routed: 0 });

    const items = await getDb().reviewItem.findMany({ where: { queue: { projectId: t.project.id, name: "production-complaints" } } });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sourceType: "trace", output: "No idea." });
    expect(items[0]!.sourceRef).toMatchObject({ traceId, spanId });
    const events = await auditEventsOf(t.org.id);
    expect(events.find((e) => e.action === "review.items.added" && e.actorType === "system")).toMatchObject({ actorLabel: 'trace rule "Thumbs down"' });

    // A second thumbs-down on the same trace does not send it twice.
    const third = await score({ traceId, name: "user-feedback", value: 0, dataType: "boolean" });
    expect(await third.json()).toMatchObject({ created: true, routed: 0 });

    // A thumbs-up from someone else: counted as one up in the same query that counts the downs.
    expect((await score({ traceId, name: "user-feedback", value: true })).status).toBe(201);

    const board = await dashboard(t.project.id, { window: "1h" });
    expect(board.quality.totals.find((q) => q.name === "user-feedback")).toMatchObject({ count: 3, negatives: 2, positives: 1, source: "api" });
    expect(board.quality.points.filter((p) => p.name === "user-feedback").reduce((sum, p) => sum + p.negatives, 0)).toBe(2);
    const negative = await listTraces(t.project.id, { window: "1h", feedback: "negative", limit: 10 });
    expect(negative.items.map((i) => i.traceId)).toEqual([traceId]);
  });

  it("refuses scores for unknown traces and mistyped values with a clear 4xx", async () => {
    const unknown = await score({ traceId: hex(16), name: "x", value: 1 });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/No trace/);
    const bad = await score({ traceId: "nope", name: "x", value: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("traceId");
    const mistyped = await score({ traceId: hex(16), name: "x", value: "great", dataType: "numeric" });
    expect(mistyped.status).toBe(400);
    const forbidden = await score({ traceId: hex(16), name: "x", value: 1 }, readOnly.secret);
    expect(forbidden.status).toBe(403);
  });
});
