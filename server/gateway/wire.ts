import "server-only";
// The OpenAI chat-completions wire format, as the gateway speaks it: the request it accepts (what
// the official `openai` client sends, plus Keel's `variables`), the response and stream chunk
// objects it answers with, and errors in OpenAI's `{ error: { message, type, param, code } }`
// shape so OpenAI clients raise their usual exceptions.
import { z } from "zod";
import { jsonChecked } from "../contracts/fields";
import type {
  ChatMessage,
  CompletionRequest,
  CompletionResult,
  FinishReason,
  Logprobs,
  RequestParameter,
  TokenLogprob,
  ToolCall,
  ToolDefinition,
} from "../providers/types";

const textPart = z.object({ type: z.literal("text"), text: z.string() }).loose();
const content = z.union([z.string(), z.array(z.union([textPart, z.object({ type: z.string() }).loose()])), z.null()]);

const wireToolCall = z
  .object({
    id: z.string().max(200),
    type: z.literal("function").optional(),
    function: z.object({ name: z.string().max(200), arguments: z.string().max(1_000_000) }),
  })
  .loose();

const wireMessage = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool"], { error: "must be system, developer, user, assistant or tool" }),
    content: content.optional(),
    name: z.string().max(200).optional(),
    tool_calls: z.array(wireToolCall).max(128).optional(),
    tool_call_id: z.string().max(200).optional(),
  })
  .loose();

const wireTool = z
  .object({
    type: z.literal("function", { error: "only function tools are supported" }),
    function: z
      .object({ name: z.string().min(1).max(64), description: z.string().max(4_000).optional(), parameters: z.record(z.string(), z.unknown()).optional() })
      .loose(),
  })
  .loose();

const responseFormat = z.union([
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z
      .object({ name: z.string().max(64), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() })
      .loose(),
  }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const namedToolChoice = z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1).max(64) }).loose() }).loose();
const toolChoice = z.union([z.enum(["none", "auto", "required"]), namedToolChoice, z.object({ type: z.string() }).loose()]);

/**
 * What the gateway reads of a request: every chat-completions parameter of OpenAI's API, plus
 * Keel's `variables`. Fields outside it are refused by `unknownParameter` (OpenAI does the same).
 * No string anywhere in it (content, tool arguments, metadata) may hold NUL or an unpaired
 * surrogate, which the trace log could not store (jsonChecked).
 */
export const chatCompletionRequest = jsonChecked(
  z
    .object({
      model: z.string({ error: "is required" }).trim().min(1, "is required").max(300),
      messages: z.array(wireMessage).max(1_000).default([]),
      stream: z.boolean().nullable().optional(),
      stream_options: z
        .object({ include_usage: z.boolean().nullable().optional(), include_obfuscation: z.boolean().nullable().optional() })
        .strict()
        .nullable()
        .optional(),
      temperature: z.number().min(0).max(2).nullable().optional(),
      top_p: z.number().min(0).max(1).nullable().optional(),
      max_tokens: z.number().int().min(1).nullable().optional(),
      max_completion_tokens: z.number().int().min(1).nullable().optional(),
      stop: z
        .union([z.string(), z.array(z.string()).max(4)])
        .nullable()
        .optional(),
      tools: z.array(wireTool).max(128).nullable().optional(),
      tool_choice: toolChoice.nullable().optional(),
      parallel_tool_calls: z.boolean().nullable().optional(),
      response_format: responseFormat.nullable().optional(),
      n: z.number().int().min(1).max(128).nullable().optional(),
      seed: z.number().int().nullable().optional(),
      logprobs: z.boolean().nullable().optional(),
      top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
      presence_penalty: z.number().min(-2).max(2).nullable().optional(),
      frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
      logit_bias: z.record(z.string().regex(/^\d+$/, "keys are token ids"), z.number().min(-100).max(100)).nullable().optional(),
      reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullable().optional(),
      verbosity: z.enum(["low", "medium", "high"]).nullable().optional(),
      service_tier: z.enum(["auto", "default", "flex", "scale", "priority", "fast"]).nullable().optional(),
      store: z.boolean().nullable().optional(),
      /** OpenAI's string tags; Keel reads (and removes) `keel_variables` from them. */
      metadata: z.record(z.string().max(64), z.string().max(65_536)).nullable().optional(),
      user: z.string().max(256).nullable().optional(),
      safety_identifier: z.string().max(256).nullable().optional(),
      prompt_cache_key: z.string().max(1_024).nullable().optional(),
      prompt_cache_retention: z.enum(["in_memory", "24h"]).nullable().optional(),
      prompt_cache_options: z.record(z.string(), z.unknown()).nullable().optional(),
      prediction: z
        .object({ type: z.literal("content"), content: content })
        .loose()
        .nullable()
        .optional(),
      modalities: z
        .array(z.enum(["text", "audio"]))
        .nullable()
        .optional(),
      /** Keel: the prompt's template variables, for `model: "prompt:<name>@<label>"`. */
      variables: z.record(z.string(), scalar.nullable()).optional(),
    })
    .loose(),
);
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** OpenAI parameters Keel cannot carry back to the client whatever the provider: refused by name. */
const REFUSED: Record<string, string> = {
  audio: "Keel's gateway returns text only, not audio output",
  web_search_options: "Keel's gateway does not carry web search results (message annotations)",
  functions: "use `tools` (the deprecated `functions` is not supported)",
  function_call: "use `tool_choice` (the deprecated `function_call` is not supported)",
  moderation: "Keel's gateway does not carry moderation results; use a guardrail",
};
const KNOWN = new Set([...Object.keys(chatCompletionRequest.shape), ...Object.keys(REFUSED)]);

