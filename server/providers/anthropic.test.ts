// The Anthropic Messages client against the fake server's /v1/messages: request mapping
// (system split out, max_tokens, tools), parsing, typed stream events, errors.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FAKE_BAD_KEY_PREFIX, startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { ProviderError } from "./errors";
import { createProvider, type CompletionRequest, type CompletionResult, type ProviderOptions, type StreamEvent } from "./index";

const KEY = "sk-ant-api03-0123456789abcdefghij";
let fake: FakeProviderServer;
beforeAll(async () => {
  // The fake listens on loopback, which Keel's egress policy refuses unless the operator allows it.
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});
beforeEach(() => fake.reset());

const provider = (options: ProviderOptions = {}, apiKey = KEY) =>
  createProvider({ kind: "anthropic", baseUrl: fake.anthropicUrl, apiKey, name: "Fake Anthropic" }, { retryBaseMs: 10, ...options });

const hello: CompletionRequest = {
  model: "claude-3-5-haiku-latest",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello there" },
    { role: "assistant", content: "Hi." },
    { role: "user", content: "How are you?" },
  ],
};

async function collect(events: AsyncIterable<StreamEvent>): Promise<{ deltas: string[]; result: CompletionResult }> {
  const deltas: string[] = [];
  let result: CompletionResult | undefined;
  for await (const e of events) {
    if (e.type === "delta") deltas.push(e.text);
    else result = e.result;
  }
  if (!result) throw new Error("stream ended without a done event");
  return { deltas, result };
}

describe("complete", () => {
  it("posts to /v1/messages with x-api-key and the API version, system prompt split out", async () => {
    const result = await provider().complete(hello);
    expect(result).toMatchObject({ text: "Echo: How are you?", model: "claude-3-5-haiku-latest", finishReason: "stop", attempts: 1 });
    // The fake counts system + messages at ~4 chars/token: 3 + 3 + 1 + 3; output is 4 words.
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 4 });
    const [req] = fake.requests;
    expect(req?.path).toBe("/v1/messages");
    expect(req?.headers["x-api-key"]).toBe(KEY);
    expect(req?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.body).toEqual({
      model: "claude-3-5-haiku-latest",
      max_tokens: 1024,
      system: "Be brief.",
      messages: hello.messages.slice(1),
    });
  });

  it("maps temperature, max_tokens, stop sequences and tools (input_schema)", async () => {
    const parameters = { type: "object", properties: { city: { type: "string" } } };
    const result = await provider().complete({
      ...hello,
      temperature: 0.3,
      maxTokens: 99,
      stop: ["END"],
      tools: [{ name: "weather", description: "Weather", parameters }],
    });
    expect(fake.requests[0]?.body).toMatchObject({
      temperature: 0.3,
      max_tokens: 99,
      stop_sequences: ["END"],
      tools: [{ name: "weather", description: "Weather", input_schema: parameters }],
    });
    expect(result).toMatchObject({ text: "", finishReason: "tool_calls", toolCalls: [{ id: "toolu_1", name: "weather" }] });
    expect(JSON.parse(result.toolCalls![0]!.arguments)).toEqual({ input: "How are you?" });
  });

  it("asks for JSON in the system prompt (Anthropic has no response_format)", async () => {
    const schema = { type: "object", properties: { mood: { type: "string" } } };
    await provider().complete({ ...hello, responseFormat: { type: "json_schema", name: "mood", schema } });
    const system = fake.requests[0]?.body.system as string;
    expect(system.startsWith("Be brief.\n\n")).toBe(true);
    expect(system).toContain('named "mood"');
    expect(system).toContain(JSON.stringify(schema));
    expect(fake.requests[0]?.body.response_format).toBeUndefined();
  });

  it("omits system when there is none, and accepts a base URL ending in /v1", async () => {
    await createProvider({ kind: "anthropic", baseUrl: `${fake.anthropicUrl}/v1/`, apiKey: KEY }).complete({
      model: "claude-sonnet-4",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(fake.requests[0]?.path).toBe("/v1/messages");
    expect(fake.requests[0]?.body.system).toBeUndefined();
  });
});

