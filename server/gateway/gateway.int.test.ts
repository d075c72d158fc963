// The OpenAI-compatible gateway over real HTTP, driven by the official `openai` client against a
// local fake provider: deployed prompts with variables, plain model pass-through, streaming, tool
// calls, guardrails (PII block and mask, JSON Schema with one re-ask), fallback, per-key limits,
// OpenAI-shaped errors, and every call logged as a trace.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startPublicApi, createKey, seedPrompt, setLabel, type RunningApi, type TestKey } from "@/test/support/public-api";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { getDb } from "../db/client";
import { getTrace, listTraces } from "../telemetry/queries";

let api: RunningApi;
let fake: FakeProviderServer;
let backup: FakeProviderServer;
let t: TestOrg;
let key: TestKey;
let client: OpenAI;
let primaryId: string;
let backupId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const admin = () => callerFor(t.users.admin);

beforeAll(async () => {
  // The local fake/receiver listens on loopback, which Keel's egress policy refuses unless allowed.
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  [api, fake, backup] = await Promise.all([startPublicApi(), startFakeOpenAI(), startFakeOpenAI()]);
  t = await createTestOrg();
  key = await createKey(t, ["gateway:invoke"]);
  client = new OpenAI({ baseURL: `${api.base}/api/gateway/v1`, apiKey: key.secret, maxRetries: 0 });
  primaryId = (
    await admin().providers.create({
      ...scope(),
      name: "Primary",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  backupId = (
    await admin().providers.create({
      ...scope(),
      name: "Backup",
      kind: "openai_compatible",
      baseUrl: backup.url,
      apiKey: "sk-test-0987654321",
      defaultModel: "gpt-4o",
    })
  ).id;
  await seedPrompt(t, "support/reply", {
    type: "chat",
    messages: [
      { role: "system", content: "You answer for {{company}}." },
      { role: "user", content: "{{question}}" },
    ],
    config: { providerId: primaryId, model: "gpt-4o-mini", temperature: 0.2 },
  });
  await setLabel(t, "support/reply", "production", 1);
  await admin().observability.updateSettings({
    ...scope(),
    retentionDays: 30,
    gatewayConnectionId: primaryId,
    fallbackConnectionId: null,
    fallbackModel: null,
    gatewayTimeoutMs: 5_000,
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
  await Promise.all([fake.close(), backup.close()]);
});
beforeEach(() => {
  fake.reset();
  backup.reset();
});

const flush = () => api.api.gateway.logger.flush();

describe("gateway: deployed prompts", () => {
  it("renders the labelled version with variables, calls its provider and logs the call as a trace", async () => {
    const raw = await client.chat.completions
      .create({
        model: "prompt:support/reply@production",
        messages: [],
        variables: { company: "Acme", question: "Where is my order?" },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    const completion = raw.data;
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]!.message.content).toBe("Echo: Where is my order?");
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
    const sent = fake.requests.at(-1)!.body;
    expect(sent.model).toBe("gpt-4o-mini");
    expect(sent.temperature).toBe(0.2);
    expect(sent.messages).toEqual([
      { role: "system", content: "You answer for Acme." },
      { role: "user", content: "Where is my order?" },
    ]);
    const traceId = raw.response.headers.get("x-keel-trace-id")!;
    await flush();
    const detail = await getTrace(t.project.id, traceId);
    expect(detail!.trace).toMatchObject({
      promptName: "support/reply",
      promptVersion: 1,
      environment: "production",
      model: "gpt-4o-mini",
      source: "gateway",
      errors: 0,
    });
    const span = detail!.spans[0]!;
    expect(span.output).toBe("Echo: Where is my order?");
    expect(JSON.parse(span.attributes["keel.prompt.variables"] as string)).toEqual({ company: "Acme", question: "Where is my order?" });
    expect(span.costUsd).toBeGreaterThan(0);
  });

  it("streams SSE chunks the openai client assembles, with usage", async () => {
    const stream = await client.chat.completions.create({
      model: "prompt:support/reply@production",
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
      variables: { company: "Acme", question: "Stream this please" },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("Echo: Stream this please");
    expect(finish).toBe("stop");
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("answers an unknown prompt or label with OpenAI's 404 and a missing variable with a 400", async () => {
    await expect(client.chat.completions.create({ model: "prompt:nope@production", messages: [] })).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
    await expect(client.chat.completions.create({ model: "prompt:support/reply@staging", messages: [] })).rejects.toMatchObject({ status: 404 });
    await expect(
      client.chat.completions.create({
        model: "prompt:support/reply@production",
        messages: [],
        variables: { company: "Acme" },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400, code: "missing_variables", param: "variables" });
  });

  it("answers 422 naming the model, not 500, for a deployed version whose provider connection was deleted", async () => {
    const doomed = (
      await admin().providers.create({
        ...scope(),
        name: "Doomed",
        kind: "openai_compatible",
        baseUrl: fake.url,
        apiKey: "sk-test-1234567890",
        defaultModel: "gpt-4o-mini",
      })
    ).id;
    await seedPrompt(t, "orphaned", { type: "text", template: "hi", config: { providerId: doomed } });
    await setLabel(t, "orphaned", "production", 1);
    await admin().providers.delete({ ...scope(), id: doomed });
    await expect(client.chat.completions.create({ model: "prompt:orphaned@production", messages: [] })).rejects.toMatchObject({
      status: 422,
      code: "provider_not_found",
      param: "model",
    });
    // A NUL in a message is bad input named by its path (the trace log could not store it).
    await expect(client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "a\u0000b" }] })).rejects.toMatchObject({
      status: 400,
      param: "messages.0.content",
    });
  });
});

describe("gateway: plain models", () => {
  it("passes a provider model name through the gateway connection, tool calls included", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "What's the weather in Paris?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    });
    expect(fake.requests.at(-1)!.body.model).toBe("gpt-4o");
    const call = completion.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.function.name).toBe("get_weather");
    // The tool's result goes back through the gateway in the next turn.
    await client.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "user", content: "What's the weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "18°C and sunny" },
      ],
    });
    expect(fake.requests.at(-1)!.body.messages.slice(1)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: call.function }] },
      { role: "tool", content: "18°C and sunny", tool_call_id: call.id },
    ]);
  });

  it("falls back to the second connection on a 5xx, and answers 502 naming both failures when it fails too", async () => {
    await admin().observability.updateSettings({
      ...scope(),
      retentionDays: 30,
      gatewayConnectionId: primaryId,
      fallbackConnectionId: backupId,
      fallbackModel: "gpt-4o",
      gatewayTimeoutMs: 5_000,
    });
    fake.failNext(1, 503, {}, "overloaded");
    const raw = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }).withResponse();
    expect(raw.data.choices[0]!.message.content).toBe("Echo: hello");
    expect(raw.response.headers.get("x-keel-fallback")).toBe("Backup");
    expect(backup.requests.at(-1)!.body.model).toBe("gpt-4o");

    fake.failNext(1, 500, {}, "primary down");
    backup.failNext(1, 502, {}, "backup down");
    const failed = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failed as Error).message).toMatch(/after falling back/);
    expect((failed as Error).message).toMatch(/Primary/);
    expect((failed as Error).message).toMatch(/Backup/);
    await admin().observability.updateSettings({
      ...scope(),
      retentionDays: 30,
      gatewayConnectionId: primaryId,
      fallbackConnectionId: null,
      fallbackModel: null,
      gatewayTimeoutMs: 5_000,
    });
  });
});

