import "server-only";
// The OpenAI Responses API (POST /v1/responses) as the gateway speaks it: what `client.responses
// .create` of the `openai` package, the Vercel AI SDK's `openai(model)`, the Agents SDK and
// LangChain's `useResponsesApi` send, and the Response object and SSE event stream they parse.
//
// Keel's providers speak chat completions, so a Responses request is translated into the
// gateway's chat request and runs through the same pipeline as /chat/completions (prompt
// rendering, guardrails, fallback, limits, trace logging); the result is translated back.
// Nothing is stored: `previous_response_id`, `conversation` and `item_reference` inputs are
// refused with a 400 saying so, and `store: true` is accepted but answered with `store: false`.
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { jsonChecked } from "../contracts/fields";
import type { CompletionResult, ToolCall } from "../providers/types";
import { describeIssues } from "../public-api/errors";
import { badRequest, chatCompletionRequest, GatewayError, type ChatCompletionRequest } from "./wire";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const contentPart = z.object({ type: z.string().max(100) }).loose();
const messageItem = z
  .object({
    type: z.literal("message").optional(),
    role: z.enum(["user", "system", "developer", "assistant"], { error: "must be user, system, developer or assistant" }),
    content: z.union([z.string(), z.array(contentPart).max(1_000)]),
  })
  .loose();
const functionCallItem = z
  .object({
    type: z.literal("function_call"),
    call_id: z.string().min(1).max(200),
    name: z.string().min(1).max(200),
    arguments: z.string().max(1_000_000),
  })
  .loose();
const functionCallOutputItem = z
  .object({
    type: z.literal("function_call_output"),
    call_id: z.string().min(1).max(200),
    output: z.union([z.string(), z.array(contentPart).max(1_000)]),
  })
  .loose();
/** Any other item: named in a 400 by the translation (image/file parts, hosted tools' items, item_reference…). */
const otherItem = z.object({ type: z.string().max(100) }).loose();
const inputItem = z.union([functionCallItem, functionCallOutputItem, messageItem, otherItem]);

const functionTool = z
  .object({
    type: z.literal("function"),
    name: z.string().min(1).max(64),
    description: z.string().max(4_000).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    strict: z.boolean().nullable().optional(),
  })
  .loose();
const anyTool = z.object({ type: z.string().max(100) }).loose();

const textFormat = z.union([
  z.object({ type: z.literal("text") }).loose(),
  z.object({ type: z.literal("json_object") }).loose(),
  z
    .object({
      type: z.literal("json_schema"),
      name: z.string().min(1).max(64),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().max(4_000).optional(),
      strict: z.boolean().nullable().optional(),
    })
    .loose(),
]);

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), name: z.string().min(1).max(64) }).loose(),
  z.object({ type: z.string().max(100) }).loose(),
]);

/**
 * What the gateway reads of a Responses request; unknown fields are accepted and ignored. No
 * string anywhere in it may hold NUL or an unpaired surrogate (jsonChecked), as for chat.
 */
export const responsesRequest = jsonChecked(
  z
    .object({
      model: z.string({ error: "is required" }).trim().min(1, "is required").max(300),
      input: z.union([z.string(), z.array(inputItem).max(1_000)]).optional(),
      instructions: z.string().nullable().optional(),
      stream: z.boolean().nullable().optional(),
      tools: z
        .array(z.union([functionTool, anyTool]))
        .max(128)
        .optional(),
      tool_choice: toolChoice.optional(),
      parallel_tool_calls: z.boolean().nullable().optional(),
      temperature: z.number().min(0).max(2).nullable().optional(),
      top_p: z.number().min(0).max(1).nullable().optional(),
      max_output_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
      text: z
        .object({ format: textFormat.optional(), verbosity: z.enum(["low", "medium", "high"]).nullable().optional() })
        .loose()
        .nullable()
        .optional(),
      reasoning: z
        .object({
          effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullable().optional(),
          summary: z.string().max(20).nullable().optional(),
        })
        .loose()
        .nullable()
        .optional(),
      include: z.array(z.string().max(200)).max(50).nullable().optional(),
      top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
      service_tier: z.enum(["auto", "default", "flex", "scale", "priority", "fast"]).nullable().optional(),
      safety_identifier: z.string().max(256).nullable().optional(),
      prompt_cache_key: z.string().max(1_024).nullable().optional(),
      prompt_cache_retention: z.enum(["in_memory", "24h"]).nullable().optional(),
      truncation: z.enum(["auto", "disabled"]).nullable().optional(),
      max_tool_calls: z.number().int().min(1).max(10_000).nullable().optional(),
      stream_options: z.object({ include_obfuscation: z.boolean().nullable().optional() }).loose().nullable().optional(),
      metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
      user: z.string().max(256).optional(),
      store: z.boolean().nullable().optional(),
      previous_response_id: z.string().max(300).nullable().optional(),
      conversation: z.unknown().optional(),
      background: z.boolean().nullable().optional(),
      /** Keel: the prompt's template variables, for `model: "prompt:<name>@<label>"`. */
      variables: z.record(z.string(), scalar.nullable()).optional(),
    })
    .loose(),
);
export type ResponsesRequest = z.infer<typeof responsesRequest>;

