import "server-only";
// Client for the OpenAI chat completions API, which OpenAI, Azure-style gateways, OpenRouter,
// vLLM, Ollama, LiteLLM and most hosted open-model services speak: POST {baseUrl}/chat/completions.
import { ProviderError } from "./errors";
import { classifyError, createTransport, parseEventData, postJson, providerMessage, readJson, readSse, startDeadline, joinUrl, type Transport } from "./http";
import { streamWithRetries, withRetries } from "./retry";
import { estimateTokens, estimateUsage } from "./tokens";
import { firstUnsupported, REQUEST_PARAMETERS } from "./parameters";
import type {
  Alternative,
  CompletionRequest,
  CompletionResult,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  Logprobs,
  Provider,
  ProviderOptions,
  StreamEvent,
  TokenLogprob,
  ToolCall,
  Usage,
} from "./types";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** An OpenAI-compatible server takes every chat-completions parameter under its own name. */
const CARRIED = new Set(REQUEST_PARAMETERS);

type WireToolCall = { index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } };
type WireUsage = { prompt_tokens?: number; completion_tokens?: number };
type WireError = { error?: { message?: string } | string };
type WireCompletion = WireError & {
  model?: string;
  choices?: {
    index?: number;
    message?: { content?: string | null; refusal?: string | null; tool_calls?: WireToolCall[] };
    finish_reason?: string | null;
    logprobs?: Logprobs | null;
  }[];
  usage?: WireUsage | null;
};
type WireEmbeddings = WireError & { model?: string; data?: { index?: number; embedding?: unknown }[]; usage?: { prompt_tokens?: number } | null };
type WireChunk = WireError & {
  model?: string;
  choices?: {
    index?: number;
    delta?: { content?: string | null; refusal?: string | null; tool_calls?: WireToolCall[] };
    finish_reason?: string | null;
    logprobs?: { content?: TokenLogprob[] | null } | null;
  }[];
  usage?: WireUsage | null;
};

// OpenAI's reasoning models refuse `max_tokens` and require `max_completion_tokens`, which
// many compatible servers do not know; so the newer name is sent only to those models.
const NEEDS_MAX_COMPLETION_TOKENS = /^(o\d|gpt-5)/;

function toWireMessage(m: CompletionRequest["messages"][number]): Record<string, unknown> {
  if (m.role === "tool") return { role: "tool", content: m.content, tool_call_id: m.toolCallId ?? "" };
  if (m.role === "assistant" && m.toolCalls?.length) {
    return {
      role: "assistant",
      content: m.content || null,
      tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })),
    };
  }
  return { role: m.role, content: m.content };
}

export function toOpenAIBody(req: CompletionRequest, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages.map(toWireMessage),
  };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body[NEEDS_MAX_COMPLETION_TOKENS.test(req.model) ? "max_completion_tokens" : "max_tokens"] = req.maxTokens;
  if (req.stop?.length) body.stop = req.stop;
  const format = req.responseFormat;
  if (format?.type === "json_object") body.response_format = { type: "json_object" };
  if (format?.type === "json_schema") {
    body.response_format = {
      type: "json_schema",
      json_schema: { name: format.name, schema: format.schema, ...(format.strict !== undefined && { strict: format.strict }) },
    };
  }
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      type: "function",
      function: { name: t.name, ...(t.description && { description: t.description }), parameters: t.parameters },
    }));
  }
  // Everything else is OpenAI's own parameter under its own name: forwarded as given.
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.n !== undefined) body.n = req.n;
  if (req.toolChoice !== undefined)
    body.tool_choice = typeof req.toolChoice === "string" ? req.toolChoice : { type: "function", function: { name: req.toolChoice.name } };
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.logprobs !== undefined) body.logprobs = req.logprobs;
  if (req.topLogprobs !== undefined) body.top_logprobs = req.topLogprobs;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.reasoningEffort !== undefined) body.reasoning_effort = req.reasoningEffort;
  if (req.metadata !== undefined) body.metadata = req.metadata;
  if (req.user !== undefined) body.user = req.user;
  if (req.logitBias !== undefined) body.logit_bias = req.logitBias;
  if (req.serviceTier !== undefined) body.service_tier = req.serviceTier;
  if (req.store !== undefined) body.store = req.store;
  if (req.verbosity !== undefined) body.verbosity = req.verbosity;
  for (const [key, value] of Object.entries(req.openaiExtras ?? {})) if (!(key in body)) body[key] = value;
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "stop":
    case undefined:
    case null:
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "other";
  }
}

