import "server-only";
// From one decoded OTLP span to Keel's SpanRow: the GenAI semantic conventions (current and the
// older ones still emitted by many instrumentations), Langfuse's OpenTelemetry attributes,
// OpenInference's, and Keel's own prompt link. Both wire decoders hand over the same RawSpan, so
// this is the only place that knows attribute names.
//
// Attributes that fill a column are left out of `attributes` (bodies especially); everything
// else is kept, span attributes first, then resource attributes under keys the span does not use.
import type { SpanEvent, SpanRow } from "../types";
import { capAttributes, putFlat, truncateUtf8 } from "./limits";
import { asAmount, asCount, asObject, asString, asText, asVersion, isSafeKey, toIoText, type AttrValue, type Attrs } from "./values";

export type DecodeLimits = {
  /** Serialized size budget of a span's attributes (an event's gets a quarter). */
  maxAttributeBytes: number;
  /** Input and output are each cut to this many UTF-8 bytes. */
  maxIoBytes: number;
};

export const DEFAULT_LIMITS: DecodeLimits = { maxAttributeBytes: 16 * 1024, maxIoBytes: 64 * 1024 };

/** Events kept per span (the OpenTelemetry SDK's default span limit is 128). */
const MAX_EVENTS = 128;

export type RawEvent = { name: string; timeUs: number; attributes: Attrs };

/** A span that passed validation, as either decoder produces it. */
export type RawSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startUs: number;
  endUs: number;
  statusCode: number;
  statusMessage: string;
  attributes: Attrs;
  events: RawEvent[];
};

/** One ResourceSpans' resource, prepared once for all its spans. */
export type ResourceInfo = {
  serviceName: string | null;
  attributes: Attrs;
  /** The attributes flattened, service.name left out: what a span inherits. */
  inherited: [string, AttrValue][];
};

export function prepareResource(attributes: Attrs): ResourceInfo {
  const flat: Attrs = {};
  for (const key in attributes) if (key !== "service.name") putFlat(flat, key, attributes[key] as AttrValue);
  return { serviceName: asText(attributes["service.name"]), attributes, inherited: Object.entries(flat) };
}

// --- attribute names -------------------------------------------------------------------------

const MODEL_KEYS = ["gen_ai.response.model", "gen_ai.request.model", "langfuse.observation.model.name", "llm.model_name"];
const PROVIDER_KEYS = ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"];
const INPUT_TOKEN_KEYS = ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"];
const OUTPUT_TOKEN_KEYS = ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"];
const ENVIRONMENT_KEYS = [
  "keel.prompt.label",
  "ai.telemetry.metadata.keel.prompt.label",
  "keel.environment",
  "langfuse.environment",
  "deployment.environment.name",
  "deployment.environment",
];
const USER_KEYS = ["user.id", "langfuse.user.id"];
const SESSION_KEYS = ["session.id", "langfuse.session.id", "gen_ai.conversation.id"];
/** Prompt links, most specific first: [name key, version key]. */
const PROMPT_LINKS: [string, string | null][] = [
  ["keel.prompt.name", "keel.prompt.version"],
  // The Vercel AI SDK puts `experimental_telemetry.metadata` under ai.telemetry.metadata.*.
  ["ai.telemetry.metadata.keel.prompt.name", "ai.telemetry.metadata.keel.prompt.version"],
  ["langfuse.observation.prompt.name", "langfuse.observation.prompt.version"],
  ["gen_ai.prompt.name", null],
];

/** gen_ai.operation.name values that are a model call (agent, tool and retrieval spans are not). */
const GENERATION_OPERATIONS = new Set(["chat", "text_completion", "generate_content", "embeddings"]);

/** Where a body comes from, in order of preference. */
type IoSource = {
  /** Current semconv: structured messages (an array, or its JSON)… */
  messages: string;
  /** …which the system instructions, kept apart by the semconv, join as a first message. */
  systemInstructions: string | null;
  /** The messages, then plain attributes holding the body as JSON or text. */
  attributes: string[];
  /** Older indexed form: `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, … */
  indexedPrefix: string;
  /** Span events carrying the body: [event name, attribute]. */
  events: [string, string][];
  /** Last resort (OpenInference). */
  fallback: string;
};