/** Responses parameters Keel cannot carry whatever the provider: refused by name. */
const REFUSED: Record<string, string> = {
  prompt: 'OpenAI-stored prompts are not available; call a Keel prompt with model: "prompt:<name>@<label>"',
  context_management: "Keel's gateway does not compact conversations",
};
const KNOWN = new Set([...Object.keys(responsesRequest.shape), ...Object.keys(REFUSED)]);
const LOGPROBS = "log probabilities are not carried through the gateway's Responses API (chat completions carries them)";

/**
 * Fields outside the Responses API are a 400 naming the first one, as OpenAI answers and as the
 * gateway's chat completions do; a field sent as null counts as absent.
 */
function refusedField(raw: unknown): GatewayError | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (REFUSED[key]) return new GatewayError(400, "invalid_request_error", `\`${key}\` is not supported: ${REFUSED[key]}.`, "unsupported_parameter", key);
    if (!KNOWN.has(key)) return new GatewayError(400, "invalid_request_error", `Unrecognized request argument supplied: ${key}`, "unknown_parameter", key);
  }
  return null;
}

type ChatWireMessage = {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
};

const NOT_STORED = "Keel's gateway does not store responses";

/** The text of a content list: input_text/output_text/text parts joined; anything else is named in a 400. */
function textOfParts(content: string | z.infer<typeof contentPart>[], param: string): string {
  if (typeof content === "string") return content;
  return content
    .map((part, i) => {
      const value = part as { type: string; text?: unknown; refusal?: unknown };
      if ((value.type === "input_text" || value.type === "output_text" || value.type === "text") && typeof value.text === "string") return value.text;
      if (value.type === "refusal" && typeof value.refusal === "string") return value.refusal;
      throw badRequest(`Only text content is supported through the gateway (part ${i} is ${value.type})`, `${param}.${i}`);
    })
    .join("");
}

function toMessages(body: ResponsesRequest): ChatWireMessage[] {
  const messages: ChatWireMessage[] = [];
  if (body.instructions) messages.push({ role: "system", content: body.instructions });
  const input = body.input ?? [];
  if (typeof input === "string") {
    messages.push({ role: "user", content: input });
    return messages;
  }
  input.forEach((raw, i) => {
    const param = `input.${i}`;
    const type = (raw as { type?: string }).type ?? "message";
    if (type === "message" && "role" in raw) {
      const item = raw as z.infer<typeof messageItem>;
      const content = textOfParts(item.content, `${param}.content`);
      messages.push({ role: item.role === "developer" ? "system" : item.role, content });
      return;
    }
    if (type === "function_call") {
      const item = raw as z.infer<typeof functionCallItem>;
      const call = { id: item.call_id, type: "function" as const, function: { name: item.name, arguments: item.arguments } };
      // Parallel calls (and a call after the assistant's text) are one assistant turn in chat.
      const last = messages.at(-1);
      if (last?.role === "assistant") (last.tool_calls ??= []).push(call);
      else messages.push({ role: "assistant", content: null, tool_calls: [call] });
      return;
    }
    if (type === "function_call_output") {
      const item = raw as z.infer<typeof functionCallOutputItem>;
      messages.push({ role: "tool", tool_call_id: item.call_id, content: textOfParts(item.output, `${param}.output`) });
      return;
    }
    // Reasoning items carry nothing a chat model can read back (Keel's output never has them).
    if (type === "reasoning") return;
    if (type === "item_reference")
      throw badRequest(
        `${NOT_STORED}, so input items cannot refer to earlier ones by id: send the item itself (Vercel AI SDK: providerOptions.openai.store = false)`,
        param,
        "item_not_stored",
      );
    if (type === "message") throw badRequest(`${param}: a message item needs a role (user, system, developer or assistant)`, `${param}.role`);
    throw badRequest(
      `Input items of type "${type}" are not supported through the gateway (supported: message, function_call, function_call_output)`,
      `${param}.type`,
    );
  });
  return messages;
}

