// Every chat-completions parameter over real HTTP, driven by the official `openai` client: what an
// OpenAI-compatible provider receives (the fake records it), how Anthropic's Messages API gets
// the ones it has, what the simulated provider does with them, what is refused (400 naming the
// parameter and the provider, nothing sent), and prompt variables from metadata and a header.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startPublicApi, createKey, seedPrompt, setLabel, type RunningApi, type TestKey } from "@/test/support/public-api";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { getDb } from "../db/client";
import { getTrace } from "../telemetry/queries";

let api: RunningApi;
let fake: FakeProviderServer;
let t: TestOrg;
let key: TestKey;
let client: OpenAI;
let openaiId: string;
let anthropicId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const admin = () => callerFor(t.users.admin);
type Params = OpenAI.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;
const weather = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};
const time = {
  type: "function" as const,
  function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string", enum: ["UTC"] } } } },
};

/** The error a call is refused with (fails the test if it succeeds). */
async function refusal(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "the call should have been refused").toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.base}/api/gateway/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  [api, fake] = await Promise.all([startPublicApi(), startFakeOpenAI()]);
  t = await createTestOrg();
  key = await createKey(t, ["gateway:invoke"]);
  client = new OpenAI({ baseURL: `${api.base}/api/gateway/v1`, apiKey: key.secret, maxRetries: 0 });
  openaiId = (
    await admin().providers.create({
      ...scope(),
      name: "OpenAI fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  anthropicId = (
    await admin().providers.create({
      ...scope(),
      name: "Claude fake",
      kind: "anthropic",
      baseUrl: fake.anthropicUrl,
      apiKey: "sk-ant-test-1234567890",
      defaultModel: "claude-sonnet-4",
    })
  ).id;
  const simulated = await getDb().providerConnection.findFirstOrThrow({ where: { projectId: t.project.id, kind: "simulated" } });
  const chat = (providerId: string, config: Record<string, unknown> = {}) => ({
    type: "chat" as const,
    messages: [
      { role: "system" as const, content: "You answer for {{company}}." },
      { role: "user" as const, content: "{{question}}" },
    ],
    config: { providerId, ...config },
  });
  await seedPrompt(
    t,
    "p/openai",
    chat(openaiId, { model: "gpt-4o-mini", temperature: 0.2, maxTokens: 300, stop: ["END"], responseFormat: { type: "json_object" } }),
  );
  await seedPrompt(t, "p/anthropic", chat(anthropicId, { model: "claude-sonnet-4" }));
  await seedPrompt(t, "p/simulated", chat(simulated.id, { model: "simulated-1" }));
  for (const name of ["p/openai", "p/anthropic", "p/simulated"]) await setLabel(t, name, "production", 1);
  await admin().observability.updateSettings({
    ...scope(),
    retentionDays: 30,
    gatewayConnectionId: openaiId,
    fallbackConnectionId: null,
    fallbackModel: null,
    gatewayTimeoutMs: 5_000,
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const vars = { company: "Acme", question: "Where is my order?" };

describe("gateway parameters: OpenAI-compatible providers get every one", () => {
  it("forwards each parameter under its own name and returns all n choices with their log probabilities", async () => {
    const raw = await client.chat.completions
      .create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Say hi" }],
        n: 3,
        seed: 7,
        top_p: 0.9,
        temperature: 0.5,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        logprobs: true,
        top_logprobs: 2,
        stop: "STOP",
        user: "user-42",
        max_completion_tokens: 99,
        reasoning_effort: "low",
        verbosity: "low",
        service_tier: "flex",
        store: true,
        metadata: { team: "support" },
        logit_bias: { "50256": -100 },
        safety_identifier: "hash-of-user",
        prompt_cache_key: "greeting",
        prediction: { type: "content", content: "Hi" },
        modalities: ["text"],
        stream_options: null,
      })
      .withResponse();
    const sent = fake.requests.at(-1)!.body;
    expect(sent).toMatchObject({
      model: "gpt-4o-mini",
      n: 3,
      seed: 7,
      top_p: 0.9,
      temperature: 0.5,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 2,
      stop: ["STOP"],
      user: "user-42",
      max_tokens: 99,
      reasoning_effort: "low",
      verbosity: "low",
      service_tier: "flex",
      store: true,
      metadata: { team: "support" },
      logit_bias: { "50256": -100 },
      safety_identifier: "hash-of-user",
      prompt_cache_key: "greeting",
      prediction: { type: "content", content: "Hi" },
    });
    expect(sent).not.toHaveProperty("modalities");
    const completion = raw.data;
    expect(completion.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, "Echo: Say hi"],
      [1, "Echo 1: Say hi"],
      [2, "Echo 2: Say hi"],
    ]);
    expect(completion.choices[1]!.logprobs!.content!.map((l) => l.token)).toEqual(["Echo ", "1: ", "Say ", "hi"]);
    expect(completion.choices[0]!.logprobs!.content![0]!.top_logprobs).toHaveLength(2);
    // The trace records the parameters under OpenTelemetry's GenAI names.
    await api.api.gateway.logger.flush();
    const span = (await getTrace(t.project.id, raw.response.headers.get("x-keel-trace-id")!))!.spans[0]!;
    expect(span.attributes).toMatchObject({ "gen_ai.request.seed": 7, "gen_ai.request.top_p": 0.9, "gen_ai.request.choice.count": 3, "user.id": "user-42" });
  });

  it("forwards tool_choice and parallel_tool_calls, and the provider's answer follows them", async () => {
    const required = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Weather?" }],
      tools: [weather, time],
      tool_choice: "required",
      parallel_tool_calls: false,
    });
    expect(fake.requests.at(-1)!.body).toMatchObject({ tool_choice: "required", parallel_tool_calls: false });
    expect(required.choices[0]!.finish_reason).toBe("tool_calls");
    const named = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Time?" }],
      tools: [weather, time],
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    expect(fake.requests.at(-1)!.body.tool_choice).toEqual({ type: "function", function: { name: "get_time" } });
    expect((named.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe("get_time");
    const none = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Just talk" }],
      tools: [weather],
      tool_choice: "none",
    });
    expect(none.choices[0]!.message.content).toBe("Echo: Just talk");
    expect(fake.requests).toHaveLength(3);
  });

  it("keeps the prompt version's config and lets the request override it", async () => {
    await client.chat.completions.create({ model: "prompt:p/openai@production", messages: [], variables: vars } as Params);
    expect(fake.requests.at(-1)!.body).toMatchObject({ temperature: 0.2, max_tokens: 300, stop: ["END"], response_format: { type: "json_object" } });
    await client.chat.completions.create({
      model: "prompt:p/openai@production",
      messages: [],
      variables: vars,
      temperature: 0.9,
      max_tokens: 50,
      stop: ["DONE"],
      response_format: { type: "text" },
      seed: 1,
    } as Params);
    const sent = fake.requests.at(-1)!.body;
    expect(sent).toMatchObject({ temperature: 0.9, max_tokens: 50, stop: ["DONE"], seed: 1 });
    expect(sent).not.toHaveProperty("response_format");
  });

  it("streams log probabilities with the text and keeps include_usage; refuses n > 1 with stream", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Stream with logprobs" }],
      stream: true,
      stream_options: { include_usage: true },
      logprobs: true,
      seed: 3,
    });
    let text = "";
    const tokens: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      for (const l of chunk.choices[0]?.logprobs?.content ?? []) tokens.push(l.token);
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("Echo: Stream with logprobs");
    expect(tokens.join("")).toBe(text);
    expect(usage!.total_tokens).toBeGreaterThan(0);
    expect(fake.requests.at(-1)!.body).toMatchObject({ stream: true, logprobs: true, seed: 3 });

    const before = fake.requests.length;
    const error = await refusal(client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true, n: 2 }));
    expect(error).toMatchObject({ status: 400, param: "n", code: "unsupported_parameter" });
    expect(fake.requests.length).toBe(before);
  });
});

