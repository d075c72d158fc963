import "server-only";
// The telemetry store's reads: dashboards (from the minute/hour rollups, never the raw spans),
// the trace list (from the per-trace summaries), a trace's spans, and scores. Part of the store
// module (with store.ts): a column store replaces both files together.
import {
  WINDOWS,
  type BreakdownRow,
  type Dashboard,
  type DashboardFilters,
  type DashboardPoint,
  type QualityPoint,
  type QualityTotal,
  type ScoreView,
  type SpanView,
  type TraceDetail,
  type TraceListInput,
  type TraceSummary,
} from "../contracts/observability";
import { langfuseTraceId } from "./langfuse-ids";
import { addHist, HIST_BUCKETS, HIST_SUM, histQuantile, readPool } from "./store";
import { empty, join, pgQuery, raw, sql, type Sql } from "../db/sql";

type Num = string | number | null;

// Histograms are summed bucket by bucket with plain sum() aggregates over array subscripts: about
// 20× faster in PostgreSQL than folding the arrays with a SQL function row by row.
// HIST_SUM is generated from a constant bucket count and column name: `raw` is safe.
const HIST = raw(`${HIST_SUM()}::int8[]`);

/**
 * The rollup rows of a window: the table's, plus the deltas not folded into it yet (at most a
 * second or two of traffic), so the figures are exact at any moment.
 */
const ROLLUP_TABLES = { minute: raw("telemetry.rollups_minute"), hour: raw("telemetry.rollups_hour") } as const;
const ROLLUP_BUCKETS = { minute: raw("bucket"), hour: raw("date_trunc('hour', bucket)") } as const;
const ROLLUP_READ_COLUMNS = raw(
  "prompt_name, prompt_version, model, environment, generations, errors, input_tokens, output_tokens, cost_usd, latency_sum_ms, latency_hist, guardrail_blocks, guardrail_flags",
);
function rollupSource(table: "minute" | "hour", where: Sql): Sql {
  // Table and bucket expressions come from the fixed maps above.
  return sql`(SELECT bucket, ${ROLLUP_READ_COLUMNS} FROM ${ROLLUP_TABLES[table]} WHERE ${where}
    UNION ALL SELECT ${ROLLUP_BUCKETS[table]} AS bucket, ${ROLLUP_READ_COLUMNS} FROM telemetry.rollup_deltas WHERE ${where}) r`;
}
const num = (v: Num): number => (v === null ? 0 : Number(v));

function whereDims(filters: DashboardFilters): Sql {
  const parts: Sql[] = [];
  if (filters.promptName) parts.push(sql`prompt_name = ${filters.promptName}`);
  if (filters.promptVersion) parts.push(sql`prompt_version = ${filters.promptVersion}`);
  if (filters.model) parts.push(sql`model = ${filters.model}`);
  if (filters.environment) parts.push(sql`environment = ${filters.environment}`);
  return parts.length ? sql` AND ${join(parts, " AND ")}` : empty;
}

/**
 * Feedback, one definition everywhere: a thumbs-down is a boolean score of 0, a thumbs-up one of 1.
 * The dashboard's quality caption, its negative-feedback chart and the trace list's "negative
 * feedback" filter all count with these.
 */
export const THUMBS_DOWN = (alias: "" | "s." = "") => raw(`(${alias}data_type = 'boolean' AND ${alias}value = 0)`);
export const THUMBS_UP = (alias: "" | "s." = "") => raw(`(${alias}data_type = 'boolean' AND ${alias}value = 1)`);

type RollupRow = { t: Date; g: Num; er: Num; it: Num; ot: Num; c: Num; l: Num; h: Num[]; bl: Num; fl: Num };