/** The Responses request as the gateway's chat request, or a 400 naming what cannot be translated. */
export function toChatRequest(body: ResponsesRequest): ChatCompletionRequest {
  if (body.previous_response_id)
    throw badRequest(
      `${NOT_STORED}: previous_response_id cannot be resolved. Send the whole conversation in \`input\` (and store: false)`,
      "previous_response_id",
      "response_not_stored",
    );
  if (body.conversation !== undefined && body.conversation !== null)
    throw badRequest(`${NOT_STORED} or conversations: send the whole conversation in \`input\``, "conversation", "conversation_not_stored");
  if (body.top_logprobs)
    throw new GatewayError(400, "invalid_request_error", `\`top_logprobs\` is not supported: ${LOGPROBS}.`, "unsupported_parameter", "top_logprobs");
  if (body.include?.includes("message.output_text.logprobs"))
    throw new GatewayError(
      400,
      "invalid_request_error",
      `\`include: message.output_text.logprobs\` is not supported: ${LOGPROBS}.`,
      "unsupported_parameter",
      "include",
    );
  if (body.background)
    throw badRequest("Background responses need stored responses, which Keel's gateway does not keep: leave `background` unset", "background");
  const unsupported = (body.tools ?? []).map((t, i) => ({ t, i })).filter(({ t }) => t.type !== "function");
  if (unsupported.length) {
    const names = [...new Set(unsupported.map(({ t }) => t.type))].join(", ");
    throw badRequest(`Only function tools are supported through the gateway (not ${names})`, `tools.${unsupported[0]!.i}.type`, "unsupported_tool");
  }
  const tools = (body.tools ?? []) as z.infer<typeof functionTool>[];
  const messages = toMessages(body);
  if (!messages.length && !body.model.startsWith("prompt:"))
    throw badRequest("Send the model something: `input` (a string or items) or `instructions`", "input");
  const chat: Record<string, unknown> = {
    model: body.model,
    messages,
    stream: body.stream ?? false,
  };
  if (tools.length) {
    chat.tools = tools.map((t) => ({
      type: "function",
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        ...(t.parameters ? { parameters: t.parameters } : {}),
        ...(t.strict !== undefined && t.strict !== null ? { strict: t.strict } : {}),
      },
    }));
  }
  const choice = body.tool_choice;
  if (choice !== undefined) {
    if (typeof choice === "string") chat.tool_choice = choice;
    else if (choice.type === "function" && typeof (choice as { name?: unknown }).name === "string")
      chat.tool_choice = { type: "function", function: { name: (choice as { name: string }).name } };
    else throw badRequest(`tool_choice of type "${choice.type}" is not supported through the gateway (only function tools are)`, "tool_choice");
  }
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) chat.parallel_tool_calls = body.parallel_tool_calls;
  if (body.temperature !== undefined && body.temperature !== null) chat.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) chat.top_p = body.top_p;
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null) chat.max_completion_tokens = body.max_output_tokens;
  const format = body.text?.format;
  if (format?.type === "json_object") chat.response_format = { type: "json_object" };
  if (format?.type === "json_schema") {
    const f = format as { name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null };
    chat.response_format = {
      type: "json_schema",
      json_schema: { name: f.name, schema: f.schema, ...(f.description ? { description: f.description } : {}), ...(f.strict ? { strict: true } : {}) },
    };
  }
  // Carried as their chat-completions counterparts (refused by name there when the provider cannot).
  if (body.reasoning?.effort) chat.reasoning_effort = body.reasoning.effort;
  if (body.text?.verbosity) chat.verbosity = body.text.verbosity;
  for (const key of ["service_tier", "safety_identifier", "prompt_cache_key", "prompt_cache_retention"] as const)
    if (body[key] !== undefined && body[key] !== null) chat[key] = body[key];
  if (body.metadata) chat.metadata = body.metadata;
  if (body.user !== undefined) chat.user = body.user;
  if (body.variables !== undefined) chat.variables = body.variables;
  const parsed = chatCompletionRequest.safeParse(chat);
  if (!parsed.success) {
    // Limits the chat request has that the Responses one does not check the same way.
    const { message } = describeIssues(parsed.error, { value: chat });
    throw badRequest(`The request cannot be run as a chat completion: ${message}`);
  }
  return parsed.data;
}