function toUsage(usage: WireUsage | null | undefined, req: CompletionRequest, text: string): Usage {
  // Some compatible servers report no usage: estimate rather than claim zero (costs would read 0).
  if (typeof usage?.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number") return estimateUsage(req.messages, text);
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

function toToolCalls(calls: WireToolCall[] | undefined): ToolCall[] | undefined {
  if (!calls?.length) return undefined;
  return calls.map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.function?.name ?? "", arguments: c.function?.arguments ?? "" }));
}

function streamError(t: Transport, error: WireError["error"]): ProviderError {
  const message = typeof error === "string" ? error : (error?.message ?? "unknown error");
  return new ProviderError({ code: "http", message: providerMessage(t, `${t.label} reported an error mid-stream: ${message}`) });
}

export function createOpenAICompatibleProvider(
  connection: { baseUrl?: string | null; apiKey?: string | null; name?: string },
  options: ProviderOptions = {},
): Provider {
  const baseUrl = connection.baseUrl || OPENAI_DEFAULT_BASE_URL;
  const url = joinUrl(baseUrl, "/chat/completions");
  const embeddingsUrl = joinUrl(baseUrl, "/embeddings");
  const t = createTransport(baseUrl, connection.apiKey, connection.name, options);
  const headers: Record<string, string> = connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {};

  async function complete(req: CompletionRequest): Promise<CompletionResult> {
    const started = performance.now();
    let attempts = 0;
    const json = await withRetries(t.policy, req.signal, async (n) => {
      attempts = n;
      const deadline = startDeadline(req.signal, t.timeoutMs);
      try {
        return await readJson<WireCompletion>(await postJson(t, url, headers, toOpenAIBody(req, false), deadline), t);
      } catch (error) {
        throw classifyError(error, t, deadline, req.signal);
      } finally {
        deadline.clear();
      }
    });
    const choices = [...(json.choices ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const choice = choices[0];
    if (!choice) throw new ProviderError({ code: "invalid_response", message: `${t.label} answered without a completion (no choices).` });
    const text = choice.message?.content ?? choice.message?.refusal ?? "";
    const alternatives: Alternative[] = choices.slice(1).map((c) => ({
      text: c.message?.content ?? c.message?.refusal ?? "",
      toolCalls: toToolCalls(c.message?.tool_calls),
      finishReason: mapOpenAIFinishReason(c.finish_reason),
      ...(c.logprobs !== undefined && { logprobs: c.logprobs }),
    }));
    return {
      text,
      toolCalls: toToolCalls(choice.message?.tool_calls),
      ...(choice.logprobs !== undefined && { logprobs: choice.logprobs }),
      ...(alternatives.length && { alternatives }),
      usage: toUsage(json.usage, req, [text, ...alternatives.map((a) => a.text)].join("")),
      latencyMs: Math.round(performance.now() - started),
      model: json.model ?? req.model,
      finishReason: mapOpenAIFinishReason(choice.finish_reason),
      attempts,
    };
  }

  async function* attemptStream(req: CompletionRequest, n: number, started: number): AsyncGenerator<StreamEvent> {
    const deadline = startDeadline(req.signal, t.timeoutMs);
    try {
      const res = await postJson(t, url, headers, toOpenAIBody(req, true), deadline);
      let text = "";
      let model = req.model;
      let finish: string | null | undefined;
      let usage: WireUsage | null | undefined;
      let logprobs: TokenLogprob[] | null = null;
      const calls = new Map<number, { id?: string; name: string; arguments: string }>();
      for await (const sse of readSse(res.body, deadline.touch)) {
        if (sse.data === "[DONE]") break;
        const chunk = parseEventData<WireChunk>(sse.data, t);
        if (chunk.error) throw streamError(t, chunk.error);
        if (chunk.model) model = chunk.model;
        if (chunk.usage) usage = chunk.usage;
        // Only the first choice streams through (the gateway refuses n > 1 with stream).
        const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
        if (!choice) continue;
        if (choice.finish_reason) finish = choice.finish_reason;
        for (const call of choice.delta?.tool_calls ?? []) {
          const index = call.index ?? 0;
          const acc = calls.get(index) ?? { name: "", arguments: "" };
          if (call.id) acc.id = call.id;
          acc.name += call.function?.name ?? "";
          acc.arguments += call.function?.arguments ?? "";
          calls.set(index, acc);
        }
        const delta = choice.delta?.content ?? choice.delta?.refusal;
        const tokens = choice.logprobs?.content ?? undefined;
        if (tokens?.length) logprobs = [...(logprobs ?? []), ...tokens];
        if (delta || tokens?.length) {
          text += delta ?? "";
          yield { type: "delta", text: delta ?? "", ...(tokens?.length && { logprobs: tokens }) };
        }
      }
      const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => ({ id: c.id ?? `call_${i}`, name: c.name, arguments: c.arguments }));
      yield {
        type: "done",
        result: {
          text,
          toolCalls: toolCalls.length ? toolCalls : undefined,
          ...(logprobs && { logprobs: { content: logprobs } }),
          usage: toUsage(usage, req, text),
          latencyMs: Math.round(performance.now() - started),
          model,
          finishReason: mapOpenAIFinishReason(finish),
          attempts: n,
        },
      };
    } catch (error) {
      throw classifyError(error, t, deadline, req.signal);
    } finally {
      deadline.clear();
    }
  }

  /** POST {baseUrl}/embeddings, always as floats (the gateway encodes base64 itself when asked). */
  async function embed(req: EmbeddingRequest): Promise<EmbeddingResult> {
    const started = performance.now();
    let attempts = 0;
    const body: Record<string, unknown> = { model: req.model, input: req.input, encoding_format: "float" };
    if (req.dimensions !== undefined) body.dimensions = req.dimensions;
    if (req.user !== undefined) body.user = req.user;
    const json = await withRetries(t.policy, req.signal, async (n) => {
      attempts = n;
      const deadline = startDeadline(req.signal, t.timeoutMs);
      try {
        return await readJson<WireEmbeddings>(await postJson(t, embeddingsUrl, headers, body, deadline), t);
      } catch (error) {
        throw classifyError(error, t, deadline, req.signal);
      } finally {
        deadline.clear();
      }
    });
    const data = json.data;
    if (!Array.isArray(data) || data.length !== req.input.length) {
      throw new ProviderError({
        code: "invalid_response",
        message: `${t.label} answered with ${Array.isArray(data) ? data.length : "no"} embeddings for ${req.input.length} inputs.`,
      });
    }
    const embeddings: number[][] = new Array<number[]>(data.length);
    data.forEach((d, i) => {
      const vector = d.embedding;
      if (!Array.isArray(vector) || !vector.every((x) => typeof x === "number"))
        throw new ProviderError({ code: "invalid_response", message: `${t.label} answered with an embedding that is not an array of numbers.` });
      const index = typeof d.index === "number" && d.index >= 0 && d.index < data.length ? d.index : i;
      embeddings[index] = vector as number[];
    });
    if (embeddings.some((e) => e === undefined))
      throw new ProviderError({ code: "invalid_response", message: `${t.label} answered with duplicate embedding indexes.` });
    const inputTokens =
      typeof json.usage?.prompt_tokens === "number"
        ? json.usage.prompt_tokens
        : req.input.reduce((sum, x) => sum + (typeof x === "string" ? estimateTokens(x) : x.length), 0);
    return { embeddings, usage: { inputTokens }, model: json.model ?? req.model, latencyMs: Math.round(performance.now() - started), attempts };
  }

  return {
    kind: "openai_compatible",
    name: t.label,
    complete,
    unsupported: (req) => firstUnsupported(req, CARRIED),
    embed,
    stream(req) {
      const started = performance.now();
      return streamWithRetries(t.policy, req.signal, (n) => attemptStream(req, n, started));
    },
  };
}