describe("gateway: provider failures reveal nothing about the network", () => {
  it("answers the same 502 for a closed port, a reset and a hang-up, and refuses a target outside the policy", async () => {
    const { createServer } = await import("node:http");
    const listenOn = async (handler: Parameters<typeof createServer>[1]) => {
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return { server, port: (server.address() as import("node:net").AddressInfo).port };
    };
    const closed = await listenOn(() => {});
    await new Promise((resolve) => closed.server.close(resolve));
    const reset = await listenOn((req) => req.socket.resetAndDestroy());
    const hangUp = await listenOn((req) => req.socket.destroy());
    const messages: string[] = [];
    try {
      for (const [name, port] of [
        ["closed", closed.port],
        ["reset", reset.port],
        ["hang-up", hangUp.port],
      ] as const) {
        const id = (
          await admin().providers.create({
            ...scope(),
            name: `Probe ${name}`,
            kind: "openai_compatible",
            baseUrl: `http://127.0.0.1:${port}/v1`,
            defaultModel: "gpt-4o-mini",
          })
        ).id;
        await admin().observability.updateSettings({
          ...scope(),
          retentionDays: 30,
          gatewayConnectionId: id,
          fallbackConnectionId: null,
          fallbackModel: null,
          gatewayTimeoutMs: 5_000,
        });
        const failed = (await client.chat.completions
          .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] })
          .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(failed.status, name).toBe(502);
        messages.push(failed.message.replaceAll(`Probe ${name}`, "Probe"));
      }
      expect(new Set(messages)).toEqual(new Set(["502 The model provider failed: Probe (gpt-4o-mini): Could not reach Probe."]));

      // The same fake, once the operator no longer allows loopback: refused, and nothing sent.
      vi.stubEnv("KEEL_EGRESS_ALLOW", "");
      await admin().observability.updateSettings({
        ...scope(),
        retentionDays: 30,
        gatewayConnectionId: primaryId,
        fallbackConnectionId: null,
        fallbackModel: null,
        gatewayTimeoutMs: 5_000,
      });
      const refused = (await client.chat.completions
        .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(refused.status).toBe(502);
      expect(refused.message).toBe(
        "502 The model provider failed: Primary (gpt-4o-mini): Keel did not call Primary: refused by Keel's egress policy (loopback address).",
      );
      expect(fake.requests).toHaveLength(0);
    } finally {
      vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
      await admin().observability.updateSettings({
        ...scope(),
        retentionDays: 30,
        gatewayConnectionId: primaryId,
        fallbackConnectionId: null,
        fallbackModel: null,
        gatewayTimeoutMs: 5_000,
      });
      await Promise.all([reset, hangUp].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    }
  });
});