describe("gateway parameters: Anthropic gets what the Messages API has", () => {
  it("maps top_p, stop, user and tool_choice (auto/required/none/named, parallel off)", async () => {
    await client.chat.completions.create({
      model: "prompt:p/anthropic@production",
      messages: [],
      variables: vars,
      top_p: 0.8,
      stop: ["END"],
      user: "user-7",
    } as Params);
    expect(fake.requests.at(-1)!.body).toMatchObject({ top_p: 0.8, stop_sequences: ["END"], metadata: { user_id: "user-7" } });
    expect(fake.requests.at(-1)!.body).not.toHaveProperty("tool_choice");

    const cases: [OpenAI.ChatCompletionToolChoiceOption, boolean | undefined, unknown][] = [
      ["auto", undefined, { type: "auto" }],
      ["required", undefined, { type: "any" }],
      ["none", undefined, { type: "none" }],
      [{ type: "function", function: { name: "get_time" } }, undefined, { type: "tool", name: "get_time" }],
      ["required", false, { type: "any", disable_parallel_tool_use: true }],
    ];
    for (const [tool_choice, parallel_tool_calls, expected] of cases) {
      const reply = await client.chat.completions.create({
        model: "prompt:p/anthropic@production",
        messages: [],
        variables: vars,
        tools: [weather, time],
        tool_choice,
        ...(parallel_tool_calls === undefined ? {} : { parallel_tool_calls }),
      } as Params);
      expect(fake.requests.at(-1)!.body.tool_choice, JSON.stringify(tool_choice)).toEqual(expected);
      if (tool_choice === "none") expect(reply.choices[0]!.message.content).toMatch(/^Echo/);
      else expect(reply.choices[0]!.finish_reason).toBe("tool_calls");
    }
  });

  it("refuses what it cannot carry with a 400 naming the parameter and the provider, and sends nothing", async () => {
    const refusedParams: [Record<string, unknown>, string][] = [
      [{ n: 2 }, "n"],
      [{ seed: 1 }, "seed"],
      [{ logprobs: true }, "logprobs"],
      [{ presence_penalty: 1 }, "presence_penalty"],
      [{ frequency_penalty: 1 }, "frequency_penalty"],
      [{ logit_bias: { "1": 1 } }, "logit_bias"],
      [{ reasoning_effort: "high" }, "reasoning_effort"],
      [{ metadata: { team: "support" } }, "metadata"],
      [{ service_tier: "flex" }, "service_tier"],
      [{ store: true }, "store"],
      [{ verbosity: "high" }, "verbosity"],
      [{ prompt_cache_key: "k" }, "prompt_cache_key"],
    ];
    for (const [extra, param] of refusedParams) {
      const error = await refusal(
        client.chat.completions.create({ model: "prompt:p/anthropic@production", messages: [], variables: vars, ...extra } as Params),
      );
      expect(error, param).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
      expect(error.message).toContain(`\`${param}\``);
      expect(error.message).toContain('Anthropic provider "Claude fake"');
    }
    // Defaults spelled out are not refused: n 1, logprobs false, store false, penalties 0, empty metadata.
    await client.chat.completions.create({
      model: "prompt:p/anthropic@production",
      messages: [],
      variables: vars,
      n: 1,
      logprobs: false,
      store: false,
      presence_penalty: 0,
      frequency_penalty: 0,
      metadata: {},
    } as Params);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("gateway parameters: fallback", () => {
  it("does not fall back to a provider that cannot carry the call's parameters", async () => {
    await admin().observability.updateSettings({
      ...scope(),
      retentionDays: 30,
      gatewayConnectionId: openaiId,
      fallbackConnectionId: anthropicId,
      fallbackModel: "claude-sonnet-4",
      gatewayTimeoutMs: 5_000,
    });
    try {
      fake.failNext(1, 503, {}, "overloaded");
      const failed = await refusal(client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], seed: 1 }));
      expect(failed.status).toBe(502);
      expect(fake.requests.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
      fake.failNext(1, 503, {}, "overloaded");
      const raw = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], top_p: 0.5 }).withResponse();
      expect(raw.response.headers.get("x-keel-fallback")).toBe("Claude fake");
      expect(fake.requests.at(-1)!).toMatchObject({ path: "/v1/messages", body: { top_p: 0.5 } });
    } finally {
      await admin().observability.updateSettings({
        ...scope(),
        retentionDays: 30,
        gatewayConnectionId: openaiId,
        fallbackConnectionId: null,
        fallbackModel: null,
        gatewayTimeoutMs: 5_000,
      });
    }
  });
});

