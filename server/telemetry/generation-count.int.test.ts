// One generation per model call: a client that traces its own LLM call (its generation span, an
// HTTP client span under it) and calls the gateway with a traceparent gets one counted generation
// (the gateway's) on the trace summary and the dashboard, whichever side's spans arrive first,
// including when the HTTP span linking them comes last. Without a traceparent the gateway's trace
// stands alone. Spans go through the real OTLP route, the call through the real gateway.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startPublicApi, createKey, type RunningApi } from "@/test/support/public-api";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { dashboard, getTrace } from "./queries";
import { foldRollups } from "./store";

let api: RunningApi;
let fake: FakeProviderServer;

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  [api, fake] = await Promise.all([startPublicApi(), startFakeOpenAI()]);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
  await fake.close();
});

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
type Attr = { key: string; value: Record<string, unknown> };
const str = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): Attr => ({ key, value: { intValue: String(v) } });

/** A project with an ingest key, a gateway key and the fake as its gateway connection. */
async function project() {
  const t: TestOrg = await createTestOrg();
  const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
  const admin = callerFor(t.users.admin);
  const id = (
    await admin.providers.create({
      ...scope,
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  await admin.observability.updateSettings({
    ...scope,
    retentionDays: 30,
    gatewayConnectionId: id,
    fallbackConnectionId: null,
    fallbackModel: null,
    gatewayTimeoutMs: 5_000,
  });
  const [ingest, invoke] = await Promise.all([createKey(t, ["traces:ingest"]), createKey(t, ["gateway:invoke"], "gateway")]);
  const client = new OpenAI({ baseURL: `${api.base}/api/gateway/v1`, apiKey: invoke.secret, maxRetries: 0 });
  return { t, ingest, client };
}

type Project = Awaited<ReturnType<typeof project>>;

/** The client's side of one model call: its root span, its generation (1,000 in / 500 out, as the AI SDK reports), its HTTP span. */
function clientSpans(traceId: string) {
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, parent: string | null, name: string, attrs: Attr[], offsetMs: number, ms: number) => ({
    traceId,
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind: 3,
    startTimeUnixNano: String(startNs + BigInt(offsetMs * 1_000_000)),
    endTimeUnixNano: String(startNs + BigInt((offsetMs + ms) * 1_000_000)),
    attributes: attrs,
    status: { code: 1 },
  });
  const ids = { root: hex(8), generation: hex(8), http: hex(8) };
  return {
    ids,
    root: span(ids.root, null, "POST /reply", [], 0, 400),
    generation: span(
      ids.generation,
      ids.root,
      "ai.generateText.doGenerate",
      [
        str("gen_ai.operation.name", "chat"),
        str("gen_ai.request.model", "gpt-4o-mini"),
        int("gen_ai.usage.input_tokens", 1000),
        int("gen_ai.usage.output_tokens", 500),
      ],
      10,
      300,
    ),
    http: span(ids.http, ids.generation, "POST", [str("http.request.method", "POST"), str("url.full", `${api.base}/api/gateway/v1/chat/completions`)], 20, 280),
  };
}

async function sendSpans(p: Project, spans: unknown[]) {
  const res = await fetch(`${api.base}/api/public/otel/v1/traces`, {
    method: "POST",
    headers: { authorization: `Bearer ${p.ingest.secret}`, "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [{ resource: { attributes: [str("service.name", "support-bot")] }, scopeSpans: [{ scope: { name: "ai" }, spans }] }],
    }),
  });
  expect(res.status).toBe(200);
}

async function callGateway(p: Project, traceparent?: string) {
  const raw = await p.client.chat.completions
    .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Where is my order?" }] }, traceparent ? { headers: { traceparent } } : {})
    .withResponse();
  await api.api.gateway.logger.flush();
  return { usage: raw.data.usage!, traceId: raw.response.headers.get("x-keel-trace-id")! };
}

/** What the dashboard and the trace summary count. */
async function counted(p: Project, traceId: string) {
  await foldRollups();
  const board = await dashboard(p.t.project.id, { window: "1h" });
  const detail = (await getTrace(p.t.project.id, traceId))!;
  return {
    board: {
      generations: board.totals.generations,
      inputTokens: board.totals.inputTokens,
      outputTokens: board.totals.outputTokens,
      costUsd: board.totals.costUsd,
    },
    trace: detail.trace,
    spans: detail.spans,
  };
}

async function expectCountedOnce(p: Project, traceId: string, usage: OpenAI.CompletionUsage, clientGenerationId: string) {
  const { board, trace, spans } = await counted(p, traceId);
  const gateway = spans.find((s) => s.source === "gateway")!;
  expect(gateway.isGeneration).toBe(true);
  expect(gateway.costUsd).toBeGreaterThan(0);
  const expected = { generations: 1, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  expect(board).toMatchObject(expected);
  expect(board.costUsd).toBeCloseTo(gateway.costUsd!, 6);
  expect(trace).toMatchObject({ ...expected, spans: 4 });
  expect(trace.costUsd).toBeCloseTo(gateway.costUsd!, 6);
  const client = spans.find((s) => s.spanId === clientGenerationId)!;
  expect(client.isGeneration).toBe(false);
  expect(client.attributes["keel.generation.counted_by"]).toBe(gateway.spanId);
  // The client's numbers stay on its span for anyone looking at the trace.
  expect(client.inputTokens).toBe(1000);
}

describe("one generation per model call", () => {
  it("counts the gateway's generation once when the gateway's span arrives first (the usual order)", async () => {
    const p = await project();
    const traceId = hex(16);
    const c = clientSpans(traceId);
    const { usage, traceId: answered } = await callGateway(p, `00-${traceId}-${c.ids.http}-01`);
    expect(answered).toBe(traceId);
    await sendSpans(p, [c.generation, c.http, c.root]);
    await expectCountedOnce(p, traceId, usage, c.ids.generation);
    // A retried export changes nothing.
    await sendSpans(p, [c.generation, c.http, c.root]);
    await expectCountedOnce(p, traceId, usage, c.ids.generation);
  });

  it("counts it once when the client's spans arrive first, and when the HTTP span linking them comes last", async () => {
    const p = await project();
    const traceId = hex(16);
    const c = clientSpans(traceId);
    await sendSpans(p, [c.root, c.generation, c.http]);
    await foldRollups();
    expect((await dashboard(p.t.project.id, { window: "1h" })).totals).toMatchObject({ generations: 1, inputTokens: 1000, outputTokens: 500 });
    const { usage } = await callGateway(p, `00-${traceId}-${c.ids.http}-01`);
    await expectCountedOnce(p, traceId, usage, c.ids.generation);

    const q = await project();
    const later = hex(16);
    const d = clientSpans(later);
    await sendSpans(q, [d.root, d.generation]);
    const second = await callGateway(q, `00-${later}-${d.ids.http}-01`);
    await foldRollups();
    // Not linked yet: both count until the span in between arrives.
    expect((await dashboard(q.t.project.id, { window: "1h" })).totals.generations).toBe(2);
    await sendSpans(q, [d.http]);
    await expectCountedOnce(q, later, second.usage, d.ids.generation);
  });

  it("counts each call once when both sides are written at the same time", async () => {
    const p = await project();
    const calls = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const traceId = hex(16);
        const c = clientSpans(traceId);
        const [raw] = await Promise.all([
          p.client.chat.completions.create(
            { model: "gpt-4o-mini", messages: [{ role: "user", content: "Where is my order?" }] },
            { headers: { traceparent: `00-${traceId}-${c.ids.http}-01` } },
          ),
          sendSpans(p, [c.root, c.generation, c.http]),
        ]);
        return raw.usage!;
      }),
    );
    await api.api.gateway.logger.flush();
    await foldRollups();
    const board = await dashboard(p.t.project.id, { window: "1h" });
    expect(board.totals).toMatchObject({
      generations: 8,
      inputTokens: calls.reduce((n, u) => n + u.prompt_tokens, 0),
      outputTokens: calls.reduce((n, u) => n + u.completion_tokens, 0),
    });
  });

  it("leaves a gateway call without traceparent alone: its own trace, counted, next to the client's", async () => {
    const p = await project();
    const traceId = hex(16);
    const c = clientSpans(traceId);
    await sendSpans(p, [c.root, c.generation, c.http]);
    const { usage, traceId: own } = await callGateway(p);
    expect(own).not.toBe(traceId);
    const { board, trace } = await counted(p, own);
    expect(trace).toMatchObject({ generations: 1, spans: 1, inputTokens: usage.prompt_tokens });
    expect(board).toMatchObject({ generations: 2, inputTokens: 1000 + usage.prompt_tokens, outputTokens: 500 + usage.completion_tokens });
  });
});