/**
 * The rule for fields outside the chat-completions API, as OpenAI applies it: a 400 naming the
 * first one, so a typo or a parameter meant for another API is never silently dropped. A field
 * sent as null counts as absent (clients that spread an options object send nulls).
 */
export function refusedParameter(raw: unknown): GatewayError | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (REFUSED[key]) return new GatewayError(400, "invalid_request_error", `\`${key}\` is not supported: ${REFUSED[key]}.`, "unsupported_parameter", key);
    if (key === "modalities" && Array.isArray(value) && value.includes("audio"))
      return new GatewayError(400, "invalid_request_error", `\`modalities\` may only be ["text"]: ${REFUSED.audio}.`, "unsupported_parameter", key);
    if (!KNOWN.has(key)) return new GatewayError(400, "invalid_request_error", `Unrecognized request argument supplied: ${key}`, "unknown_parameter", key);
  }
  return null;
}

/** Each internal parameter's name on the wire, for refusals. */
export const WIRE_NAMES: Record<RequestParameter, string> = {
  temperature: "temperature",
  maxTokens: "max_completion_tokens",
  stop: "stop",
  responseFormat: "response_format",
  tools: "tools",
  topP: "top_p",
  seed: "seed",
  n: "n",
  toolChoice: "tool_choice",
  parallelToolCalls: "parallel_tool_calls",
  logprobs: "logprobs",
  topLogprobs: "top_logprobs",
  presencePenalty: "presence_penalty",
  frequencyPenalty: "frequency_penalty",
  reasoningEffort: "reasoning_effort",
  metadata: "metadata",
  user: "user",
  logitBias: "logit_bias",
  serviceTier: "service_tier",
  store: "store",
  verbosity: "verbosity",
  openaiExtras: "openai",
};

type Parameters = Omit<CompletionRequest, "model" | "messages" | "signal">;

/**
 * The request's own parameters in the providers' shape (set fields only): they override the
 * prompt version's config. `metadata` comes without Keel's `keel_variables`. Tools are merged with
 * the prompt's by the caller.
 */
