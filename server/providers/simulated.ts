import "server-only";
// The simulated provider: lets people try prompts, labels and evaluations with no API key and
// no network. Replies follow the prompt's instructions (simulated-reply.ts: greet by name, tone,
// length, JSON, categories, a policy to quote …) with facts from the user's message, never an
// echo of it; deterministic (a hash of model + messages + sampling settings picks the wording),
// plainly marked "[Simulated] ", and behave like a real provider: usage, latency, streaming in
// word chunks, max_tokens and stop sequences, JSON modes.
import { createHash } from "node:crypto";
import { abortedError } from "./errors";
import { sleep } from "./retry";
import { estimateTokens, estimateUsage } from "./tokens";
import { firstUnsupported } from "./parameters";
import { composeReply, valueFor, type Composed } from "./simulated-reply";
import type { Alternative, CompletionRequest, CompletionResult, FinishReason, Provider, RequestParameter, ToolCall } from "./types";

export const SIMULATED_PREFIX = "[Simulated] ";

/**
 * What a local, deterministic stand-in can honour: sampling knobs and the seed pick the reply, n
 * gives n different replies, a required or named tool_choice gets a call with arguments sampled
 * from the tool's schema. Refused (nothing to simulate them with): logprobs, logit_bias,
 * reasoning_effort, service_tier, store, verbosity.
 */
const CARRIED = new Set<RequestParameter>([
  "temperature",
  "maxTokens",
  "stop",
  "responseFormat",
  "tools",
  "topP",
  "seed",
  "n",
  "toolChoice",
  "parallelToolCalls",
  "presencePenalty",
  "frequencyPenalty",
  "metadata",
  "user",
]);

function requestHash(req: CompletionRequest): Buffer {
  const sampling = [req.temperature ?? null, req.topP ?? null, req.seed ?? null, req.presencePenalty ?? null, req.frequencyPenalty ?? null];
  // Without the newer knobs the hash input is what it always was: existing replies do not change.
  const knobs = sampling.slice(1).every((v) => v === null) ? [sampling[0]] : sampling;
  const input = JSON.stringify([req.model, req.messages.map((m) => [m.role, m.content]), ...knobs]);
  return createHash("sha256").update(input).digest();
}

function proseReply(req: CompletionRequest, h: Buffer, choice: number): Composed {
  return composeReply(req.messages, h, choice, req.model);
}

/** A minimal value of the schema's shape, so structured-output prompts can be exercised. */
export function sampleFromSchema(schema: unknown, hint = "value", depth = 0, fill?: SchemaFill): unknown {
  if (!schema || typeof schema !== "object" || depth > 8) return null;
  const s = schema as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return fill?.choose(s.enum, hint) ?? s.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = s[key];
    if (Array.isArray(options) && options.length) return sampleFromSchema(options[0], hint, depth + 1, fill);
  }
  const type = Array.isArray(s.type) ? (s.type.find((x) => x !== "null") ?? s.type[0]) : (s.type ?? (s.properties ? "object" : undefined));
  switch (type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleFromSchema(v, k, depth + 1, fill)]));
    }
    case "array":
      return s.items ? [sampleFromSchema(s.items, hint, depth + 1, fill)] : [];
    case "integer":
      return typeof s.minimum === "number" ? Math.ceil(s.minimum) : 1;
    case "number": {
      const filled = fill?.number(hint);
      if (filled !== undefined && (typeof s.minimum !== "number" || filled >= s.minimum) && (typeof s.maximum !== "number" || filled <= s.maximum))
        return filled;
      return typeof s.minimum === "number" ? s.minimum : 0.5;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return fill?.text(hint) ?? `simulated ${hint}`;
  }
}

/** How a structured reply is filled from the composed answer (sampleFromSchema's defaults otherwise). */
type SchemaFill = {
  choose: (options: unknown[], key: string) => unknown;
  number: (key: string) => number | undefined;
  text: (key: string) => string | undefined;
};

function schemaFill(c: Composed, h: Buffer): SchemaFill {
  return {
    // An enum takes the category the instructions asked for, when it is one of the options.
    choose: (options) => (c.category !== undefined && options.includes(c.category) ? c.category : undefined),
    number: (key) => (/confidence|probability|score/i.test(key) ? (valueFor(key, { ...c, h }) as number) : undefined),
    text: (key) => (/^(reply|answer|response|message|text|summary|content)$/i.test(key) ? c.prose : undefined),
  };
}

/**
 * JSON modes answer bare JSON (a prefix would make it invalid): the schema's shape filled from the
 * composed reply, or for json_object the keys the instructions named (else a reply and a
 * "simulated" mark). Prose is marked "[Simulated] ".
 */
function replyText(req: CompletionRequest, h: Buffer, choice: number): string {
  const format = req.responseFormat;
  const composed = proseReply(req, h, choice);
  if (format?.type === "json_schema") return JSON.stringify(sampleFromSchema(format.schema, "value", 0, schemaFill(composed, h)));
  if (format?.type === "json_object") return JSON.stringify(composed.json ?? { simulated: true, reply: composed.prose });
  if (composed.json) return JSON.stringify(composed.json);
  return `${SIMULATED_PREFIX}${composed.prose}`;
}

