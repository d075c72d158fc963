// Bench case `dashboard`: the observability dashboards and trace list over BENCH_TRACES (default
// 1,000,000) traces spread over 30 days, on a throwaway embedded PostgreSQL. The traces are
// written through Keel's own write path (server/telemetry/store.ts writeSpans: partitions,
// spans, trace summaries, minute and hour rollups), which also gives the bulk write rate. Then
// each query the dashboard page makes is timed (BENCH_DASHBOARD_RUNS runs after a warm-up,
// p50/p95/max) and compared with the same figures computed from the raw spans (what the rollups
// save). Prints one JSON line per measurement and a summary line. Goal: every dashboard query
// answers within 300 ms.
//
//   node --conditions=react-server --import tsx bench/dashboard.ts
import { performance } from "node:perf_hooks";
import { startTemporaryPostgres } from "../server/db/embedded";
import { migrateDatabase } from "../server/db/migrate";

const TRACES = Number(process.env.BENCH_TRACES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 20);
const DAYS = 30;

const postgres = await startTemporaryPostgres();
try {
  await migrateDatabase(postgres.url);
  process.env.DATABASE_URL = postgres.url;
  const { writeSpans, foldRollups, telemetryPool, closeTelemetryPool } = await import("../server/telemetry/store");
  const { dashboard, listTraces } = await import("../server/telemetry/queries");
  const { getDb } = await import("../server/db/client");
  const projectId = "0192f3a0-0000-7000-8000-00000000b001";

  // ---- data: generations (one per trace) over 30 days, 4 prompts × 2 versions × 3 models × 2 environments.
  let state = 0x2545f491;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++)
      s += Math.floor(rand() * 256)
        .toString(16)
        .padStart(2, "0");
    return s;
  };
  const prompts = ["support/reply", "support/triage", "marketing/release-note", "sales/follow-up"];
  const models = ["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku"];
  const now = Date.now() * 1000;
  const span = DAYS * 86_400_000_000;
  const BATCH = 2_000;
  const t0 = performance.now();
  for (let written = 0; written < TRACES; written += BATCH) {
    const rows = [];
    for (let i = 0; i < Math.min(BATCH, TRACES - written); i++) {
      const startUs = Math.round(now - span * rand());
      const ms = 200 + rand() * rand() * 3000;
      rows.push({
        traceId: hex(16),
        spanId: hex(8),
        parentSpanId: null,
        name: "chat",
        kind: 3,
        startUs,
        endUs: startUs + Math.round(ms * 1000),
        statusCode: (rand() < 0.02 ? 2 : 1) as 1 | 2,
        statusMessage: null,
        serviceName: "bench",
        isGeneration: true,
        model: models[Math.floor(rand() * models.length)]!,
        provider: "openai",
        inputTokens: 200 + Math.floor(rand() * 300),
        outputTokens: 50 + Math.floor(rand() * 200),
        costUsd: 0.0001 + rand() * 0.001,
        promptName: prompts[Math.floor(rand() * prompts.length)]!,
        promptVersion: 1 + Math.floor(rand() * 2),
        environment: rand() < 0.8 ? "production" : "staging",
        userId: null,
        sessionId: null,
        input: '[{"role":"user","content":"Where is my order?"}]',
        output: "It ships tomorrow.",
        attributes: { "gen_ai.operation.name": "chat" },
        events: [],
      });
    }
    await writeSpans(projectId, rows);
    // The worker folds the rollup deltas every second; here, every 25 batches (~5 s of writing).
    if ((written / BATCH) % 25 === 24) await foldRollups();
  }
  await foldRollups();
  const writeSeconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      bench: "dashboard",
      phase: "write",
      traces: TRACES,
      seconds: Math.round(writeSeconds * 10) / 10,
      tracesPerSecond: Math.round(TRACES / writeSeconds),
    }),
  );
  for (const table of ["spans", "traces", "rollups_minute", "rollups_hour"]) await telemetryPool().query(`VACUUM ANALYZE telemetry.${table}`);

  async function time(name: string, fn: () => Promise<unknown>) {
    for (let i = 0; i < 3; i++) await fn();
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await fn();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]! * 10) / 10;
    const result = { bench: "dashboard", query: name, p50_ms: q(0.5), p95_ms: q(0.95), max_ms: Math.round(samples.at(-1)! * 10) / 10 };
    console.log(JSON.stringify(result));
    return result;
  }

  const results = [
    await time("dashboard 24h", () => dashboard(projectId, { window: "24h" })),
    await time("dashboard 7d", () => dashboard(projectId, { window: "7d" })),
    await time("dashboard 30d", () => dashboard(projectId, { window: "30d" })),
    await time("dashboard 30d, one prompt version and environment", () =>
      dashboard(projectId, { window: "30d", promptName: "support/reply", promptVersion: 2, environment: "production" }),
    ),
    await time("trace list 7d, first page", () => listTraces(projectId, { window: "7d", limit: 50 })),
    await time("trace list 30d, errors of one model", () => listTraces(projectId, { window: "30d", model: "gpt-4o", status: "error", limit: 50 })),
  ];
  // The reference: the 30-day totals and percentiles computed from the raw spans.
  const raw = await time("raw spans 30d (reference: no rollups)", () =>
    telemetryPool().query(
      `SELECT count(*), count(*) FILTER (WHERE status_code = 2), sum(input_tokens), sum(output_tokens), sum(cost_usd),
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms)
       FROM telemetry.spans WHERE project_id = $1 AND is_generation AND start_time >= now() - interval '30 days'`,
      [projectId],
    ),
  );
  const thirty = results[2]!;
  const worst = Math.max(...results.map((r) => r.p95_ms));
  console.log(
    JSON.stringify({
      bench: "dashboard",
      summary: true,
      traces: TRACES,
      write_traces_per_s: Math.round(TRACES / writeSeconds),
      dashboard_30d_p50_ms: thirty.p50_ms,
      worst_query_p95_ms: worst,
      raw_30d_p50_ms: raw.p50_ms,
      ratio_raw_over_rollups: Math.round((raw.p50_ms / thirty.p50_ms) * 10) / 10,
      goal_ms: 300,
      met: worst <= 300,
    }),
  );
  await closeTelemetryPool();
  await getDb().$disconnect();
} finally {
  await postgres.stop();
}
process.exit(0);
