// The gateway's Responses API and embeddings driven by two more real clients of the OpenAI API,
// from this client kit: the OpenAI Agents SDK (@openai/agents, pointed at Keel with its own openai
// client and the Responses API, tracing export off so nothing leaves the machine) and LangChain's
// ChatOpenAI with `useResponsesApi` plus OpenAIEmbeddings (@langchain/openai). Behind Keel is the
// fake provider speaking chat completions: each test checks what the provider received and the
// one gateway span each model call wrote.
import { Agent, addTraceProcessor, getGlobalTraceProvider, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool, user } from "@openai/agents";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool as langchainTool } from "@langchain/core/tools";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { z } from "zod";
import { seedPrompt, setLabel } from "@/test/support/public-api";
import { gatewayTrace, startGateway, traceIdRecorder, type GatewayFixture } from "@/test/support/gateway";

let g: GatewayFixture;
// One for the file: the Agents SDK keeps the first client it was given in its default provider.
const recorder = traceIdRecorder();
const PROMPT = "prompt:support/reply@production";
const sent = (i = -1) => g.fake.requests.at(i)!;

beforeAll(async () => {
  g = await startGateway();
  await seedPrompt(g.t, "support/reply", {
    type: "chat",
    messages: [
      { role: "system", content: "You answer for {{company}}." },
      { role: "user", content: "{{question}}" },
    ],
    config: { providerId: g.providerId, model: "gpt-4o-mini", temperature: 0.2 },
  });
  await setLabel(g.t, "support/reply", "production", 1);
});
afterAll(() => g.close());
beforeEach(() => {
  g.fake.reset();
  recorder.traceIds.length = 0;
});

/**
 * One gateway trace with one span per model call the client made (as many as the provider got),
 * each a span of `api` ("responses" for a generation, "embeddings") whose model and output are given.
 */
async function expectOneSpanPerCall(api: "responses" | "embeddings", spans: { model: string; output?: string }[]) {
  expect(recorder.traceIds).toHaveLength(spans.length);
  expect(g.fake.requests).toHaveLength(spans.length);
  expect(new Set(recorder.traceIds).size).toBe(spans.length);
  for (const [i, traceId] of recorder.traceIds.entries()) {
    const detail = await gatewayTrace(g, traceId);
    expect(detail.spans).toHaveLength(1);
    const span = detail.spans[0]!;
    expect(span.model).toBe(spans[i]!.model);
    if (api === "responses") {
      expect(span).toMatchObject({ isGeneration: true, output: spans[i]!.output });
      expect(span.attributes).toMatchObject({ "gen_ai.operation.name": "chat", "keel.gateway.api": "responses" });
      expect(span.outputTokens).toBeGreaterThan(0);
    } else {
      expect(span.attributes).toMatchObject({ "gen_ai.operation.name": "embeddings" });
      expect(span.inputTokens).toBeGreaterThan(0);
    }
  }
}

