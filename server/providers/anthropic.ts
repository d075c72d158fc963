import "server-only";
// Client for Anthropic's Messages API: POST {baseUrl}/v1/messages. Differs from OpenAI's shape
// in ways the mapping hides: system prompt as a separate field, max_tokens required, tools with
// `input_schema`, and typed stream events (message_start, content_block_delta, message_delta).
import { ProviderError } from "./errors";
import { classifyError, createTransport, parseEventData, postJson, providerMessage, readJson, readSse, startDeadline, joinUrl, type Transport } from "./http";
import { streamWithRetries, withRetries } from "./retry";
import { firstUnsupported } from "./parameters";
import type { CompletionRequest, CompletionResult, FinishReason, Provider, ProviderOptions, RequestParameter, StreamEvent, ToolCall, Usage } from "./types";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";
/** The API requires max_tokens; used when the prompt's config has none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;
/**
 * What the Messages API can carry. Not carried: n > 1, seed, logprobs, presence/frequency
 * penalties, logit_bias, free-form metadata (it has only user_id), service_tier (other values),
 * store, verbosity, and reasoning_effort (extended thinking needs a token budget and constrains
 * temperature and tool_choice, which no effort level maps onto cleanly).
 */
const CARRIED = new Set<RequestParameter>(["temperature", "maxTokens", "stop", "responseFormat", "tools", "topP", "toolChoice", "parallelToolCalls", "user"]);

type WireUsage = { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null };
type WireBlock = { type: string; text?: string; id?: string; name?: string; input?: unknown };
type WireMessage = { model?: string; content?: WireBlock[]; stop_reason?: string | null; usage?: WireUsage };
type WireEvent = {
  type: string;
  message?: WireMessage;
  index?: number;
  content_block?: WireBlock;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: WireUsage;
  error?: { type?: string; message?: string };
};

/** Anthropic has no response_format: JSON output is asked for in the system prompt. */
function formatInstruction(req: CompletionRequest): string | null {
  const f = req.responseFormat;
  if (f?.type === "json_object") return "Respond with a single JSON object and nothing else: no prose, no code fences.";
  if (f?.type === "json_schema") {
    return `Respond with a single JSON object and nothing else (no prose, no code fences) that matches this JSON schema, named "${f.name}":\n${JSON.stringify(f.schema)}`;
  }
  return null;
}

/** Tool turns in Anthropic's shape: tool_use blocks on the assistant, tool_result blocks from the user. */
function toAnthropicMessage(m: CompletionRequest["messages"][number]): Record<string, unknown> {
  if (m.role === "tool") return { role: "user", content: [{ type: "tool_result", tool_use_id: m.toolCallId ?? "", content: m.content }] };
  if (m.role === "assistant" && m.toolCalls?.length) {
    const input = (args: string) => {
      try {
        return JSON.parse(args) as unknown;
      } catch {
        return {};
      }
    };
    return {
      role: "assistant",
      content: [
        ...(m.content ? [{ type: "text", text: m.content }] : []),
        ...m.toolCalls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: input(c.arguments) })),
      ],
    };
  }
  return { role: m.role, content: m.content };
}

/** OpenAI's tool_choice (and parallel_tool_calls: false) in Anthropic's shape: auto, any (required), none, tool (named). */
function toolChoiceOf(req: CompletionRequest): Record<string, unknown> | null {
  const c = req.toolChoice;
  if (c === "none") return { type: "none" };
  const choice = c === undefined || c === "auto" ? { type: "auto" } : c === "required" ? { type: "any" } : { type: "tool", name: c.name };
  if (req.parallelToolCalls === false) return { ...choice, disable_parallel_tool_use: true };
  return c === undefined ? null : choice;
}

export function toAnthropicBody(req: CompletionRequest, stream: boolean): Record<string, unknown> {
  const system = req.messages.filter((m) => m.role === "system").map((m) => m.content);
  const instruction = formatInstruction(req);
  if (instruction) system.push(instruction);
  const body: Record<string, unknown> = {
    model: req.model,
    max_tokens: req.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: req.messages.filter((m) => m.role !== "system").map(toAnthropicMessage),
  };
  if (system.length) body.system = system.join("\n\n");
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.stop?.length) body.stop_sequences = req.stop;
  if (req.tools?.length)
    body.tools = req.tools.map((t) => ({ name: t.name, ...(t.description && { description: t.description }), input_schema: t.parameters }));
  if (req.topP !== undefined) body.top_p = req.topP;
  const choice = toolChoiceOf(req);
  if (choice) body.tool_choice = choice;
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (stream) body.stream = true;
  return body;
}

export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case undefined:
    case null:
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "other";
  }
}

/** Cached prompt tokens are input too; counting them keeps input comparable across providers. */
function inputTokensOf(u: WireUsage | undefined): number {
  return (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0);
}

function eventError(t: Transport, error: WireEvent["error"]): ProviderError {
  // overloaded_error / api_error inside a stream are the 529 / 500 of the streaming world.
  const retryable = error?.type === "overloaded_error" || error?.type === "api_error";
  return new ProviderError({
    code: "http",
    retryable,
    message: providerMessage(t, `${t.label} reported an error: ${error?.message ?? error?.type ?? "unknown error"}`),
  });
}