function toPoint(t: string, r: Omit<RollupRow, "t"> | null): DashboardPoint {
  const generations = r ? num(r.g) : 0;
  const errors = r ? num(r.er) : 0;
  const hist = (r?.h ?? []).map(num);
  return {
    t,
    generations,
    errors,
    errorRate: generations ? errors / generations : null,
    inputTokens: r ? num(r.it) : 0,
    outputTokens: r ? num(r.ot) : 0,
    costUsd: r ? Math.round(num(r.c) * 1e6) / 1e6 : 0,
    avgMs: generations ? Math.round((num(r!.l) / generations) * 10) / 10 : null,
    p50: histQuantile(hist, 0.5),
    p95: histQuantile(hist, 0.95),
    p99: histQuantile(hist, 0.99),
    guardrailBlocks: r ? num(r.bl) : 0,
    guardrailFlags: r ? num(r.fl) : 0,
  };
}

/** Every chart of the dashboard in one call: four queries over the rollups and the scores, run concurrently. */
export async function dashboard(projectId: string, filters: DashboardFilters, now = Date.now()): Promise<Dashboard> {
  const window = WINDOWS[filters.window];
  const to = Math.ceil(now / window.stepMs) * window.stepMs;
  const from = to - window.ms;
  const pool = readPool();

  const [fromDate, toDate, step] = [new Date(from), new Date(to), `${window.stepMs / 1000} seconds`];
  const inWindow = sql`project_id = ${projectId}::uuid AND bucket >= ${fromDate}::timestamptz AND bucket < ${toDate}::timestamptz${whereDims(filters)}`;
  const seriesSql = sql`SELECT date_bin(${step}::interval, bucket, ${fromDate}::timestamptz) AS t, sum(generations) g, sum(errors) er, sum(input_tokens) it,
      sum(output_tokens) ot, sum(cost_usd) c, sum(latency_sum_ms) l, ${HIST} h, sum(guardrail_blocks) bl, sum(guardrail_flags) fl
    FROM ${rollupSource(window.table, inWindow)} GROUP BY 1 ORDER BY 1`;

  const breakdownSql = sql`SELECT prompt_name, prompt_version, model, environment, sum(generations) g, sum(errors) er, sum(cost_usd) c, ${HIST} h
    FROM ${rollupSource(window.table, inWindow)}
    GROUP BY 1, 2, 3, 4 ORDER BY g DESC LIMIT 200`;

  const qualitySql = sql`SELECT date_bin(${step}::interval, created_at, ${fromDate}::timestamptz) AS t, name, source, data_type, count(*) n, avg(value) a,
      count(*) FILTER (WHERE ${THUMBS_DOWN()}) neg, count(*) FILTER (WHERE ${THUMBS_UP()}) pos
    FROM telemetry.scores WHERE project_id = ${projectId}::uuid AND created_at >= ${fromDate}::timestamptz AND created_at < ${toDate}::timestamptz${whereDims(filters)}
    GROUP BY 1, 2, 3, 4 ORDER BY 1`;

  const [series, breakdown, quality] = await Promise.all([
    pgQuery<RollupRow>(pool, seriesSql),
    pgQuery<{ prompt_name: string; prompt_version: number; model: string; environment: string; g: Num; er: Num; c: Num; h: Num[] }>(pool, breakdownSql),
    pgQuery<{ t: Date; name: string; source: string; data_type: string; n: Num; a: Num; neg: Num; pos: Num }>(pool, qualitySql),
  ]);

  // Every step of the window gets a point (a gap is a zero, not a missing x value).
  const byTime = new Map(series.rows.map((r) => [r.t.getTime(), r]));
  const points: DashboardPoint[] = [];
  const total: Omit<RollupRow, "t"> & { h: number[] } = { g: 0, er: 0, it: 0, ot: 0, c: 0, l: 0, h: new Array<number>(HIST_BUCKETS).fill(0), bl: 0, fl: 0 };
  for (let t = from; t < to; t += window.stepMs) {
    const row = byTime.get(t) ?? null;
    points.push(toPoint(new Date(t).toISOString(), row));
    if (row) {
      for (const k of ["g", "er", "it", "ot", "c", "l", "bl", "fl"] as const) total[k] = num(total[k]) + num(row[k]);
      addHist(total.h, row.h.map(num));
    }
  }
  const { t: _t, ...totals } = toPoint("", total);

  const qualityPoints: QualityPoint[] = quality.rows.map((r) => ({
    t: r.t.toISOString(),
    name: r.name,
    source: r.source,
    count: num(r.n),
    avg: r.a === null ? null : Number(r.a),
    negatives: num(r.neg),
    positives: num(r.pos),
  }));
  const qualityTotals = new Map<string, QualityTotal & { sum: number; valued: number }>();
  for (const r of quality.rows) {
    const key = `${r.name}\u0000${r.source}`;
    const entry = qualityTotals.get(key) ?? {
      name: r.name,
      source: r.source,
      dataType: r.data_type,
      count: 0,
      avg: null,
      negatives: 0,
      positives: 0,
      sum: 0,
      valued: 0,
    };
    entry.count += num(r.n);
    entry.negatives += num(r.neg);
    entry.positives += num(r.pos);
    if (r.a !== null) {
      entry.sum += Number(r.a) * num(r.n);
      entry.valued += num(r.n);
    }
    qualityTotals.set(key, entry);
  }

  const rows: BreakdownRow[] = breakdown.rows.map((r) => ({
    promptName: r.prompt_name,
    promptVersion: r.prompt_version,
    model: r.model,
    environment: r.environment,
    generations: num(r.g),
    errors: num(r.er),
    costUsd: Math.round(num(r.c) * 1e6) / 1e6,
    p95: histQuantile(r.h.map(num), 0.95),
  }));
  const distinct = (values: string[]) => [...new Set(values.filter(Boolean))].sort();
  return {
    window: filters.window,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepMs: window.stepMs,
    points,
    totals,
    quality: {
      points: qualityPoints,
      totals: [...qualityTotals.values()].map(({ sum, valued, ...t }) => ({ ...t, avg: valued ? sum / valued : null })),
    },
    breakdown: rows,
    options: {
      prompts: distinct(rows.map((r) => r.promptName)),
      models: distinct(rows.map((r) => r.model)),
      environments: distinct(rows.map((r) => r.environment)),
    },
  };
}

