// The OpenAI-compatible client against a real local HTTP server (test/support/fake-openai.ts):
// request mapping, parsing, streaming, retries, timeouts, cancellation, and error hygiene.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FAKE_BAD_KEY_PREFIX, startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { ProviderError } from "./errors";
import { egressFetch } from "../net/egress";
import { createProvider, type CompletionRequest, type CompletionResult, type Provider, type ProviderOptions, type StreamEvent } from "./index";

const KEY = "sk-test-0123456789abcdefghij";
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

const provider = (options: ProviderOptions = {}, apiKey: string | null = KEY): Provider =>
  createProvider({ kind: "openai_compatible", baseUrl: fake.url, apiKey, name: "Fake OpenAI" }, { retryBaseMs: 10, ...options });

const hello: CompletionRequest = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello there" },
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

async function caught(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected a ProviderError");
}

describe("complete", () => {
  it("posts a chat completion with the bearer key and parses text, usage and finish reason", async () => {
    const result = await provider().complete(hello);
    expect(result).toMatchObject({
      text: "Echo: Hello there",
      model: "gpt-4o-mini",
      finishReason: "stop",
      attempts: 1,
      usage: { inputTokens: 6, outputTokens: 3 },
    });
    expect(result.toolCalls).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const [req] = fake.requests;
    expect(req?.path).toBe("/v1/chat/completions");
    expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.body).toEqual({ model: "gpt-4o-mini", messages: hello.messages });
  });

  it("maps the model configuration: temperature, max_tokens, stop, json_schema, tools", async () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const parameters = { type: "object", properties: { city: { type: "string" } } };
    await provider().complete({
      ...hello,
      temperature: 0.2,
      maxTokens: 50,
      stop: ["\n\n"],
      responseFormat: { type: "json_schema", name: "reply", schema, strict: true },
      tools: [{ name: "weather", description: "Look up weather", parameters }],
    });
    expect(fake.requests[0]?.body).toMatchObject({
      temperature: 0.2,
      max_tokens: 50,
      stop: ["\n\n"],
      response_format: { type: "json_schema", json_schema: { name: "reply", schema, strict: true } },
      tools: [{ type: "function", function: { name: "weather", description: "Look up weather", parameters } }],
    });
    expect(fake.requests[0]?.body.stream).toBeUndefined();
  });

  it("sends max_completion_tokens to OpenAI reasoning models, which refuse max_tokens", async () => {
    await provider().complete({ ...hello, model: "o3-mini", maxTokens: 64 });
    expect(fake.requests[0]?.body).toMatchObject({ max_completion_tokens: 64 });
    expect(fake.requests[0]?.body.max_tokens).toBeUndefined();
  });

  it("maps json_object and parses tool calls", async () => {
    const json = await provider().complete({ ...hello, responseFormat: { type: "json_object" } });
    expect(fake.requests[0]?.body.response_format).toEqual({ type: "json_object" });
    expect(JSON.parse(json.text)).toEqual({ echo: "Hello there" });

    const tools = await provider().complete({ ...hello, tools: [{ name: "lookup", parameters: { type: "object" } }] });
    expect(tools).toMatchObject({ text: "", finishReason: "tool_calls", toolCalls: [{ id: "call_1", name: "lookup" }] });
    expect(JSON.parse(tools.toolCalls![0]!.arguments)).toEqual({ input: "Hello there" });
  });

  it("sends no Authorization header without a key (local servers)", async () => {
    await provider({}, null).complete(hello);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("accepts a base URL with a trailing slash", async () => {
    await createProvider({ kind: "openai_compatible", baseUrl: `${fake.url}/`, apiKey: KEY }).complete(hello);
    expect(fake.requests[0]?.path).toBe("/v1/chat/completions");
  });
});

