// Langfuse ingestion over real HTTP (`POST /api/public/ingestion`, Langfuse's 207 multi-status):
// traces, observations created and updated in any order and over several batches, retries,
// per-event errors naming the field, scores sent before their trace, the scores API, health and
// projects, and the clear 501 of the Langfuse endpoints Keel does not serve. The same generation
// sent over OTLP and over ingestion shows the same on the dashboards.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, startPublicApi, basic, type RunningApi, type TestKey } from "@/test/support/public-api";
import { createTestOrg, type TestOrg } from "@/test/support/factories";
import { dashboard, getTrace, listTraces } from "../telemetry/queries";
import { langfuseRootSpanId, langfuseSpanId, langfuseTraceId } from "../telemetry/langfuse-ingestion";
import { writeSpans, type StoredSpan } from "../telemetry/store";

let api: RunningApi;
let t: TestOrg;
let key: TestKey;

beforeAll(async () => {
  api = await startPublicApi();
  t = await createTestOrg();
  key = await createKey(t, ["traces:ingest", "traces:read"]);
});
afterAll(() => api.close());

type Event = { id: string; type: string; timestamp: string; body: Record<string, unknown> };
const iso = (ms: number) => new Date(ms).toISOString();
const ev = (type: string, body: Record<string, unknown>, at = Date.now()): Event => ({ id: randomUUID(), type, timestamp: iso(at), body });

async function ingest(batch: unknown[], k: TestKey = key, extra: RequestInit = {}) {
  const res = await fetch(`${api.base}/api/public/ingestion`, {
    method: "POST",
    headers: { ...basic(k), "content-type": "application/json" },
    body: JSON.stringify({ batch, metadata: { sdk_name: "test" } }),
    ...extra,
  });
  return {
    status: res.status,
    body: (await res.json()) as { successes: { id: string; status: number }[]; errors: { id: string; status: number; message: string; error?: string }[] },
  };
}