// ----- traces ------------------------------------------------------------------------------

type TraceRow = {
  trace_id: string;
  root_name: string | null;
  start_time: Date;
  end_time: Date;
  spans: number;
  generations: number;
  errors: number;
  input_tokens: Num;
  output_tokens: Num;
  cost_usd: Num;
  prompt_name: string | null;
  prompt_version: number | null;
  model: string | null;
  environment: string | null;
  user_id: string | null;
  session_id: string | null;
  service_name: string | null;
  source: string;
};

type ScoreRow = {
  id: string;
  trace_id: string;
  span_id: string | null;
  name: string;
  source: string;
  data_type: ScoreView["dataType"];
  value: number | null;
  string_value: string | null;
  comment: string | null;
  created_at: Date;
};

const toScore = (r: ScoreRow): ScoreView => ({
  id: r.id,
  traceId: r.trace_id,
  spanId: r.span_id,
  name: r.name,
  source: r.source,
  dataType: r.data_type,
  value: r.value,
  stringValue: r.string_value,
  comment: r.comment,
  createdAt: r.created_at.toISOString(),
});

function toSummary(r: TraceRow, scores: ScoreView[]): TraceSummary {
  return {
    traceId: r.trace_id,
    name: r.root_name,
    startTime: r.start_time.toISOString(),
    durationMs: r.end_time.getTime() - r.start_time.getTime(),
    spans: r.spans,
    generations: r.generations,
    errors: r.errors,
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    costUsd: Math.round(num(r.cost_usd) * 1e6) / 1e6,
    promptName: r.prompt_name,
    promptVersion: r.prompt_version,
    model: r.model,
    environment: r.environment,
    userId: r.user_id,
    sessionId: r.session_id,
    serviceName: r.service_name,
    source: r.source,
    scores,
  };
}

