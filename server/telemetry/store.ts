import "server-only";
// The telemetry store: the ONE module that reads and writes production telemetry (spans, trace
// summaries, rollups, scores). Everything else (the OTLP route, the gateway's logger, the
// dashboards, the worker) calls these functions with plain rows and filters, never SQL. Moving
// traces to a column store (ClickHouse) means re-implementing this file: the spans table becomes
// a MergeTree ordered by (project_id, start_time), the rollups materialized views, the trace
// summaries an AggregatingMergeTree (docs/architecture.md, "Telemetry").
//
// Writes are batched: one transaction per batch COPYs the spans in (a span already stored makes
// the COPY fail, and the batch is written again with INSERT ... ON CONFLICT DO NOTHING: a retried
// batch is idempotent by span id), then, in one statement, adds only the spans actually inserted
// to the trace summaries, appends their counts to the rollup deltas (folded into the minute/hour
// rollups by the worker) and fills in waiting scores. The caller's promise resolves after COMMIT:
// the batch is durable.
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { SpanRow } from "./types";
import { setting } from "../env";
import { checkOut, empty, join, pgQuery, raw, sql, type Sql } from "../db/sql";
import { connectionSettings, primaryDatabaseUrl, throughPgBouncer } from "../db/connections";
import { readingFromReplica, replicaPool } from "../db/replica";
import { logger, repeatLimited } from "../runtime/log";

const log = repeatLimited(logger("telemetry"));

export type StoredSpan = SpanRow & {
  /** otel (ingested) or gateway (Keel's own calls). */
  /** How the span arrived: an OTLP exporter, Keel's gateway, or a Langfuse SDK's ingestion batch. */
  source?: "otel" | "gateway" | "langfuse";
  /** Guardrail violations the gateway recorded on this call. */
  guardrails?: { rule: string; kind: string; stage: string; action: string; detail: string }[] | null;
};

const globalForPool = globalThis as unknown as { keelTelemetryPool?: pg.Pool; keelTelemetryPoolUrl?: string };

/** The telemetry connection pool (not Prisma's: bulk writes want unnest() arrays and one round trip). */
export function telemetryPool(): pg.Pool {
  const url = primaryDatabaseUrl();
  if (!globalForPool.keelTelemetryPool || globalForPool.keelTelemetryPoolUrl !== url) {
    void globalForPool.keelTelemetryPool?.end().catch(() => undefined);
    globalForPool.keelTelemetryPool = new pg.Pool({
      ...connectionSettings(url),
      max: setting("KEEL_TELEMETRY_POOL"),
      application_name: "keel-telemetry",
    });
    globalForPool.keelTelemetryPool.on("error", (error) => log.warn("an idle connection failed", { error }));
    globalForPool.keelTelemetryPoolUrl = url;
  }
  return globalForPool.keelTelemetryPool;
}

/** Where dashboards and the trace explorer read: the replica's pool when routeReads chose it for this request (server/db/replica.ts). */
export function readPool(): pg.Pool {
  return readingFromReplica() ? replicaPool() : telemetryPool();
}

export async function closeTelemetryPool(): Promise<void> {
  const pool = globalForPool.keelTelemetryPool;
  globalForPool.keelTelemetryPool = undefined;
  await pool?.end();
}

// ----- latency histograms ------------------------------------------------------------------

/** Bucket 0: under 1 ms; bucket i: [1.25^(i-1), 1.25^i) ms; the last bucket is open-ended. */
export const HIST_BUCKETS = 64;
const LN_BASE = Math.log(1.25);

export function histBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(HIST_BUCKETS - 1, Math.floor(Math.log(ms) / LN_BASE) + 1);
}

/** The q-quantile (0..1) of a histogram: the geometric middle of the bucket it falls in (±12%). */
export function histQuantile(hist: readonly number[], q: number): number | null {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) {
      if (i === 0) return 0.5;
      const lo = 1.25 ** (i - 1);
      return Math.round(lo * Math.sqrt(1.25) * 100) / 100;
    }
  }
  return null;
}

export function addHist(into: number[], from: readonly number[]): number[] {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
  return into;
}

// ----- partitions ----------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const knownPartitions = new Set<number>();

async function ensurePartitions(client: pg.PoolClient, days: Set<number>): Promise<void> {
  for (const day of days) {
    if (knownPartitions.has(day)) continue;
    await pgQuery(client, sql`SELECT telemetry.ensure_span_partition(${new Date(day * DAY_MS).toISOString().slice(0, 10)}::date)`);
    knownPartitions.add(day);
  }
}

/** Forget the partitions this process knows of (after the retention sweep dropped some, or in tests). */
export function forgetPartitions(): void {
  knownPartitions.clear();
}

// ----- writes --------------------------------------------------------------------------------

const SPAN_COLUMNS = [
  ["trace_id", "text"],
  ["span_id", "text"],
  ["parent_span_id", "text"],
  ["name", "text"],
  ["kind", "smallint"],
  ["start_time", "timestamptz"],
  ["end_time", "timestamptz"],
  ["duration_ms", "float8"],
  ["status_code", "smallint"],
  ["status_message", "text"],
  ["service_name", "text"],
  ["is_generation", "bool"],
  ["model", "text"],
  ["provider", "text"],
  ["input_tokens", "int4"],
  ["output_tokens", "int4"],
  ["cost_usd", "float8"],
  ["prompt_name", "text"],
  ["prompt_version", "int4"],
  ["environment", "text"],
  ["user_id", "text"],
  ["session_id", "text"],
  ["input", "text"],
  ["output", "text"],
  ["attributes", "jsonb"],
  ["events", "jsonb"],
  ["source", "text"],
  ["guardrails", "jsonb"],
] as const;

// Column names and types come from SPAN_COLUMNS above (fixed in code), so `raw` is safe here.
const SPAN_COLUMN_NAMES = raw(SPAN_COLUMNS.map(([c]) => c).join(", "));
const SPAN_COLUMN_TYPES = SPAN_COLUMNS.map(([, t]) => raw(`${t}[]`));

function insertSpans(projectId: string, rows: readonly StoredSpan[]): Sql {
  const arrays = spanColumns(rows).map((values, i) => sql`${values}::${SPAN_COLUMN_TYPES[i]!}`);
  return sql`INSERT INTO telemetry.spans (project_id, ${SPAN_COLUMN_NAMES})
SELECT ${projectId}::uuid, * FROM unnest(${join(arrays, ", ")})
ON CONFLICT DO NOTHING RETURNING span_id, trace_id`;
}

// COPY's text format: one line a row, columns split by tabs, \N for NULL; a value's backslashes,
// tabs and line breaks escaped. Much cheaper than array parameters on both sides: no array literal
// to build and quote here, none to parse in PostgreSQL, and COPY inserts rows in batches.
const COPY_SPANS = `COPY telemetry.spans (project_id, ${SPAN_COLUMNS.map(([c]) => c).join(", ")}) FROM STDIN`;
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const copyEscape = (c: string) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r");

/** A text value (null or undefined: NULL), escaped for COPY. */
function copyText(value: string | null | undefined): string {
  if (value == null) return "\\N";
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, copyEscape) : value;
}

/** A number as the array parameters sent it (String(n)); null or undefined: NULL. */
const copyNumber = (value: number | null | undefined): string => (value == null ? "\\N" : String(value));