describe("stream", () => {
  it("yields deltas that add up to the text, then the result with usage", async () => {
    const { deltas, result } = await collect(provider().stream(hello));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("Echo: Hello there");
    expect(result).toMatchObject({
      text: "Echo: Hello there",
      usage: { inputTokens: 6, outputTokens: 3 },
      finishReason: "stop",
      model: "gpt-4o-mini",
      attempts: 1,
    });
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("assembles streamed tool calls", async () => {
    const { result } = await collect(provider().stream({ ...hello, tools: [{ name: "lookup", parameters: { type: "object" } }] }));
    expect(result).toMatchObject({ finishReason: "tool_calls", toolCalls: [{ id: "call_1", name: "lookup" }] });
    expect(JSON.parse(result.toolCalls![0]!.arguments)).toEqual({ input: "Hello there" });
  });

  it("retries a failure before the first event", async () => {
    fake.failNext(1, 503);
    const { result } = await collect(provider().stream(hello));
    expect(result.text).toBe("Echo: Hello there");
    expect(result.attempts).toBe(2);
    expect(fake.requests).toHaveLength(2);
  });

  it("retries a stream cut off before any text reached the caller", async () => {
    fake.breakNextStream(0);
    const { deltas, result } = await collect(provider().stream(hello));
    expect(deltas.join("")).toBe("Echo: Hello there");
    expect(result.attempts).toBe(2);
  });

  it("does not retry once text has reached the caller", async () => {
    fake.breakNextStream(1);
    const deltas: string[] = [];
    const error = await caught(
      (async () => {
        for await (const e of provider().stream(hello)) if (e.type === "delta") deltas.push(e.text);
      })(),
    );
    expect(deltas).toEqual(["Echo: "]);
    expect(error.code).toBe("network");
    expect(fake.requests).toHaveLength(1);
  });

  it("lets the caller stop early", async () => {
    fake.setChunkDelay(20);
    for await (const e of provider().stream(hello)) {
      expect(e).toEqual({ type: "delta", text: "Echo: " });
      break;
    }
    expect(fake.requests).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries a 429 after the Retry-After the provider asked for", async () => {
    fake.failNext(1, 429, { "retry-after": "1" }, "Rate limit reached");
    const started = Date.now();
    const result = await provider({ retryBaseMs: 1 }).complete(hello);
    expect(result.attempts).toBe(2);
    expect(fake.requests).toHaveLength(2);
    const waited = fake.requests[1]!.at - fake.requests[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2500);
    expect(result.latencyMs).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("caps a long Retry-After at maxRetryDelayMs", async () => {
    fake.failNext(1, 429, { "retry-after": "3600" });
    await provider({ maxRetryDelayMs: 50 }).complete(hello);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeLessThan(1000);
  });

  it("backs off on 5xx, 408 and 409 and gives up after maxRetries with the last error", async () => {
    fake.failNext(1, 500);
    fake.failNext(1, 408);
    fake.failNext(1, 409);
    expect((await provider().complete(hello)).attempts).toBe(4);

    fake.reset();
    fake.failNext(3, 502, {}, "upstream is down");
    const error = await caught(provider({ maxRetries: 2 }).complete(hello));
    expect(fake.requests).toHaveLength(3);
    expect(error).toMatchObject({ code: "http", status: 502, retryable: true });
    expect(error.message).toBe("Fake OpenAI returned 502: upstream is down");
  });

  it("reports Retry-After on the final error", async () => {
    fake.failNext(1, 429, { "retry-after": "7" }, "Slow down");
    const error = await caught(provider({ maxRetries: 0 }).complete(hello));
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
  });

  it.each([400, 401, 403, 404, 422])("never retries %i", async (status) => {
    fake.failNext(1, status, {}, "bad request");
    const error = await caught(provider().complete(hello));
    expect(error).toMatchObject({ code: "http", status, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it("follows the provider's x-should-retry verdict over the status", async () => {
    fake.failNext(1, 500, { "x-should-retry": "false" });
    await caught(provider().complete(hello));
    expect(fake.requests).toHaveLength(1);
  });

  it("retries network errors, then names the host without the socket's error code", async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls += 1;
      return egressFetch(input, init);
    };
    const error = await caught(
      createProvider({ kind: "openai_compatible", baseUrl: url, apiKey: KEY }, { retryBaseMs: 1, maxRetries: 2, fetch: counting }).complete(hello),
    );
    expect(calls).toBe(3);
    expect(error).toMatchObject({ code: "network", retryable: true, status: null });
    expect(error.message).toMatch(/^Could not reach 127\.0\.0\.1:\d+\.$/);
  });
});

describe("timeouts and cancellation", () => {
  it("times out a slow provider", async () => {
    fake.delayNext(1000);
    const started = Date.now();
    const error = await caught(provider({ timeoutMs: 100, maxRetries: 0 }).complete(hello));
    expect(error).toMatchObject({ code: "timeout", retryable: true });
    expect(error.message).toBe("Fake OpenAI did not answer within 100 ms.");
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("retries after a timeout", async () => {
    fake.delayNext(1000);
    const result = await provider({ timeoutMs: 150 }).complete(hello);
    expect(result.attempts).toBe(2);
  });

  it("times out a stream that stalls between chunks, but not one that keeps flowing", async () => {
    fake.setChunkDelay(50);
    const { result } = await collect(provider({ timeoutMs: 300 }).stream(hello));
    expect(result.text).toBe("Echo: Hello there");

    fake.reset();
    fake.setChunkDelay(800);
    const error = await caught(collect(provider({ timeoutMs: 300, maxRetries: 0 }).stream(hello)));
    expect(error.code).toBe("timeout");
  });

  it("stops at once when the caller aborts, without retrying", async () => {
    fake.delayNext(1000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await caught(provider().complete({ ...hello, signal: controller.signal }));
    expect(error).toMatchObject({ code: "aborted", retryable: false });
    expect(Date.now() - started).toBeLessThan(800);
    expect(fake.requests).toHaveLength(1);
  });

  it("aborts during the back-off wait", async () => {
    fake.failNext(1, 429, { "retry-after": "5" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await caught(provider().complete({ ...hello, signal: controller.signal }));
    expect(error.code).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.requests).toHaveLength(1);
  });

  it("aborts a stream mid-way", async () => {
    fake.setChunkDelay(100);
    const controller = new AbortController();
    const deltas: string[] = [];
    const error = await caught(
      (async () => {
        for await (const e of provider().stream({ ...hello, signal: controller.signal })) {
          if (e.type === "delta") deltas.push(e.text);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe("aborted");
    expect(deltas.length).toBeLessThan(3);
  });
});

describe("error messages", () => {
  it("show the provider's explanation but never the API key", async () => {
    const badKey = `${FAKE_BAD_KEY_PREFIX}-0123456789abcdef0123`;
    const error = await caught(createProvider({ kind: "openai_compatible", baseUrl: fake.url, apiKey: badKey }).complete(hello));
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+ returned 401: Incorrect API key provided: \[redacted\]/);
    // The server did echo it; the client removed it from everything it exposes.
    expect(fake.requests[0]?.headers.authorization).toContain(badKey);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(badKey);
  });

  it("never show credentials from the base URL", async () => {
    const withCreds = fake.url.replace("http://", "http://user:hunter22@");
    const error = await caught(
      createProvider({ kind: "openai_compatible", baseUrl: withCreds, apiKey: KEY }, { maxRetries: 0 }).complete({ ...hello, model: "" }),
    );
    expect(error.message).not.toContain("hunter22");
  });

  it("fall back to the status text when the body is not JSON", async () => {
    const htmlFetch: typeof fetch = async () => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" });
    const error = await caught(createProvider({ kind: "openai_compatible", apiKey: KEY }, { maxRetries: 0, fetch: htmlFetch }).complete(hello));
    expect(error.message).toBe("api.openai.com returned 502: Bad Gateway");
  });

  it("report a 2xx that is not a completion", async () => {
    const oddFetch: typeof fetch = async () => new Response("{}", { status: 200 });
    const error = await caught(createProvider({ kind: "openai_compatible", apiKey: KEY }, { fetch: oddFetch }).complete(hello));
    expect(error.code).toBe("invalid_response");
  });
});

describe("usage", () => {
  it("is estimated when a compatible server reports none", async () => {
    const noUsage: typeof fetch = async () =>
      new Response(JSON.stringify({ model: "llama3", choices: [{ message: { content: "twelve chars" }, finish_reason: "stop" }] }), { status: 200 });
    const result = await createProvider({ kind: "openai_compatible", baseUrl: "http://localhost:11434/v1" }, { fetch: noUsage }).complete(hello);
    expect(result.usage).toEqual({ inputTokens: 3 + 4 + 3 + 4, outputTokens: 3 });
  });
});

describe("request parameters", () => {
  it("forwards every parameter under OpenAI's name and returns all n choices with their log probabilities", async () => {
    const p = provider();
    expect(p.unsupported({ n: 3, seed: 1, logprobs: true, reasoningEffort: "low", store: true, openaiExtras: { prompt_cache_key: "k" } })).toBeNull();
    const result = await p.complete({
      ...hello,
      n: 2,
      seed: 7,
      topP: 0.5,
      toolChoice: "none",
      tools: [{ name: "f", parameters: { type: "object" } }],
      parallelToolCalls: false,
      logprobs: true,
      topLogprobs: 1,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      reasoningEffort: "low",
      metadata: { a: "b" },
      user: "u1",
      logitBias: { "5": 1 },
      serviceTier: "flex",
      store: false,
      verbosity: "low",
      openaiExtras: { prompt_cache_key: "k", safety_identifier: "s" },
    });
    expect(fake.requests.at(-1)!.body).toMatchObject({
      n: 2,
      seed: 7,
      top_p: 0.5,
      tool_choice: "none",
      parallel_tool_calls: false,
      logprobs: true,
      top_logprobs: 1,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      reasoning_effort: "low",
      metadata: { a: "b" },
      user: "u1",
      logit_bias: { "5": 1 },
      service_tier: "flex",
      store: false,
      verbosity: "low",
      prompt_cache_key: "k",
      safety_identifier: "s",
    });
    expect(result.text).toBe("Echo: Hello there");
    expect(result.alternatives).toEqual([
      { text: "Echo 1: Hello there", finishReason: "stop", logprobs: expect.objectContaining({ content: expect.any(Array) }) },
    ]);
    expect(result.logprobs!.content!.map((l) => l.token)).toEqual(["Echo: ", "Hello ", "there"]);
    // A named tool choice in OpenAI's object form.
    await p.complete({ ...hello, tools: [{ name: "f", parameters: {} }], toolChoice: { name: "f" } });
    expect(fake.requests.at(-1)!.body.tool_choice).toEqual({ type: "function", function: { name: "f" } });
  });

  it("streams log probabilities with their text and gathers them on the result", async () => {
    const events: StreamEvent[] = [];
    for await (const e of provider().stream({ ...hello, logprobs: true })) events.push(e);
    const deltas = events.filter((e) => e.type === "delta");
    expect(deltas.map((d) => d.logprobs?.map((l) => l.token).join(""))).toEqual(deltas.map((d) => d.text));
    const done = events.at(-1)!;
    expect(done.type === "done" && done.result.logprobs!.content!.length).toBe(3);
  });
});

describe("embeddings", () => {
  it("posts to /embeddings as floats with the key, and returns vectors in input order with usage", async () => {
    const result = await provider().embed!({ model: "text-embedding-3-small", input: ["alpha", "beta"], dimensions: 4, user: "u-1" });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe("/v1/embeddings");
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toEqual({ model: "text-embedding-3-small", input: ["alpha", "beta"], encoding_format: "float", dimensions: 4, user: "u-1" });
    expect(result.embeddings.map((e) => e.length)).toEqual([4, 4]);
    expect(result.embeddings[0]).not.toEqual(result.embeddings[1]);
    expect(result).toMatchObject({ model: "text-embedding-3-small", usage: { inputTokens: 3 }, attempts: 1 });
  });

  it("retries a 503 and reports a 4xx as the provider's error", async () => {
    fake.failNext(1, 503);
    expect((await provider().embed!({ model: "m", input: [[1, 2]] })).attempts).toBe(2);
    fake.failNext(1, 400, {}, "bad input");
    const error = await caught(provider().embed!({ model: "m", input: ["x"] }));
    expect(error).toMatchObject({ code: "http", status: 400 });
  });
});