function encodeCursor(r: TraceRow): string {
  return Buffer.from(`${r.start_time.toISOString()}|${r.trace_id}`).toString("base64url");
}
function decodeCursor(cursor: string): { time: string; traceId: string } | null {
  const [time, traceId] = Buffer.from(cursor, "base64url").toString().split("|");
  return time && traceId && !Number.isNaN(Date.parse(time)) && /^[0-9a-f]{32}$/.test(traceId) ? { time, traceId } : null;
}

export async function listTraces(projectId: string, input: TraceListInput, now = Date.now()): Promise<{ items: TraceSummary[]; nextCursor: string | null }> {
  const where = [sql`t.project_id = ${projectId}::uuid`, sql`t.start_time >= ${new Date(now - WINDOWS[input.window].ms)}::timestamptz`];
  if (input.promptName) where.push(sql`t.prompt_name = ${input.promptName}`);
  if (input.model) where.push(sql`t.model = ${input.model}`);
  if (input.environment) where.push(sql`t.environment = ${input.environment}`);
  if (input.source) where.push(sql`t.source = ${input.source}`);
  if (input.status === "error") where.push(sql`t.errors > 0`);
  if (input.status === "ok") where.push(sql`t.errors = 0`);
  if (input.minDurationMs !== undefined) where.push(sql`t.end_time - t.start_time >= make_interval(secs => ${input.minDurationMs / 1000})`);
  if (input.search) {
    const s = input.search.toLowerCase();
    if (/^[0-9a-f]{32}$/.test(s)) where.push(sql`t.trace_id = ${s}`);
    // A Langfuse trace id (any other string) finds the trace it was stored under, or names by prefix.
    else where.push(sql`(t.root_name ILIKE ${`${input.search.replace(/[\\%_]/g, "\\$&")}%`} OR t.trace_id = ${langfuseTraceId(projectId, input.search)})`);
  }
  if (input.feedback === "negative")
    where.push(sql`EXISTS (SELECT 1 FROM telemetry.scores s WHERE s.project_id = t.project_id AND s.trace_id = t.trace_id AND ${THUMBS_DOWN("s.")})`);
  if (input.cursor) {
    const c = decodeCursor(input.cursor);
    if (c) where.push(sql`(t.start_time, t.trace_id) < (${c.time}::timestamptz, ${c.traceId}::text)`);
  }
  const { rows } = await pgQuery<TraceRow>(
    readPool(),
    sql`SELECT t.* FROM telemetry.traces t WHERE ${join(where, " AND ")} ORDER BY t.start_time DESC, t.trace_id DESC LIMIT ${input.limit + 1}`,
  );
  const page = rows.slice(0, input.limit);
  const scores = await scoresOfTraces(
    projectId,
    page.map((r) => r.trace_id),
  );
  return { items: page.map((r) => toSummary(r, scores.get(r.trace_id) ?? [])), nextCursor: rows.length > input.limit ? encodeCursor(page.at(-1)!) : null };
}

async function scoresOfTraces(projectId: string, traceIds: string[]): Promise<Map<string, ScoreView[]>> {
  const byTrace = new Map<string, ScoreView[]>();
  if (!traceIds.length) return byTrace;
  const { rows } = await pgQuery<ScoreRow>(
    readPool(),
    sql`SELECT * FROM telemetry.scores WHERE project_id = ${projectId} AND trace_id = ANY(${traceIds}) ORDER BY created_at`,
  );
  for (const r of rows) {
    const list = byTrace.get(r.trace_id) ?? [];
    list.push(toScore(r));
    byTrace.set(r.trace_id, list);
  }
  return byTrace;
}