const INPUT_SOURCE: IoSource = {
  messages: "gen_ai.input.messages",
  systemInstructions: "gen_ai.system_instructions",
  // ai.prompt.messages / ai.prompt: the Vercel AI SDK's own attributes (it sets gen_ai.* for the
  // model and usage, but not for the content).
  attributes: ["gen_ai.input.messages", "langfuse.observation.input", "gen_ai.prompt", "ai.prompt.messages", "ai.prompt"],
  indexedPrefix: "gen_ai.prompt.",
  events: [
    ["gen_ai.content.prompt", "gen_ai.prompt"],
    ["gen_ai.client.inference.operation.details", "gen_ai.input.messages"],
  ],
  fallback: "input.value",
};

const OUTPUT_SOURCE: IoSource = {
  messages: "gen_ai.output.messages",
  systemInstructions: null,
  attributes: ["gen_ai.output.messages", "langfuse.observation.output", "gen_ai.completion", "ai.response.text", "ai.response.object"],
  indexedPrefix: "gen_ai.completion.",
  events: [
    ["gen_ai.content.completion", "gen_ai.completion"],
    ["gen_ai.client.inference.operation.details", "gen_ai.output.messages"],
  ],
  fallback: "output.value",
};

/** What Langfuse documents for the AI SDK: `metadata: { langfusePrompt: prompt.toJSON() }` (JSON text, or an object). */
const LANGFUSE_PROMPT_KEY = "ai.telemetry.metadata.langfusePrompt";

/** A gateway-style model name that is a prompt reference: `prompt:<name>@<label>` (label optional). */
const PROMPT_MODEL = /^prompt:(.+?)(?:@([a-z0-9][a-z0-9_-]*))?$/;

/** A model name, unless it is a prompt reference (then it says which prompt, not which model). */
const asModel = (v: AttrValue | undefined): string | null => {
  const model = asString(v);
  return model !== null && !model.startsWith("prompt:") ? model : null;
};

// --- readers ---------------------------------------------------------------------------------

/** The first key of `keys` whose value `read` accepts; the key is marked consumed. */
function pick<T>(attrs: Attrs, keys: readonly string[], read: (v: AttrValue | undefined) => T | null, consumed: string[]): T | null {
  for (const key of keys) {
    const value = read(attrs[key]);
    if (value !== null) {
      consumed.push(key);
      return value;
    }
  }
  return null;
}