/** JSON text holds no raw tabs or line breaks (JSON escapes them): only backslashes to double. */
function copyJson(json: string | null | undefined): string {
  if (json == null) return "\\N";
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}

/** One row in COPY's text format: the very values insertSpans binds, column for column. */
function spanCopyLine(projectId: string, r: StoredSpan): string {
  return (
    `${projectId}\t${copyText(r.traceId)}\t${copyText(r.spanId)}\t${copyText(r.parentSpanId)}\t${copyText(r.name)}\t${copyNumber(r.kind)}\t` +
    `${isoOfMicros(r.startUs)}\t${isoOfMicros(r.endUs)}\t${copyNumber((r.endUs - r.startUs) / 1000)}\t${copyNumber(r.statusCode)}\t` +
    `${copyText(r.statusMessage)}\t${copyText(r.serviceName)}\t${r.isGeneration == null ? "\\N" : r.isGeneration ? "t" : "f"}\t${copyText(r.model)}\t` +
    `${copyText(r.provider)}\t${copyNumber(r.inputTokens)}\t${copyNumber(r.outputTokens)}\t${copyNumber(r.costUsd)}\t${copyText(r.promptName)}\t` +
    `${copyNumber(r.promptVersion)}\t${copyText(r.environment)}\t${copyText(r.userId)}\t${copyText(r.sessionId)}\t${copyText(r.input)}\t` +
    `${copyText(r.output)}\t${copyJson(JSON.stringify(r.attributes))}\t${r.events.length ? copyJson(JSON.stringify(r.events)) : "\\N"}\t` +
    `${copyText(r.source ?? "otel")}\t${r.guardrails?.length ? copyJson(JSON.stringify(r.guardrails)) : "\\N"}\n`
  );
}

/** Characters of COPY text encoded into one buffer (a UTF-16 unit takes at most 3 bytes of UTF-8). */
const COPY_CHUNK_CHARS = 1 << 20;

/**
 * The rows in COPY's text format, as UTF-8 buffers of about a megabyte or less (a batch of the
 * usual size is one). Each line is encoded on its own into its chunk's buffer: one string of
 * the whole batch would be a rope V8 flattens before encoding, at twice the cost.
 */
function spanCopyData(projectId: string, rows: readonly StoredSpan[]): Buffer[] {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let chars = 0;
  const encode = () => {
    const data = Buffer.allocUnsafe(chars * 3);
    let bytes = 0;
    for (const line of lines) bytes += data.write(line, bytes, "utf8");
    chunks.push(data.subarray(0, bytes));
    lines = [];
    chars = 0;
  };
  for (const row of rows) {
    const line = spanCopyLine(projectId, row);
    lines.push(line);
    chars += line.length;
    if (chars >= COPY_CHUNK_CHARS) encode();
  }
  if (lines.length) encode();
  return chunks;
}

/**
 * Opens the transaction and COPYs the rows into telemetry.spans, in one round trip (BEGIN and
 * COPY in one simple query). False when one of them is already stored (or is in the batch twice):
 * COPY knows no ON CONFLICT, so it refused them all and the transaction is aborted (the caller
 * rolls it back). Any other failure (a lost connection) is thrown.
 */
async function copySpans(client: pg.PoolClient, projectId: string, rows: readonly StoredSpan[]): Promise<boolean> {
  const data = spanCopyData(projectId, rows);
  const stream = client.query(copyFrom(`BEGIN; ${COPY_SPANS}`));
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
      for (const chunk of data) stream.write(chunk);
      stream.end();
    });
    return true;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "23505") return false;
    throw error;
  }
}

// A batch's times fall in a few seconds: the date and time up to the second are formatted once.
let isoSecond = Number.NaN;
let isoPrefix = "";

function isoOfMicros(us: number): string {
  // Date keeps milliseconds; the microseconds are appended so timestamptz keeps them.
  const second = Math.floor(us / 1_000_000);
  if (second !== isoSecond) {
    isoPrefix = new Date(second * 1000).toISOString().slice(0, -5);
    isoSecond = second;
  }
  return `${isoPrefix}.${String(Math.floor(us - second * 1_000_000)).padStart(6, "0")}Z`;
}

function spanColumns(rows: readonly StoredSpan[]): unknown[][] {
  const cols: unknown[][] = SPAN_COLUMNS.map(() => new Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const values = [
      r.traceId,
      r.spanId,
      r.parentSpanId,
      r.name,
      r.kind,
      isoOfMicros(r.startUs),
      isoOfMicros(r.endUs),
      (r.endUs - r.startUs) / 1000,
      r.statusCode,
      r.statusMessage,
      r.serviceName,
      r.isGeneration,
      r.model,
      r.provider,
      r.inputTokens,
      r.outputTokens,
      r.costUsd,
      r.promptName,
      r.promptVersion,
      r.environment,
      r.userId,
      r.sessionId,
      r.input,
      r.output,
      JSON.stringify(r.attributes),
      r.events.length ? JSON.stringify(r.events) : null,
      r.source ?? "otel",
      r.guardrails?.length ? JSON.stringify(r.guardrails) : null,
    ];
    for (let c = 0; c < values.length; c++) cols[c]![i] = values[c];
  }
  return cols;
}

type RollupDelta = {
  key: string;
  bucket: number;
  promptName: string;
  promptVersion: number;
  model: string;
  environment: string;
  generations: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencySumMs: number;
  hist: number[];
  blocks: number;
  flags: number;
};

type CountedSpan = Pick<
  StoredSpan,
  | "startUs"
  | "endUs"
  | "statusCode"
  | "isGeneration"
  | "model"
  | "promptName"
  | "promptVersion"
  | "environment"
  | "inputTokens"
  | "outputTokens"
  | "costUsd"
  | "guardrails"
>;

/** The generations' counts per rollup key; `sign` -1 takes back what earlier batches counted. */
function rollupDeltas(rows: readonly CountedSpan[], granularityMs: number, sign: 1 | -1 = 1, into = new Map<string, RollupDelta>()): RollupDelta[] {
  const deltas = into;
  for (const r of rows) {
    if (!r.isGeneration) continue;
    const bucket = Math.floor(r.startUs / 1000 / granularityMs) * granularityMs;
    const promptName = r.promptName ?? "";
    const promptVersion = r.promptVersion ?? 0;
    const model = r.model ?? "";
    const environment = r.environment ?? "";
    const key = `${bucket}\u0000${promptName}\u0000${promptVersion}\u0000${model}\u0000${environment}`;
    let d = deltas.get(key);
    if (!d) {
      d = {
        key,
        bucket,
        promptName,
        promptVersion,
        model,
        environment,
        generations: 0,
        errors: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        latencySumMs: 0,
        hist: new Array<number>(HIST_BUCKETS).fill(0),
        blocks: 0,
        flags: 0,
      };
      deltas.set(key, d);
    }
    const ms = (r.endUs - r.startUs) / 1000;
    d.generations += sign;
    if (r.statusCode === 2) d.errors += sign;
    d.inputTokens += sign * (r.inputTokens ?? 0);
    d.outputTokens += sign * (r.outputTokens ?? 0);
    d.costUsd += sign * (r.costUsd ?? 0);
    d.latencySumMs += sign * ms;
    d.hist[histBucket(ms)]! += sign;
    for (const v of r.guardrails ?? []) {
      if (v.action === "block") d.blocks += sign;
      else d.flags += sign;
    }
  }
  // A span counted and taken back in the same batch leaves an all-zero delta: not worth a row.
  return [...deltas.values()].filter((d) =>
    [d.generations, d.errors, d.inputTokens, d.outputTokens, d.costUsd, d.latencySumMs, d.blocks, d.flags, ...d.hist].some((n) => n !== 0),
  );
}