type SpanDbRow = {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  start_time: Date;
  start_us: string;
  duration_ms: number;
  status_code: number;
  status_message: string | null;
  is_generation: boolean;
  model: string | null;
  provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  prompt_name: string | null;
  prompt_version: number | null;
  environment: string | null;
  input: string | null;
  output: string | null;
  attributes: Record<string, unknown>;
  events: SpanView["events"] | null;
  guardrails: SpanView["guardrails"] | null;
  source: string;
};

function toSpanView(s: SpanDbRow, originMs: number): SpanView {
  return {
    spanId: s.span_id,
    parentSpanId: s.parent_span_id,
    name: s.name,
    kind: s.kind,
    startTime: s.start_time.toISOString(),
    offsetMs: Number(s.start_us) / 1000 - originMs,
    durationMs: s.duration_ms,
    statusCode: s.status_code,
    statusMessage: s.status_message,
    isGeneration: s.is_generation,
    model: s.model,
    provider: s.provider,
    inputTokens: s.input_tokens,
    outputTokens: s.output_tokens,
    costUsd: s.cost_usd,
    promptName: s.prompt_name,
    promptVersion: s.prompt_version,
    environment: s.environment,
    input: s.input,
    output: s.output,
    attributes: s.attributes,
    events: s.events ?? [],
    guardrails: s.guardrails ?? [],
    source: s.source,
  };
}

/** A trace with its spans (start order) and scores; null when the project has no such trace. */
export async function getTrace(projectId: string, traceId: string): Promise<TraceDetail | null> {
  const pool = readPool();
  const { rows } = await pgQuery<TraceRow>(pool, sql`SELECT * FROM telemetry.traces WHERE project_id = ${projectId} AND trace_id = ${traceId}`);
  const summary = rows[0];
  if (!summary) return null;
  const [spans, scores] = await Promise.all([
    pgQuery<SpanDbRow>(
      pool,
      sql`SELECT *, (extract(epoch FROM start_time) * 1000000)::bigint::text AS start_us FROM telemetry.spans
       WHERE project_id = ${projectId} AND trace_id = ${traceId} AND start_time >= ${summary.start_time}::timestamptz - interval '1 day' AND start_time <= ${summary.end_time}::timestamptz + interval '1 day'
       ORDER BY start_time, span_id LIMIT 5000`,
    ),
    scoresOfTraces(projectId, [traceId]),
  ]);
  const origin = summary.start_time.getTime();
  return {
    trace: toSummary(summary, scores.get(traceId) ?? []),
    spans: spans.rows.map((row) => toSpanView(row, origin)),
  };
}

/**
 * The generation a score or an action is about: the named span, else the trace's first generation
 * (else its first span). One indexed lookup, without loading the rest of the trace.
 */
export async function findGeneration(projectId: string, traceId: string, spanId?: string): Promise<SpanView | null> {
  const { rows } = await pgQuery<SpanDbRow>(
    readPool(),
    sql`SELECT *, (extract(epoch FROM start_time) * 1000000)::bigint::text AS start_us FROM telemetry.spans
     WHERE project_id = ${projectId}::uuid AND trace_id = ${traceId}${spanId ? sql` AND span_id = ${spanId}` : empty}
     ORDER BY is_generation DESC, start_time, span_id LIMIT 1`,
  );
  const row = rows[0];
  return row ? toSpanView(row, Number(row.start_us) / 1000) : null;
}

/** A trace's scores, oldest first. */
export async function traceScores(projectId: string, traceId: string): Promise<ScoreView[]> {
  return (await scoresOfTraces(projectId, [traceId])).get(traceId) ?? [];
}

// ----- scores as the Langfuse scores API lists them -------------------------------------------

export type ScoreListFilters = {
  page: number;
  limit: number;
  ids?: string[];
  name?: string;
  userId?: string;
  dataType?: "numeric" | "boolean" | "categorical";
  source?: "api" | "online_eval";
  environments?: string[];
  traceTags?: string[];
  from?: Date;
  to?: Date;
  value?: { operator: "<" | ">" | "<=" | ">=" | "=" | "!="; value: number };
};