export function createAnthropicProvider(
  connection: { baseUrl?: string | null; apiKey?: string | null; name?: string },
  options: ProviderOptions = {},
): Provider {
  const baseUrl = connection.baseUrl || ANTHROPIC_DEFAULT_BASE_URL;
  // Accept both https://api.anthropic.com and …/v1 as the base URL.
  const url = joinUrl(baseUrl.replace(/\/v1\/*(?=$|\?)/, ""), "/v1/messages");
  const t = createTransport(baseUrl, connection.apiKey, connection.name, options);
  const headers: Record<string, string> = { "anthropic-version": ANTHROPIC_VERSION, ...(connection.apiKey && { "x-api-key": connection.apiKey }) };

  async function complete(req: CompletionRequest): Promise<CompletionResult> {
    const started = performance.now();
    let attempts = 0;
    const json = await withRetries(t.policy, req.signal, async (n) => {
      attempts = n;
      const deadline = startDeadline(req.signal, t.timeoutMs);
      try {
        return await readJson<WireMessage>(await postJson(t, url, headers, toAnthropicBody(req, false), deadline), t);
      } catch (error) {
        throw classifyError(error, t, deadline, req.signal);
      } finally {
        deadline.clear();
      }
    });
    if (!Array.isArray(json.content)) throw new ProviderError({ code: "invalid_response", message: `${t.label} answered without message content.` });
    const toolCalls: ToolCall[] = json.content
      .filter((b) => b.type === "tool_use")
      .map((b) => ({ id: b.id ?? "", name: b.name ?? "", arguments: JSON.stringify(b.input ?? {}) }));
    return {
      text: json.content.map((b) => (b.type === "text" ? (b.text ?? "") : "")).join(""),
      toolCalls: toolCalls.length ? toolCalls : undefined,
      usage: { inputTokens: inputTokensOf(json.usage), outputTokens: json.usage?.output_tokens ?? 0 },
      latencyMs: Math.round(performance.now() - started),
      model: json.model ?? req.model,
      finishReason: mapAnthropicStopReason(json.stop_reason),
      attempts,
    };
  }

  async function* attemptStream(req: CompletionRequest, n: number, started: number): AsyncGenerator<StreamEvent> {
    const deadline = startDeadline(req.signal, t.timeoutMs);
    try {
      const res = await postJson(t, url, headers, toAnthropicBody(req, true), deadline);
      let text = "";
      let model = req.model;
      let stopReason: string | null | undefined;
      const usage: Usage = { inputTokens: 0, outputTokens: 0 };
      const tools = new Map<number, { id: string; name: string; json: string }>();
      events: for await (const sse of readSse(res.body, deadline.touch)) {
        const ev = parseEventData<WireEvent>(sse.data, t);
        switch (ev.type) {
          case "message_start":
            model = ev.message?.model ?? model;
            usage.inputTokens = inputTokensOf(ev.message?.usage);
            usage.outputTokens = ev.message?.usage?.output_tokens ?? 0;
            break;
          case "content_block_start":
            if (ev.content_block?.type === "tool_use") tools.set(ev.index ?? 0, { id: ev.content_block.id ?? "", name: ev.content_block.name ?? "", json: "" });
            if (ev.content_block?.type === "text" && ev.content_block.text) {
              text += ev.content_block.text;
              yield { type: "delta", text: ev.content_block.text };
            }
            break;
          case "content_block_delta":
            if (ev.delta?.type === "text_delta" && ev.delta.text) {
              text += ev.delta.text;
              yield { type: "delta", text: ev.delta.text };
            } else if (ev.delta?.type === "input_json_delta") {
              const tool = tools.get(ev.index ?? 0);
              if (tool) tool.json += ev.delta.partial_json ?? "";
            }
            break;
          case "message_delta":
            if (ev.delta?.stop_reason) stopReason = ev.delta.stop_reason;
            // Cumulative counts; input appears here only in newer API versions.
            if (typeof ev.usage?.output_tokens === "number") usage.outputTokens = ev.usage.output_tokens;
            if (typeof ev.usage?.input_tokens === "number") usage.inputTokens = inputTokensOf(ev.usage);
            break;
          case "message_stop":
            // Not waiting for the connection to close: a proxy may hold it open.
            break events;
          case "error":
            throw eventError(t, ev.error);
        }
      }
      const toolCalls = [...tools.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ id: c.id, name: c.name, arguments: c.json || "{}" }));
      yield {
        type: "done",
        result: {
          text,
          toolCalls: toolCalls.length ? toolCalls : undefined,
          usage,
          latencyMs: Math.round(performance.now() - started),
          model,
          finishReason: mapAnthropicStopReason(stopReason),
          attempts: n,
        },
      };
    } catch (error) {
      throw classifyError(error, t, deadline, req.signal);
    } finally {
      deadline.clear();
    }
  }

  return {
    kind: "anthropic",
    name: t.label,
    complete,
    unsupported: (req) => firstUnsupported(req, CARRIED),
    stream(req) {
      const started = performance.now();
      return streamWithRetries(t.policy, req.signal, (n) => attemptStream(req, n, started));
    },
  };
}