// A batch's counts are appended to the deltas (no shared rows, so concurrent batches never wait on
// each other); foldRollups() moves them into the minute and hour rollups.
function insertDeltas(projectId: string, deltas: RollupDelta[]): Sql {
  const col = <T>(f: (d: RollupDelta) => T) => deltas.map(f);
  return sql`INSERT INTO telemetry.rollup_deltas (project_id, bucket, prompt_name, prompt_version, model, environment, generations, errors,
  input_tokens, output_tokens, cost_usd, latency_sum_ms, latency_hist, guardrail_blocks, guardrail_flags)
SELECT ${projectId}::uuid, to_timestamp(b / 1000.0), pn, pv, m, e, g, er, it, ot, c, l, h::int[], bl, fl
FROM unnest(${col((d) => d.bucket)}::float8[], ${col((d) => d.promptName)}::text[], ${col((d) => d.promptVersion)}::int4[], ${col((d) => d.model)}::text[], ${col((d) => d.environment)}::text[],
  ${col((d) => d.generations)}::int8[], ${col((d) => d.errors)}::int8[], ${col((d) => d.inputTokens)}::int8[], ${col((d) => d.outputTokens)}::int8[], ${col((d) => d.costUsd)}::float8[],
  ${col((d) => d.latencySumMs)}::float8[], ${col((d) => `{${d.hist.join(",")}}`)}::text[], ${col((d) => d.blocks)}::int8[], ${col((d) => d.flags)}::int8[])
  AS d(b, pn, pv, m, e, g, er, it, ot, c, l, h, bl, fl)`;
}

/** Per-bucket sums of latency histograms: plain sum() over array subscripts, fast in PostgreSQL. */
export const HIST_SUM = (column = "latency_hist") => `ARRAY[${Array.from({ length: HIST_BUCKETS }, (_, i) => `sum(${column}[${i + 1}])`).join(", ")}]`;

const ROLLUP_SUMS = `sum(generations), sum(errors), sum(input_tokens), sum(output_tokens), sum(cost_usd), sum(latency_sum_ms), ${HIST_SUM()}::int[], sum(guardrail_blocks), sum(guardrail_flags)`;
const ROLLUP_CONFLICT = `ON CONFLICT (project_id, bucket, prompt_name, prompt_version, model, environment) DO UPDATE SET
  generations = r.generations + EXCLUDED.generations, errors = r.errors + EXCLUDED.errors,
  input_tokens = r.input_tokens + EXCLUDED.input_tokens, output_tokens = r.output_tokens + EXCLUDED.output_tokens,
  cost_usd = r.cost_usd + EXCLUDED.cost_usd, latency_sum_ms = r.latency_sum_ms + EXCLUDED.latency_sum_ms,
  latency_hist = telemetry.hist_add(r.latency_hist, EXCLUDED.latency_hist),
  guardrail_blocks = r.guardrail_blocks + EXCLUDED.guardrail_blocks, guardrail_flags = r.guardrail_flags + EXCLUDED.guardrail_flags`;
const ROLLUP_COLUMNS =
  "project_id, bucket, prompt_name, prompt_version, model, environment, generations, errors, input_tokens, output_tokens, cost_usd, latency_sum_ms, latency_hist, guardrail_blocks, guardrail_flags";

// One statement: take every delta committed so far, add it to both rollups. Atomic, so a delta is
// counted exactly once whatever crashes when. Rows are folded in key order (no deadlocks).
const FOLD = `WITH d AS (DELETE FROM telemetry.rollup_deltas RETURNING *),
m AS (
  INSERT INTO telemetry.rollups_minute AS r (${ROLLUP_COLUMNS})
  SELECT project_id, bucket, prompt_name, prompt_version, model, environment, ${ROLLUP_SUMS}
  FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ${ROLLUP_CONFLICT}
  RETURNING 1
)
INSERT INTO telemetry.rollups_hour AS r (${ROLLUP_COLUMNS})
SELECT project_id, date_trunc('hour', bucket), prompt_name, prompt_version, model, environment, ${ROLLUP_SUMS}
FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
${ROLLUP_CONFLICT}`;

/** Folds the pending rollup deltas into the rollups (the worker, every second). Returns the deltas folded. */
export async function foldRollups(): Promise<number> {
  // One folder at a time (concurrent folds would only contend on the same rollup rows).
  const folded = await exclusively("fold", async () => {
    const pool = telemetryPool();
    const { rows } = await pgQuery<{ n: string }>(pool, sql`SELECT count(*) AS n FROM telemetry.rollup_deltas`);
    const n = Number(rows[0]?.n ?? 0);
    if (n) await pool.query(FOLD);
    return n;
  });
  return folded ?? 0;
}

type TraceDelta = {
  traceId: string;
  startUs: number;
  endUs: number;
  rootName: string | null;
  spans: number;
  generations: number;
  /** Gateway generations with a parent: only their traces can hold a client generation to uncount. */
  gatewayGenerations: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  promptName: string | null;
  promptVersion: number | null;
  model: string | null;
  environment: string | null;
  userId: string | null;
  sessionId: string | null;
  serviceName: string | null;
  source: string;
};

function traceDeltas(rows: readonly StoredSpan[], removed: readonly StoredSpan[] = []): TraceDelta[] {
  const byTrace = new Map<string, TraceDelta>();
  // Rows replaced by a merge: their counts are taken back (times and first-seen fields stay).
  for (const r of removed) {
    const t = byTrace.get(r.traceId) ?? emptyTraceDelta(r);
    byTrace.set(r.traceId, t);
    t.spans--;
    if (r.statusCode === 2) t.errors--;
    if (countsAsGatewayGeneration(r)) t.gatewayGenerations--;
    if (r.isGeneration) {
      t.generations--;
      t.inputTokens -= r.inputTokens ?? 0;
      t.outputTokens -= r.outputTokens ?? 0;
      t.costUsd -= r.costUsd ?? 0;
    }
  }
  for (const r of rows) {
    let t = byTrace.get(r.traceId);
    if (!t) {
      t = emptyTraceDelta(r);
      byTrace.set(r.traceId, t);
    }
    t.startUs = Math.min(t.startUs, r.startUs);
    t.endUs = Math.max(t.endUs, r.endUs);
    if (r.parentSpanId === null) t.rootName = r.name;
    t.spans++;
    if (r.statusCode === 2) t.errors++;
    if (countsAsGatewayGeneration(r)) t.gatewayGenerations++;
    if (r.isGeneration) {
      t.generations++;
      t.inputTokens += r.inputTokens ?? 0;
      t.outputTokens += r.outputTokens ?? 0;
      t.costUsd += r.costUsd ?? 0;
      t.model ??= r.model;
    }
    t.promptName ??= r.promptName;
    t.promptVersion ??= r.promptVersion;
    t.environment ??= r.environment;
    t.userId ??= r.userId;
    t.sessionId ??= r.sessionId;
    t.serviceName ??= r.serviceName;
  }
  return [...byTrace.values()].sort((a, b) => (a.traceId < b.traceId ? -1 : 1));
}