describe("gateway parameters: the simulated provider", () => {
  it("honours seed and n deterministically, forces a tool call, and refuses logprobs", async () => {
    const ask = (extra: Record<string, unknown>) =>
      client.chat.completions.create({ model: "prompt:p/simulated@production", messages: [], variables: vars, ...extra } as Params);
    const [a, b, c] = await Promise.all([ask({ seed: 1 }), ask({ seed: 1 }), ask({ seed: 2, n: 3 })]);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(c.choices).toHaveLength(3);
    expect(new Set(c.choices.map((x) => x.message.content)).size).toBe(3);
    expect(c.choices.every((x) => x.message.content!.startsWith("[Simulated]"))).toBe(true);
    const forced = await ask({ tools: [time], tool_choice: "required" });
    const call = forced.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(forced.choices[0]!.finish_reason).toBe("tool_calls");
    expect(JSON.parse(call.function.arguments)).toEqual({ zone: "UTC" });
    expect(await refusal(ask({ logprobs: true }))).toMatchObject({ status: 400, param: "logprobs", code: "unsupported_parameter" });
    expect(await refusal(ask({ reasoning_effort: "low" }))).toMatchObject({ status: 400, param: "reasoning_effort" });
  });
});

describe("gateway parameters: unknown and refused fields", () => {
  it("answers 400 naming an unknown field (as OpenAI does), accepts it as null, and refuses what Keel cannot carry back", async () => {
    const unknown = await post({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], top_k: 5 });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: { message: "Unrecognized request argument supplied: top_k", type: "invalid_request_error", param: "top_k", code: "unknown_parameter" },
    });
    expect((await post({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], top_k: null })).status).toBe(200);
    for (const [field, value] of [
      ["audio", { voice: "alloy", format: "wav" }],
      ["modalities", ["text", "audio"]],
      ["web_search_options", {}],
      ["functions", [{ name: "f" }]],
      ["function_call", "auto"],
    ] as const) {
      const res = await post({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], [field]: value });
      const body = (await res.json()) as { error: { param: string; code: string } };
      expect([res.status, body.error.param, body.error.code], field).toEqual([400, field, "unsupported_parameter"]);
    }
    const badChoice = await post({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      tools: [weather],
      tool_choice: { type: "function", function: { name: "nope" } },
    });
    expect(badChoice.status).toBe(400);
    expect(((await badChoice.json()) as { error: { param: string } }).error.param).toBe("tool_choice");
    expect(fake.requests).toHaveLength(1);
  });
});

