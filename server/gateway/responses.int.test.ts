// The gateway's OpenAI Responses API over real HTTP, driven by the real clients: `client.responses`
// of the `openai` package (non-streaming, streaming events, the stream helper's finalResponse),
// and the Vercel AI SDK's `openai(model)`, whose default is the Responses API (generateText,
// streamText, a tool round trip). The provider behind it is the local fake speaking chat
// completions: every call is translated, runs the chat pipeline and is logged as one trace span.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createKey, seedPrompt, setLabel, type TestKey } from "@/test/support/public-api";
import { type FakeProviderServer } from "@/test/support/fake-openai";
import { gatewayTrace, startGateway, type GatewayFixture } from "@/test/support/gateway";
import { type TestOrg } from "@/test/support/factories";
import { chatCompletionResponse, gatewayError, modelList, modelObject, responseObject } from "./schemas";

let g: GatewayFixture;
let fake: FakeProviderServer;
let t: TestOrg;
let key: TestKey;
let client: OpenAI;
let base: string;
const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

beforeAll(async () => {
  g = await startGateway();
  ({ fake, t, key, base } = g);
  client = new OpenAI({ baseURL: base, apiKey: key.secret, maxRetries: 0 });
  await seedPrompt(t, "support/reply", {
    type: "chat",
    messages: [
      { role: "system", content: "You answer for {{company}}." },
      { role: "user", content: "{{question}}" },
    ],
    config: { providerId: g.providerId, model: "gpt-4o-mini", temperature: 0.2 },
  });
  await setLabel(t, "support/reply", "production", 1);
});
afterAll(() => g.close());
beforeEach(() => fake.reset());

async function traceOf(traceId: string) {
  const detail = await gatewayTrace(g, traceId);
  expect(detail.spans).toHaveLength(1);
  return { trace: detail.trace, span: detail.spans[0]! };
}