function emptyTraceDelta(r: StoredSpan): TraceDelta {
  return {
    traceId: r.traceId,
    startUs: r.startUs,
    endUs: r.endUs,
    rootName: null,
    spans: 0,
    generations: 0,
    gatewayGenerations: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    promptName: null,
    promptVersion: null,
    model: null,
    environment: null,
    userId: null,
    sessionId: null,
    serviceName: null,
    source: r.source ?? "otel",
  };
}

// A trace's summary grows as its spans arrive (in any order, over several batches): the earliest
// start, the latest end, the root's name once it comes, the first prompt/model seen.
// Returns each trace with its gateway generations so far (this batch's included).
function upsertTraces(projectId: string, deltas: TraceDelta[]): Sql {
  const col = <T>(f: (d: TraceDelta) => T) => deltas.map(f);
  return sql`INSERT INTO telemetry.traces AS t (project_id, trace_id, start_time, end_time, root_name, spans, generations, errors,
  input_tokens, output_tokens, cost_usd, prompt_name, prompt_version, model, environment, user_id, session_id, service_name, source, gateway_generations)
SELECT ${projectId}::uuid, id, s, e, rn, n, g, er, it, ot, c, pn, pv, m, env, u, ses, svc, src, gg
FROM unnest(${col((d) => d.traceId)}::text[], ${col((d) => isoOfMicros(d.startUs))}::timestamptz[], ${col((d) => isoOfMicros(d.endUs))}::timestamptz[], ${col((d) => d.rootName)}::text[],
  ${col((d) => d.spans)}::int4[], ${col((d) => d.generations)}::int4[], ${col((d) => d.errors)}::int4[], ${col((d) => d.inputTokens)}::int8[], ${col((d) => d.outputTokens)}::int8[], ${col((d) => d.costUsd)}::float8[],
  ${col((d) => d.promptName)}::text[], ${col((d) => d.promptVersion)}::int4[], ${col((d) => d.model)}::text[], ${col((d) => d.environment)}::text[], ${col((d) => d.userId)}::text[],
  ${col((d) => d.sessionId)}::text[], ${col((d) => d.serviceName)}::text[], ${col((d) => d.source)}::text[], ${col((d) => d.gatewayGenerations)}::int4[])
  AS d(id, s, e, rn, n, g, er, it, ot, c, pn, pv, m, env, u, ses, svc, src, gg)
ON CONFLICT (project_id, trace_id) DO UPDATE SET
  start_time = LEAST(t.start_time, EXCLUDED.start_time), end_time = GREATEST(t.end_time, EXCLUDED.end_time),
  root_name = COALESCE(EXCLUDED.root_name, t.root_name), spans = t.spans + EXCLUDED.spans,
  generations = t.generations + EXCLUDED.generations, errors = t.errors + EXCLUDED.errors,
  input_tokens = t.input_tokens + EXCLUDED.input_tokens, output_tokens = t.output_tokens + EXCLUDED.output_tokens,
  cost_usd = t.cost_usd + EXCLUDED.cost_usd, prompt_name = COALESCE(t.prompt_name, EXCLUDED.prompt_name),
  prompt_version = COALESCE(t.prompt_version, EXCLUDED.prompt_version), model = COALESCE(t.model, EXCLUDED.model),
  environment = COALESCE(t.environment, EXCLUDED.environment), user_id = COALESCE(t.user_id, EXCLUDED.user_id),
  session_id = COALESCE(t.session_id, EXCLUDED.session_id), service_name = COALESCE(t.service_name, EXCLUDED.service_name),
  gateway_generations = t.gateway_generations + EXCLUDED.gateway_generations
RETURNING t.trace_id, t.gateway_generations`;
}

const countsAsGatewayGeneration = (r: StoredSpan) => r.source === "gateway" && r.isGeneration && r.parentSpanId !== null;

/** Writes the batch's trace summaries; returns the traces that hold a gateway generation below something. */
async function writeTraceSummaries(client: pg.PoolClient, projectId: string, rows: readonly StoredSpan[], removed?: readonly StoredSpan[]): Promise<string[]> {
  const { rows: traces } = await pgQuery<{ trace_id: string; gateway_generations: number }>(client, upsertTraces(projectId, traceDeltas(rows, removed)));
  return traces.filter((t) => t.gateway_generations > 0).map((t) => t.trace_id);
}

// ----- one generation per model call ------------------------------------------------------------
//
// A client that traces its own LLM calls (AI SDK telemetry, OpenInference, Langfuse) and calls
// Keel's gateway with a traceparent sends a generation span for the call, and the gateway logs
// the same call as its own generation, a descendant of the client's (through the client's HTTP
// span, if it has one). Counting both doubles the tokens and cost. The gateway's generation is
// the one counted: its usage is what the provider reported, its cost uses the project's prices,
// it carries the prompt version, environment and guardrail hits, and it exists whether or not
// the client's telemetry is sampled. The client's span stays in the trace as a plain span (its
// tokens kept on the row) with `keel.generation.counted_by` naming the gateway's span.
//
// Applied at write time, whichever arrives first: when a batch brings either side (or a span in
// between), the trace's gateway generations are walked up to their nearest generation ancestor;
// one from another source that still counts is taken off the trace summary and the rollups.

const MAX_WALK = 16;
const WALK_WINDOW_US = DAY_MS * 1000;

type SkeletonRow = {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  is_generation: boolean;
  source: string;
  counted_by: string | null;
  start_us: string;
  end_us: string;
  status_code: number;
  model: string | null;
  prompt_name: string | null;
  prompt_version: number | null;
  environment: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  guardrails: StoredSpan["guardrails"];
};

// The batch's traces are looked up by the primary key (project, trace). `is_generation` is tested
// outside the MATERIALIZED scan on purpose: inside it, it lets the planner pick the partial
// generations index (project, start_time) and walk every generation of the day window, a cost
// that grew with the day's traffic (3 ms a batch after 20,000 spans, more than the insert later).
const skeletons = (projectId: string, traceIds: string[], from: string, to: string) => sql`WITH g AS MATERIALIZED (
  SELECT trace_id, is_generation FROM telemetry.spans
  WHERE project_id = ${projectId}::uuid AND trace_id = ANY(${traceIds}::text[]) AND start_time >= ${from}::timestamptz AND start_time <= ${to}::timestamptz
    AND source = 'gateway' AND parent_span_id IS NOT NULL
), t AS (SELECT DISTINCT trace_id FROM g WHERE is_generation)
SELECT s.trace_id, s.span_id, s.parent_span_id, s.is_generation, s.source, s.attributes->>'keel.generation.counted_by' AS counted_by,
  (extract(epoch FROM s.start_time) * 1000000)::bigint::text AS start_us, (extract(epoch FROM s.end_time) * 1000000)::bigint::text AS end_us,
  s.status_code, s.model, s.prompt_name, s.prompt_version, s.environment, s.input_tokens, s.output_tokens, s.cost_usd, s.guardrails
FROM telemetry.spans s JOIN t USING (trace_id)
WHERE s.project_id = ${projectId}::uuid AND s.start_time >= ${from}::timestamptz AND s.start_time <= ${to}::timestamptz`;