describe("gateway: guardrails", () => {
  it("blocks PII in the input before the model sees it, names the rule, and records it on the trace", async () => {
    const g = await admin().guardrails.create({
      ...scope(),
      name: "No card numbers",
      stage: "input",
      action: "block",
      config: { kind: "pii", entities: ["card", "email"], mode: "detect" },
    });
    const before = fake.requests.length;
    const error = await client.chat.completions
      .create({
        model: "prompt:support/reply@production",
        messages: [],
        variables: { company: "Acme", question: "My card is 4111 1111 1111 1111, refund me" },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .then(
        () => null as never,
        (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
      );
    expect(error.status).toBe(400);
    expect(error.code).toBe("guardrail_blocked");
    expect(error.message).toMatch(/No card numbers/);
    expect(error.message).not.toContain("4111");
    expect(fake.requests.length).toBe(before);
    await flush();
    const blocked = await listTraces(t.project.id, { window: "1h", status: "error", limit: 5 });
    const detail = await getTrace(t.project.id, blocked.items[0]!.traceId);
    expect(detail!.spans[0]!.guardrails).toEqual([expect.objectContaining({ rule: "No card numbers", action: "block", stage: "input" })]);
    expect(detail!.spans[0]!.input).not.toContain("4111 1111 1111 1111");
    await admin().guardrails.delete({ ...scope(), id: g.id });
  });

  it("masks PII when configured to, and the provider receives the masked text", async () => {
    const g = await admin().guardrails.create({
      ...scope(),
      name: "Mask emails",
      stage: "both",
      action: "flag",
      config: { kind: "pii", entities: ["email"], mode: "mask" },
    });
    const raw = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Write to jane.doe@example.com today" }] })
      .withResponse();
    expect(fake.requests.at(-1)!.body.messages[0].content).not.toContain("jane.doe@example.com");
    expect(raw.data.choices[0]!.message.content).not.toContain("jane.doe@example.com");
    expect(raw.response.headers.get("x-keel-guardrails-flagged")).toBe("Mask emails");
    await admin().guardrails.delete({ ...scope(), id: g.id });
  });

  it("re-asks once when the output misses the JSON Schema, then blocks", async () => {
    const g = await admin().guardrails.create({
      ...scope(),
      name: "Reply is JSON",
      stage: "output",
      action: "block",
      config: { kind: "json_schema", schema: { type: "object", required: ["answer"], properties: { answer: { type: "string" } } } },
    });
    const before = fake.requests.length;
    const error = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "not json" }] }).then(
      () => null as never,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    expect(fake.requests.length - before).toBe(2);
    expect(fake.requests.at(-1)!.body.messages.at(-1).content).toMatch(/JSON Schema/);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/Reply is JSON/);
    await admin().guardrails.delete({ ...scope(), id: g.id });
  });
});