describe("responses: the openai client", () => {
  it("answers a Response object for a plain model with instructions, and logs one chat span", async () => {
    const raw = await client.responses
      .create({
        model: "gpt-4o-mini",
        instructions: "Be brief.",
        input: "Hello there",
        temperature: 0.3,
        max_output_tokens: 50,
        metadata: { ticket: "T-1" },
        user: "user-7",
        store: true,
      })
      .withResponse();
    const response = raw.data;
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: "gpt-4o-mini",
      instructions: "Be brief.",
      temperature: 0.3,
      max_output_tokens: 50,
      metadata: { ticket: "T-1" },
      store: false,
      error: null,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe("Echo: Hello there");
    expect(response.output).toEqual([
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Echo: Hello there", annotations: [], logprobs: [] }],
      },
    ]);
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(response.usage!.output_tokens).toBeGreaterThan(0);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.3, max_tokens: 50 });
    expect(sent.body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello there" },
    ]);
    const { trace, span } = await traceOf(raw.response.headers.get("x-keel-trace-id")!);
    expect(trace).toMatchObject({ generations: 1, userId: "user-7", source: "gateway" });
    expect(trace.inputTokens).toBe(response.usage!.input_tokens);
    expect(span).toMatchObject({ isGeneration: true, model: "gpt-4o-mini", output: "Echo: Hello there" });
    expect(span.attributes).toMatchObject({ "gen_ai.operation.name": "chat", "keel.gateway.api": "responses" });
  });

  it("renders a deployed prompt with variables", async () => {
    const response = await client.responses.create({
      model: "prompt:support/reply@production",
      input: [],
      variables: { company: "Acme", question: "Where is my order?" },
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(response.output_text).toBe("Echo: Where is my order?");
    expect(fake.requests.at(-1)!.body.messages).toEqual([
      { role: "system", content: "You answer for Acme." },
      { role: "user", content: "Where is my order?" },
    ]);
    await expect(
      client.responses.create({
        model: "prompt:support/reply@production",
        input: "x",
        variables: { company: "Acme" },
      } as OpenAI.Responses.ResponseCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400, code: "missing_variables" });
    await expect(client.responses.create({ model: "prompt:nope@production", input: "x" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });

  it("returns function_call items, and takes the call and its output back in the next turn", async () => {
    const first = await client.responses.create({ model: "gpt-4o", input: "What's the weather in Paris?", tools: [weatherTool], tool_choice: "auto" });
    expect(first.status).toBe("completed");
    expect(first.output).toHaveLength(1);
    const call = first.output[0]! as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: "function_call", call_id: "call_1", name: "get_weather", status: "completed" });
    expect(JSON.parse(call.arguments)).toEqual({ input: "What's the weather in Paris?" });
    expect(first.tools).toEqual([expect.objectContaining({ type: "function", name: "get_weather" })]);
    expect(fake.requests.at(-1)!.body.tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "The weather in a city", parameters: weatherTool.parameters } },
    ]);

    const second = await client.responses.create({
      model: "gpt-4o",
      input: [
        { role: "user", content: "What's the weather in Paris?" },
        call,
        { type: "function_call_output", call_id: call.call_id, output: "18°C and sunny" },
      ],
    });
    expect(second.output_text).toBe("Echo: What's the weather in Paris?");
    expect(fake.requests.at(-1)!.body.messages).toEqual([
      { role: "user", content: "What's the weather in Paris?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: call.arguments } }] },
      { role: "tool", content: "18°C and sunny", tool_call_id: "call_1" },
    ]);
  });

  it("translates message items of every role, content parts and text.format", async () => {
    const response = await client.responses.create({
      model: "gpt-4o-mini",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "Answer in JSON." }] },
        { role: "user", content: [{ type: "input_text", text: "First" }] },
        {
          type: "message",
          role: "assistant",
          content: [{ type: "output_text", text: "Noted", annotations: [] }],
          id: "msg_x",
          status: "completed",
        } as OpenAI.Responses.ResponseOutputMessage,
        { role: "user", content: "Second" },
      ],
      text: { format: { type: "json_schema", name: "echo", schema: { type: "object", properties: { echo: { type: "string" } } }, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ echo: "Second" });
    const sent = fake.requests.at(-1)!.body;
    expect(sent.messages).toEqual([
      { role: "system", content: "Answer in JSON." },
      { role: "user", content: "First" },
      { role: "assistant", content: "Noted" },
      { role: "user", content: "Second" },
    ]);
    expect(sent.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "echo", schema: { type: "object", properties: { echo: { type: "string" } } }, strict: true },
    });
  });

  it("streams the Responses event stream, which the client assembles", async () => {
    const { data: stream, response: http } = await client.responses.create({ model: "gpt-4o-mini", input: "Stream this please", stream: true }).withResponse();
    const types: string[] = [];
    const sequence: number[] = [];
    let text = "";
    let completed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(text).toBe("Echo: Stream this please");
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(types.filter((x) => x !== "response.output_text.delta")).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    responseObject.parse(completed);
    expect(completed!.output_text).toBe("Echo: Stream this please");
    expect(completed!.usage!.output_tokens).toBeGreaterThan(0);
    const { span } = await traceOf(http.headers.get("x-keel-trace-id")!);
    expect(span).toMatchObject({ isGeneration: true, output: "Echo: Stream this please", outputTokens: completed!.usage!.output_tokens });

    // The stream helper checks every event against its snapshot and returns the final Response.
    const helper = client.responses.stream({ model: "gpt-4o-mini", instructions: "Be brief.", input: "And the helper" });
    const final = await helper.finalResponse();
    expect(final.output_text).toBe("Echo: And the helper");
    expect(final.status).toBe("completed");
  });

  it("streams function calls with their argument events", async () => {
    const helper = client.responses.stream({ model: "gpt-4o", input: "Weather in Oslo?", tools: [weatherTool] });
    const types: string[] = [];
    let args = "";
    for await (const event of helper) {
      types.push(event.type);
      if (event.type === "response.function_call_arguments.delta") args += event.delta;
    }
    const final = await helper.finalResponse();
    expect(types).toContain("response.function_call_arguments.done");
    expect(types).not.toContain("response.content_part.added");
    expect(JSON.parse(args)).toEqual({ input: "Weather in Oslo?" });
    expect(final.output).toEqual([
      expect.objectContaining({ type: "function_call", call_id: "call_1", name: "get_weather", arguments: args, status: "completed" }),
    ]);
  });

  it("refuses what it cannot do with a 400 saying why: stored responses, hosted tools, other input items", async () => {
    const before = fake.requests.length;
    await expect(client.responses.create({ model: "gpt-4o-mini", input: "again", previous_response_id: "resp_123" })).rejects.toMatchObject({
      status: 400,
      code: "response_not_stored",
      param: "previous_response_id",
      message: expect.stringMatching(/not store/),
    });
    await expect(client.responses.create({ model: "gpt-4o-mini", input: "x", tools: [{ type: "web_search" }] })).rejects.toMatchObject({
      status: 400,
      code: "unsupported_tool",
      message: expect.stringContaining("web_search"),
    });
    await expect(client.responses.create({ model: "gpt-4o-mini", input: [{ type: "item_reference", id: "msg_1" }] })).rejects.toMatchObject({
      status: 400,
      code: "item_not_stored",
      param: "input.0",
    });
    await expect(
      client.responses.create({
        model: "gpt-4o-mini",
        input: [{ role: "user", content: [{ type: "input_image", image_url: "https://example.test/a.png", detail: "auto" }] }],
      }),
    ).rejects.toMatchObject({ status: 400, param: "input.0.content.0" });
    await expect(client.responses.create({ model: "gpt-4o-mini", input: "a\u0000b" })).rejects.toMatchObject({ status: 400, param: "input" });
    const bad = await fetch(`${base}/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ input: "no model" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("model");
    expect(fake.requests.length).toBe(before);
  });

  it("fails a stream mid-way with response.failed and an error event", async () => {
    fake.breakNextStream(2);
    const stream = await client.responses.create({ model: "gpt-4o-mini", input: "one two three four five six", stream: true });
    const types: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) types.push(event.type);
      })(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/provider/i) });
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.failed");
  });
});

describe("responses: the Vercel AI SDK (openai(model) = the Responses API)", () => {
  const provider = () => createOpenAI({ baseURL: base, apiKey: key.secret });

  it("generateText and streamText", async () => {
    const result = await generateText({ model: provider()("gpt-4o-mini"), system: "Be brief.", prompt: "Hi from the AI SDK", maxRetries: 0 });
    expect(result.text).toBe("Echo: Hi from the AI SDK");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.providerMetadata?.openai?.responseId).toMatch(/^resp_/);
    expect(fake.requests.at(-1)!.body.messages[0]).toEqual({ role: "system", content: "Be brief." });

    const streamed = streamText({ model: provider()("gpt-4o-mini"), prompt: "Streaming from the AI SDK", maxRetries: 0 });
    let text = "";
    for await (const piece of streamed.textStream) text += piece;
    expect(text).toBe("Echo: Streaming from the AI SDK");
    expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
    expect(await streamed.finishReason).toBe("stop");
  });

  it("a deployed prompt with its variables in a Keel-Variables header and metadata.keel_variables, as for chat", async () => {
    const { text } = await generateText({
      model: provider()("prompt:support/reply@production"),
      prompt: "",
      headers: { "Keel-Variables": JSON.stringify({ company: "Acme" }) },
      providerOptions: { openai: { metadata: { keel_variables: JSON.stringify({ question: "Where is my parcel?" }) } } },
      maxRetries: 0,
    });
    expect(text).toBe("Echo: ");
    expect(fake.requests.at(-1)!.body.messages.slice(0, 2)).toEqual([
      { role: "system", content: "You answer for Acme." },
      { role: "user", content: "Where is my parcel?" },
    ]);
  });

  it("runs a tool call round trip in generateText and streamText", async () => {
    const tools = {
      get_weather: tool({ description: "The weather", inputSchema: z.object({ input: z.string() }), execute: async ({ input }) => `18°C for ${input}` }),
    };
    const result = await generateText({ model: provider()("gpt-4o"), prompt: "Weather in Paris?", tools, stopWhen: stepCountIs(2), maxRetries: 0 });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "get_weather", input: { input: "Weather in Paris?" } });
    expect(result.steps[0]!.toolResults[0]).toMatchObject({ output: "18°C for Weather in Paris?" });
    const second = fake.requests.at(-1)!.body.messages;
    expect(second.slice(-2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: JSON.stringify({ input: "Weather in Paris?" }) } }],
      },
      { role: "tool", content: "18°C for Weather in Paris?", tool_call_id: "call_1" },
    ]);

    const streamed = streamText({ model: provider()("gpt-4o"), prompt: "Weather in Rome?", tools, maxRetries: 0 });
    const calls = await streamed.toolCalls;
    expect(calls).toEqual([expect.objectContaining({ toolName: "get_weather", input: { input: "Weather in Rome?" } })]);
    expect(await streamed.finishReason).toBe("tool-calls");
  });
});

describe("responses: multi-turn with the Vercel AI SDK", () => {
  it("earlier response messages are sent as item_reference unless store is off: a 400 saying so, then the whole conversation", async () => {
    const model = createOpenAI({ baseURL: base, apiKey: key.secret })("gpt-4o-mini");
    const first = await generateText({ model, prompt: "Turn one", maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "Turn one" }, ...first.response.messages, { role: "user" as const, content: "Turn two" }];
    await expect(generateText({ model, messages, maxRetries: 0 })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/does not store/) });
    const second = await generateText({ model, messages, providerOptions: { openai: { store: false } }, maxRetries: 0 });
    expect(second.text).toBe("Echo: Turn two");
    expect(fake.requests.at(-1)!.body.messages).toEqual([
      { role: "user", content: "Turn one" },
      { role: "assistant", content: "Echo: Turn one" },
      { role: "user", content: "Turn two" },
    ]);
  });
});

describe("gateway: answers match the documented schemas (OpenAPI)", () => {
  it("chat completions, responses, models and errors", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key.secret}` } });
    responseObject.parse(await (await post("/responses", { model: "gpt-4o-mini", input: "schema check", instructions: "x", metadata: { a: "b" } })).json());
    responseObject.parse(await (await post("/responses", { model: "gpt-4o", input: "schema check", tools: [weatherTool] })).json());
    chatCompletionResponse.parse(
      await (await post("/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "schema check" }] })).json(),
    );
    const many = chatCompletionResponse.parse(
      await (
        await post("/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "schema check" }], n: 2, logprobs: true, top_logprobs: 1 })
      ).json(),
    );
    expect(many.choices).toHaveLength(2);
    expect(many.choices[0]!.logprobs!.content!.length).toBeGreaterThan(0);
    modelList.parse(await (await get("/models")).json());
    modelObject.parse(await (await get("/models/prompt:support%2Freply@production")).json());
    const error = await post("/responses", { model: "gpt-4o-mini", previous_response_id: "resp_1" });
    expect(error.status).toBe(400);
    gatewayError.parse(await error.json());
  });
});