/** Takes client generations that a gateway generation below them also counts off the counts; returns them (as counted before). */
async function uncountClientGenerations(
  client: pg.PoolClient,
  projectId: string,
  fresh: readonly StoredSpan[],
  traceIds: readonly string[],
): Promise<CountedSpan[]> {
  // Most traces never pass the gateway: then there is nothing to look up.
  if (!traceIds.length) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of fresh) {
    lo = Math.min(lo, r.startUs);
    hi = Math.max(hi, r.startUs);
  }
  const { rows } = await pgQuery<SkeletonRow>(client, skeletons(projectId, [...traceIds], isoOfMicros(lo - WALK_WINDOW_US), isoOfMicros(hi + WALK_WINDOW_US)));
  if (!rows.length) return [];
  const byId = new Map(rows.map((r) => [`${r.trace_id}:${r.span_id}`, r]));
  const demote = new Map<string, { row: SkeletonRow; by: string }>();
  for (const g of rows) {
    if (g.source !== "gateway" || !g.is_generation || !g.parent_span_id) continue;
    let parent = byId.get(`${g.trace_id}:${g.parent_span_id}`);
    for (let depth = 0; parent && depth < MAX_WALK; depth++) {
      if (parent.is_generation || parent.counted_by) break;
      parent = parent.parent_span_id ? byId.get(`${parent.trace_id}:${parent.parent_span_id}`) : undefined;
    }
    if (parent?.is_generation && !parent.counted_by && parent.source !== "gateway")
      demote.set(`${parent.trace_id}:${parent.span_id}`, { row: parent, by: g.span_id });
  }
  if (!demote.size) return [];
  const list = [...demote.values()].sort((a, b) => (a.row.trace_id + a.row.span_id < b.row.trace_id + b.row.span_id ? -1 : 1));
  await pgQuery(
    client,
    sql`UPDATE telemetry.spans s SET is_generation = false, attributes = s.attributes || jsonb_build_object('keel.generation.counted_by', d.by)
     FROM unnest(${list.map((d) => d.row.trace_id)}::text[], ${list.map((d) => d.row.span_id)}::text[], ${list.map((d) => d.by)}::text[]) AS d(trace_id, span_id, by)
     WHERE s.project_id = ${projectId} AND s.trace_id = d.trace_id AND s.span_id = d.span_id`,
  );
  const spans: CountedSpan[] = list.map(({ row: r }) => ({
    startUs: Number(r.start_us),
    endUs: Number(r.end_us),
    statusCode: r.status_code as 0 | 1 | 2,
    isGeneration: true,
    model: r.model,
    promptName: r.prompt_name,
    promptVersion: r.prompt_version,
    environment: r.environment,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
    guardrails: r.guardrails,
  }));
  const perTrace = new Map<string, { generations: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  for (const [i, { row }] of list.entries()) {
    const t = perTrace.get(row.trace_id) ?? { generations: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    t.generations++;
    t.inputTokens += spans[i]!.inputTokens ?? 0;
    t.outputTokens += spans[i]!.outputTokens ?? 0;
    t.costUsd += spans[i]!.costUsd ?? 0;
    perTrace.set(row.trace_id, t);
  }
  const traces = [...perTrace.entries()];
  await pgQuery(
    client,
    sql`UPDATE telemetry.traces t SET generations = t.generations - d.g, input_tokens = t.input_tokens - d.it, output_tokens = t.output_tokens - d.ot, cost_usd = t.cost_usd - d.c
     FROM unnest(${traces.map(([id]) => id)}::text[], ${traces.map(([, v]) => v.generations)}::int4[], ${traces.map(([, v]) => v.inputTokens)}::int8[], ${traces.map(([, v]) => v.outputTokens)}::int8[], ${traces.map(([, v]) => v.costUsd)}::float8[]) AS d(trace_id, g, it, ot, c)
     WHERE t.project_id = ${projectId} AND t.trace_id = d.trace_id`,
  );
  return spans;
}

export type WriteResult = { inserted: number; duplicates: number };

/** Whether the telemetry pool's connections are PostgreSQL's own sessions (not PgBouncer's), so named statements stay put. */
const preparedStatements = () => !throughPgBouncer(primaryDatabaseUrl());

/**
 * Writes one batch of a project's spans durably (resolves after COMMIT). Spans already stored
 * (same trace and span id) are skipped and not counted again anywhere.
 */
export async function writeSpans(projectId: string, rows: readonly StoredSpan[], usage?: { keyId: string; requests: number }): Promise<WriteResult> {
  if (rows.length === 0 && !usage) return { inserted: 0, duplicates: 0 };
  const client = await checkOut(telemetryPool(), "keel-telemetry");
  try {
    const days = new Set<number>();
    for (const r of rows) days.add(Math.floor(r.startUs / 1000 / DAY_MS));
    await ensurePartitions(client, days);
    let fresh: StoredSpan[] = [];
    if (!rows.length) await client.query("BEGIN");
    else {
      if (await copySpans(client, projectId, rows)) fresh = rows as StoredSpan[];
      else {
        // Some span is stored already (a retried batch): the COPY aborted the transaction, so the
        // batch starts over and skips what is there (nothing of this batch was written).
        await client.query("ROLLBACK");
        await client.query("BEGIN");
        const { rows: inserted } = await pgQuery<{ span_id: string; trace_id: string }>(client, insertSpans(projectId, rows));
        // The first of a span sent twice in the batch is the one stored (and counted) once.
        const left = new Map<string, number>();
        for (const r of inserted) left.set(`${r.trace_id}:${r.span_id}`, (left.get(`${r.trace_id}:${r.span_id}`) ?? 0) + 1);
        fresh = rows.filter((r) => {
          const key = `${r.traceId}:${r.spanId}`;
          const n = left.get(key) ?? 0;
          if (n > 0) left.set(key, n - 1);
          return n > 0;
        });
      }
    }
    if (fresh.length) {
      // One statement: the trace summaries (the upsert locks them, so a concurrent batch of the
      // same trace has committed before the next statement looks for client generations the
      // gateway also logged), the rollup deltas, and the scores waiting for these generations in
      // traces without a gateway generation (the others wait until client generations are uncounted).
      const generationTraces = [...new Set(fresh.filter((r) => r.isGeneration).map((r) => r.traceId))];
      const deltas = rollupDeltas(fresh, 60_000, 1);
      const parts = [sql`t AS (${upsertTraces(projectId, traceDeltas(fresh))})`];
      if (deltas.length) parts.push(sql`d AS (${insertDeltas(projectId, deltas)})`);
      if (generationTraces.length)
        parts.push(sql`s AS (${scoreDimensions(projectId, generationTraces, sql`AND s.trace_id IN (SELECT trace_id FROM t WHERE gateway_generations = 0)`)})`);
      const summaries = sql`WITH ${join(parts, ", ")} SELECT trace_id FROM t WHERE gateway_generations > 0`;
      // A named statement, parsed and planned once per connection and variant (parsing and
      // planning this statement cost PostgreSQL more than running it); PgBouncer in transaction
      // mode (1.18) would hand it to another server connection, so there it stays unnamed.
      const name = preparedStatements() ? `keel_batch_summaries_${deltas.length ? 1 : 0}${generationTraces.length ? 1 : 0}` : undefined;
      const { rows: traces } = await client.query<{ trace_id: string }>({ name, text: summaries.text, values: summaries.values });
      const viaGateway = traces.map((t) => t.trace_id);
      if (viaGateway.length) {
        const uncounted = await uncountClientGenerations(client, projectId, fresh, viaGateway);
        const taken = rollupDeltas(uncounted, 60_000, -1);
        if (taken.length) await pgQuery(client, insertDeltas(projectId, taken));
        const gatewayGenerationTraces = new Set(viaGateway);
        const waiting = generationTraces.filter((id) => gatewayGenerationTraces.has(id));
        if (waiting.length) await pgQuery(client, scoreDimensions(projectId, waiting));
      }
    }
    if (usage && usage.requests > 0) {
      await pgQuery(
        client,
        sql`INSERT INTO telemetry.key_usage (key_id, month, requests) VALUES (${usage.keyId}, date_trunc('month', now() AT TIME ZONE 'UTC')::date, ${usage.requests})
         ON CONFLICT (key_id, month) DO UPDATE SET requests = telemetry.key_usage.requests + EXCLUDED.requests`,
      );
    }
    await client.query("COMMIT");
    return { inserted: fresh.length, duplicates: rows.length - fresh.length };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

// ----- merges (Langfuse ingestion) ------------------------------------------------------------

/** A span's identity in a project. */
export type SpanKey = { traceId: string; spanId: string };

const spanKeyOf = (r: SpanKey) => `${r.traceId}:${r.spanId}`;

type SpanDbRow = {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  start_us: string;
  end_us: string;
  status_code: number;
  status_message: string | null;
  service_name: string | null;
  is_generation: boolean;
  model: string | null;
  provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  prompt_name: string | null;
  prompt_version: number | null;
  environment: string | null;
  user_id: string | null;
  session_id: string | null;
  input: string | null;
  output: string | null;
  attributes: Record<string, unknown>;
  events: StoredSpan["events"] | null;
  source: string;
  guardrails: StoredSpan["guardrails"];
};

function storedSpanOf(r: SpanDbRow): StoredSpan {
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    kind: r.kind,
    startUs: Number(r.start_us),
    endUs: Number(r.end_us),
    statusCode: (r.status_code === 1 || r.status_code === 2 ? r.status_code : 0) as 0 | 1 | 2,
    statusMessage: r.status_message,
    serviceName: r.service_name,
    isGeneration: r.is_generation,
    model: r.model,
    provider: r.provider,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
    promptName: r.prompt_name,
    promptVersion: r.prompt_version,
    environment: r.environment,
    userId: r.user_id,
    sessionId: r.session_id,
    input: r.input,
    output: r.output,
    attributes: r.attributes ?? {},
    events: r.events ?? [],
    source: r.source === "gateway" || r.source === "langfuse" ? r.source : "otel",
    guardrails: r.guardrails ?? null,
  };
}

/** Whether two versions of a span would be stored identically (ingested_at aside). */
function sameSpan(a: StoredSpan, b: StoredSpan): boolean {
  const [x, y] = [spanColumns([a]), spanColumns([b])];
  return x.every((col, i) => JSON.stringify(col) === JSON.stringify(y[i]));
}

export type MergeResult = { written: number; unchanged: number };

/**
 * Creates or changes spans from partial information arriving over several batches (Langfuse
 * ingestion: an observation's create and its updates are separate events, in any order). Under a
 * per-trace lock, `merge` gets the stored versions of `keys` and returns the spans as they should
 * be; changed spans replace the stored ones, and the trace summaries and rollups take back what
 * the replaced versions counted and add what the new ones count, so every total stays exact.
 * `startHints` are the start times the merged spans may have (their day partitions are created).
 */
export async function mergeSpans(
  projectId: string,
  keys: readonly SpanKey[],
  startHints: readonly number[],
  merge: (stored: ReadonlyMap<string, StoredSpan>) => StoredSpan[],
): Promise<MergeResult> {
  if (!keys.length) return { written: 0, unchanged: 0 };
  const client = await checkOut(telemetryPool(), "keel-telemetry");
  try {
    const days = new Set<number>();
    for (const us of startHints) days.add(Math.floor(us / 1000 / DAY_MS));
    await ensurePartitions(client, days);
    await client.query("BEGIN");
    // One merger per trace at a time (traces in a fixed order: no deadlocks between batches).
    const traces = [...new Set(keys.map((k) => k.traceId))].sort();
    await pgQuery(
      client,
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${projectId}::text || ':' || t, 0)) FROM (SELECT t FROM unnest(${traces}::text[]) t ORDER BY t) s`,
    );
    const { rows } = await pgQuery<SpanDbRow>(
      client,
      sql`SELECT *, (extract(epoch FROM start_time) * 1000000)::bigint::text AS start_us, (extract(epoch FROM end_time) * 1000000)::bigint::text AS end_us
       FROM telemetry.spans WHERE project_id = ${projectId} AND (trace_id, span_id) IN (SELECT * FROM unnest(${keys.map((k) => k.traceId)}::text[], ${keys.map((k) => k.spanId)}::text[]))`,
    );
    const stored = new Map(rows.map((r) => [`${r.trace_id}:${r.span_id}`, storedSpanOf(r)]));
    const merged = merge(stored);
    const changed: StoredSpan[] = [];
    const replaced: StoredSpan[] = [];
    for (const span of merged) {
      const before = stored.get(spanKeyOf(span));
      if (before && sameSpan(before, span)) continue;
      changed.push(span);
      if (before) replaced.push(before);
    }
    for (const span of changed) days.add(Math.floor(span.startUs / 1000 / DAY_MS));
    if (!changed.length) {
      await client.query("COMMIT");
      return { written: 0, unchanged: merged.length };
    }
    // A start time outside the hinted days (a caller's mistake) still gets its partition.
    for (const day of days) {
      if (!knownPartitions.has(day))
        await pgQuery(client, sql`SELECT telemetry.ensure_span_partition(${new Date(day * DAY_MS).toISOString().slice(0, 10)}::date)`);
      knownPartitions.add(day);
    }
    if (replaced.length) {
      await pgQuery(
        client,
        sql`DELETE FROM telemetry.spans WHERE project_id = ${projectId} AND (trace_id, span_id) IN (SELECT * FROM unnest(${replaced.map((r) => r.traceId)}::text[], ${replaced.map((r) => r.spanId)}::text[]))`,
      );
    }
    await pgQuery(client, insertSpans(projectId, changed));
    const viaGateway = await writeTraceSummaries(client, projectId, changed, replaced);
    // A merged generation may sit above a gateway generation (one generation per model call).
    const uncounted = await uncountClientGenerations(client, projectId, changed, viaGateway);
    const minute = new Map<string, RollupDelta>();
    rollupDeltas(replaced, 60_000, -1, minute);
    rollupDeltas(uncounted, 60_000, -1, minute);
    const deltas = rollupDeltas(changed, 60_000, 1, minute);
    if (deltas.length) await pgQuery(client, insertDeltas(projectId, deltas));
    await fillScoreDimensions(client, projectId, changed);
    await client.query("COMMIT");
    return { written: changed.length, unchanged: merged.length - changed.length };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Scores that arrived before their trace (SDKs send them on their own schedule, often first) are
 * stored without the generation's prompt, model and environment; when the trace's generations
 * arrive, they get them, so the dashboards slice them like every other score.
 */
async function fillScoreDimensions(client: pg.PoolClient, projectId: string, rows: readonly StoredSpan[]): Promise<void> {
  const traces = [...new Set(rows.filter((r) => r.isGeneration).map((r) => r.traceId))];
  if (!traces.length) return;
  await pgQuery(client, scoreDimensions(projectId, traces));
}

/** The UPDATE of fillScoreDimensions for the given traces (`also`: a further condition on s). */
const scoreDimensions = (projectId: string, traces: string[], also: Sql = empty) =>
  sql`UPDATE telemetry.scores s SET (prompt_name, prompt_version, model, environment) = (
       SELECT g.prompt_name, g.prompt_version, g.model, g.environment FROM telemetry.spans g
       WHERE g.project_id = s.project_id AND g.trace_id = s.trace_id AND (s.span_id IS NULL OR g.span_id = s.span_id)
       ORDER BY g.is_generation DESC, g.start_time, g.span_id LIMIT 1)
     WHERE s.project_id = ${projectId}::uuid AND s.trace_id = ANY(${traces}::text[]) AND s.prompt_name IS NULL AND s.model IS NULL ${also}
       AND EXISTS (SELECT 1 FROM telemetry.spans g WHERE g.project_id = s.project_id AND g.trace_id = s.trace_id AND g.is_generation AND (s.span_id IS NULL OR g.span_id = s.span_id))`;

// ----- scores --------------------------------------------------------------------------------

export type ScoreRow = {
  id: string;
  projectId: string;
  traceId: string;
  spanId: string | null;
  name: string;
  source: "api" | "online_eval";
  dataType: "numeric" | "boolean" | "categorical";
  value: number | null;
  stringValue: string | null;
  comment: string | null;
  promptName: string | null;
  promptVersion: number | null;
  model: string | null;
  environment: string | null;
  evaluatorId?: string | null;
  /** When the score was given (default: now); the demo seed backdates its history. */
  createdAt?: Date;
};

/** Stores scores; an id already stored is left as it was (a retried request). Returns the ids actually inserted. */
export async function insertScores(rows: readonly ScoreRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const { rows: inserted } = await pgQuery<{ id: string }>(
    telemetryPool(),
    sql`INSERT INTO telemetry.scores (id, project_id, trace_id, span_id, name, source, data_type, value, string_value, comment, prompt_name, prompt_version, model, environment, evaluator_id, created_at)
     SELECT id, p, tr, sp, n, src, dt, v, sv, c, pn, pv, m, e, ev, COALESCE(at, clock_timestamp())
     FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.projectId)}::uuid[], ${rows.map((r) => r.traceId)}::text[], ${rows.map((r) => r.spanId)}::text[], ${rows.map((r) => r.name)}::text[], ${rows.map((r) => r.source)}::text[], ${rows.map((r) => r.dataType)}::text[], ${rows.map((r) => r.value)}::float8[], ${rows.map((r) => r.stringValue)}::text[], ${rows.map((r) => r.comment)}::text[], ${rows.map((r) => r.promptName)}::text[], ${rows.map((r) => r.promptVersion)}::int4[], ${rows.map((r) => r.model)}::text[], ${rows.map((r) => r.environment)}::text[], ${rows.map((r) => r.evaluatorId ?? null)}::uuid[], ${rows.map((r) => r.createdAt ?? null)}::timestamptz[])
       AS d(id, p, tr, sp, n, src, dt, v, sv, c, pn, pv, m, e, ev, at)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
  );
  return new Set(inserted.map((r) => r.id));
}

