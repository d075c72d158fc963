// The gateway's reading of a chat-completions request: unknown and uncarriable fields refused by
// name, parameters in the providers' shape, and prompt variables merged from the body, metadata
// and the Keel-Variables header.
import { describe, expect, it } from "vitest";
import { chatCompletionRequest, completionBody, refusedParameter, requestParameters, type GatewayError } from "./wire";
import { requestVariables } from "./variables";

const parse = (body: Record<string, unknown>) => chatCompletionRequest.parse({ model: "m", messages: [], ...body });
const caught = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error("expected a refusal");
};

describe("refusedParameter", () => {
  it("names an unknown field as OpenAI does, ignores nulls, and refuses what Keel cannot carry back", () => {
    expect(refusedParameter({ model: "m", messages: [], n: 2, seed: 1, metadata: { a: "b" }, variables: {} })).toBeNull();
    expect(refusedParameter({ model: "m", topk: 3 })?.body()).toEqual({
      error: { message: "Unrecognized request argument supplied: topk", type: "invalid_request_error", param: "topk", code: "unknown_parameter" },
    });
    expect(refusedParameter({ model: "m", topk: null })).toBeNull();
    for (const field of ["audio", "web_search_options", "functions", "function_call", "moderation"])
      expect(refusedParameter({ [field]: {} })?.param).toBe(field);
    expect(refusedParameter({ modalities: ["text"] })).toBeNull();
    expect(refusedParameter({ modalities: ["text", "audio"] })?.code).toBe("unsupported_parameter");
  });
});

describe("requestParameters", () => {
  it("maps every parameter to the providers' shape, set fields only", () => {
    expect(requestParameters(parse({}))).toEqual({});
    expect(
      requestParameters(
        parse({
          temperature: 0.1,
          max_tokens: 10,
          max_completion_tokens: 20,
          stop: "x",
          top_p: 0.3,
          seed: 4,
          n: 2,
          tool_choice: { type: "function", function: { name: "f" } },
          parallel_tool_calls: false,
          logprobs: true,
          top_logprobs: 3,
          presence_penalty: 1,
          frequency_penalty: -1,
          reasoning_effort: "minimal",
          verbosity: "high",
          service_tier: "priority",
          store: true,
          logit_bias: { "7": -1 },
          user: "u",
          metadata: { keel_variables: "{}", team: "t" },
          safety_identifier: "s",
          prediction: { type: "content", content: "p" },
          response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object" }, strict: true } },
          top_k: null,
        }),
      ),
    ).toEqual({
      temperature: 0.1,
      maxTokens: 20,
      stop: ["x"],
      topP: 0.3,
      seed: 4,
      n: 2,
      toolChoice: { name: "f" },
      parallelToolCalls: false,
      logprobs: true,
      topLogprobs: 3,
      presencePenalty: 1,
      frequencyPenalty: -1,
      reasoningEffort: "minimal",
      verbosity: "high",
      serviceTier: "priority",
      store: true,
      logitBias: { "7": -1 },
      user: "u",
      metadata: { team: "t" },
      openaiExtras: { safety_identifier: "s", prediction: { type: "content", content: "p" } },
      responseFormat: { type: "json_schema", name: "r", schema: { type: "object" }, strict: true },
    });
    expect(requestParameters(parse({ metadata: { keel_variables: "{}" } }))).toEqual({});
    expect(caught(() => requestParameters(parse({ tool_choice: { type: "allowed_tools", allowed_tools: {} } }))).param).toBe("tool_choice");
  });

  it("answers every choice with its index and log probabilities", () => {
    const body = completionBody("id", 1, "m", {
      text: "a",
      finishReason: "stop",
      usage: { inputTokens: 1, outputTokens: 2 },
      logprobs: { content: [] },
      alternatives: [{ text: "", toolCalls: [{ id: "c", name: "f", arguments: "{}" }], finishReason: "tool_calls" }],
    });
    expect(body.choices).toEqual([
      { index: 0, message: { role: "assistant", content: "a", refusal: null }, logprobs: { content: [] }, finish_reason: "stop" },
      {
        index: 1,
        message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ]);
  });
});

describe("requestVariables", () => {
  it("merges the body, metadata.keel_variables and the header; agreeing duplicates are fine", () => {
    expect(requestVariables({}, undefined)).toBeNull();
    expect(requestVariables({ variables: { a: 1, b: null }, metadata: { keel_variables: '{"c":true,"a":"1"}' } }, '{"d":"x"}')).toEqual({
      a: "1",
      b: "",
      c: "true",
      d: "x",
    });
  });

  it("refuses conflicts, bad JSON, non-objects and nested values, naming the source", () => {
    expect(caught(() => requestVariables({ variables: { a: "1" } }, '{"a":"2"}')).body().error).toMatchObject({
      param: "Keel-Variables",
      code: "conflicting_variables",
      message: expect.stringMatching(/"a".*`variables`.*the Keel-Variables header/),
    });
    expect(caught(() => requestVariables({ metadata: { keel_variables: '{"a":"1"}' } }, '{"a":"2"}')).param).toBe("Keel-Variables");
    expect(caught(() => requestVariables({ metadata: { keel_variables: "nope" } }, undefined)).body().error).toMatchObject({
      param: "metadata.keel_variables",
      code: "invalid_variables",
    });
    expect(caught(() => requestVariables({}, "[]")).message).toMatch(/Keel-Variables header must be a JSON object/);
    expect(caught(() => requestVariables({}, '{"a":[1]}')).message).toMatch(/variable "a" must be a string, number, boolean or null/);
  });
});