/** Like pick, each key looked up on the span, then on its resource. */
function pickInherited(span: Attrs, resource: Attrs, keys: readonly string[], consumed: string[]): string | null {
  for (const key of keys) {
    const value = asText(span[key]) ?? asText(resource[key]);
    if (value !== null) {
      consumed.push(key);
      return value;
    }
  }
  return null;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** The position of the dot after `<prefix><digits>` when `key` is `<prefix><index>.<field>`, else -1. */
function indexedDot(key: string, prefix: string): number {
  if (!key.startsWith(prefix)) return -1;
  let i = prefix.length;
  while (i < key.length && isDigit(key.charCodeAt(i))) i++;
  return i > prefix.length && i < key.length - 1 && key.charCodeAt(i) === 46 ? i : -1;
}

const isIndexedKey = (key: string, prefix: string) => indexedDot(key, prefix) > 0;

/** The indexed form collected into a JSON array of messages (`[{"role":…,"content":…}]`). */
function collectIndexed(attrs: Attrs, prefix: string): string | null {
  // Instrumentations number from 0 and always set the role or the content.
  if (attrs[`${prefix}0.role`] === undefined && attrs[`${prefix}0.content`] === undefined) return null;
  const messages: Record<string, AttrValue>[] = [];
  for (const key in attrs) {
    const dot = indexedDot(key, prefix);
    if (dot < 0) continue;
    const index = Number(key.slice(prefix.length, dot));
    const field = key.slice(dot + 1);
    if (index > 10_000 || !isSafeKey(field)) continue;
    (messages[index] ??= {})[field] = attrs[key] as AttrValue;
  }
  return JSON.stringify(messages.filter((m) => m !== undefined));
}

/** gen_ai.input.messages with gen_ai.system_instructions put first as a system message. */
function withSystemInstructions(messages: AttrValue | undefined, instructions: AttrValue | undefined): string | null {
  const text = toIoText(messages);
  if (instructions === undefined || instructions === null) return text;
  let parts: AttrValue = instructions;
  if (typeof instructions === "string") {
    try {
      parts = JSON.parse(instructions) as AttrValue;
    } catch {
      parts = [{ type: "text", content: instructions }];
    }
  }
  const system = JSON.stringify({ role: "system", parts });
  if (text === null) return `[${system}]`;
  const rest = text.trimStart();
  if (!rest.startsWith("[")) return null; // not a message array: leave both as they are
  const tail = rest.slice(1).trimStart();
  return tail.startsWith("]") ? `[${system}]` : `[${system},${tail}`;
}

/** A body from its sources; consumed span keys are recorded, consumed event attributes removed. */
function readIo(span: RawSpan, source: IoSource, consumed: string[]): { text: string | null; indexed: boolean } {
  const attrs = span.attributes;
  const instructions = source.systemInstructions;
  if (instructions !== null && attrs[instructions] !== undefined && attrs[source.messages] !== undefined) {
    const text = withSystemInstructions(attrs[source.messages], attrs[instructions]);
    if (text !== null) {
      consumed.push(source.messages, instructions);
      return { text, indexed: false };
    }
  }
  const direct = pick(attrs, source.attributes, toIoText, consumed);
  if (direct !== null) return { text: direct, indexed: false };
  const indexed = collectIndexed(attrs, source.indexedPrefix);
  if (indexed !== null) return { text: indexed, indexed: true };
  for (const [eventName, key] of source.events) {
    for (const event of span.events) {
      if (event.name !== eventName) continue;
      const text = toIoText(event.attributes[key]);
      if (text === null) continue;
      delete event.attributes[key];
      return { text, indexed: false };
    }
  }
  return { text: pick(attrs, [source.fallback], toIoText, consumed), indexed: false };
}

/** The prompt link in the AI SDK's `langfusePrompt` metadata: { name, version } (ignored when a fallback). */
function langfusePromptLink(a: Attrs, consumed: string[]): { name: string; version: number | null } | null {
  let value: AttrValue | undefined = a[LANGFUSE_PROMPT_KEY];
  let key = LANGFUSE_PROMPT_KEY;
  if (value === undefined && a[`${LANGFUSE_PROMPT_KEY}.name`] !== undefined) {
    value = {
      name: a[`${LANGFUSE_PROMPT_KEY}.name`] as AttrValue,
      version: (a[`${LANGFUSE_PROMPT_KEY}.version`] ?? null) as AttrValue,
      isFallback: (a[`${LANGFUSE_PROMPT_KEY}.isFallback`] ?? false) as AttrValue,
    };
    key = `${LANGFUSE_PROMPT_KEY}.name`;
  }
  const prompt = asObject(value);
  if (!prompt || prompt.isFallback === true) return null;
  const name = asText(prompt.name);
  if (name === null) return null;
  consumed.push(key);
  return { name, version: asVersion(prompt.version) };
}

/** Token counts from Langfuse's usage_details JSON ({input, output} or OpenAI-style names). */
function langfuseUsage(v: AttrValue | undefined): { input: number | null; output: number | null } | null {
  const usage = asObject(v);
  if (!usage) return null;
  return {
    input: asCount(usage.input) ?? asCount(usage.prompt_tokens) ?? asCount(usage.input_tokens),
    output: asCount(usage.output) ?? asCount(usage.completion_tokens) ?? asCount(usage.output_tokens),
  };
}

/** A cost from Langfuse's cost_details JSON: its total, else the sum of its parts. */
function langfuseCost(v: AttrValue | undefined): number | null {
  const details = asObject(v);
  if (!details) return null;
  const total = asAmount(details.total);
  if (total !== null) return total;
  let sum: number | null = null;
  for (const key in details) {
    const part = asAmount(details[key]);
    if (part !== null) sum = (sum ?? 0) + part;
  }
  return sum;
}

// --- the mapping -----------------------------------------------------------------------------

export function buildSpanRow(span: RawSpan, resource: ResourceInfo, limits: DecodeLimits): SpanRow {
  const a = span.attributes;
  const consumed: string[] = [];
  const truncated: string[] = [];

  const model = pick(a, MODEL_KEYS, asModel, consumed);
  const provider = pick(a, PROVIDER_KEYS, asString, consumed);
  let inputTokens = pick(a, INPUT_TOKEN_KEYS, asCount, consumed);
  let outputTokens = pick(a, OUTPUT_TOKEN_KEYS, asCount, consumed);
  if (inputTokens === null || outputTokens === null) {
    const usage = langfuseUsage(a["langfuse.observation.usage_details"]);
    inputTokens ??= usage?.input ?? null;
    outputTokens ??= usage?.output ?? null;
  }
  const costUsd = pick(a, ["gen_ai.usage.cost"], asAmount, consumed) ?? langfuseCost(a["langfuse.observation.cost_details"]);

  let promptName: string | null = null;
  let promptVersion: number | null = null;
  let promptLabel: string | null = null;
  for (const [nameKey, versionKey] of PROMPT_LINKS) {
    promptName = pick(a, [nameKey], asText, consumed);
    if (promptName === null) continue;
    if (versionKey) promptVersion = pick(a, [versionKey], asVersion, consumed);
    break;
  }
  if (promptName === null) {
    const link = langfusePromptLink(a, consumed);
    if (link) ({ name: promptName, version: promptVersion } = link);
  }
  if (promptName === null) {
    // A call made through Keel's gateway with a prompt as the model (`prompt:<name>@<label>`).
    const ref = PROMPT_MODEL.exec(asString(a["gen_ai.request.model"]) ?? "");
    if (ref) {
      promptName = ref[1]!;
      promptLabel = ref[2] ?? null;
    }
  }

  const r = resource.attributes;
  const environment = pickInherited(a, r, ENVIRONMENT_KEYS, consumed) ?? promptLabel;
  const userId = pickInherited(a, r, USER_KEYS, consumed);
  const sessionId = pickInherited(a, r, SESSION_KEYS, consumed);

  const input = readIo(span, INPUT_SOURCE, consumed);
  const output = readIo(span, OUTPUT_SOURCE, consumed);
  const inputText = input.text === null ? null : truncateUtf8(input.text, limits.maxIoBytes);
  const outputText = output.text === null ? null : truncateUtf8(output.text, limits.maxIoBytes);
  if (inputText !== input.text) truncated.push("input");
  if (outputText !== output.text) truncated.push("output");

  // Status: the span's own, raised to error by error.type (semconv) or a Langfuse ERROR level.
  let statusCode: 0 | 1 | 2 = span.statusCode === 1 || span.statusCode === 2 ? span.statusCode : 0;
  let statusMessage = span.statusMessage || null;
  const errorType = asText(a["error.type"]);
  if (errorType !== null) {
    statusCode = 2;
    statusMessage ??= errorType;
  }
  if (a["langfuse.observation.level"] === "ERROR") {
    statusCode = 2;
    statusMessage ??= asText(a["langfuse.observation.status_message"]);
  }

  // A model call: said outright (Langfuse type, OpenInference kind, a prompt link, a model-call
  // operation), or implied by a model or token usage unless the operation says it is something
  // else (an agent span often carries its model too).
  const operation = asString(a["gen_ai.operation.name"]);
  const isGeneration =
    promptName !== null ||
    a["langfuse.observation.type"] === "generation" ||
    a["openinference.span.kind"] === "LLM" ||
    (operation !== null ? GENERATION_OPERATIONS.has(operation) : model !== null || inputTokens !== null || outputTokens !== null);

  // Attributes: what is left of the span's, then the resource's under keys still free.
  const attributes: Attrs = {};
  for (const key in a) {
    if (consumed.includes(key)) continue;
    if (input.indexed && isIndexedKey(key, INPUT_SOURCE.indexedPrefix)) continue;
    if (output.indexed && isIndexedKey(key, OUTPUT_SOURCE.indexedPrefix)) continue;
    putFlat(attributes, key, a[key] as AttrValue);
  }
  for (const [key, value] of resource.inherited) {
    if (!Object.hasOwn(attributes, key) && !consumed.includes(key)) attributes[key] = value;
  }
  if (capAttributes(attributes, limits.maxAttributeBytes)) truncated.push("attributes");

  const eventBudget = Math.floor(limits.maxAttributeBytes / 4);
  const events: SpanEvent[] = [];
  for (const event of span.events) {
    if (events.length === MAX_EVENTS) {
      truncated.push("events");
      break;
    }
    const eventAttributes: Attrs = {};
    for (const key in event.attributes) putFlat(eventAttributes, key, event.attributes[key] as AttrValue);
    capAttributes(eventAttributes, eventBudget);
    events.push({ name: event.name, timeUs: event.timeUs, attributes: eventAttributes });
  }
  if (truncated.length > 0) attributes["keel.truncated"] = truncated;

  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind >= 0 && span.kind <= 5 ? span.kind : 0,
    startUs: span.startUs,
    endUs: span.endUs < span.startUs ? span.startUs : span.endUs,
    statusCode,
    statusMessage,
    serviceName: resource.serviceName,
    isGeneration,
    model,
    provider,
    inputTokens,
    outputTokens,
    costUsd,
    promptName,
    promptVersion,
    environment,
    userId,
    sessionId,
    input: inputText,
    output: outputText,
    attributes,
    events,
  };
}