describe("the OpenAI Agents SDK (@openai/agents) on the Responses API", () => {
  // What the SDK's own tracing would see (and export to the vendor's tracing endpoint): nothing, it is off.
  const agentTracing: string[] = [];
  let outbound: MockInstance<typeof fetch>;
  beforeAll(() => {
    setTracingDisabled(true);
    setOpenAIAPI("responses");
    setDefaultOpenAIClient(new OpenAI({ baseURL: g.base, apiKey: g.key.secret, maxRetries: 0, fetch: recorder.fetch }));
    const record = async (what: { type: string }) => void agentTracing.push(what.type);
    addTraceProcessor({
      onTraceStart: record,
      onTraceEnd: record,
      onSpanStart: record,
      onSpanEnd: record,
      shutdown: async () => {},
      forceFlush: async () => {},
    });
    outbound = vi.spyOn(globalThis, "fetch");
  });
  afterAll(() => outbound.mockRestore());

  it("run(agent, input) answers from the provider, with the agent's instructions as the system message", async () => {
    const agent = new Agent({ name: "Support", instructions: "Be brief.", model: "gpt-4o-mini", modelSettings: { temperature: 0.3 } });
    const result = await run(agent, "Hello from an agent");
    expect(result.finalOutput).toBe("Echo: Hello from an agent");
    expect(result.rawResponses).toHaveLength(1);
    expect(result.rawResponses[0]!.responseId).toMatch(/^resp_/);
    expect(result.rawResponses[0]!.usage.outputTokens).toBeGreaterThan(0);
    expect(sent().path).toBe("/v1/chat/completions");
    expect(sent().body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.3 });
    expect(sent().body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello from an agent" },
    ]);
    await expectOneSpanPerCall("responses", [{ model: "gpt-4o-mini", output: "Echo: Hello from an agent" }]);

    // The next turn sends the whole history back (its assistant message item included).
    const next = await run(agent, [...result.history, user("And again")]);
    expect(next.finalOutput).toBe("Echo: And again");
    expect(sent().body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello from an agent" },
      { role: "assistant", content: "Echo: Hello from an agent" },
      { role: "user", content: "And again" },
    ]);
  });

  it("a streamed run yields the text as it comes and completes", async () => {
    const agent = new Agent({ name: "Streamer", instructions: "Stream it.", model: "gpt-4o-mini" });
    const result = await run(agent, "Stream this agent reply", { stream: true });
    let text = "";
    let deltas = 0;
    for await (const piece of result.toTextStream()) {
      text += piece;
      deltas += 1;
    }
    await result.completed;
    expect(text).toBe("Echo: Stream this agent reply");
    expect(deltas).toBeGreaterThan(1);
    expect(result.finalOutput).toBe("Echo: Stream this agent reply");
    expect(sent().body.stream).toBe(true);
    await expectOneSpanPerCall("responses", [{ model: "gpt-4o-mini", output: "Echo: Stream this agent reply" }]);
  });

  it("runs a function tool round trip: the call, the tool's result sent back, then the answer", async () => {
    const calls: string[] = [];
    const getWeather = tool({
      name: "get_weather",
      description: "The weather in a city",
      parameters: z.object({ input: z.string() }),
      execute: async ({ input }) => {
        calls.push(input);
        return `18°C for ${input}`;
      },
    });
    const agent = new Agent({ name: "Weather", instructions: "Use the tool.", model: "gpt-4o", tools: [getWeather] });
    const result = await run(agent, "Weather in Paris?");
    expect(calls).toEqual(["Weather in Paris?"]);
    expect(result.finalOutput).toBe("Echo: Weather in Paris?");
    expect(result.newItems.map((item) => item.type)).toEqual(["tool_call_item", "tool_call_output_item", "message_output_item"]);
    expect(sent(0).body.tools).toEqual([
      {
        type: "function",
        function: expect.objectContaining({
          name: "get_weather",
          description: "The weather in a city",
          parameters: expect.objectContaining({ type: "object", required: ["input"] }),
        }),
      },
    ]);
    expect(sent(1).body.messages).toEqual([
      { role: "system", content: "Use the tool." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: JSON.stringify({ input: "Weather in Paris?" }) } }],
      },
      { role: "tool", content: "18°C for Weather in Paris?", tool_call_id: "call_1" },
    ]);
    await expectOneSpanPerCall("responses", [
      { model: "gpt-4o", output: "" },
      { model: "gpt-4o", output: "Echo: Weather in Paris?" },
    ]);

    // The same loop streamed: the call arrives in the event stream, the result goes back.
    g.fake.reset();
    const streamed = await run(agent, "Weather in Rome?", { stream: true });
    const events = new Set<string>();
    for await (const event of streamed) events.add(event.type === "run_item_stream_event" ? event.name : event.type);
    await streamed.completed;
    expect(calls).toEqual(["Weather in Paris?", "Weather in Rome?"]);
    expect(streamed.finalOutput).toBe("Echo: Weather in Rome?");
    expect(events).toEqual(new Set(["raw_model_stream_event", "tool_called", "tool_output", "message_output_created"]));
    expect(g.fake.requests.map((r) => r.body.stream)).toEqual([true, true]);
    expect(sent().body.messages.at(-1)).toEqual({ role: "tool", content: "18°C for Weather in Rome?", tool_call_id: "call_1" });
  });

  it("a deployed prompt as the model, its variables in modelSettings.providerData", async () => {
    const agent = new Agent({
      name: "Prompted",
      model: PROMPT,
      modelSettings: { providerData: { variables: { company: "Acme", question: "Where is my order?" } } },
    });
    const result = await run(agent, "Please hurry.");
    expect(result.finalOutput).toBe("Echo: Please hurry.");
    expect(sent().body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2 });
    expect(sent().body).not.toHaveProperty("variables");
    expect(sent().body.messages).toEqual([
      { role: "system", content: "You answer for Acme." },
      { role: "user", content: "Where is my order?" },
      { role: "user", content: "Please hurry." },
    ]);
    await expectOneSpanPerCall("responses", [{ model: "gpt-4o-mini", output: "Echo: Please hurry." }]);
    const missing = new Agent({ name: "Unprompted", model: PROMPT, modelSettings: { providerData: { variables: { company: "Acme" } } } });
    await expect(run(missing, "x")).rejects.toMatchObject({ status: 400, code: "missing_variables" });
  });

  it("makes no trace of its own and calls nothing but Keel: its tracing export is off", async () => {
    await run(new Agent({ name: "Quiet", model: "gpt-4o-mini" }), "Anyone there?");
    await getGlobalTraceProvider().forceFlush();
    expect(agentTracing).toEqual([]);
    const hosts = new Set(outbound.mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input).host));
    expect([...hosts]).toEqual([new URL(g.base).host]);
  });
});