// ----- the worker's reads and upkeep ----------------------------------------------------------

export type GenerationRef = {
  projectId: string;
  traceId: string;
  spanId: string;
  promptName: string | null;
  promptVersion: number | null;
  model: string | null;
  environment: string | null;
  input: string | null;
  output: string | null;
  /** The recorded prompt variables (keel.prompt.variables), when there are any. */
  variables: unknown;
  durationMs: number;
  costUsd: number | null;
  ingestedAt: Date;
};

/**
 * Generations ingested after the named cursor (and at least `lagMs` ago, so transactions still
 * committing are not skipped), oldest first; `advance` moves the cursor past what was handled.
 */
export async function generationsSince(
  cursor: string,
  options: { limit: number; lagMs?: number; startFrom?: Date },
): Promise<{ rows: GenerationRef[]; advance(to: Date): Promise<void> }> {
  const pool = telemetryPool();
  const { rows: found } = await pgQuery<{ position: Date }>(pool, sql`SELECT position FROM telemetry.cursors WHERE name = ${cursor}`);
  const from = found[0]?.position ?? options.startFrom ?? new Date(Date.now() - 3_600_000);
  const { rows } = await pgQuery<{
    project_id: string;
    trace_id: string;
    span_id: string;
    prompt_name: string | null;
    prompt_version: number | null;
    model: string | null;
    environment: string | null;
    input: string | null;
    output: string | null;
    variables: unknown;
    duration_ms: number;
    cost_usd: number | null;
    ingested_at: Date;
  }>(
    pool,
    sql`SELECT project_id, trace_id, span_id, prompt_name, prompt_version, model, environment, input, output, attributes->'keel.prompt.variables' AS variables,
       duration_ms, cost_usd, ingested_at FROM telemetry.spans
     WHERE is_generation AND ingested_at > ${from} AND ingested_at <= clock_timestamp() - make_interval(secs => ${(options.lagMs ?? 2_000) / 1000}) ORDER BY ingested_at LIMIT ${options.limit}`,
  );
  return {
    rows: rows.map((r) => ({
      projectId: r.project_id,
      traceId: r.trace_id,
      spanId: r.span_id,
      promptName: r.prompt_name,
      promptVersion: r.prompt_version,
      model: r.model,
      environment: r.environment,
      input: r.input,
      output: r.output,
      variables: r.variables,
      durationMs: r.duration_ms,
      costUsd: r.cost_usd,
      ingestedAt: r.ingested_at,
    })),
    async advance(to) {
      await pgQuery(
        pool,
        sql`INSERT INTO telemetry.cursors (name, position) VALUES (${cursor}, ${to}) ON CONFLICT (name) DO UPDATE SET position = GREATEST(telemetry.cursors.position, EXCLUDED.position)`,
      );
    },
  };
}