export function parseResponsesRequest(raw: unknown): ResponsesRequest {
  const refused = refusedField(raw);
  if (refused) throw refused;
  const parsed = responsesRequest.safeParse(raw);
  if (!parsed.success) {
    const { message, field } = describeIssues(parsed.error, { value: raw });
    throw badRequest(message, field ?? null);
  }
  return parsed.data;
}

// ----- the Response object --------------------------------------------------------------------

type ResponseIds = { id: string; created: number };
type OutputText = { type: "output_text"; text: string; annotations: never[]; logprobs: never[] };
type MessageItem = { type: "message"; id: string; status: "in_progress" | "completed"; role: "assistant"; content: OutputText[] };
type FunctionCallItem = { type: "function_call"; id: string; call_id: string; name: string; arguments: string; status: "in_progress" | "completed" };
type OutputItem = MessageItem | FunctionCallItem;

const outputText = (text: string): OutputText => ({ type: "output_text", text, annotations: [], logprobs: [] });

function usageOf(result: CompletionResult) {
  const { inputTokens, outputTokens } = result.usage;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

function toolsOf(body: ResponsesRequest) {
  return ((body.tools ?? []) as z.infer<typeof functionTool>[]).map((t) => ({
    type: "function",
    name: t.name,
    description: t.description ?? null,
    parameters: t.parameters ?? null,
    strict: t.strict ?? null,
  }));
}

/** The Response object: everything but the output is the request echoed, as OpenAI answers. */
function responseObject(
  body: ResponsesRequest,
  ids: ResponseIds,
  model: string,
  status: "in_progress" | "completed" | "incomplete" | "failed",
  output: OutputItem[],
  extra: Record<string, unknown> = {},
) {
  const text = output.flatMap((item) => (item.type === "message" ? item.content.map((c) => c.text) : [])).join("");
  return {
    id: ids.id,
    object: "response",
    created_at: ids.created,
    status,
    background: false,
    completed_at: null as number | null,
    error: null as { code: string; message: string } | null,
    incomplete_details: null as { reason: string } | null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    model,
    output,
    output_text: text,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    // Accepted but never kept: the answer says so.
    store: false,
    temperature: body.temperature ?? null,
    text: { format: body.text?.format ?? { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: toolsOf(body),
    top_p: body.top_p ?? null,
    truncation: "disabled",
    usage: null as ReturnType<typeof usageOf> | null,
    user: body.user ?? null,
    ...extra,
  };
}

function finished(result: CompletionResult): { status: "completed" | "incomplete"; incomplete_details: { reason: string } | null } {
  if (result.finishReason === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (result.finishReason === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

const functionCallItem_ = (call: ToolCall, id: string, status: FunctionCallItem["status"]): FunctionCallItem => ({
  type: "function_call",
  id,
  call_id: call.id,
  name: call.name,
  arguments: status === "completed" ? call.arguments : "",
  status,
});

function outputOf(result: CompletionResult, itemId: (kind: "msg" | "fc", n: number) => string): OutputItem[] {
  const output: OutputItem[] = [];
  if (result.text || !result.toolCalls?.length)
    output.push({ type: "message", id: itemId("msg", 0), status: "completed", role: "assistant", content: [outputText(result.text)] });
  result.toolCalls?.forEach((c, i) => output.push(functionCallItem_(c, itemId("fc", i), "completed")));
  return output;
}

const itemIds = (ids: ResponseIds) => (kind: "msg" | "fc", n: number) => `${kind}_${ids.id.slice("resp_".length)}${n ? `_${n}` : ""}`;

/** The non-streamed answer. */
export function responseBody(body: ResponsesRequest, ids: ResponseIds, result: CompletionResult) {
  const { status, incomplete_details } = finished(result);
  return responseObject(body, ids, result.model, status, outputOf(result, itemIds(ids)), {
    incomplete_details,
    completed_at: Math.floor(Date.now() / 1000),
    usage: usageOf(result),
  });
}

// ----- the event stream -----------------------------------------------------------------------

export type ResponsesStream = {
  /** Headers sent, `response.created` and `response.in_progress` written. */
  open(model: string, headers: string[]): void;
  text(piece: string): void;
  finish(result: CompletionResult): void;
  /** A failure after the stream opened: `response.failed`, then an `error` event. */
  fail(error: GatewayError): void;
};

/** Writes the Responses SSE event stream: every event named (`event:`) and numbered (`sequence_number`). */
export function responsesStream(res: ServerResponse, body: ResponsesRequest, ids: ResponseIds): ResponsesStream {
  let sequence = 0;
  let model = body.model;
  const output: OutputItem[] = [];
  let message: MessageItem | null = null;
  let messageIndex = -1;
  const newId = itemIds(ids);
  const emit = (type: string, data: Record<string, unknown>) => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  };
  const snapshot = (status: "in_progress" | "completed" | "incomplete" | "failed", extra: Record<string, unknown> = {}) =>
    responseObject(body, ids, model, status, structuredClone(output), extra);

  const openMessage = () => {
    message = { type: "message", id: newId("msg", 0), status: "in_progress", role: "assistant", content: [] };
    messageIndex = output.length;
    output.push(message);
    emit("response.output_item.added", { output_index: messageIndex, item: structuredClone(message) });
    message.content.push(outputText(""));
    emit("response.content_part.added", { item_id: message.id, output_index: messageIndex, content_index: 0, part: outputText("") });
  };
  const closeMessage = () => {
    if (!message) return;
    const part = message.content[0]!;
    emit("response.output_text.done", { item_id: message.id, output_index: messageIndex, content_index: 0, text: part.text, logprobs: [] });
    emit("response.content_part.done", { item_id: message.id, output_index: messageIndex, content_index: 0, part: structuredClone(part) });
    message.status = "completed";
    emit("response.output_item.done", { output_index: messageIndex, item: structuredClone(message) });
  };

  const text = (piece: string) => {
    if (!piece) return;
    if (!message) openMessage();
    message!.content[0]!.text += piece;
    emit("response.output_text.delta", { item_id: message!.id, output_index: messageIndex, content_index: 0, delta: piece, logprobs: [] });
  };

  return {
    open(answering, headers) {
      model = answering;
      res.writeHead(200, headers);
      emit("response.created", { response: snapshot("in_progress") });
      emit("response.in_progress", { response: snapshot("in_progress") });
    },
    text,
    finish(result) {
      model = result.model;
      // A tool-calls-only answer has no message; an empty answer still has one.
      if (!message && (result.text || !result.toolCalls?.length)) {
        openMessage();
        text(result.text);
      }
      closeMessage();
      result.toolCalls?.forEach((call, i) => {
        const index = output.length;
        const item = functionCallItem_(call, newId("fc", i), "in_progress");
        output.push(item);
        emit("response.output_item.added", { output_index: index, item: structuredClone(item) });
        if (call.arguments) emit("response.function_call_arguments.delta", { item_id: item.id, output_index: index, delta: call.arguments });
        item.arguments = call.arguments;
        emit("response.function_call_arguments.done", { item_id: item.id, output_index: index, name: call.name, arguments: call.arguments });
        item.status = "completed";
        emit("response.output_item.done", { output_index: index, item: structuredClone(item) });
      });
      const { status, incomplete_details } = finished(result);
      emit(status === "completed" ? "response.completed" : "response.incomplete", {
        response: snapshot(status, { incomplete_details, completed_at: Math.floor(Date.now() / 1000), usage: usageOf(result) }),
      });
      res.end();
    },
    fail(error) {
      const code = error.code ?? error.type;
      emit("response.failed", { response: snapshot("failed", { error: { code, message: error.message } }) });
      emit("error", { code, message: error.message, param: error.param });
      res.end();
    },
  };
}
