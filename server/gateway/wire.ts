import "server-only";
// The OpenAI chat-completions wire format, as the gateway speaks it: the request it accepts (what
// the official `openai` client sends, plus Keel's `variables`), the response and stream chunk
// objects it answers with, and errors in OpenAI's `{ error: { message, type, param, code } }`
// shape so OpenAI clients raise their usual exceptions.
import { z } from "zod";
import { jsonChecked } from "../contracts/fields";
import type { ChatMessage, CompletionResult, FinishReason, ToolCall, ToolDefinition } from "../providers/types";

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
    function: z.object({ name: z.string().min(1).max(64), description: z.string().max(4_000).optional(), parameters: z.record(z.string(), z.unknown()).optional() }).loose(),
  })
  .loose();

const responseFormat = z.union([
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({ type: z.literal("json_schema"), json_schema: z.object({ name: z.string().max(64), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }).loose() }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * What the gateway reads of a request; unknown OpenAI fields are accepted and ignored. No string
 * anywhere in it (content, tool arguments, unknown fields) may hold NUL or an unpaired surrogate,
 * which the trace log could not store (jsonChecked).
 */
export const chatCompletionRequest = jsonChecked(
  z
    .object({
      model: z.string({ error: "is required" }).trim().min(1, "is required").max(300),
      messages: z.array(wireMessage).max(1_000).default([]),
      stream: z.boolean().nullable().optional(),
      stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
      temperature: z.number().min(0).max(2).nullable().optional(),
      max_tokens: z.number().int().min(1).nullable().optional(),
      max_completion_tokens: z.number().int().min(1).nullable().optional(),
      stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
      tools: z.array(wireTool).max(128).optional(),
      response_format: responseFormat.optional(),
      user: z.string().max(256).optional(),
      /** Keel: the prompt's template variables, for `model: "prompt:<name>@<label>"`. */
      variables: z.record(z.string(), scalar.nullable()).optional(),
    })
    .loose(),
);
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

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

export const badRequest = (message: string, param: string | null = null, code: string | null = null) => new GatewayError(400, "invalid_request_error", message, code, param);

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
    if (m.role === "assistant" && m.tool_calls?.length) return { role: "assistant", content: text, toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) };
    return { role: m.role === "developer" ? "system" : m.role, content: text };
  });
}

export function toTools(tools: ChatCompletionRequest["tools"]): ToolDefinition[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({ name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), parameters: t.function.parameters ?? { type: "object", properties: {} } }));
}

const FINISH: Record<FinishReason, string> = { stop: "stop", length: "length", tool_calls: "tool_calls", content_filter: "content_filter", other: "stop" };

const wireToolCalls = (calls: ToolCall[] | undefined) => calls?.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } }));

export function completionBody(id: string, created: number, model: string, result: Pick<CompletionResult, "text" | "toolCalls" | "finishReason" | "usage">) {
  const toolCalls = wireToolCalls(result.toolCalls);
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: toolCalls?.length && !result.text ? null : result.text, refusal: null, ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: FINISH[result.finishReason],
      },
    ],
    usage: usageOf(result.usage),
  };
}

export function usageOf(usage: CompletionResult["usage"]) {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
}

/** One SSE `data:` line of a chat.completion.chunk. */
export function chunkLine(id: string, created: number, model: string, delta: Record<string, unknown>, finishReason: FinishReason | null, usage?: CompletionResult["usage"]): string {
  const choices = usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason ? FINISH[finishReason] : null }];
  return `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...(usage ? { usage: usageOf(usage) } : {}) })}\n\n`;
}

export function toolCallsDelta(calls: ToolCall[]) {
  return { tool_calls: calls.map((c, index) => ({ index, id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) };
}