describe("gateway: guardrail patterns", () => {
  /** The code and first zod issue (field and message, as the HTTP error names them) a save is refused with. */
  async function refusal(save: Promise<unknown>): Promise<{ code: string; field: string; message: string }> {
    const error = (await save.then(
      () => null as never,
      (e: unknown) => e,
    )) as { code: string; cause?: { issues?: { path: PropertyKey[]; message: string }[] } };
    const issue = error.cause?.issues?.[0];
    return { code: error.code, field: issue?.path.join(".") ?? "", message: issue?.message ?? "" };
  }

  it("refuses deny patterns and schema patterns the linear-time engine cannot run (400 naming the feature)", async () => {
    const base = { ...scope(), name: "Deny", stage: "input" as const, action: "block" as const };
    expect(await refusal(admin().guardrails.create({ ...base, config: { kind: "regex_deny", patterns: ["ok", "(\\w)\\1"] } }))).toEqual({
      code: "BAD_REQUEST",
      field: "config.patterns.1",
      message: expect.stringMatching(/^uses a backreference \(\\1\), which Keel does not support/),
    });
    expect(await refusal(admin().guardrails.create({ ...base, config: { kind: "regex_deny", patterns: ["(?<=secret: )\\w+"] } }))).toMatchObject({
      field: "config.patterns.0",
      message: expect.stringMatching(/^uses lookbehind \(\?<=…\)/),
    });
    expect(
      await refusal(admin().guardrails.create({ ...base, stage: "output", config: { kind: "json_schema", schema: { type: "string", pattern: "^(?!no)" } } })),
    ).toMatchObject({
      field: "config.schema",
      message: expect.stringMatching(/^has a pattern at \/pattern that uses negative lookahead/),
    });
    expect(await getDb().guardrail.count({ where: { projectId: t.project.id, name: "Deny" } })).toBe(0);
  });

  it("checks x(a|aa)+$ and (a+)+$ over long messages in linear time on the gateway call", async () => {
    const g = await admin().guardrails.create({
      ...scope(),
      name: "Nested",
      stage: "input",
      action: "block",
      config: { kind: "regex_deny", patterns: ["x(a|aa)+$", "(a+)+$"] },
    });
    for (const content of ["x" + "a".repeat(40) + "b", "x" + "a".repeat(6_000) + "b"]) {
      const start = performance.now();
      const reply = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });
      // A whole HTTP round trip, so a generous bound: the backtracking engine took 16.7 s at 6,000
      // characters (the engine's own bound, 1 s, is in guardrails/engine.test.ts).
      expect(performance.now() - start, `${content.length} characters`).toBeLessThan(5_000);
      expect(reply.choices[0]!.message.content).toBeTruthy();
    }
    const blocked = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "xaa" }] }).then(
      () => null,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    expect(blocked?.code).toBe("guardrail_blocked");
    await admin().guardrails.delete({ ...scope(), id: g.id });
  });

  it("fails a call with a clear error, never a 500, when a rule saved before the engine refused its syntax applies", async () => {
    // As if saved by an older Keel: the row bypasses today's save-time checks.
    const legacy = await getDb().guardrail.create({
      data: {
        projectId: t.project.id,
        name: "Legacy",
        kind: "regex_deny",
        stage: "input",
        action: "block",
        config: { kind: "regex_deny", patterns: ["(\\w)\\1"], caseInsensitive: false },
      },
    });
    // Any change through the product reloads the project's guardrails.
    const other = await admin().guardrails.create({
      ...scope(),
      name: "Length",
      stage: "input",
      action: "flag",
      config: { kind: "max_length", maxChars: 100_000 },
    });
    const before = fake.requests.length;
    const error = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }).then(
      () => null,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    expect(error?.status).toBe(400);
    expect(error?.code).toBe("guardrail_blocked");
    expect(error?.message).toMatch(/Legacy.*this guardrail cannot run: deny pattern #1 uses a backreference \(\\1\)/);
    expect(fake.requests.length).toBe(before);
    await getDb().guardrail.delete({ where: { id: legacy.id } });
    await admin().guardrails.delete({ ...scope(), id: other.id });
  });
});