describe("stream", () => {
  it("yields text deltas and a result with usage from message_start and message_delta", async () => {
    const { deltas, result } = await collect(provider().stream(hello));
    expect(deltas.join("")).toBe("Echo: How are you?");
    expect(deltas.length).toBe(4);
    expect(result).toMatchObject({
      text: "Echo: How are you?",
      usage: { inputTokens: 10, outputTokens: 4 },
      finishReason: "stop",
      model: "claude-3-5-haiku-latest",
    });
    expect(fake.requests[0]?.body.stream).toBe(true);
  });

  it("assembles tool_use input from input_json_delta events", async () => {
    const { deltas, result } = await collect(provider().stream({ ...hello, tools: [{ name: "lookup", parameters: { type: "object" } }] }));
    expect(deltas).toEqual([]);
    expect(result).toMatchObject({ finishReason: "tool_calls", toolCalls: [{ id: "toolu_1", name: "lookup" }] });
    expect(JSON.parse(result.toolCalls![0]!.arguments)).toEqual({ input: "How are you?" });
  });

  it("throws the provider's in-stream error event", async () => {
    const body =
      'event: message_start\ndata: {"type":"message_start","message":{"model":"claude","usage":{"input_tokens":3,"output_tokens":1}}}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    let calls = 0;
    const overloaded: typeof fetch = async () => {
      calls += 1;
      return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
    };
    const p = createProvider({ kind: "anthropic", apiKey: KEY }, { fetch: overloaded, retryBaseMs: 1, maxRetries: 1 });
    await expect(collect(p.stream(hello))).rejects.toMatchObject({ code: "http", retryable: true, message: "api.anthropic.com reported an error: Overloaded" });
    // Nothing had reached the caller, so it was retried once.
    expect(calls).toBe(2);
  });
});

describe("errors", () => {
  it("shows Anthropic's message without the key, and does not retry a 401", async () => {
    const badKey = `${FAKE_BAD_KEY_PREFIX}-ant-0123456789abcdef`;
    const error = (await provider({}, badKey)
      .complete(hello)
      .catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 401, retryable: false, message: "Fake Anthropic returned 401: invalid x-api-key: [redacted]" });
    expect(JSON.stringify(error) + String(error.stack)).not.toContain(badKey);
    expect(fake.requests).toHaveLength(1);
  });

  it("retries a 529 overload honouring Retry-After", async () => {
    fake.failNext(1, 529, { "retry-after": "0.2" }, "Overloaded");
    const result = await provider().complete(hello);
    expect(result.attempts).toBe(2);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(180);
  });
});

describe("request parameters", () => {
  it("maps top_p, user and tool_choice onto the Messages API", async () => {
    const tools = [
      { name: "a", parameters: { type: "object" } },
      { name: "b", parameters: { type: "object" } },
    ];
    const cases: [CompletionRequest["toolChoice"], boolean | undefined, unknown][] = [
      [undefined, undefined, undefined],
      ["auto", undefined, { type: "auto" }],
      ["required", undefined, { type: "any" }],
      ["none", undefined, { type: "none" }],
      [{ name: "b" }, false, { type: "tool", name: "b", disable_parallel_tool_use: true }],
      [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    ];
    for (const [toolChoice, parallelToolCalls, expected] of cases) {
      await provider().complete({
        ...hello,
        tools,
        topP: 0.4,
        user: "u-1",
        ...(toolChoice && { toolChoice }),
        ...(parallelToolCalls !== undefined && { parallelToolCalls }),
      });
      const sent = fake.requests.at(-1)!.body;
      expect(sent.tool_choice, JSON.stringify(toolChoice)).toEqual(expected);
      expect(sent).toMatchObject({ top_p: 0.4, metadata: { user_id: "u-1" } });
    }
  });

  it("names the first parameter it cannot carry, and not a default spelled out", () => {
    const p = provider();
    expect(
      p.unsupported({
        n: 1,
        logprobs: false,
        store: false,
        parallelToolCalls: true,
        metadata: {},
        presencePenalty: 0,
        frequencyPenalty: 0,
        logitBias: {},
        topP: 1,
        toolChoice: "required",
        user: "u",
      }),
    ).toBeNull();
    expect(p.unsupported({ presencePenalty: 0.5 })).toBe("presencePenalty");
    expect(p.unsupported({ n: 2 })).toBe("n");
    expect(p.unsupported({ topP: 1, seed: 3, logprobs: true })).toBe("seed");
    expect(p.unsupported({ metadata: { team: "x" } })).toBe("metadata");
    expect(p.unsupported({ reasoningEffort: "high" })).toBe("reasoningEffort");
    expect(p.unsupported({ openaiExtras: { prompt_cache_key: "k" } })).toBe("openaiExtras");
  });
});
