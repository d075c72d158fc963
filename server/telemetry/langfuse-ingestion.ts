import "server-only";
// Langfuse's batch ingestion API (`POST /api/public/ingestion`: what the `langfuse` v3 JS SDK, the
// Python SDK v2 and the v4/v5 score manager send) mapped onto Keel's telemetry store. Runs in
// the ingestion worker (ingest-pool.ts): parsing, validation and mapping are user work.
//
// Langfuse ids are free strings; Keel's are OpenTelemetry-shaped. An id that already has the
// OpenTelemetry shape (what the OTel-based SDKs use) is kept, any other is hashed with the project
// (langfuseTraceId, langfuseSpanId), and the original is kept as `langfuse.trace.id` /
// `langfuse.observation.id`. A trace-create becomes the trace's root span; observations without
// a parent hang under it.
//
// An observation arrives as a create and updates, separate events in any order over several
// batches. Each event becomes a patch (the fields it carries); the store merges patches into the
// stored span under a per-trace lock (store.ts mergeSpans), and the trace summary and rollups are
// corrected by what changed. A patch with an event timestamp older than the last one applied only
// fills what is missing (a create that arrives after its update adds the name and start time and
// overrides nothing newer); fields Keel had to infer (a start time before the create came) are
// always replaced. Re-applying a batch therefore changes nothing: idempotent by event.
import { z } from "zod";
import type { PriceRow } from "../providers/cost";
import { findGeneration } from "./queries";
import { configOf, MAX_FUTURE_MS, priceSpan } from "./ingest";
import { capAttributes, truncateUtf8 } from "./otlp/limits";
import { DEFAULT_LIMITS } from "./otlp/span-row";
import { isSafeKey, storableText, toIoText, type AttrValue } from "./otlp/values";
import { mergeSpans, type ScoreRow, type StoredSpan } from "./store";
import { langfuseRootSpanId, langfuseSpanId, langfuseTraceId, sha256Hex } from "./langfuse-ids";
import { logger } from "../runtime/log";

const log = logger("telemetry");

export { langfuseRootSpanId, langfuseSpanId, langfuseTraceId };

// ----- ids -----------------------------------------------------------------------------------