/** Records that a rule sent a trace; false when it already had (a trace goes to a rule's queue once). */
export async function claimRuleHit(ruleId: string, traceId: string): Promise<boolean> {
  const { rowCount } = await pgQuery(
    telemetryPool(),
    sql`INSERT INTO telemetry.rule_hits (rule_id, trace_id) VALUES (${ruleId}, ${traceId}) ON CONFLICT DO NOTHING`,
  );
  return rowCount === 1;
}

export async function releaseRuleHit(ruleId: string, traceId: string): Promise<void> {
  await pgQuery(telemetryPool(), sql`DELETE FROM telemetry.rule_hits WHERE rule_id = ${ruleId} AND trace_id = ${traceId}`);
}

export type KeyAdmission = {
  /** Under the rate limit (or none): the call took its place in the key's bucket. */
  rateOk: boolean;
  /** Under the monthly quota (or none): the call was counted in this month's usage. */
  quotaOk: boolean;
  /** When refused by the rate limit: seconds until the bucket admits the next call. */
  waitSeconds: number | null;
};

/**
 * Admits one gateway call of a key against its limits, for every Keel instance at once, in one
 * statement (one round trip, only for keys that have a limit).
 *
 * The rate limit is GCRA, a token bucket of `perMinute` calls refilled continuously, kept as one
 * number per key (the "theoretical arrival time", `tat`, in epoch seconds, in the unlogged
 * `gateway_rate_limits`): a call is admitted when the bucket's next slot, max(tat, now) + one
 * step (60 s / perMinute), lies at most a minute ahead of now, and then moves tat there. The row
 * lock of the upsert orders concurrent calls from any number of processes, and every time is the
 * database's clock, so the limit is exact across instances whatever their clocks say. A refused
 * call moves nothing. One row per key, not one per window: nothing to sweep.
 *
 * The quota counts the call in `telemetry.key_usage` (this month's requests of the key, where the
 * trace logger counts keys without a quota) only while the count is below the quota, under that
 * row's lock: never more than the quota, from any number of instances. A call the rate limit
 * refused is not counted; a call refused by the quota has used its rate-limit slot (the key is
 * refused for the rest of the month anyway).
 */
