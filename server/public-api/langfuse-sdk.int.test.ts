// The real Langfuse SDKs against Keel, changed only in base URL and keys: `langfuse` v3 (the
// batch ingestion API: traces, spans, events, generations with usage and a prompt link, updates,
// scores) and `@langfuse/client` v5 (score.create through its score manager, the API client's
// health, projects and scores calls). What they sent is checked through Keel's own queries (the
// trace view and the dashboards), and a second delivery of the same batches changes nothing.
import { Langfuse } from "langfuse";
import { LangfuseClient } from "@langfuse/client";
import { configureGlobalLogger, LogLevel } from "@langfuse/core";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { basic, createKey, seedPrompt, setLabel, startPublicApi, chat, type RunningApi, type TestKey } from "@/test/support/public-api";
import { createTestOrg, type TestOrg } from "@/test/support/factories";
import { dashboard, getTrace } from "../telemetry/queries";
import { langfuseSpanId, langfuseTraceId } from "../telemetry/langfuse-ingestion";

let api: RunningApi;
let t: TestOrg;
let key: TestKey;

beforeAll(async () => {
  configureGlobalLogger({ level: LogLevel.NONE });
  api = await startPublicApi();
  t = await createTestOrg();
  key = await createKey(t, ["traces:ingest", "traces:read", "prompts:read"]);
  await seedPrompt(t, "support/reply", chat([{ role: "system", content: "You help customers of {{company}}." }]));
  await setLabel(t, "support/reply", "production", 1);
});
afterAll(() => api.close());

type Sent = { url: string; body: string; status: number; reply: { successes: unknown[]; errors: unknown[] } };

describe("langfuse v3 (JS SDK) against Keel", () => {
  it("sends traces, spans, events, generations and scores that show right in Keel; a second delivery duplicates nothing", async () => {
    const langfuse = new Langfuse({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: api.base, flushAt: 1000, flushInterval: 60_000 });
    // Record what the SDK sends (and what Keel answered) to deliver it a second time.
    const sent: Sent[] = [];
    const original = langfuse.fetch.bind(langfuse);
    langfuse.fetch = async (url, options) => {
      const res = await original(url, options);
      if (url.endsWith("/api/public/ingestion"))
        sent.push({ url, body: String(options.body ?? ""), status: res.status, reply: (await (res as unknown as Response).clone().json()) as Sent["reply"] });
      return res;
    };

    const prompt = await langfuse.getPrompt("support/reply", undefined, { type: "chat", cacheTtlSeconds: 0 });
    expect(prompt.version).toBe(1);
    const trace = langfuse.trace({
      name: "support-chat",
      userId: "user-42",
      sessionId: "session-9",
      tags: ["beta"],
      metadata: { plan: "pro" },
      input: "Where is my order?",
      release: "v1.4.0",
    });
    const retrieval = trace.span({ name: "retrieve", input: { query: "order status" } });
    retrieval.event({ name: "cache-miss", metadata: { key: "orders" } });
    retrieval.end({ output: ["doc-1", "doc-2"] });
    const generation = trace.generation({
      name: "reply",
      model: "gpt-4o-mini",
      modelParameters: { temperature: 0.2 },
      input: prompt.compile({ company: "Acme" }),
      prompt,
    });
    generation.update({ completionStartTime: new Date() });
    generation.end({ output: { role: "assistant", content: "It ships today." }, usage: { input: 1200, output: 300 } });
    const failed = trace.generation({
      name: "moderate",
      model: "gpt-4o-mini",
      usageDetails: { input: 50, output: 0 },
      level: "ERROR",
      statusMessage: "content filter",
    });
    failed.end();
    trace.update({ output: "It ships today." });
    trace.score({ name: "user-feedback", value: 1, comment: "thumbs up" });
    langfuse.score({ traceId: trace.id, observationId: generation.id, name: "accuracy", value: 0.9 });
    await langfuse.flushAsync();

    expect(sent.length).toBeGreaterThan(0);
    for (const s of sent) {
      expect(s.status).toBe(207);
      expect(s.reply.errors).toEqual([]);
    }

    const traceId = langfuseTraceId(t.project.id, trace.id);
    const detail = (await getTrace(t.project.id, traceId))!;
    expect(detail.trace).toMatchObject({
      name: "support-chat",
      spans: 5,
      generations: 2,
      errors: 1,
      inputTokens: 1250,
      outputTokens: 300,
      userId: "user-42",
      sessionId: "session-9",
      promptName: "support/reply",
      promptVersion: 1,
      model: "gpt-4o-mini",
      source: "langfuse",
    });
    expect(new Set(detail.spans.map((s) => s.source))).toEqual(new Set(["langfuse"]));
    const reply = detail.spans.find((s) => s.spanId === langfuseSpanId(t.project.id, generation.id))!;
    expect(reply).toMatchObject({
      name: "reply",
      isGeneration: true,
      model: "gpt-4o-mini",
      inputTokens: 1200,
      outputTokens: 300,
      promptName: "support/reply",
      promptVersion: 1,
      statusCode: 0,
    });
    expect(JSON.parse(reply.output!)).toEqual({ role: "assistant", content: "It ships today." });
    expect(JSON.parse(reply.input!)).toEqual([{ role: "system", content: "You help customers of Acme." }]);
    expect(reply.attributes["langfuse.observation.completion_start_time"]).toEqual(expect.any(String));
    expect(detail.spans.find((s) => s.name === "moderate")).toMatchObject({ statusCode: 2, statusMessage: "content filter", inputTokens: 50 });
    expect(detail.spans.find((s) => s.name === "cache-miss")!.parentSpanId).toBe(langfuseSpanId(t.project.id, retrieval.id));
    const root = detail.spans.find((s) => s.parentSpanId === null)!;
    expect(root).toMatchObject({ name: "support-chat", input: "Where is my order?", output: "It ships today." });
    expect(detail.trace.scores.map((s) => [s.name, s.value, s.spanId]).sort()).toEqual([
      ["accuracy", 0.9, reply.spanId],
      ["user-feedback", 1, null],
    ]);

    const board = await dashboard(t.project.id, { window: "1h" });
    expect(board.totals).toMatchObject({ generations: 2, errors: 1, inputTokens: 1250, outputTokens: 300 });
    const cost = detail.spans.filter((s) => s.isGeneration).reduce((sum, s) => sum + (s.costUsd ?? 0), 0);
    expect(cost).toBeGreaterThan(0);
    expect(board.totals.costUsd).toBeCloseTo(cost, 6);
    expect(board.breakdown.find((r) => r.promptName === "support/reply")).toMatchObject({ promptVersion: 1, generations: 1 });
    expect(board.quality.totals.map((q) => [q.name, q.count]).sort()).toEqual([
      ["accuracy", 1],
      ["user-feedback", 1],
    ]);

    // The same batches delivered again (an SDK retry): nothing changes anywhere.
    for (const s of sent) {
      const again = await fetch(s.url, { method: "POST", headers: { ...basic(key), "content-type": "application/json" }, body: s.body });
      expect(again.status).toBe(207);
      expect(((await again.json()) as { errors: unknown[] }).errors).toEqual([]);
    }
    expect((await getTrace(t.project.id, traceId))!).toEqual(detail);
    expect((await dashboard(t.project.id, { window: "1h" })).totals).toEqual(board.totals);
    await langfuse.shutdownAsync();
  });
});

