// The Responses ↔ chat translation on its own: the request items as chat messages, what is
// refused and why, and the Response object and event stream built from a chat result.
import { describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import type { CompletionResult } from "../providers/types";
import { parseResponsesRequest, responseBody, responsesStream, toChatRequest } from "./responses";
import { GatewayError } from "./wire";

const chat = (raw: unknown) => toChatRequest(parseResponsesRequest(raw));
const refusal = (raw: unknown) => {
  try {
    chat(raw);
  } catch (error) {
    if (error instanceof GatewayError) return { status: error.status, code: error.code, param: error.param, message: error.message };
    throw error;
  }
  throw new Error("accepted");
};
const result = (over: Partial<CompletionResult> = {}): CompletionResult => ({
  text: "Hi",
  usage: { inputTokens: 3, outputTokens: 2 },
  latencyMs: 1,
  model: "m-1",
  finishReason: "stop",
  attempts: 1,
  ...over,
});

describe("Responses request → chat request", () => {
  it("joins parallel calls (and the assistant text before them) into one assistant turn, and skips reasoning items", () => {
    const body = chat({
      model: "m",
      instructions: "Sys",
      input: [
        { role: "user", content: "Q" },
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Let me look." }] },
        { type: "function_call", call_id: "c1", name: "a", arguments: "{}" },
        { type: "function_call", call_id: "c2", name: "b", arguments: '{"x":1}' },
        { type: "function_call_output", call_id: "c1", output: "one" },
        { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "two" }] },
      ],
      tool_choice: { type: "function", name: "a" },
      max_output_tokens: 9,
      top_p: 0.5,
      text: { format: { type: "json_object" } },
    });
    expect(body.messages).toEqual([
      { role: "system", content: "Sys" },
      { role: "user", content: "Q" },
      {
        role: "assistant",
        content: "Let me look.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "a", arguments: "{}" } },
          { id: "c2", type: "function", function: { name: "b", arguments: '{"x":1}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "one" },
      { role: "tool", tool_call_id: "c2", content: "two" },
    ]);
    expect(body).toMatchObject({
      max_completion_tokens: 9,
      top_p: 0.5,
      response_format: { type: "json_object" },
      tool_choice: { type: "function", function: { name: "a" } },
      stream: false,
    });
  });

  it("refuses what it cannot translate, naming the field", () => {
    expect(refusal({ model: "m", input: "x", conversation: "conv_1" })).toMatchObject({ status: 400, code: "conversation_not_stored", param: "conversation" });
    expect(refusal({ model: "m", input: "x", background: true })).toMatchObject({ status: 400, param: "background" });
    expect(refusal({ model: "m", input: "x", tools: [{ type: "function", name: "f" }, { type: "file_search" }, { type: "mcp" }] })).toMatchObject({
      code: "unsupported_tool",
      param: "tools.1.type",
      message: expect.stringContaining("file_search, mcp"),
    });
    expect(refusal({ model: "m", input: "x", tool_choice: { type: "web_search_preview" } })).toMatchObject({ param: "tool_choice" });
    expect(refusal({ model: "m", input: [{ type: "computer_call_output", call_id: "c" }] })).toMatchObject({
      param: "input.0.type",
      message: expect.stringContaining("computer_call_output"),
    });
    expect(refusal({ model: "m", input: [{ type: "message", content: "no role" }] })).toMatchObject({ param: "input.0.role" });
    expect(refusal({ model: "m", input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] })).toMatchObject({ param: "input.0.content.0" });
    expect(refusal({ model: "m", input: [{ type: "function_call_output", call_id: "c", output: [{ type: "input_image", image_url: "u" }] }] })).toMatchObject({
      param: "input.0.output.0",
    });
    expect(() => parseResponsesRequest({ model: "m", temperature: 3 })).toThrow(/temperature/);
    expect(refusal({ model: "m" })).toMatchObject({ status: 400, param: "input" });
    expect(refusal({ model: "m", input: "x", temprature: 1 })).toMatchObject({ status: 400, code: "unknown_parameter", param: "temprature" });
    expect(refusal({ model: "m", input: "x", prompt: { id: "pmpt_1" } })).toMatchObject({
      code: "unsupported_parameter",
      param: "prompt",
      message: expect.stringContaining("prompt:<name>@<label>"),
    });
    expect(refusal({ model: "m", input: "x", top_logprobs: 3 })).toMatchObject({ code: "unsupported_parameter", param: "top_logprobs" });
    expect(refusal({ model: "m", input: "x", include: ["message.output_text.logprobs"] })).toMatchObject({ param: "include" });
    // What the Agents SDK, LangChain and the AI SDK send (include: [], text: {}, store: false, nulls) is accepted.
    expect(
      chat({
        model: "m",
        input: "x",
        include: ["reasoning.encrypted_content"],
        text: {},
        store: false,
        truncation: "disabled",
        temperature: null,
        reasoning: { effort: "low" },
        service_tier: "flex",
      }),
    ).toMatchObject({ reasoning_effort: "low", service_tier: "flex" });
    expect(chat({ model: "prompt:p@production" }).messages).toEqual([]);
  });
});

describe("chat result → Response", () => {
  it("is incomplete at the token limit, and a tool-calls-only answer has no message", () => {
    const ids = { id: "resp_abc", created: 1 };
    const body = parseResponsesRequest({ model: "m", input: "x" });
    expect(responseBody(body, ids, result({ finishReason: "length" }))).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output_text: "Hi",
    });
    const calls = responseBody(body, ids, result({ text: "", finishReason: "tool_calls", toolCalls: [{ id: "c1", name: "f", arguments: "{}" }] }));
    expect(calls.output).toEqual([{ type: "function_call", id: "fc_abc", call_id: "c1", name: "f", arguments: "{}", status: "completed" }]);
    expect(calls.usage).toMatchObject({ input_tokens: 3, output_tokens: 2, total_tokens: 5 });
  });

  it("streams numbered events; an empty answer still has a message, a failure ends with response.failed and error", () => {
    const run = (drive: (s: ReturnType<typeof responsesStream>) => void) => {
      let out = "";
      const res = {
        writeHead: () => res,
        write: (chunk: string) => ((out += chunk), true),
        end: (chunk?: string) => ((out += chunk ?? ""), res),
      } as unknown as ServerResponse;
      drive(responsesStream(res, parseResponsesRequest({ model: "m", input: "x" }), { id: "resp_1", created: 1 }));
      return out
        .split("\n\n")
        .filter(Boolean)
        .map((block) => JSON.parse(block.split("\n")[1]!.slice("data: ".length)) as { type: string; sequence_number: number });
    };
    const empty = run((s) => {
      s.open("m", []);
      s.finish(result({ text: "" }));
    });
    expect(empty.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(empty.map((e) => e.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const failed = run((s) => {
      s.open("m", []);
      s.text("par");
      s.fail(new GatewayError(502, "provider_error", "The model provider failed", "provider_error"));
    });
    expect(failed.map((e) => e.type).slice(-2)).toEqual(["response.failed", "error"]);
    expect(failed.at(-2)).toMatchObject({
      response: { status: "failed", error: { code: "provider_error" }, output: [{ type: "message", content: [{ text: "par" }] }] },
    });
  });
});