const sha = sha256Hex;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keel score ids are UUIDs: a Langfuse score id that is not one gets a stable UUID of its own. */
export function langfuseScoreId(projectId: string, id: string): string {
  if (UUID.test(id)) return id.toLowerCase();
  const h = sha(`${projectId}\u0000score\u0000${id}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

// ----- schemas (Langfuse's packages/shared/src/server/ingestion/types.ts, lenient) -------------

const id = z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(800, { error: "is longer than 800 characters" });
const timestamp = z
  .string({ error: "must be an ISO 8601 date-time" })
  .refine((s) => Number.isFinite(Date.parse(s)), { error: "must be an ISO 8601 date-time" })
  .nullish();
const level = z.enum(["DEBUG", "DEFAULT", "WARNING", "ERROR"], { error: "must be DEBUG, DEFAULT, WARNING or ERROR" }).nullish();
const INT4 = 2_147_483_647;
const count = z.number().int().nonnegative().max(INT4, { error: "is too large" }).nullish();
const amount = z.number().nonnegative({ error: "must not be negative" }).nullish();
const anyJson = z.unknown().optional();
const record = z.record(z.string(), z.unknown());

const usage = z
  .object({
    input: count,
    output: count,
    total: count,
    promptTokens: count,
    completionTokens: count,
    totalTokens: count,
    unit: z.string().nullish(),
    inputCost: amount,
    outputCost: amount,
    totalCost: amount,
  })
  .nullish();

const traceBody = z.object({
  id: id.nullish(),
  timestamp,
  name: z.string().max(1000).nullish(),
  externalId: z.string().nullish(),
  input: anyJson,
  output: anyJson,
  sessionId: z.string().nullish(),
  userId: z.string().nullish(),
  environment: z.string().nullish(),
  metadata: anyJson,
  release: z.string().nullish(),
  version: z.string().nullish(),
  public: z.boolean().nullish(),
  tags: z.array(z.string()).nullish(),
});

const observationBody = z.object({
  id,
  traceId: id.nullish(),
  environment: z.string().nullish(),
  name: z.string().nullish(),
  startTime: timestamp,
  endTime: timestamp,
  completionStartTime: timestamp,
  metadata: anyJson,
  input: anyJson,
  output: anyJson,
  level,
  statusMessage: z.string().nullish(),
  parentObservationId: z.string().nullish(),
  version: z.string().nullish(),
  model: z.string().nullish(),
  modelParameters: record.nullish(),
  usage,
  usageDetails: record.nullish(),
  costDetails: record.nullish(),
  promptName: z.string().nullish(),
  promptVersion: z.number().int().min(1, { error: "must be 1 or more" }).max(INT4, { error: "is too large" }).nullish(),
  /** observation-create/-update (legacy): the observation's type. */
  type: z.enum(["GENERATION", "SPAN", "EVENT"]).nullish(),
});

const scoreBody = z.object({
  id: id.nullish(),
  name: z.string({ error: "is required" }).min(1, { error: "must not be empty" }),
  traceId: z.string().nullish(),
  sessionId: z.string().nullish(),
  datasetRunId: z.string().nullish(),
  observationId: z.string().nullish(),
  environment: z.string().nullish(),
  comment: z.string().nullish(),
  metadata: anyJson,
  source: z.string().nullish(),
  value: z.union([z.number().finite(), z.string(), z.boolean()], { error: "must be a number or a string" }),
  dataType: z.enum(["NUMERIC", "BOOLEAN", "CATEGORICAL", "TEXT", "CORRECTION"], { error: "must be NUMERIC, BOOLEAN or CATEGORICAL" }).nullish(),
  configId: z.string().nullish(),
  queueId: z.string().nullish(),
});
export type LangfuseScore = z.infer<typeof scoreBody>;

const envelope = z.object({
  id,
  type: z.string({ error: "is required" }),
  timestamp: z.string({ error: "is required" }).refine((s) => Number.isFinite(Date.parse(s)), { error: "must be an ISO 8601 date-time" }),
  body: z.record(z.string(), z.unknown(), { error: "must be an object" }),
});

/** Event types that create or update an observation, with the observation type they carry. */
const OBSERVATION_EVENTS: Record<string, { type: string | null; create: boolean }> = {
  "span-create": { type: "span", create: true },
  "span-update": { type: "span", create: false },
  "generation-create": { type: "generation", create: true },
  "generation-update": { type: "generation", create: false },
  "event-create": { type: "event", create: true },
  "agent-create": { type: "agent", create: true },
  "tool-create": { type: "tool", create: true },
  "chain-create": { type: "chain", create: true },
  "retriever-create": { type: "retriever", create: true },
  "evaluator-create": { type: "evaluator", create: true },
  "embedding-create": { type: "embedding", create: true },
  "guardrail-create": { type: "guardrail", create: true },
  "observation-create": { type: null, create: true },
  "observation-update": { type: null, create: false },
};

// ----- results -------------------------------------------------------------------------------

export type IngestionSuccess = { id: string; status: number };
export type IngestionError = { id: string; status: number; message: string; error?: string };
export type LangfuseBatchResult = { successes: IngestionSuccess[]; errors: IngestionError[] };

/** The request itself is not a batch (answered 400 as a whole, as Langfuse does). */
export class LangfuseBatchError extends Error {
  constructor(
    message: string,
    readonly details: string[],
  ) {
    super(message);
  }
}

function issueText(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
      const message = issue.code === "invalid_type" && /received undefined/.test(issue.message) ? "is required" : issue.message;
      return path ? `${path}: ${message}` : message;
    })
    .join("; ");
}

// ----- mapping -------------------------------------------------------------------------------

type SpanFields = Pick<
  StoredSpan,
  | "parentSpanId"
  | "name"
  | "startUs"
  | "endUs"
  | "isGeneration"
  | "model"
  | "inputTokens"
  | "outputTokens"
  | "costUsd"
  | "promptName"
  | "promptVersion"
  | "environment"
  | "userId"
  | "sessionId"
  | "input"
  | "output"
>;

/** One event's contribution to a span: the fields it carries (undefined: not carried). */
export type SpanPatch = {
  eventId: string;
  /** The event's timestamp (µs): later patches win. */
  eventUs: number;
  create: boolean;
  traceId: string;
  spanId: string;
  /** The parent assumed until an event says (an observation's: the trace's root; a trace's: none). */
  defaultParent: string | null;
  set: Partial<SpanFields>;
  attributes: Record<string, AttrValue>;
};

const usOf = (iso: string) => Date.parse(iso) * 1000;
/** A name-like value cut to a sane length (they become columns and dashboard dimensions). */
const short = (v: string | null | undefined, max = 1000): string | undefined =>
  v === null || v === undefined ? undefined : v.length > max ? truncateUtf8(v, max) : v;
const io = (v: unknown): string | null | undefined => {
  if (v === undefined || v === null) return undefined;
  const text = toIoText(v as AttrValue);
  return text === null ? undefined : truncateUtf8(text, DEFAULT_LIMITS.maxIoBytes);
};

/** Nested JSON flattened into dotted keys (as OTLP kvlists are), unsafe keys left out. */
function flatten(into: Record<string, AttrValue>, key: string, value: unknown, depth = 0): void {
  if (value === undefined) return;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    if (depth >= 4) {
      into[key] = JSON.stringify(value);
      return;
    }
    for (const sub of Object.keys(value)) if (isSafeKey(sub)) flatten(into, `${key}.${storableText(sub)}`, (value as Record<string, unknown>)[sub], depth + 1);
    return;
  }
  into[key] = value as AttrValue;
}

/** A token count (as Langfuse reads usageDetails: a whole number, or its digits), within int4. */
const intOf = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= INT4 ? n : null;
};

/** Input/output tokens: usageDetails (v3, OpenAI's names too) first, then usage (v2 and v3). */
function tokensOf(body: z.infer<typeof observationBody>): { input: number | null; output: number | null } {
  const d = body.usageDetails;
  if (d) {
    const input = intOf(d.input) ?? intOf(d.prompt_tokens) ?? intOf(d.input_tokens);
    const output = intOf(d.output) ?? intOf(d.completion_tokens) ?? intOf(d.output_tokens);
    if (input !== null || output !== null) return { input, output };
  }
  const u = body.usage;
  if (u) return { input: u.input ?? u.promptTokens ?? null, output: u.output ?? u.completionTokens ?? null };
  return { input: null, output: null };
}

/** A cost the sender computed: costDetails' total (else the sum of its parts), else usage's costs. */
function costOf(body: z.infer<typeof observationBody>): number | null {
  const c = body.costDetails;
  if (c) {
    if (typeof c.total === "number" && c.total >= 0) return c.total;
    let sum: number | null = null;
    for (const key of Object.keys(c)) if (typeof c[key] === "number" && (c[key] as number) >= 0) sum = (sum ?? 0) + (c[key] as number);
    if (sum !== null) return sum;
  }
  const u = body.usage;
  if (u?.totalCost != null) return u.totalCost;
  if (u?.inputCost != null || u?.outputCost != null) return (u.inputCost ?? 0) + (u.outputCost ?? 0);
  return null;
}

function tracePatch(projectId: string, eventId: string, eventUs: number, body: z.infer<typeof traceBody>): SpanPatch {
  const lfId = body.id ?? eventId;
  const traceId = langfuseTraceId(projectId, lfId);
  const attributes: Record<string, AttrValue> = { "langfuse.trace.id": lfId };
  if (body.tags) attributes["langfuse.trace.tags"] = body.tags;
  if (body.release != null) attributes["langfuse.release"] = body.release;
  if (body.version != null) attributes["langfuse.version"] = body.version;
  if (body.public != null) attributes["langfuse.trace.public"] = body.public;
  if (body.externalId != null) attributes["langfuse.trace.external_id"] = body.externalId;
  flatten(attributes, "langfuse.trace.metadata", body.metadata ?? undefined);
  return {
    eventId,
    eventUs,
    create: true,
    traceId,
    spanId: langfuseRootSpanId(projectId, traceId),
    defaultParent: null,
    set: {
      parentSpanId: null,
      name: short(body.name),
      startUs: body.timestamp ? usOf(body.timestamp) : undefined,
      userId: short(body.userId),
      sessionId: short(body.sessionId),
      environment: short(body.environment, 200),
      input: io(body.input),
      output: io(body.output),
    },
    attributes,
  };
}

function observationPatch(
  projectId: string,
  eventId: string,
  eventUs: number,
  kind: { type: string | null; create: boolean },
  body: z.infer<typeof observationBody>,
): SpanPatch {
  const type = kind.type ?? body.type?.toLowerCase() ?? "span";
  const lfTrace = body.traceId ?? body.id;
  const traceId = langfuseTraceId(projectId, lfTrace);
  const attributes: Record<string, AttrValue> = { "langfuse.observation.id": body.id, "langfuse.trace.id": lfTrace, "langfuse.observation.type": type };
  if (body.level != null) attributes["langfuse.observation.level"] = body.level;
  if (body.statusMessage != null) attributes["langfuse.observation.status_message"] = body.statusMessage;
  if (body.version != null) attributes["langfuse.version"] = body.version;
  if (body.completionStartTime) attributes["langfuse.observation.completion_start_time"] = new Date(body.completionStartTime).toISOString();
  if (body.modelParameters) flatten(attributes, "langfuse.observation.model.parameters", body.modelParameters);
  if (body.usageDetails) attributes["langfuse.observation.usage_details"] = JSON.stringify(body.usageDetails);
  if (body.costDetails) attributes["langfuse.observation.cost_details"] = JSON.stringify(body.costDetails);
  flatten(attributes, "langfuse.observation.metadata", body.metadata ?? undefined);
  const tokens = tokensOf(body);
  const cost = costOf(body);
  if (cost !== null) attributes["keel.cost.estimated"] = false;
  const set: Partial<SpanFields> = {
    name: short(body.name),
    startUs: body.startTime ? usOf(body.startTime) : undefined,
    endUs: body.endTime ? usOf(body.endTime) : type === "event" && body.startTime ? usOf(body.startTime) : undefined,
    model: short(body.model, 200),
    inputTokens: tokens.input ?? undefined,
    outputTokens: tokens.output ?? undefined,
    costUsd: cost ?? undefined,
    promptName: short(body.promptName),
    promptVersion: body.promptVersion ?? undefined,
    environment: short(body.environment, 200),
    input: io(body.input),
    output: io(body.output),
  };
  // The type decides generation or not; an update of a span says nothing about it.
  if (type === "generation") set.isGeneration = true;
  else if (kind.create) set.isGeneration = false;
  const root = langfuseRootSpanId(projectId, traceId);
  if (body.parentObservationId) set.parentSpanId = langfuseSpanId(projectId, body.parentObservationId);
  else if (kind.create) set.parentSpanId = root;
  return { eventId, eventUs, create: kind.create, traceId, spanId: langfuseSpanId(projectId, body.id), defaultParent: root, set, attributes };
}

// ----- merging -------------------------------------------------------------------------------

const LAST_EVENT = "keel.langfuse.last_event_us";
const INFERRED = "keel.langfuse.inferred";
const ESTIMATED = "keel.cost.estimated";

/** A span as far as the first patch knows it; what it had to guess is listed as inferred. */
function blankSpan(p: SpanPatch): StoredSpan {
  const type = typeof p.attributes["langfuse.observation.type"] === "string" ? (p.attributes["langfuse.observation.type"] as string) : "trace";
  return {
    traceId: p.traceId,
    spanId: p.spanId,
    parentSpanId: p.defaultParent,
    name: type,
    kind: 1,
    startUs: p.eventUs,
    endUs: p.eventUs,
    statusCode: 0,
    statusMessage: null,
    serviceName: null,
    isGeneration: false,
    model: null,
    provider: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    promptName: null,
    promptVersion: null,
    environment: null,
    userId: null,
    sessionId: null,
    input: null,
    output: null,
    attributes: { [INFERRED]: ["name", "startUs", "endUs", "parentSpanId"] },
    events: [],
    source: "langfuse",
  };
}

/** The stored span with the patches applied (in event order), then its derived fields. */
export function applyPatches(before: StoredSpan | undefined, patches: readonly SpanPatch[], prices: readonly PriceRow[]): StoredSpan {
  const sorted = [...patches].sort((a, b) => a.eventUs - b.eventUs || Number(b.create) - Number(a.create));
  const row: StoredSpan = before ? { ...before, attributes: { ...before.attributes } } : blankSpan(sorted[0]!);
  const inferredAttr = row.attributes[INFERRED];
  const inferred = new Set(Array.isArray(inferredAttr) ? (inferredAttr as string[]) : []);
  // A span Keel got over OTLP has no Langfuse history: any patch is newer.
  let last = typeof row.attributes[LAST_EVENT] === "number" ? (row.attributes[LAST_EVENT] as number) : 0;
  let explicitCost = false;
  const fields = row as unknown as Record<string, unknown>;
  for (const p of sorted) {
    const newer = p.eventUs >= last;
    for (const [key, value] of Object.entries(p.set)) {
      if (value === undefined) continue;
      if (newer || fields[key] === null || inferred.has(key)) {
        fields[key] = value;
        inferred.delete(key);
        if (key === "costUsd") explicitCost = true;
      }
    }
    for (const [key, value] of Object.entries(p.attributes)) if (newer || !Object.hasOwn(row.attributes, key)) row.attributes[key] = value;
    last = Math.max(last, p.eventUs);
  }
  // A generation the gateway's own generation below it already counts stays uncounted (store.ts,
  // "one generation per model call"), whatever later events say.
  if (row.attributes["keel.generation.counted_by"] !== undefined) row.isGeneration = false;
  // An end never seen is the start (a span still open, or an event); a start only guessed (from
  // an update's timestamp) is no later than the end.
  if (inferred.has("endUs")) row.endUs = row.startUs;
  else if (row.endUs < row.startUs) {
    if (inferred.has("startUs")) row.startUs = row.endUs;
    else row.endUs = row.startUs;
  }
  // Level ERROR is an error, as on the OpenTelemetry path.
  const level = row.attributes["langfuse.observation.level"];
  if (level !== undefined) row.statusCode = level === "ERROR" ? 2 : row.statusCode === 2 ? 0 : row.statusCode;
  const message = row.attributes["langfuse.observation.status_message"];
  row.statusMessage = row.statusCode === 2 ? (typeof message === "string" ? truncateUtf8(message, 4096) : row.statusMessage) : null;
  // A cost Keel estimated follows the tokens; one the sender gave is kept.
  if (!explicitCost && row.attributes[ESTIMATED] === true) row.costUsd = null;
  if (row.costUsd === null) {
    delete row.attributes[ESTIMATED];
    priceSpan(row, prices);
    if (row.costUsd !== null) row.attributes[ESTIMATED] = true;
  }
  row.attributes[LAST_EVENT] = last;
  if (inferred.size) row.attributes[INFERRED] = [...inferred].sort();
  else delete row.attributes[INFERRED];
  capAttributes(row.attributes as Record<string, AttrValue>, DEFAULT_LIMITS.maxAttributeBytes);
  return row;
}

// ----- the batch -----------------------------------------------------------------------------

function parseBatch(body: Buffer): { batch: unknown[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"), (_key, value: unknown) => (typeof value === "string" ? storableText(value) : value));
  } catch {
    throw new LangfuseBatchError("Invalid request data", ["The body is not JSON: send { batch: [...] } as application/json"]);
  }
  if (raw === null || typeof raw !== "object" || !Array.isArray((raw as { batch?: unknown }).batch)) {
    throw new LangfuseBatchError("Invalid request data", ["batch: must be an array of ingestion events"]);
  }
  return raw as { batch: unknown[] };
}

/** Scores as stored by Keel, from Langfuse score bodies; throws a message naming the field. */
export function toScoreRow(projectId: string, body: Omit<LangfuseScore, "metadata">, fallbackId: string): ScoreRow {
  if (!body.traceId) {
    throw new ScoreRefused(
      body.sessionId || body.datasetRunId
        ? "traceId: is required (Keel stores scores on traces; session and dataset-run scores are not supported)"
        : "traceId: is required",
    );
  }
  const dataType = body.dataType ?? (typeof body.value === "number" ? "NUMERIC" : typeof body.value === "boolean" ? "BOOLEAN" : "CATEGORICAL");
  let value: number | null = null;
  let stringValue: string | null = null;
  if (dataType === "NUMERIC") {
    if (typeof body.value !== "number") throw new ScoreRefused("value: must be a number for a NUMERIC score");
    value = body.value;
  } else if (dataType === "BOOLEAN") {
    if (body.value === true || body.value === 1) value = 1;
    else if (body.value === false || body.value === 0) value = 0;
    else throw new ScoreRefused("value: must be 0 or 1 for a BOOLEAN score");
  } else if (dataType === "CATEGORICAL") {
    if (typeof body.value !== "string") throw new ScoreRefused("value: must be a string for a CATEGORICAL score");
    stringValue = body.value.slice(0, 1000);
  } else {
    throw new ScoreRefused(`dataType: ${dataType} scores are not supported by Keel (use NUMERIC, BOOLEAN or CATEGORICAL)`);
  }
  // POST /api/public/scores parses on its own: text is made storable here (NUL, lone surrogates).
  return {
    id: langfuseScoreId(projectId, body.id || fallbackId),
    projectId,
    traceId: langfuseTraceId(projectId, body.traceId),
    spanId: body.observationId ? langfuseSpanId(projectId, body.observationId) : null,
    name: storableText(body.name.slice(0, 200)),
    source: "api",
    dataType: dataType.toLowerCase() as ScoreRow["dataType"],
    value,
    stringValue: stringValue === null ? null : storableText(stringValue),
    comment: body.comment ? storableText(body.comment.slice(0, 5000)) : null,
    promptName: null,
    promptVersion: null,
    model: null,
    environment: body.environment ? storableText(body.environment.slice(0, 200)) : null,
  };
}

export class ScoreRefused extends Error {}

/**
 * Stores Langfuse scores: with the scored generation's prompt, model and environment when it is
 * already here, without them otherwise (the store adds them when the trace arrives: scores are
 * often sent before their trace). Idempotent by score id. Returns the ids newly stored.
 */
export async function storeLangfuseScores(projectId: string, rows: ScoreRow[]): Promise<Set<string>> {
  for (const row of rows) {
    const span = await findGeneration(projectId, row.traceId, row.spanId ?? undefined);
    if (span && (span.promptName !== null || span.model !== null || span.environment !== null)) {
      row.promptName = span.promptName;
      row.promptVersion = span.promptVersion;
      row.model = span.model;
      row.environment = span.environment ?? row.environment;
    }
  }
  // Loaded on first use: the routing rules pull in the evaluators, which an ingestion worker that
  // only ever sees spans does not need.
  const { recordScores } = await import("../domain/observability/feedback");
  return recordScores(projectId, rows);
}

/** One ingestion request: every event answered on its own (207 multi-status). */
export async function ingestLangfuseBatch(projectId: string, body: Buffer, now = Date.now()): Promise<LangfuseBatchResult> {
  const { batch } = parseBatch(body);
  const successes: IngestionSuccess[] = [];
  const errors: IngestionError[] = [];
  const refuse = (eventId: string, detail: string, status = 400) =>
    errors.push({ id: eventId, status, message: status === 400 ? `Invalid request data: ${detail}` : detail, error: detail });
  const config = await configOf(projectId);
  const oldest = (now - config.retentionDays * 86_400_000) * 1000;
  const newest = (now + MAX_FUTURE_MS) * 1000;

  const patches: SpanPatch[] = [];
  const scores: { eventId: string; row: ScoreRow }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < batch.length; i++) {
    const item = batch[i];
    const eventId = item && typeof item === "object" && typeof (item as { id?: unknown }).id === "string" ? (item as { id: string }).id : `batch[${i}]`;
    const parsed = envelope.safeParse(item);
    if (!parsed.success) {
      refuse(eventId, issueText(parsed.error, ""));
      continue;
    }
    const event = parsed.data;
    if (seen.has(event.id)) {
      successes.push({ id: event.id, status: 201 });
      continue;
    }
    seen.add(event.id);
    const eventUs = usOf(event.timestamp);
    if (event.type === "sdk-log") {
      successes.push({ id: event.id, status: 201 });
      continue;
    }
    if (event.type === "score-create") {
      const score = scoreBody.safeParse(event.body);
      if (!score.success) {
        refuse(event.id, issueText(score.error, "body"));
        continue;
      }
      try {
        // Stored at the event's time, as Langfuse does (never later than now): a batch flushed late
        // (or retried) keeps each score where it happened on the dashboards.
        scores.push({ eventId: event.id, row: { ...toScoreRow(projectId, score.data, event.id), createdAt: new Date(Math.min(eventUs / 1000, now)) } });
      } catch (error) {
        if (!(error instanceof ScoreRefused)) throw error;
        refuse(event.id, `body.${error.message}`);
      }
      continue;
    }
    let patch: SpanPatch;
    if (event.type === "trace-create") {
      const trace = traceBody.safeParse(event.body);
      if (!trace.success) {
        refuse(event.id, issueText(trace.error, "body"));
        continue;
      }
      patch = tracePatch(projectId, event.id, eventUs, trace.data);
    } else {
      const kind = OBSERVATION_EVENTS[event.type];
      if (!kind) {
        refuse(
          event.id,
          `type: ${event.type.slice(0, 60)} is not an event type Keel ingests (trace-create, span-create, span-update, generation-create, generation-update, event-create, score-create, sdk-log, …)`,
        );
        continue;
      }
      const observation = observationBody.safeParse(event.body);
      if (!observation.success) {
        refuse(event.id, issueText(observation.error, "body"));
        continue;
      }
      if (observation.data.promptName && observation.data.promptVersion == null && kind.type === "generation" && kind.create) {
        refuse(event.id, "body.promptVersion: is required with promptName");
        continue;
      }
      patch = observationPatch(projectId, event.id, eventUs, kind, observation.data);
    }
    const start = patch.set.startUs ?? patch.eventUs;
    if (start < oldest)
      refuse(event.id, `the ${patch.set.startUs === undefined ? "event" : "start time"} is older than this project's ${config.retentionDays}-day retention`);
    else if (start > newest) refuse(event.id, "the start time is more than a day in the future");
    else patches.push(patch);
  }

  if (patches.length) {
    const byKey = new Map<string, SpanPatch[]>();
    for (const p of patches) {
      const key = `${p.traceId}:${p.spanId}`;
      const list = byKey.get(key);
      if (list) list.push(p);
      else byKey.set(key, [p]);
    }
    const keys = [...byKey.values()].map((list) => ({ traceId: list[0]!.traceId, spanId: list[0]!.spanId }));
    const hints = patches.flatMap((p) => [p.eventUs, ...(p.set.startUs === undefined ? [] : [p.set.startUs])]);
    try {
      await mergeSpans(projectId, keys, hints, (stored) => [...byKey.entries()].map(([key, list]) => applyPatches(stored.get(key), list, config.prices)));
      for (const p of patches) successes.push({ id: p.eventId, status: 201 });
    } catch (error) {
      log.error("writing a Langfuse batch failed", { error });
      for (const p of patches) refuse(p.eventId, "Keel could not store this event; retry the batch", 500);
    }
  }
  if (scores.length) {
    try {
      await storeLangfuseScores(
        projectId,
        scores.map((s) => s.row),
      );
      for (const s of scores) successes.push({ id: s.eventId, status: 201 });
    } catch (error) {
      log.error("storing Langfuse scores failed", { error });
      for (const s of scores) refuse(s.eventId, "Keel could not store this score; retry the batch", 500);
    }
  }
  return { successes, errors };
}
