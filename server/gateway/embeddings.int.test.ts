// The gateway's embeddings API over real HTTP: `client.embeddings.create` of the `openai` package
// (which asks for base64 by default) and the Vercel AI SDK's embed/embedMany, passed through to
// an OpenAI-compatible connection (the local fake); the simulated provider's deterministic
// vectors; Anthropic's refusal; input guardrails; and one embeddings span per call with its
// input tokens and cost.
import { createOpenAI } from "@ai-sdk/openai";
import { embed, embedMany } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startPublicApi, createKey, type RunningApi, type TestKey } from "@/test/support/public-api";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { getTrace } from "../telemetry/queries";
import { embeddingsResponse } from "./schemas";

let api: RunningApi;
let fake: FakeProviderServer;
let t: TestOrg;
let key: TestKey;
let client: OpenAI;
let base: string;
let openaiId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const admin = () => callerFor(t.users.admin);
const flush = () => api.api.gateway.logger.flush();
const useConnection = (id: string) =>
  admin().observability.updateSettings({
    ...scope(),
    retentionDays: 30,
    gatewayConnectionId: id,
    fallbackConnectionId: null,
    fallbackModel: null,
    gatewayTimeoutMs: 5_000,
  });

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  [api, fake] = await Promise.all([startPublicApi(), startFakeOpenAI()]);
  t = await createTestOrg();
  key = await createKey(t, ["gateway:invoke"]);
  base = `${api.base}/api/gateway/v1`;
  client = new OpenAI({ baseURL: base, apiKey: key.secret, maxRetries: 0 });
  openaiId = (
    await admin().providers.create({
      ...scope(),
      name: "Primary",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  await useConnection(openaiId);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
  await fake.close();
});
beforeEach(() => fake.reset());

describe("embeddings: the openai client", () => {
  it("passes through to the connection, decodes the default base64 and logs one embeddings span with tokens and cost", async () => {
    const long = "first text ".repeat(400);
    const tokens = Math.ceil(long.length / 4) + Math.ceil("second text".length / 4);
    const raw = await client.embeddings.create({ model: "text-embedding-3-small", input: [long, "second text"], user: "user-9" }).withResponse();
    const result = raw.data;
    embeddingsResponse.parse(result);
    expect(result.object).toBe("list");
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data[0]!.embedding).toHaveLength(8);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe("/v1/embeddings");
    // The client asked Keel for base64; Keel asks the provider for floats and encodes them itself.
    expect(sent.body).toMatchObject({ model: "text-embedding-3-small", input: [long, "second text"], encoding_format: "float", user: "user-9" });
    // float32 round trip: the vector the provider sent, to float32 precision.
    const asFloats = await client.embeddings.create({ model: "text-embedding-3-small", input: long, encoding_format: "float" });
    expect(result.data[0]!.embedding.map((x) => Math.fround(x))).toEqual(asFloats.data[0]!.embedding.map((x) => Math.fround(x)));
    expect(result.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const b64 = await fetch(`${base}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "text-embedding-3-small", input: long, encoding_format: "base64" }),
    });
    const encoded = embeddingsResponse.parse(await b64.json()).data[0]!.embedding as string;
    const bytes = Buffer.from(encoded, "base64");
    expect(Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(asFloats.data[0]!.embedding.map((x) => Math.fround(x)));

    await flush();
    const detail = await getTrace(t.project.id, raw.response.headers.get("x-keel-trace-id")!);
    expect(detail!.spans).toHaveLength(1);
    const span = detail!.spans[0]!;
    expect(span).toMatchObject({ name: "gateway embeddings text-embedding-3-small", model: "text-embedding-3-small", inputTokens: tokens, outputTokens: 0 });
    expect(span.attributes).toMatchObject({ "gen_ai.operation.name": "embeddings", "gen_ai.embeddings.dimension.count": 8 });
    expect(span.costUsd).toBeCloseTo((tokens * 0.02) / 1e6, 12);
    // Counted in the trace's totals (stored to 6 decimals) like any model call.
    expect(detail!.trace).toMatchObject({ generations: 1, inputTokens: tokens, outputTokens: 0, userId: "user-9" });
    expect(detail!.trace.costUsd).toBeCloseTo((tokens * 0.02) / 1e6, 6);
    expect(detail!.trace.costUsd).toBeGreaterThan(0);
  });

  it("takes token arrays and dimensions, and refuses bad input with a 400 naming it", async () => {
    const tokens = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      dimensions: 4,
      encoding_format: "float",
    });
    embeddingsResponse.parse(tokens);
    expect(tokens.data.map((d) => d.embedding.length)).toEqual([4, 4]);
    expect(fake.requests.at(-1)!.body).toMatchObject({
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      dimensions: 4,
    });
    const single = await client.embeddings.create({ model: "text-embedding-3-small", input: [7, 8, 9], encoding_format: "float" });
    expect(single.data).toHaveLength(1);
    const before = fake.requests.length;
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: "" })).rejects.toMatchObject({ status: 400, param: "input" });
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: [] })).rejects.toMatchObject({ status: 400, param: "input" });
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: "x", encoding_format: "int8" as "float" })).rejects.toMatchObject({
      status: 400,
      param: "encoding_format",
    });
    await expect(client.embeddings.create({ model: "prompt:support/reply@production", input: "x" })).rejects.toMatchObject({ status: 400, param: "model" });
    expect(fake.requests.length).toBe(before);
  });

  it("answers a provider failure in OpenAI's shape", async () => {
    fake.failNext(1, 503, {}, "overloaded");
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: "x" })).rejects.toMatchObject({ status: 502, code: "provider_error" });
    fake.failNext(1, 429, {}, "slow down");
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: "x" })).rejects.toMatchObject({ status: 429 });
  });

  it("runs the input guardrails: a block is a 400 before the provider, a mask changes what is embedded", async () => {
    const block = await admin().guardrails.create({
      ...scope(),
      name: "No cards",
      stage: "input",
      action: "block",
      config: { kind: "pii", entities: ["card"], mode: "detect" },
    });
    const before = fake.requests.length;
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: ["fine", "card 4111 1111 1111 1111"] })).rejects.toMatchObject({
      status: 400,
      code: "guardrail_blocked",
    });
    expect(fake.requests.length).toBe(before);
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: [[1, 2]] })).rejects.toMatchObject({ status: 400, param: "input" });
    await admin().guardrails.delete({ ...scope(), id: block.id });

    const mask = await admin().guardrails.create({
      ...scope(),
      name: "Mask emails",
      stage: "input",
      action: "flag",
      config: { kind: "pii", entities: ["email"], mode: "mask" },
    });
    const raw = await client.embeddings.create({ model: "text-embedding-3-small", input: "write to jane.doe@example.com" }).withResponse();
    expect(fake.requests.at(-1)!.body.input[0]).not.toContain("jane.doe@example.com");
    expect(raw.response.headers.get("x-keel-guardrails-flagged")).toBe("Mask emails");
    await flush();
    const detail = await getTrace(t.project.id, raw.response.headers.get("x-keel-trace-id")!);
    expect(detail!.spans[0]!.input).not.toContain("jane.doe@example.com");
    await admin().guardrails.delete({ ...scope(), id: mask.id });
  });
});

describe("embeddings: the Vercel AI SDK", () => {
  it("embed and embedMany with openai.embedding(...)", async () => {
    const openai = createOpenAI({ baseURL: base, apiKey: key.secret });
    const one = await embed({ model: openai.embedding("text-embedding-3-small"), value: "sunny day at the beach", maxRetries: 0 });
    expect(one.embedding).toHaveLength(8);
    expect(one.usage.tokens).toBeGreaterThan(0);
    const many = await embedMany({ model: openai.embedding("text-embedding-3-small"), values: ["a", "b", "c"], maxRetries: 0 });
    expect(many.embeddings).toHaveLength(3);
    expect(fake.requests.at(-1)!.body.input).toEqual(["a", "b", "c"]);
  });
});

describe("embeddings: other providers", () => {
  it("simulated: deterministic unit vectors; Anthropic: a 400 saying it serves none", async () => {
    const simulated = (await admin().providers.list(scope())).find((p) => p.kind === "simulated")!.id;
    await useConnection(simulated);
    try {
      const a = await client.embeddings.create({ model: "sim-embed", input: ["same", "other"], encoding_format: "float" });
      const b = await client.embeddings.create({ model: "sim-embed", input: "same", dimensions: 32 });
      expect(a.data[0]!.embedding).toHaveLength(256);
      expect(b.data[0]!.embedding).toHaveLength(32);
      const again = await client.embeddings.create({ model: "sim-embed", input: "same", encoding_format: "float" });
      expect(again.data[0]!.embedding).toEqual(a.data[0]!.embedding);
      expect(a.data[1]!.embedding).not.toEqual(a.data[0]!.embedding);
      expect(Math.hypot(...a.data[0]!.embedding)).toBeCloseTo(1, 3);

      const anthropic = (
        await admin().providers.create({
          ...scope(),
          name: "Claude",
          kind: "anthropic",
          baseUrl: fake.anthropicUrl,
          apiKey: "sk-ant-test-123456",
          defaultModel: "claude-3-5-haiku",
        })
      ).id;
      await useConnection(anthropic);
      await expect(client.embeddings.create({ model: "x", input: "y" })).rejects.toMatchObject({
        status: 400,
        code: "embeddings_not_supported",
        message: expect.stringContaining("does not serve embeddings"),
      });
    } finally {
      await useConnection(openaiId);
    }
  });
});