describe("POST /api/public/ingestion", () => {
  it("stores a trace with a generation, a span and an event; updates merge, in any order and over batches", async () => {
    const lfTrace = randomUUID();
    const lfGen = randomUUID();
    const lfSpan = randomUUID();
    const t0 = Date.now() - 5_000;
    // The generation's update (end, output, usage) arrives first, in its own batch.
    const update = ev(
      "generation-update",
      { id: lfGen, traceId: lfTrace, endTime: iso(t0 + 1_500), output: { role: "assistant", content: "It ships today." }, usage: { input: 1200, output: 300 } },
      t0 + 1_500,
    );
    const first = await ingest([update]);
    expect(first.status).toBe(207);
    expect(first.body).toEqual({ successes: [{ id: update.id, status: 201 }], errors: [] });

    const batch = [
      ev(
        "trace-create",
        {
          id: lfTrace,
          timestamp: iso(t0),
          name: "support-chat",
          userId: "user-7",
          sessionId: "sess-1",
          tags: ["beta"],
          metadata: { plan: "pro" },
          input: "Where is my order?",
          release: "1.2.3",
        },
        t0,
      ),
      ev(
        "generation-create",
        {
          id: lfGen,
          traceId: lfTrace,
          name: "reply",
          startTime: iso(t0 + 100),
          model: "gpt-4o-mini",
          modelParameters: { temperature: 0.2 },
          input: [{ role: "user", content: "Where is my order?" }],
          promptName: "support/reply",
          promptVersion: 3,
          environment: "production",
          completionStartTime: iso(t0 + 400),
        },
        t0 + 100,
      ),
      ev(
        "span-create",
        { id: lfSpan, traceId: lfTrace, name: "retrieve", startTime: iso(t0 + 20), endTime: iso(t0 + 80), level: "ERROR", statusMessage: "index offline" },
        t0 + 20,
      ),
      ev("event-create", { id: randomUUID(), traceId: lfTrace, parentObservationId: lfSpan, name: "cache-miss", startTime: iso(t0 + 30) }, t0 + 30),
      ev("sdk-log", { log: { message: "hello" } }),
    ];
    const second = await ingest(batch);
    expect(second.status).toBe(207);
    expect(second.body.errors).toEqual([]);
    expect(second.body.successes.map((s) => s.id).sort()).toEqual(batch.map((e) => e.id).sort());

    const traceId = langfuseTraceId(t.project.id, lfTrace);
    const detail = (await getTrace(t.project.id, traceId))!;
    expect(detail.trace).toMatchObject({
      name: "support-chat",
      spans: 4,
      generations: 1,
      errors: 1,
      inputTokens: 1200,
      outputTokens: 300,
      userId: "user-7",
      sessionId: "sess-1",
      promptName: "support/reply",
      promptVersion: 3,
      model: "gpt-4o-mini",
    });
    expect(detail.trace.durationMs).toBe(1_500);
    const gen = detail.spans.find((s) => s.isGeneration)!;
    expect(gen).toMatchObject({
      spanId: langfuseSpanId(t.project.id, lfGen),
      parentSpanId: langfuseRootSpanId(t.project.id, traceId),
      name: "reply",
      durationMs: 1_400,
      model: "gpt-4o-mini",
      inputTokens: 1200,
      outputTokens: 300,
      promptName: "support/reply",
      promptVersion: 3,
      environment: "production",
    });
    expect(gen.output).toBe(JSON.stringify({ role: "assistant", content: "It ships today." }));
    expect(gen.costUsd).toBeGreaterThan(0);
    expect(gen.attributes).toMatchObject({
      "langfuse.observation.id": lfGen,
      "langfuse.trace.id": lfTrace,
      "langfuse.observation.type": "generation",
      "langfuse.observation.model.parameters.temperature": 0.2,
    });
    const root = detail.spans.find((s) => s.parentSpanId === null)!;
    expect(root).toMatchObject({ name: "support-chat", input: "Where is my order?" });
    expect(root.attributes).toMatchObject({
      "langfuse.trace.id": lfTrace,
      "langfuse.trace.tags": ["beta"],
      "langfuse.trace.metadata.plan": "pro",
      "langfuse.release": "1.2.3",
    });
    const span = detail.spans.find((s) => s.name === "retrieve")!;
    expect(span).toMatchObject({ statusCode: 2, statusMessage: "index offline", durationMs: 60 });
    expect(detail.spans.find((s) => s.name === "cache-miss")).toMatchObject({ parentSpanId: span.spanId, durationMs: 0 });

    // Retried, both batches change nothing.
    const before = await dashboard(t.project.id, { window: "1h" });
    expect((await ingest(batch)).body.errors).toEqual([]);
    expect((await ingest([update])).body.errors).toEqual([]);
    const after = await dashboard(t.project.id, { window: "1h" });
    expect(after.totals).toEqual(before.totals);
    expect((await getTrace(t.project.id, traceId))!.trace).toEqual(detail.trace);

    // A later update (level ERROR) turns the generation into an error everywhere, counted once.
    await ingest([ev("generation-update", { id: lfGen, traceId: lfTrace, level: "ERROR", statusMessage: "content filter" }, t0 + 2_000)]);
    const errored = (await getTrace(t.project.id, traceId))!;
    expect(errored.trace).toMatchObject({ errors: 2, generations: 1, inputTokens: 1200 });
    expect(errored.spans.find((s) => s.isGeneration)).toMatchObject({
      statusCode: 2,
      statusMessage: "content filter",
      output: JSON.stringify({ role: "assistant", content: "It ships today." }),
    });
    const board = await dashboard(t.project.id, { window: "1h" });
    expect(board.totals.generations).toBe(before.totals.generations);
    expect(board.totals.errors).toBe(before.totals.errors + 1);
  });

  it("takes what the Python SDK v2 sends: microsecond +00:00 timestamps, OpenAI-style usage with costs, legacy observation events", async () => {
    const lfTrace = randomUUID();
    const at = new Date(Date.now() - 2_000).toISOString().replace("Z", "123+00:00");
    const end = new Date(Date.now() - 1_000).toISOString().replace("Z", "456+00:00");
    const res = await ingest([
      {
        id: randomUUID(),
        type: "trace-create",
        timestamp: at,
        body: { id: lfTrace, name: "py-trace", timestamp: at, metadata: null, tags: null, public: false },
      },
      {
        id: randomUUID(),
        type: "generation-create",
        timestamp: at,
        body: {
          id: "py-gen",
          traceId: lfTrace,
          name: "completion",
          startTime: at,
          endTime: end,
          model: "gpt-4o-mini",
          usage: { promptTokens: 40, completionTokens: 8, totalTokens: 48, totalCost: 0.0123 },
          metadata: null,
          version: null,
        },
      },
      {
        id: randomUUID(),
        type: "observation-create",
        timestamp: at,
        body: {
          id: "py-legacy",
          traceId: lfTrace,
          type: "GENERATION",
          name: "legacy",
          startTime: at,
          endTime: end,
          model: "gpt-4o-mini",
          usage: { input: 5, output: 1, unit: "TOKENS" },
        },
      },
      { id: randomUUID(), type: "observation-update", timestamp: end, body: { id: "py-legacy", traceId: lfTrace, type: "GENERATION", output: "done" } },
    ]);
    expect(res.body.errors).toEqual([]);
    const detail = (await getTrace(t.project.id, langfuseTraceId(t.project.id, lfTrace)))!;
    expect(detail.trace).toMatchObject({ name: "py-trace", spans: 3, generations: 2, inputTokens: 45, outputTokens: 9 });
    const gen = detail.spans.find((s) => s.name === "completion")!;
    expect(gen).toMatchObject({ inputTokens: 40, outputTokens: 8, costUsd: 0.0123 });
    expect(gen.durationMs).toBeCloseTo(1_000.333, 0);
    expect(detail.spans.find((s) => s.name === "legacy")).toMatchObject({ isGeneration: true, output: "done", inputTokens: 5 });
  });

  it("answers 207 with per-event errors naming the field, and 400 when the body is no batch", async () => {
    const good = ev("trace-create", { id: randomUUID(), name: "ok" });
    const bad = [
      ev("generation-create", { traceId: "x", name: "no id" }),
      ev("generation-create", { id: "g1", traceId: "x", usage: { input: "many" } }),
      ev("span-create", { id: "s1", startTime: "yesterday" }),
      ev("score-create", { name: "quality", value: 1, sessionId: "s" }),
      ev("score-create", { name: "quality", traceId: "x", value: "yes", dataType: "NUMERIC" }),
      ev("dataset-run-item-create", { id: "r" }),
      { id: "e-no-type", timestamp: iso(Date.now()), body: {} },
    ];
    const res = await ingest([good, ...bad]);
    expect(res.status).toBe(207);
    expect(res.body.successes).toEqual([{ id: good.id, status: 201 }]);
    expect(res.body.errors.map((e) => e.status)).toEqual(bad.map(() => 400));
    const messages = res.body.errors.map((e) => e.message);
    expect(messages[0]).toMatch(/body\.id/);
    expect(messages[1]).toMatch(/body\.usage\.input/);
    expect(messages[2]).toMatch(/body\.startTime/);
    expect(messages[3]).toMatch(/body\.traceId: is required.*session/);
    expect(messages[4]).toMatch(/body\.value: must be a number for a NUMERIC score/);
    expect(messages[5]).toMatch(/type: dataset-run-item-create is not an event type/);
    expect(messages[6]).toMatch(/type/);

    const notBatch = await fetch(`${api.base}/api/public/ingestion`, {
      method: "POST",
      headers: { ...basic(key), "content-type": "application/json" },
      body: JSON.stringify({ events: [] }),
    });
    expect(notBatch.status).toBe(400);
    expect(await notBatch.json()).toEqual({ message: "Invalid request data", errors: ["batch: must be an array of ingestion events"] });
    const notJson = await fetch(`${api.base}/api/public/ingestion`, { method: "POST", headers: basic(key), body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("stores hostile text and answers out-of-range values one by one, never with a 5xx", async () => {
    const odd = "a\u0000b\ud800c\u202e";
    const lfTrace = `trace-${odd}`;
    let deep: Record<string, unknown> = { leaf: odd };
    for (let i = 0; i < 50; i++) deep = { [`k${i}`]: deep };
    const metadata = JSON.parse(`{"__proto__": {"polluted": true}, "big": "${"x".repeat(200_000)}", ${JSON.stringify(odd)}: 1}`) as Record<string, unknown>;
    const batch = [
      ev("trace-create", { id: lfTrace, name: odd, userId: odd, tags: [odd], metadata: { deep, ...metadata } }),
      ev("generation-create", {
        id: `g-${odd}`,
        traceId: lfTrace,
        name: "x".repeat(5_000),
        model: odd,
        input: { text: odd },
        statusMessage: odd,
        level: "ERROR",
        usageDetails: { input: 9e15, [odd]: 3 },
      }),
      ev("generation-create", { id: "too-many", traceId: lfTrace, usage: { input: 3_000_000_000 } }),
      ev("generation-create", { id: "v0", traceId: lfTrace, promptName: "p", promptVersion: 2 ** 40 }),
      ev("span-create", { id: "future", traceId: lfTrace, startTime: "9999-12-31T00:00:00Z" }),
      ev("span-create", { id: "ancient", traceId: lfTrace, startTime: "0001-01-01T00:00:00Z" }),
      ev("score-create", { traceId: lfTrace, name: odd, value: odd, comment: odd }),
    ];
    const res = await ingest(batch);
    expect(res.status).toBe(207);
    expect(res.body.errors.every((e) => e.status === 400)).toBe(true);
    expect(res.body.errors.map((e) => e.id).sort()).toEqual([batch[2]!.id, batch[3]!.id, batch[4]!.id, batch[5]!.id].sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const detail = (await getTrace(t.project.id, langfuseTraceId(t.project.id, lfTrace.replace("\u0000", "\uFFFD").replace("\ud800", "\uFFFD"))))!;
    expect(detail.spans).toHaveLength(2);
    expect(detail.trace.scores).toHaveLength(1);
    const gen = detail.spans.find((s) => s.isGeneration)!;
    expect(gen.inputTokens).toBeNull();
    expect(gen.name.length).toBeLessThanOrEqual(1000);
    expect(JSON.stringify(detail.spans.find((s) => s.parentSpanId === null)!.attributes).length).toBeLessThan(20_000);
  });

  it("keeps exact totals when batches about the same trace arrive concurrently", async () => {
    const u = await createTestOrg();
    const k = await createKey(u, ["traces:ingest"]);
    const lfTrace = randomUUID();
    const t0 = Date.now() - 60_000;
    const gens = Array.from({ length: 8 }, (_, i) => ({ id: randomUUID(), at: t0 + i * 1_000 }));
    const batches = gens.flatMap((g) => [
      [ev("generation-create", { id: g.id, traceId: lfTrace, name: "step", startTime: iso(g.at), model: "gpt-4o-mini" }, g.at)],
      [ev("generation-update", { id: g.id, traceId: lfTrace, endTime: iso(g.at + 250), usage: { input: 100, output: 10 } }, g.at + 250)],
    ]);
    batches.push([ev("trace-create", { id: lfTrace, name: "parallel", timestamp: iso(t0) }, t0)]);
    const results = await Promise.all(batches.reverse().map((b) => ingest(b, k)));
    expect(results.flatMap((r) => r.body.errors)).toEqual([]);
    const detail = (await getTrace(u.project.id, langfuseTraceId(u.project.id, lfTrace)))!;
    expect(detail.trace).toMatchObject({ name: "parallel", spans: 9, generations: 8, inputTokens: 800, outputTokens: 80 });
    expect(detail.spans.filter((s) => s.isGeneration).every((s) => s.durationMs === 250)).toBe(true);
    const board = await dashboard(u.project.id, { window: "1h" });
    expect(board.totals).toMatchObject({ generations: 8, inputTokens: 800, outputTokens: 80, avgMs: 250 });
  });

  it("keeps a Langfuse generation that a gateway generation below it counts uncounted, whatever later updates say", async () => {
    const u = await createTestOrg();
    const k = await createKey(u, ["traces:ingest"]);
    const traceId = "7d2c9f1e4b3a48d6a1c0e5f2b8d4c6a9";
    const clientGen = "1a2b3c4d5e6f7a8b";
    const t0 = Date.now() - 5_000;
    await ingest(
      [
        ev(
          "generation-create",
          { id: clientGen, traceId, name: "client-call", startTime: iso(t0), model: "gpt-4o-mini", usage: { input: 1000, output: 500 } },
          t0,
        ),
      ],
      k,
    );
    const gateway: StoredSpan = {
      traceId,
      spanId: "9f8e7d6c5b4a3f2e",
      parentSpanId: clientGen,
      name: "chat gpt-4o-mini",
      kind: 3,
      startUs: (t0 + 10) * 1000,
      endUs: (t0 + 700) * 1000,
      statusCode: 1,
      statusMessage: null,
      serviceName: "keel-gateway",
      isGeneration: true,
      model: "gpt-4o-mini",
      provider: "openai",
      inputTokens: 900,
      outputTokens: 400,
      costUsd: 0.001,
      promptName: null,
      promptVersion: null,
      environment: null,
      userId: null,
      sessionId: null,
      input: null,
      output: null,
      attributes: {},
      events: [],
      source: "gateway",
    };
    await writeSpans(u.project.id, [gateway]);
    await ingest(
      [ev("generation-update", { id: clientGen, traceId, endTime: iso(t0 + 800), usage: { input: 1100, output: 600 }, output: "done" }, t0 + 800)],
      k,
    );
    const detail = (await getTrace(u.project.id, traceId))!;
    expect(detail.trace).toMatchObject({ generations: 1, inputTokens: 900, outputTokens: 400 });
    const client = detail.spans.find((s) => s.spanId === clientGen)!;
    expect(client).toMatchObject({ isGeneration: false, inputTokens: 1100, output: "done" });
    expect(client.attributes["keel.generation.counted_by"]).toBe(gateway.spanId);
    expect((await dashboard(u.project.id, { window: "1h" })).totals).toMatchObject({ generations: 1, inputTokens: 900, outputTokens: 400 });
  });

  it("refuses keys without traces:ingest and requests without a key", async () => {
    const reader = await createKey(t, ["prompts:read"], "reader");
    const res = await fetch(`${api.base}/api/public/ingestion`, { method: "POST", headers: basic(reader), body: JSON.stringify({ batch: [] }) });
    expect(res.status).toBe(403);
    expect((await fetch(`${api.base}/api/public/ingestion`, { method: "POST", body: JSON.stringify({ batch: [] }) })).status).toBe(401);
  });

  it("keeps a score sent before its trace and gives it the generation's prompt and model when the trace arrives", async () => {
    const lfTrace = randomUUID();
    const lfGen = randomUUID();
    const scoreId = randomUUID();
    const score = await ingest([ev("score-create", { id: scoreId, traceId: lfTrace, observationId: lfGen, name: "helpfulness", value: 0.25, comment: "meh" })]);
    expect(score.body.errors).toEqual([]);
    const listed = await fetch(`${api.base}/api/public/scores/${scoreId}`, { headers: basic(key) });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ id: scoreId, name: "helpfulness", value: 0.25, dataType: "NUMERIC", comment: "meh", source: "API" });

    await ingest([
      ev("trace-create", { id: lfTrace, name: "late" }),
      ev("generation-create", {
        id: lfGen,
        traceId: lfTrace,
        model: "gpt-4o-mini",
        promptName: "faq",
        promptVersion: 2,
        environment: "staging",
        usage: { input: 10, output: 5 },
      }),
    ]);
    const detail = (await getTrace(t.project.id, langfuseTraceId(t.project.id, lfTrace)))!;
    expect(detail.trace.scores).toMatchObject([{ id: scoreId, name: "helpfulness", value: 0.25, spanId: langfuseSpanId(t.project.id, lfGen) }]);
    const board = await dashboard(t.project.id, { window: "1h", promptName: "faq", promptVersion: 2, environment: "staging" });
    expect(board.quality.totals.find((q) => q.name === "helpfulness")).toMatchObject({ count: 1, avg: 0.25 });
    // Langfuse ids come back as sent.
    const again = (await (await fetch(`${api.base}/api/public/scores/${scoreId}`, { headers: basic(key) })).json()) as {
      traceId: string;
      observationId: string;
    };
    expect(again).toMatchObject({ traceId: lfTrace, observationId: lfGen });
  });
});

describe("the same generation over OTLP and over ingestion", () => {
  it("shows the same tokens, cost, latency and prompt link on the dashboards", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const [ka, kb] = await Promise.all([createKey(a, ["traces:ingest"]), createKey(b, ["traces:ingest"])]);
    const startMs = Date.now() - 10_000;
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const spanId = "00f067aa0ba902b7";
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "bot" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId,
                  name: "reply",
                  kind: 1,
                  startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(startMs + 842) * 1_000_000n),
                  attributes: [
                    { key: "langfuse.observation.type", value: { stringValue: "generation" } },
                    { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
                    { key: "gen_ai.usage.input_tokens", value: { intValue: "1000" } },
                    { key: "gen_ai.usage.output_tokens", value: { intValue: "250" } },
                    { key: "langfuse.observation.prompt.name", value: { stringValue: "support/reply" } },
                    { key: "langfuse.observation.prompt.version", value: { intValue: "4" } },
                    { key: "langfuse.environment", value: { stringValue: "production" } },
                  ],
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${api.base}/api/public/otel/v1/traces`, {
      method: "POST",
      headers: { ...basic(ka), "content-type": "application/json" },
      body: JSON.stringify(otlp),
    });
    expect(res.status).toBe(200);
    // Over ingestion, with the OpenTelemetry ids (kept as they are) and the create and end apart.
    const created = await ingest(
      [
        ev(
          "generation-create",
          {
            id: spanId,
            traceId,
            name: "reply",
            startTime: iso(startMs),
            model: "gpt-4o-mini",
            promptName: "support/reply",
            promptVersion: 4,
            environment: "production",
          },
          startMs,
        ),
      ],
      kb,
    );
    const ended = await ingest(
      [ev("generation-update", { id: spanId, traceId, endTime: iso(startMs + 842), usageDetails: { input: 1000, output: 250 } }, startMs + 842)],
      kb,
    );
    expect([...created.body.errors, ...ended.body.errors]).toEqual([]);

    const [da, db] = await Promise.all([dashboard(a.project.id, { window: "1h" }), dashboard(b.project.id, { window: "1h" })]);
    expect(da.totals.generations).toBe(1);
    expect(db.totals).toEqual(da.totals);
    expect(db.breakdown).toEqual(da.breakdown);
    expect(da.breakdown[0]).toMatchObject({ promptName: "support/reply", promptVersion: 4, model: "gpt-4o-mini", environment: "production" });
    expect(da.totals.costUsd).toBeGreaterThan(0);
    const [ta, tb] = await Promise.all([listTraces(a.project.id, { window: "1h", limit: 5 }), listTraces(b.project.id, { window: "1h", limit: 5 })]);
    const pick = (s: (typeof ta.items)[number]) => ({
      traceId: s.traceId,
      durationMs: s.durationMs,
      generations: s.generations,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      costUsd: s.costUsd,
      promptName: s.promptName,
      promptVersion: s.promptVersion,
      model: s.model,
      environment: s.environment,
    });
    expect(tb.items.map(pick)).toEqual(ta.items.map(pick));
  });
});

describe("Langfuse scores, health and projects", () => {
  it("creates scores with POST /api/public/scores (data type inferred, idempotent by id) and lists them with filters", async () => {
    const u = await createTestOrg();
    const k = await createKey(u, ["traces:ingest", "traces:read"]);
    const post = (body: unknown) =>
      fetch(`${api.base}/api/public/scores`, { method: "POST", headers: { ...basic(k), "content-type": "application/json" }, body: JSON.stringify(body) });
    const lfTrace = randomUUID();
    const id = randomUUID();
    const r1 = await post({ id, traceId: lfTrace, name: "correct", value: 1, dataType: "BOOLEAN" });
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({ id });
    expect((await post({ id, traceId: lfTrace, name: "correct", value: 1, dataType: "BOOLEAN" })).status).toBe(200);
    expect((await post({ traceId: lfTrace, name: "tone", value: "friendly" })).status).toBe(200);
    expect((await post({ traceId: lfTrace, name: "stars", value: 4 })).status).toBe(200);
    const bad = await post({ name: "x", value: 2, dataType: "BOOLEAN", traceId: lfTrace });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/value: must be 0 or 1/);
    expect((await post({ name: "x", value: 2 })).status).toBe(400);

    const get = async (query: string) =>
      (await (await fetch(`${api.base}/api/public/scores${query}`, { headers: basic(k) })).json()) as {
        data: { name: string; dataType: string; value: number | null; stringValue: string | null; traceId: string }[];
        meta: Record<string, number>;
      };
    const all = await get("");
    expect(all.meta).toEqual({ page: 1, limit: 50, totalItems: 3, totalPages: 1 });
    expect(all.data.map((s) => [s.name, s.dataType, s.value, s.stringValue]).sort()).toEqual([
      ["correct", "BOOLEAN", 1, "True"],
      ["stars", "NUMERIC", 4, null],
      ["tone", "CATEGORICAL", null, "friendly"],
    ]);
    expect(all.data.every((s) => s.traceId === langfuseTraceId(u.project.id, lfTrace))).toBe(true);
    expect((await get("?dataType=NUMERIC")).data.map((s) => s.name)).toEqual(["stars"]);
    expect((await get("?name=tone")).data.map((s) => s.name)).toEqual(["tone"]);
    expect((await get("?value=2&operator=%3E")).data.map((s) => s.name)).toEqual(["stars"]);
    expect((await get("?limit=2&page=2")).meta).toEqual({ page: 2, limit: 2, totalItems: 3, totalPages: 2 });
    expect((await get("?limit=2&page=2")).data).toHaveLength(1);
    expect((await fetch(`${api.base}/api/public/scores?limit=500`, { headers: basic(k) })).status).toBe(400);
    const ingestOnly = await createKey(u, ["traces:ingest"], "writer");
    expect((await fetch(`${api.base}/api/public/scores`, { headers: basic(ingestOnly) })).status).toBe(403);
    expect((await fetch(`${api.base}/api/public/scores/${randomUUID()}`, { headers: basic(k) })).status).toBe(404);
    // Text that cannot be stored is refused, naming the field (the ingestion path stores it made safe).
    const hostile = await post({ traceId: randomUUID(), name: "ok", value: "v", comment: "c\u0000" });
    expect(hostile.status).toBe(400);
    expect(((await hostile.json()) as { error: { field: string } }).error.field).toBe("comment");
  });

  it("answers the health check and the key's project in Langfuse's shape", async () => {
    const health = await fetch(`${api.base}/api/public/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "OK", version: expect.any(String) });
    const projects = await fetch(`${api.base}/api/public/projects`, { headers: basic(key) });
    expect(projects.status).toBe(200);
    expect(await projects.json()).toEqual({
      data: [{ id: t.project.id, name: "Project", organization: { id: t.org.id, name: expect.stringMatching(/^Org /) }, metadata: {} }],
    });
  });

  it("names the Langfuse endpoints Keel does not serve (501), never a bare 404", async () => {
    for (const [method, path] of [
      ["GET", "/api/public/traces"],
      ["GET", "/api/public/traces/abc"],
      ["GET", "/api/public/observations?limit=1"],
      ["GET", "/api/public/sessions"],
      ["POST", "/api/public/media"],
      ["POST", "/api/public/comments"],
      ["GET", "/api/public/annotation-queues"],
      ["GET", "/api/public/score-configs"],
      ["GET", "/api/public/models"],
    ] as const) {
      const res = await fetch(`${api.base}${path}`, { method, headers: basic(key) });
      expect(res.status, path).toBe(501);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("NOT_IMPLEMENTED");
      expect(body.error.message).toContain(`Keel does not support ${method} ${path.split("?")[0]!.split("/").slice(0, 4).join("/")}`);
    }
    expect((await fetch(`${api.base}/api/public/nothing-here`, { headers: basic(key) })).status).toBe(404);
  });
});