describe("gateway variables: body, metadata.keel_variables and the Keel-Variables header", () => {
  it("takes them from metadata (stripped before the provider) and from the header, merged", async () => {
    await client.chat.completions.create({
      model: "prompt:p/openai@production",
      messages: [],
      metadata: { keel_variables: JSON.stringify(vars), team: "support" },
    });
    let sent = fake.requests.at(-1)!.body;
    expect(sent.messages[0].content).toBe("You answer for Acme.");
    expect(sent.metadata).toEqual({ team: "support" });

    await client.chat.completions.create(
      { model: "prompt:p/openai@production", messages: [], metadata: { keel_variables: JSON.stringify({ question: "Refund?" }) } },
      { headers: { "Keel-Variables": JSON.stringify({ company: "Globex" }) } },
    );
    sent = fake.requests.at(-1)!.body;
    expect(sent.messages.map((m: { content: string }) => m.content)).toEqual(["You answer for Globex.", "Refund?"]);
    expect(sent).not.toHaveProperty("metadata");

    // The same value twice is fine; two different values are refused, naming both sources.
    await client.chat.completions.create({ model: "prompt:p/openai@production", messages: [], variables: vars } as Params, {
      headers: { "Keel-Variables": JSON.stringify({ company: "Acme" }) },
    });
    const conflict = await refusal(
      client.chat.completions.create({ model: "prompt:p/openai@production", messages: [], variables: vars } as Params, {
        headers: { "Keel-Variables": JSON.stringify({ company: "Globex" }) },
      }),
    );
    expect(conflict).toMatchObject({ status: 400, code: "conflicting_variables", param: "Keel-Variables" });
    expect(conflict.message).toMatch(/"company".*`variables`.*Keel-Variables header/);
  });

  it("refuses bad JSON, non-objects and nested values, naming the source, and variables for a plain model", async () => {
    const cases: [Record<string, unknown>, Record<string, string>, string, RegExp][] = [
      [{ metadata: { keel_variables: "{nope" } }, {}, "metadata.keel_variables", /metadata\.keel_variables is not valid JSON/],
      [{ metadata: { keel_variables: "[1,2]" } }, {}, "metadata.keel_variables", /must be a JSON object/],
      [{}, { "Keel-Variables": "company=Acme" }, "Keel-Variables", /Keel-Variables header is not valid JSON/],
      [{}, { "Keel-Variables": '{"company":{"name":"Acme"}}' }, "Keel-Variables", /variable "company" must be a string/],
    ];
    for (const [extra, headers, param, message] of cases) {
      const res = await post({ model: "prompt:p/openai@production", messages: [], ...extra }, headers);
      const body = (await res.json()) as { error: { param: string; message: string; code: string } };
      expect([res.status, body.error.param, body.error.code], param).toEqual([400, param, "invalid_variables"]);
      expect(body.error.message).toMatch(message);
    }
    const plain = await post({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, { "Keel-Variables": JSON.stringify(vars) });
    expect(plain.status).toBe(400);
    expect(fake.requests).toHaveLength(0);
  });
});