export function requestParameters(body: ChatCompletionRequest): Parameters {
  const out: Parameters = {};
  const set = <K extends keyof Parameters>(key: K, value: Parameters[K] | null | undefined) => {
    if (value !== undefined && value !== null) out[key] = value;
  };
  set("temperature", body.temperature);
  set("maxTokens", body.max_completion_tokens ?? body.max_tokens);
  set("stop", typeof body.stop === "string" ? [body.stop] : body.stop);
  const format = body.response_format;
  if (format?.type === "text") out.responseFormat = { type: "text" };
  if (format?.type === "json_object") out.responseFormat = { type: "json_object" };
  if (format?.type === "json_schema")
    out.responseFormat = {
      type: "json_schema",
      name: format.json_schema.name,
      schema: format.json_schema.schema ?? {},
      ...(format.json_schema.strict ? { strict: true } : {}),
    };
  set("topP", body.top_p);
  set("seed", body.seed);
  set("n", body.n);
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null) {
    if (typeof choice === "string") out.toolChoice = choice;
    else if (choice.type === "function" && typeof (choice as { function?: { name?: unknown } }).function?.name === "string")
      out.toolChoice = { name: (choice as { function: { name: string } }).function.name };
    else
      throw badRequest(
        `tool_choice of type "${choice.type}" is not supported: send "none", "auto", "required" or { type: "function", function: { name } }`,
        "tool_choice",
        "unsupported_parameter",
      );
  }
  set("parallelToolCalls", body.parallel_tool_calls);
  set("logprobs", body.logprobs);
  set("topLogprobs", body.top_logprobs);
  set("presencePenalty", body.presence_penalty);
  set("frequencyPenalty", body.frequency_penalty);
  set("reasoningEffort", body.reasoning_effort);
  set("verbosity", body.verbosity);
  set("serviceTier", body.service_tier);
  set("store", body.store);
  set("logitBias", body.logit_bias);
  set("user", body.user);
  if (body.metadata) {
    const { keel_variables: _variables, ...rest } = body.metadata;
    if (Object.keys(rest).length) out.metadata = rest;
  }
  const extras: Record<string, unknown> = {};
  for (const key of ["safety_identifier", "prompt_cache_key", "prompt_cache_retention", "prompt_cache_options", "prediction"] as const) {
    if (body[key] !== undefined && body[key] !== null) extras[key] = body[key];
  }
  if (Object.keys(extras).length) out.openaiExtras = extras;
  return out;
}

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }

  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, "invalid_request_error", message, code, param);

function textOf(value: z.infer<typeof content> | undefined, param: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return value
    .map((part, i) => {
      if (part.type === "text" && typeof (part as { text?: unknown }).text === "string") return (part as { text: string }).text;
      throw badRequest(`Only text content is supported through the gateway (part ${i} is ${part.type})`, `${param}.${i}`);
    })
    .join("");
}

/** The request's messages in the providers' shape (developer → system, content parts joined). */
export function toChatMessages(messages: ChatCompletionRequest["messages"]): ChatMessage[] {
  return messages.map((m, i) => {
    const text = textOf(m.content, `messages.${i}.content`);
    if (m.role === "tool") return { role: "tool", content: text, toolCallId: m.tool_call_id ?? "" };
    if (m.role === "assistant" && m.tool_calls?.length)
      return { role: "assistant", content: text, toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) };
    return { role: m.role === "developer" ? "system" : m.role, content: text };
  });
}

export function toTools(tools: ChatCompletionRequest["tools"]): ToolDefinition[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    parameters: t.function.parameters ?? { type: "object", properties: {} },
  }));
}

const FINISH: Record<FinishReason, string> = { stop: "stop", length: "length", tool_calls: "tool_calls", content_filter: "content_filter", other: "stop" };

const wireToolCalls = (calls: ToolCall[] | undefined) =>
  calls?.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } }));

type Choice = { text: string; toolCalls?: ToolCall[]; finishReason: FinishReason; logprobs?: Logprobs | null };

function wireChoice(index: number, c: Choice) {
  const toolCalls = wireToolCalls(c.toolCalls);
  return {
    index,
    message: {
      role: "assistant",
      content: toolCalls?.length && !c.text ? null : c.text,
      refusal: null,
      ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
    },
    logprobs: c.logprobs ?? null,
    finish_reason: FINISH[c.finishReason],
  };
}

export function completionBody(
  id: string,
  created: number,
  model: string,
  result: Pick<CompletionResult, "text" | "toolCalls" | "finishReason" | "usage" | "logprobs" | "alternatives">,
) {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [result, ...(result.alternatives ?? [])].map((c, i) => wireChoice(i, c)),
    usage: usageOf(result.usage),
  };
}

export function usageOf(usage: CompletionResult["usage"]) {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
}

/** One SSE `data:` line of a chat.completion.chunk. */
export function chunkLine(
  id: string,
  created: number,
  model: string,
  delta: Record<string, unknown>,
  finishReason: FinishReason | null,
  usage?: CompletionResult["usage"],
  logprobs?: TokenLogprob[],
): string {
  const choices = usage
    ? []
    : [{ index: 0, delta, logprobs: logprobs ? { content: logprobs, refusal: null } : null, finish_reason: finishReason ? FINISH[finishReason] : null }];
  return `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...(usage ? { usage: usageOf(usage) } : {}) })}\n\n`;
}

export function toolCallsDelta(calls: ToolCall[]) {
  return { tool_calls: calls.map((c, index) => ({ index, id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) };
}