export type ListedScore = {
  id: string;
  traceId: string;
  spanId: string | null;
  /** The ids the sender used (Langfuse trace/observation ids), when they were not OpenTelemetry ids. */
  langfuseTraceId: string | null;
  langfuseObservationId: string | null;
  userId: string | null;
  name: string;
  source: string;
  dataType: string;
  value: number | null;
  stringValue: string | null;
  comment: string | null;
  environment: string | null;
  createdAt: Date;
};

/** The value comparisons a filter may use, as SQL operators (the only text taken from the request). */
const COMPARISONS = { "<": raw("<"), ">": raw(">"), "<=": raw("<="), ">=": raw(">="), "=": raw("="), "!=": raw("<>") } as const;

/** A page of a project's scores, newest first, with the total for pagination. */
export async function listScores(projectId: string, filters: ScoreListFilters): Promise<{ items: ListedScore[]; total: number }> {
  const where = [sql`s.project_id = ${projectId}::uuid`];
  if (filters.ids) where.push(sql`s.id = ANY(${filters.ids}::uuid[])`);
  if (filters.name) where.push(sql`s.name = ${filters.name}`);
  if (filters.dataType) where.push(sql`s.data_type = ${filters.dataType}`);
  if (filters.source) where.push(sql`s.source = ${filters.source}`);
  if (filters.environments?.length) where.push(sql`s.environment = ANY(${filters.environments}::text[])`);
  if (filters.from) where.push(sql`s.created_at >= ${filters.from}`);
  if (filters.to) where.push(sql`s.created_at < ${filters.to}`);
  if (filters.value) where.push(sql`s.value ${COMPARISONS[filters.value.operator]} ${filters.value.value}`);
  if (filters.userId) where.push(sql`t.user_id = ${filters.userId}`);
  if (filters.traceTags?.length) {
    where.push(sql`EXISTS (SELECT 1 FROM telemetry.spans r WHERE r.project_id = s.project_id AND r.trace_id = s.trace_id AND r.parent_span_id IS NULL
      AND r.attributes->'langfuse.trace.tags' ?& ${filters.traceTags}::text[])`);
  }
  const from = sql`telemetry.scores s LEFT JOIN telemetry.traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id WHERE ${join(where, " AND ")}`;
  const pool = readPool();
  const [page, total] = await Promise.all([
    pgQuery<ScoreRow & { environment: string | null; user_id: string | null; lf_trace: string | null; lf_observation: string | null }>(
      pool,
      sql`SELECT s.*, t.user_id,
         (SELECT sp.attributes->>'langfuse.trace.id' FROM telemetry.spans sp WHERE sp.project_id = s.project_id AND sp.trace_id = s.trace_id AND sp.attributes ? 'langfuse.trace.id' LIMIT 1) AS lf_trace,
         (SELECT sp.attributes->>'langfuse.observation.id' FROM telemetry.spans sp WHERE sp.project_id = s.project_id AND sp.trace_id = s.trace_id AND sp.span_id = s.span_id LIMIT 1) AS lf_observation
       FROM ${from} ORDER BY s.created_at DESC, s.id LIMIT ${filters.limit} OFFSET ${(filters.page - 1) * filters.limit}`,
    ),
    pgQuery<{ n: string }>(pool, sql`SELECT count(*) AS n FROM ${from}`),
  ]);
  return {
    total: Number(total.rows[0]?.n ?? 0),
    items: page.rows.map((r) => ({
      id: r.id,
      traceId: r.trace_id,
      spanId: r.span_id,
      langfuseTraceId: r.lf_trace,
      langfuseObservationId: r.lf_observation,
      userId: r.user_id,
      name: r.name,
      source: r.source,
      dataType: r.data_type,
      value: r.value === null ? null : Number(r.value),
      stringValue: r.string_value,
      comment: r.comment,
      environment: r.environment,
      createdAt: r.created_at,
    })),
  };
}