describe("gateway: key headers and models/{id}", () => {
  it("takes the key from Authorization, api-key or x-api-key", async () => {
    const body = JSON.stringify({ model: "gpt-4o-mini", input: "hi" });
    for (const headers of [{ authorization: `Bearer ${key.secret}` }, { "api-key": key.secret }, { "x-api-key": key.secret }] as Record<string, string>[]) {
      const res = await fetch(`${base}/responses`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
      expect(res.status, Object.keys(headers)[0]).toBe(200);
    }
    const wrong = await fetch(`${base}/responses`, { method: "POST", headers: { "api-key": "sk-keel-nope", "content-type": "application/json" }, body });
    expect(wrong.status).toBe(401);
    const none = await fetch(`${base}/responses`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(none.status).toBe(401);
    // Azure OpenAI clients send the key in api-key.
    const azure = new OpenAI({
      baseURL: base,
      apiKey: "unused",
      defaultHeaders: { authorization: null as unknown as string, "api-key": key.secret },
      maxRetries: 0,
    });
    expect((await azure.responses.create({ model: "gpt-4o-mini", input: "via api-key" })).output_text).toBe("Echo: via api-key");
  });

  it("describes a deployed prompt as a model, and answers 404 for anything else", async () => {
    const model = await client.models.retrieve("prompt:support/reply@production");
    expect(model).toMatchObject({ id: "prompt:support/reply@production", object: "model", owned_by: "keel" });
    const raw = await fetch(`${base}/models/prompt:support/reply@production`, { headers: { authorization: `Bearer ${key.secret}` } });
    expect(raw.status).toBe(200);
    await expect(client.models.retrieve("prompt:support/reply@staging")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    await expect(client.models.retrieve("gpt-4o")).rejects.toMatchObject({ status: 404, code: "model_not_found", type: "invalid_request_error" });
    const reader = await createKey(t, ["prompts:read"], "reader");
    const res = await fetch(`${base}/models/prompt:support%2Freply@production`, { headers: { "x-api-key": reader.secret } });
    expect(res.status).toBe(403);
  });
});