/** Applies stop sequences and max_tokens as a provider would. */
function limit(text: string, req: CompletionRequest): { text: string; finishReason: FinishReason } {
  let out = text;
  const stops = (req.stop ?? [])
    .filter(Boolean)
    .map((s) => out.indexOf(s))
    .filter((i) => i >= 0);
  if (stops.length) out = out.slice(0, Math.min(...stops));
  if (req.maxTokens !== undefined && estimateTokens(out) > req.maxTokens) return { text: out.slice(0, Math.max(0, req.maxTokens) * 4), finishReason: "length" };
  return { text: out, finishReason: "stop" };
}

/** Word-sized pieces (long unbroken runs such as JSON split every 24 characters). */
function chunksOf(text: string): string[] {
  return (text.match(/\S+\s*|\s+/g) ?? []).flatMap((w) => w.match(/[\s\S]{1,24}/g) ?? []);
}

/** A call of the tool tool_choice requires (the first tool for "required"), arguments sampled from its schema. */
function forcedToolCall(req: CompletionRequest, choice: number): ToolCall[] | undefined {
  const c = req.toolChoice;
  if (c === undefined || c === "auto" || c === "none" || !req.tools?.length) return undefined;
  const tool = c === "required" ? req.tools[0] : req.tools.find((t) => t.name === c.name);
  if (!tool) return undefined;
  return [{ id: `call_simulated_${choice}`, name: tool.name, arguments: JSON.stringify(sampleFromSchema(tool.parameters) ?? {}) }];
}

function choiceOf(req: CompletionRequest, index: number): Alternative {
  const toolCalls = forcedToolCall(req, index);
  if (toolCalls) return { text: "", toolCalls, finishReason: "tool_calls" };
  return limit(replyText(req, requestHash(req), index), req);
}

function simulate(req: CompletionRequest): CompletionResult {
  const h = requestHash(req);
  const { text, finishReason, toolCalls } = choiceOf(req, 0);
  const alternatives = Array.from({ length: Math.max(0, (req.n ?? 1) - 1) }, (_, i) => choiceOf(req, i + 1));
  const all = [
    text,
    ...alternatives.map((a) => a.text),
    ...[toolCalls, ...alternatives.map((a) => a.toolCalls)].flatMap((calls) => (calls ?? []).map((c) => c.arguments)),
  ].join("");
  return {
    text,
    ...(toolCalls && { toolCalls }),
    ...(alternatives.length && { alternatives }),
    usage: estimateUsage(req.messages, all),
    // Small and deterministic, so results (and tests) are reproducible.
    latencyMs: 20 + (h[3]! % 60),
    model: req.model || "simulated",
    finishReason,
    attempts: 1,
  };
}

/** Default length of a simulated embedding (text-embedding-3-small's is 1536; short keeps demos light). */
export const SIMULATED_EMBEDDING_DIMENSIONS = 256;

/**
 * A deterministic unit vector per (model, input): the same text always embeds the same, different
 * texts almost surely differently. Not semantic: similar texts are not close.
 */
export function simulatedEmbedding(model: string, input: string | number[], dimensions = SIMULATED_EMBEDDING_DIMENSIONS): number[] {
  const seed = JSON.stringify([model, input]);
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const h = createHash("sha256").update(`${block}\u0000${seed}`).digest();
    for (let i = 0; i + 1 < h.length && values.length < dimensions; i += 2) values.push(h.readUInt16BE(i) / 32_767.5 - 1);
  }
  const norm = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0)) || 1;
  return values.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

export function createSimulatedProvider(connection: { name?: string } = {}): Provider {
  return {
    kind: "simulated",
    name: connection.name?.trim() || "Simulated",
    unsupported: (req) => firstUnsupported(req, CARRIED),
    async complete(req) {
      const result = simulate(req);
      await sleep(result.latencyMs, req.signal);
      return result;
    },
    async *stream(req) {
      const result = simulate(req);
      const chunks = chunksOf(result.text);
      // Paced like a real model (~15 ms a chunk, at most ~1.5 s in all) so streaming is visible.
      const pause = Math.min(15, Math.floor(1500 / Math.max(1, chunks.length)));
      for (const text of chunks) {
        await sleep(pause, req.signal);
        yield { type: "delta" as const, text };
      }
      if (req.signal?.aborted) throw abortedError();
      yield { type: "done" as const, result };
    },
    async embed(req) {
      const embeddings = req.input.map((x) => simulatedEmbedding(req.model, x, req.dimensions));
      const inputTokens = req.input.reduce((sum, x) => sum + (typeof x === "string" ? estimateTokens(x) : x.length), 0);
      await sleep(5, req.signal);
      return { embeddings, usage: { inputTokens }, model: req.model || "simulated-embedding", latencyMs: 5, attempts: 1 };
    },
  };
}