describe("LangChain ChatOpenAI with useResponsesApi, and OpenAIEmbeddings (@langchain/openai)", () => {
  const chat = (fields: Partial<ConstructorParameters<typeof ChatOpenAI>[0] & object> = {}) =>
    new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: g.key.secret,
      useResponsesApi: true,
      maxRetries: 0,
      configuration: { baseURL: g.base, fetch: recorder.fetch },
      ...fields,
    });

  it("invoke answers an AIMessage with usage, from the Responses API", async () => {
    const reply = await chat({ temperature: 0.3 }).invoke([new HumanMessage("Hello from LangChain")]);
    expect(reply.content).toEqual([expect.objectContaining({ type: "text", text: "Echo: Hello from LangChain" })]);
    expect(reply.text).toBe("Echo: Hello from LangChain");
    expect(reply.usage_metadata!.output_tokens).toBeGreaterThan(0);
    expect(reply.response_metadata).toMatchObject({ id: expect.stringMatching(/^resp_/), model_name: "gpt-4o-mini" });
    expect(sent().body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.3 });
    expect(sent().body.messages).toEqual([{ role: "user", content: "Hello from LangChain" }]);
    await expectOneSpanPerCall("responses", [{ model: "gpt-4o-mini", output: "Echo: Hello from LangChain" }]);

    // The next turn sends the earlier AIMessage back as an assistant item.
    const next = await chat().invoke([new HumanMessage("Hello from LangChain"), reply, new HumanMessage("And again")]);
    expect(next.text).toBe("Echo: And again");
    expect(sent().body.messages).toEqual([
      { role: "user", content: "Hello from LangChain" },
      { role: "assistant", content: "Echo: Hello from LangChain" },
      { role: "user", content: "And again" },
    ]);
  });

  it("stream yields the text in chunks", async () => {
    let text = "";
    let chunks = 0;
    for await (const chunk of await chat().stream("Stream from LangChain please")) {
      text += chunk.text;
      if (chunk.text) chunks += 1;
    }
    expect(text).toBe("Echo: Stream from LangChain please");
    expect(chunks).toBeGreaterThan(1);
    expect(sent().body.stream).toBe(true);
    await expectOneSpanPerCall("responses", [{ model: "gpt-4o-mini", output: "Echo: Stream from LangChain please" }]);
  });

  it("bindTools returns tool calls, and a ToolMessage follow-up sends the call and its result back", async () => {
    const getWeather = langchainTool(async ({ input }: { input: string }) => `18°C for ${input}`, {
      name: "get_weather",
      description: "The weather in a city",
      schema: z.object({ input: z.string() }),
    });
    const model = chat({ model: "gpt-4o" }).bindTools([getWeather]);
    const question = new HumanMessage("Weather in Oslo?");
    const first = await model.invoke([question]);
    expect(first.tool_calls).toEqual([expect.objectContaining({ name: "get_weather", args: { input: "Weather in Oslo?" }, id: "call_1" })]);
    expect(sent().body.tools).toEqual([{ type: "function", function: expect.objectContaining({ name: "get_weather", description: "The weather in a city" }) }]);
    const result = (await getWeather.invoke(first.tool_calls![0]!)) as ToolMessage;
    expect(result).toBeInstanceOf(ToolMessage);
    const second = await model.invoke([question, first as AIMessage, result]);
    expect(second.text).toBe("Echo: Weather in Oslo?");
    expect(second.tool_calls).toEqual([]);
    expect(sent().body.messages).toEqual([
      { role: "user", content: "Weather in Oslo?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: JSON.stringify({ input: "Weather in Oslo?" }) } }],
      },
      { role: "tool", content: "18°C for Weather in Oslo?", tool_call_id: "call_1" },
    ]);
    await expectOneSpanPerCall("responses", [
      { model: "gpt-4o", output: "" },
      { model: "gpt-4o", output: "Echo: Weather in Oslo?" },
    ]);
  });

  it("a deployed prompt as the model, its variables in modelKwargs", async () => {
    const reply = await chat({ model: PROMPT, modelKwargs: { variables: { company: "Acme", question: "Where is my order?" } } }).invoke("Thanks!");
    expect(reply.text).toBe("Echo: Thanks!");
    expect(sent().body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2 });
    expect(sent().body).not.toHaveProperty("variables");
    expect(sent().body.messages).toEqual([
      { role: "system", content: "You answer for Acme." },
      { role: "user", content: "Where is my order?" },
      { role: "user", content: "Thanks!" },
    ]);
    await expectOneSpanPerCall("responses", [{ model: "gpt-4o-mini", output: "Echo: Thanks!" }]);
  });

  it("OpenAIEmbeddings embeds a query and documents through /embeddings", async () => {
    const embeddings = new OpenAIEmbeddings({
      model: "text-embedding-3-small",
      apiKey: g.key.secret,
      maxRetries: 0,
      configuration: { baseURL: g.base, fetch: recorder.fetch },
    });
    const query = await embeddings.embedQuery("first text");
    const docs = await embeddings.embedDocuments(["first text", "second text"]);
    expect(query).toHaveLength(8);
    expect(docs).toHaveLength(2);
    expect(docs[0]!.map((x) => Math.fround(x))).toEqual(query.map((x) => Math.fround(x)));
    expect(docs[1]).not.toEqual(docs[0]);
    expect(g.fake.requests.map((r) => r.path)).toEqual(["/v1/embeddings", "/v1/embeddings"]);
    expect(sent(0).body).toMatchObject({ model: "text-embedding-3-small", input: ["first text"] });
    expect(sent(1).body).toMatchObject({ model: "text-embedding-3-small", input: ["first text", "second text"] });
    await expectOneSpanPerCall("embeddings", [{ model: "text-embedding-3-small" }, { model: "text-embedding-3-small" }]);
  });
});