describe("gateway: keys and bad input", () => {
  it("enforces per-key rate limits and monthly quotas with OpenAI's 429s, shared by every instance", async () => {
    // A second Keel instance (its own request handler, key cache and gateway) on the same database.
    const other = await startPublicApi();
    try {
      const via = (base: string, secret: string) => new OpenAI({ baseURL: `${base}/api/gateway/v1`, apiKey: secret, maxRetries: 0 });
      const hi = (c: OpenAI) => c.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

      const limited = await createKey(t, ["gateway:invoke"], "limited");
      await admin().apiKeys.setLimits({ ...scope(), id: limited.id, rateLimitPerMinute: 2, monthlyQuota: null });
      await hi(via(api.base, limited.secret));
      await hi(via(other.base, limited.secret));
      // Two calls a minute in all, not two per instance.
      for (const base of [api.base, other.base]) {
        const refused = await hi(via(base, limited.secret)).then(
          () => null,
          (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
        );
        expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
        expect(refused?.message).toMatch(/Rate limit reached for this API key: 2 requests per minute\. Try again in \d+ s\./);
        const retryAfter = Number(refused?.headers?.get("retry-after"));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(30);
      }

      const quota = await createKey(t, ["gateway:invoke"], "quota");
      await admin().apiKeys.setLimits({ ...scope(), id: quota.id, rateLimitPerMinute: null, monthlyQuota: 2 });
      await hi(via(api.base, quota.secret));
      await hi(via(other.base, quota.secret));
      for (const base of [other.base, api.base]) {
        await expect(hi(via(base, quota.secret))).rejects.toMatchObject({ status: 429, code: "insufficient_quota" });
      }
    } finally {
      await other.close();
    }
  });

  it("refuses keys without the scope and malformed requests in OpenAI's error format", async () => {
    const reader = await createKey(t, ["prompts:read"], "reader");
    const c = new OpenAI({ baseURL: `${api.base}/api/gateway/v1`, apiKey: reader.secret, maxRetries: 0 });
    await expect(c.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({ status: 403 });
    const res = await fetch(`${api.base}/api/gateway/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: "nope" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string; param: string | null } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/model/);
    const notJson = await fetch(`${api.base}/api/gateway/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    const unknown = await fetch(`${api.base}/api/gateway/v1/audio/speech`, { method: "POST", headers: { authorization: `Bearer ${key.secret}` } });
    expect(unknown.status).toBe(404);
  });

  it("lists deployed prompts as models", async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toContain("prompt:support/reply@production");
  });
});