export async function admitKeyCall(
  keyId: string,
  limits: { perMinute: number | null; monthlyQuota: number | null },
  db: pg.Pool = telemetryPool(),
): Promise<KeyAdmission> {
  const { perMinute, monthlyQuota: quota } = limits;
  // The commit does not wait for the WAL to reach the disk (synchronous_commit off for this one
  // statement's transaction): that wait costs milliseconds a call, and a crash loses at most the
  // last fraction of a second of counts, never consistency. Seconds as numeric (exact decimal arithmetic; 60/7 carries 16 digits): N steps from the same
  // moment add up to the minute without the drift a float or whole microseconds would bring, so a
  // full bucket admits exactly N. The micro-second of slack only absorbs the last digit.
  const { rows } = await pgQuery<{ rate_ok: boolean; quota_ok: boolean; wait_s: number | null }>(
    db,
    sql`WITH t AS (
        SELECT extract(epoch FROM now())::numeric AS now, 60.0 / ${perMinute}::int AS step,
          set_config('synchronous_commit', 'off', true) AS async_commit
      ),
      rate AS (
        INSERT INTO gateway_rate_limits AS r (key_id, tat)
        SELECT ${keyId}::uuid, t.now + t.step FROM t WHERE t.step IS NOT NULL
        ON CONFLICT (key_id) DO UPDATE SET tat = GREATEST(r.tat, (SELECT now FROM t)) + (SELECT step FROM t)
          WHERE GREATEST(r.tat, (SELECT now FROM t)) + (SELECT step FROM t) <= (SELECT now FROM t) + 60.000001
        RETURNING 1
      ), quota AS (
        INSERT INTO telemetry.key_usage AS u (key_id, month, requests)
        SELECT ${keyId}::uuid, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 1 FROM t
        WHERE ${quota}::bigint IS NOT NULL AND (t.step IS NULL OR EXISTS (SELECT FROM rate))
        ON CONFLICT (key_id, month) DO UPDATE SET requests = u.requests + 1 WHERE u.requests < ${quota}::bigint
        RETURNING 1
      )
      SELECT t.step IS NULL OR EXISTS (SELECT FROM rate) AS rate_ok,
        ${quota}::bigint IS NULL OR EXISTS (SELECT FROM quota) AS quota_ok,
        -- Read in the statement's snapshot: the bucket as this call found it.
        (SELECT (GREATEST(g.tat, t.now) + t.step - t.now - 60)::float8 FROM gateway_rate_limits g WHERE g.key_id = ${keyId}::uuid) AS wait_s
      FROM t`,
  );
  const row = rows[0]!;
  return { rateOk: row.rate_ok, quotaOk: row.quota_ok, waitSeconds: row.rate_ok ? null : (row.wait_s ?? 0) };
}

/**
 * Retention: drops whole day partitions older than the longest retention any project keeps, and
 * deletes older rows of projects that keep less. Returns what was removed.
 */
export async function sweepRetention(
  projects: { projectId: string; retentionDays: number }[],
  defaultDays: number,
  now = Date.now(),
): Promise<{ droppedPartitions: string[]; deletedSpans: number }> {
  const pool = telemetryPool();
  const longest = Math.max(defaultDays, ...projects.map((p) => p.retentionDays));
  const horizon = new Date(Math.floor((now - longest * DAY_MS) / DAY_MS) * DAY_MS);
  const { rows: parts } = await pgQuery<{ name: string }>(
    pool,
    sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'telemetry' AND p.relname = 'spans'`,
  );
  const dropped: string[] = [];
  for (const { name } of parts) {
    const day = /^spans_(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!day) continue;
    const end = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) + DAY_MS;
    if (end <= horizon.getTime()) {
      // DDL takes no parameters: the name matched spans_YYYYMMDD above, so `raw` cannot inject.
      await pgQuery(pool, sql`DROP TABLE IF EXISTS telemetry.${raw(name)}`);
      dropped.push(name);
    }
  }
  if (dropped.length) forgetPartitions();
  let deletedSpans = 0;
  // Projects keeping less than the longest retention: delete their older rows (and the default).
  const all = [...projects];
  for (const p of all) {
    const cutoff = new Date(now - p.retentionDays * DAY_MS);
    const spans = await pgQuery(pool, sql`DELETE FROM telemetry.spans WHERE project_id = ${p.projectId} AND start_time < ${cutoff}`);
    deletedSpans += spans.rowCount ?? 0;
    await pgQuery(pool, sql`DELETE FROM telemetry.traces WHERE project_id = ${p.projectId} AND end_time < ${cutoff}`);
    await pgQuery(pool, sql`DELETE FROM telemetry.scores WHERE project_id = ${p.projectId} AND created_at < ${cutoff}`);
    await pgQuery(pool, sql`DELETE FROM telemetry.rollups_minute WHERE project_id = ${p.projectId} AND bucket < ${cutoff}`);
    await pgQuery(pool, sql`DELETE FROM telemetry.rollups_hour WHERE project_id = ${p.projectId} AND bucket < ${cutoff}`);
    await pgQuery(pool, sql`DELETE FROM telemetry.rollup_deltas WHERE project_id = ${p.projectId} AND bucket < ${cutoff}`);
  }
  return { droppedPartitions: dropped, deletedSpans };
}

/**
 * Runs `fn` only if no other process is running the same upkeep task; returns null when another
 * process holds it. The lock is transaction-scoped, in a transaction held open (idle, without a
 * snapshot or a transaction id, so it holds back nothing) on a connection of its own while `fn`
 * runs: that works through PgBouncer in transaction mode too, where a session lock would be taken
 * on one server connection and released on another.
 */
export async function exclusively<T>(task: string, fn: () => Promise<T>): Promise<T | null> {
  const client = await checkOut(telemetryPool(), "keel-telemetry");
  try {
    await client.query("BEGIN");
    const { rows } = await pgQuery<{ ok: boolean }>(client, sql`SELECT pg_try_advisory_xact_lock(hashtext(${`telemetry:${task}`})) AS ok`);
    const result = rows[0]?.ok ? await fn() : null;
    // Fails if the connection was lost meanwhile (the lock went with it): the caller hears of it.
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