describe("langfuse v3: what Keel refuses is not silent", () => {
  it("makes the SDK report an event Keel refused (the 207's error names the field)", async () => {
    const langfuse = new Langfuse({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: api.base, flushAt: 1000, fetchRetryCount: 0 });
    const logged: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    try {
      langfuse.score({ traceId: randomUUID(), name: "quality", value: "great", dataType: "NUMERIC" });
      await langfuse.flushAsync();
    } finally {
      spy.mockRestore();
    }
    expect(logged.join("\n")).toContain("body.value: must be a number for a NUMERIC score");
    await langfuse.shutdownAsync();
  });
});

describe("@langfuse/client v5 against Keel", () => {
  it("sends score.create through the ingestion API (before the trace exists) and reads scores, health and the project", async () => {
    const u = await createTestOrg();
    const k = await createKey(u, ["traces:ingest", "traces:read"]);
    const langfuse = new LangfuseClient({ publicKey: k.publicKey, secretKey: k.secret, baseUrl: api.base });
    const otelTrace = "0af7651916cd43dd8448eb211c80319c";
    const otelSpan = "b7ad6b7169203331";
    const lfTrace = randomUUID();
    langfuse.score.create({ id: "score-1", traceId: otelTrace, observationId: otelSpan, name: "relevance", value: 0.75 });
    langfuse.score.create({ traceId: otelTrace, name: "correct", value: 1, dataType: "BOOLEAN" });
    langfuse.score.create({ traceId: lfTrace, name: "tone", value: "friendly", comment: "nice" });
    await langfuse.score.flush();

    const listed = await langfuse.api.scores.getMany({ limit: 10 });
    expect(listed.meta.totalItems).toBe(3);
    expect(listed.data.map((s) => [s.name, s.dataType, s.traceId]).sort()).toEqual([
      ["correct", "BOOLEAN", otelTrace],
      ["relevance", "NUMERIC", otelTrace],
      ["tone", "CATEGORICAL", langfuseTraceId(u.project.id, lfTrace)],
    ]);
    const one = await langfuse.api.scores.getById("score-1");
    expect(one).toMatchObject({ name: "relevance", value: 0.75, traceId: otelTrace, observationId: otelSpan });

    // Created directly (the API client's POST /api/public/scores).
    const created = await langfuse.api.scores.create({ traceId: otelTrace, name: "stars", value: 4 });
    expect(created.id).toEqual(expect.any(String));
    expect((await langfuse.api.scores.getMany({ name: "stars" })).data).toHaveLength(1);

    // The trace arrives afterwards over OTLP: the scores are on it.
    const start = BigInt(Date.now() - 1_000) * 1_000_000n;
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: otelTrace,
                  spanId: otelSpan,
                  name: "chat",
                  kind: 3,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(start + 500_000_000n),
                  attributes: [
                    { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
                    { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(
      (
        await fetch(`${api.base}/api/public/otel/v1/traces`, {
          method: "POST",
          headers: { ...basic(k), "content-type": "application/json" },
          body: JSON.stringify(otlp),
        })
      ).status,
    ).toBe(200);
    const detail = (await getTrace(u.project.id, otelTrace))!;
    expect(detail.trace.scores.map((s) => s.name).sort()).toEqual(["correct", "relevance", "stars"]);
    const board = await dashboard(u.project.id, { window: "1h", model: "gpt-4o-mini" });
    expect(board.quality.totals.map((q) => q.name).sort()).toEqual(["correct", "relevance", "stars"]);

    expect(await langfuse.api.health.health()).toEqual({ status: "OK", version: expect.any(String) });
    const projects = await langfuse.api.projects.get();
    expect(projects.data).toEqual([expect.objectContaining({ id: u.project.id, name: "Project" })]);
    await langfuse.shutdown();
  });
});
