// The production-observability benchmarks (bench/README.md): `otel-ingest`, `gateway` and
// `prompt-under-ingest`, registered in bench/run.mjs. Every server and every load generator runs
// in a process of its own; this harness only starts them, samples CPU (/proc), PostgreSQL's wait
// events (pg_stat_activity) and the telemetry pool (the Keel bench server's control port) while
// they run, checks what was stored, and prints one JSON line per measured run and a summary line.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { SPANS_PER_BATCH } from "./otlp-batches.mjs";

// Shorter than the other cases' default (20 s): each case stays within about two minutes.
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const otelConnections = Number(process.env.BENCH_OTEL_CONNECTIONS ?? 16);
const burstSeconds = Number(process.env.BENCH_BURST_SECONDS ?? 10);
const burstConnections = Number(process.env.BENCH_BURST_CONNECTIONS ?? 256);

const KEEL_SERVER = ["--conditions=react-server", "--import", "tsx", "bench/servers/keel-telemetry.ts"];
const OTLP_PATH = "/api/public/otel/v1/traces";
const children = new Set();

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill("SIGTERM");
  });
}

// ----- processes --------------------------------------------------------------------------------

/** Spawns a process that prints `<marker> {json}` once ready (servers) or when done (clients). */
function spawnNode(args, env = {}) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  children.add(child);
  let out = "";
  const waiters = [];
  child.stdout.on("data", (chunk) => {
    // Keep reading (a full pipe would stall the child), but only the tail matters.
    out = (out + chunk).slice(-4_000_000);
    for (const w of [...waiters]) {
      const m = new RegExp(`${w.marker} (\\{.*\\})`).exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(JSON.parse(m[1]));
      }
    }
  });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  void exited.then((code) => {
    children.delete(child);
    for (const w of waiters.splice(0))
      w.reject(new Error(`${args.find((a) => a.endsWith("js") || a.endsWith("ts"))} exited with ${code} before printing ${w.marker}`));
  });
  const waitFor = (marker) => new Promise((resolve, reject) => waiters.push({ marker, resolve, reject }));
  return { child, exited, waitFor };
}

export async function startServer(args, env = {}) {
  const p = spawnNode(args, env);
  const ready = await p.waitFor("READY");
  return { ...ready, child: p.child, exited: p.exited };
}

export async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
}

/** Runs a load generator / client script to completion and returns its RESULT. */
export async function runClient(script, options, onStarted) {
  const p = spawnNode([script, JSON.stringify(options)]);
  if (onStarted)
    void p
      .waitFor("STARTED")
      .then(() => onStarted(p.child.pid))
      .catch(() => undefined);
  const result = p.waitFor("RESULT");
  const code = await p.exited;
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return { ...(await result), pid: p.child.pid };
}

function runCommand(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${out}`))));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (x) => (x === null || x === undefined ? null : Number(x.toFixed(1)));
const round3 = (x) => (x === null || x === undefined ? null : Number(x.toFixed(3)));
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)];

// ----- CPU, wait events, pool -------------------------------------------------------------------

/** CPU time (ms) a process has used, its reaped children included (Linux, 100 ticks a second). */
export function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return 0;
  }
}

export function parentOf(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1]);
  } catch {
    return null;
  }
}

/** CPU (ms) of PostgreSQL: the postmaster and every process it has started. */
function postgresCpuMs(postmaster) {
  let total = cpuMs(postmaster);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (parentOf(entry) === postmaster) total += cpuMs(entry);
  }
  return total;
}

/** Samples what the telemetry connections do (pg_stat_activity) and the Keel pool every 100 ms. */
function startSampler(db, keel) {
  const waits = {};
  let samples = 0;
  const pool = { samples: 0, waitingSum: 0, waitingMax: 0, busySum: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const [activity, stats] = await Promise.all([
        db
          .query(
            `SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU (running)')
                         ELSE state || coalesce(' (' || wait_event || ')', '') END AS what, count(*)::int AS n
             FROM pg_stat_activity WHERE application_name = 'keel-telemetry' AND state <> 'idle' AND pid <> pg_backend_pid() GROUP BY 1`,
          )
          .catch(() => ({ rows: [] })),
        keel?.control
          ? fetch(`${keel.control}/stats`)
              .then((r) => r.json())
              .catch(() => null)
          : null,
      ]);
      samples++;
      for (const r of activity.rows) waits[r.what] = (waits[r.what] ?? 0) + r.n;
      if (stats) {
        pool.samples++;
        pool.waitingSum += stats.pool.waiting;
        pool.waitingMax = Math.max(pool.waitingMax, stats.pool.waiting);
        pool.busySum += stats.pool.total - stats.pool.idle;
      }
      await sleep(100);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    // Average number of telemetry connections in each state, over the samples.
    const states = Object.fromEntries(
      Object.entries(waits)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => [k, round1(n / samples)]),
    );
    return {
      telemetryConnections: states,
      pool: pool.samples
        ? { avgBusy: round1(pool.busySum / pool.samples), avgWaiting: round1(pool.waitingSum / pool.samples), maxWaiting: pool.waitingMax }
        : null,
    };
  };
}

/** Time (ms) a process's main thread spent runnable but waiting for a core (/proc/<pid>/schedstat). */
function runQueueMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
  } catch {
    return null;
  }
}

/**
 * CPU used by the named processes between start and stop, in ms and in cores; for Node servers
 * also how long their event loop thread waited for a core (a busy machine, not the server's work).
 */
function startCpu(pids) {
  const read = () =>
    Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [
        k,
        { cpu: k === "postgres" ? postgresCpuMs(pid) : cpuMs(pid), queued: k === "postgres" ? null : runQueueMs(pid) },
      ]),
    );
  const before = read();
  const started = performance.now();
  return () => {
    const after = read();
    const wall = performance.now() - started;
    return Object.fromEntries(
      Object.entries(after).map(([k, v]) => {
        const ms = v.cpu - before[k].cpu;
        const queued = v.queued === null || before[k].queued === null ? null : Math.round(v.queued - before[k].queued);
        return [k, { ms, cores: round3(ms / wall), ...(queued === null ? {} : { waitedForCpuMs: queued }) }];
      }),
    );
  };
}

/** The harness's own connection to Keel's database (sampling and checks; not counted as telemetry). */
export async function connect(keel) {
  const db = new pg.Client({ connectionString: keel.databaseUrl, application_name: "keel-bench" });
  await db.connect();
  return db;
}

async function postmasterOf(db) {
  const { rows } = await db.query("SELECT pg_backend_pid() AS pid");
  return parentOf(rows[0].pid);
}

// ----- OTLP ingestion ---------------------------------------------------------------------------

/** Runs the OTLP load generator, sampling CPU of `pids` (plus the generator) while it runs. */
async function otlpLoad(options, pids, sampling) {
  let stopCpu = null;
  const stopSampler = sampling ? startSampler(sampling.db, sampling.keel) : null;
  if (sampling) await fetch(`${sampling.keel.control}/reset`, { method: "POST" });
  const result = await runClient("bench/load-otlp.mjs", options, () => (stopCpu = startCpu(pids)));
  // The generator measures its own CPU (its /proc entry is gone once it has exited).
  const cpu = { ...stopCpu?.(), loadGenerator: { ms: result.clientCpuMs, cores: round3(result.clientCpuMs / (result.elapsedSeconds * 1000)) } };
  const activity = stopSampler ? await stopSampler() : null;
  if (sampling) {
    const stats = await fetch(`${sampling.keel.control}/stats`).then((r) => r.json());
    Object.assign(activity, { eventLoopDelayMs: stats.eventLoopDelayMs, gc: stats.gc });
  }
  return { ...result, cpu, activity };
}

/** Waits until Keel has no telemetry transaction running and nothing queued for the pool. */
async function waitIdle(db, keel, limitMs = 120_000) {
  const started = performance.now();
  let quiet = 0;
  while (performance.now() - started < limitMs) {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'keel-telemetry' AND state <> 'idle'");
    const stats = await fetch(`${keel.control}/stats`).then((r) => r.json());
    quiet = rows[0].n === 0 && stats.pool.waiting === 0 ? quiet + 1 : 0;
    if (quiet >= 5) return Math.round(performance.now() - started);
    await sleep(100);
  }
  throw new Error(`Keel still writing telemetry after ${limitMs} ms`);
}

/**
 * What telemetry.spans holds of a load run: spans per batch (found by the run id at the start of
 * every trace id), compared with what the server acknowledged.
 */
export async function storedOf(db, run) {
  const { rows } = await db.query("SELECT substr(trace_id, 9, 8) AS b, count(*)::int AS n FROM telemetry.spans WHERE trace_id LIKE $1 GROUP BY 1", [
    `${run.runId}%`,
  ]);
  const perBatch = new Map(rows.map((r) => [Number.parseInt(r.b, 16), r.n]));
  const accepted = new Set(run.acceptedBatches);
  let lost = 0;
  let storedAccepted = 0;
  let storedUnacknowledged = 0;
  for (const b of accepted) {
    const n = perBatch.get(b) ?? 0;
    storedAccepted += n;
    lost += Math.max(0, SPANS_PER_BATCH - n);
  }
  for (const [b, n] of perBatch) if (!accepted.has(b)) storedUnacknowledged += n;
  const traces = await db.query("SELECT count(*)::int AS traces, coalesce(sum(spans), 0)::int AS spans FROM telemetry.traces WHERE trace_id LIKE $1", [
    `${run.runId}%`,
  ]);
  const stored = storedAccepted + storedUnacknowledged;
  return {
    rows: stored,
    lost,
    storedUnacknowledged,
    // Trace summaries count exactly the spans stored (each batch's summaries are written in its transaction).
    traceSummariesMatch: traces.rows[0].spans === stored,
  };
}

function printRun(bench, target, round, r, extra = {}) {
  console.log(
    JSON.stringify({
      bench,
      target,
      round,
      spansPerSecond: r.measured.spansPerSecond,
      batchesPerSecond: round1(r.measured.batches / r.measured.seconds),
      p50Ms: r.measured.p50Ms,
      p99Ms: r.measured.p99Ms,
      connections: r.connections,
      seconds: r.measured.seconds,
      statuses: r.statuses,
      errors: r.errors,
      timedOut: r.timedOut,
      ...(r.lastError ? { lastError: r.lastError } : {}),
      cpu: r.cpu,
      ...(r.activity ? { activity: r.activity } : {}),
      ...extra,
    }),
  );
}

const SPAN_COPY_COLUMNS =
  "project_id, trace_id, span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, status_code, status_message, service_name, is_generation, model, provider, input_tokens, output_tokens, cost_usd, prompt_name, prompt_version, environment, user_id, session_id, input, output, attributes, events, source, guardrails";

export async function otelIngest() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "keel-bench-"));
  let keel;
  let bare;
  let db;
  try {
    [keel, bare] = await Promise.all([startServer(KEEL_SERVER), startServer(["bench/servers/bare-otlp.mjs"])]);
    db = await connect(keel);
    const postmaster = await postmasterOf(db);
    const load = (port, secret, extra = {}) => ({
      url: `http://127.0.0.1:${port}${OTLP_PATH}`,
      secret,
      mode: "closed",
      connections: otelConnections,
      warmupSeconds: warmup,
      seconds,
      ...extra,
    });

    // The durable path answers only after COMMIT: a first small batch creates the day's partition.
    const probe = await otlpLoad(load(keel.port, keel.ingestSecret, { warmupSeconds: 0, seconds: 1, connections: 1 }), {});
    if (!probe.statuses["200"]) throw new Error(`Keel's OTLP endpoint answered ${JSON.stringify(probe.statuses)}: ${probe.lastError}`);

    const bares = [];
    const keels = [];
    for (let round = 1; round <= rounds; round++) {
      const b = await otlpLoad(load(bare.port, "none"), { server: bare.child.pid });
      printRun("otel-ingest", "bare", round, b);
      bares.push(b);
      // BENCH_PROFILE=<dir>: a CPU profile of the Keel server during its measured runs.
      if (process.env.BENCH_PROFILE) keel.child.kill("SIGUSR2");
      const k = await otlpLoad(load(keel.port, keel.ingestSecret), { server: keel.child.pid, postgres: postmaster }, { db, keel });
      if (process.env.BENCH_PROFILE) {
        keel.child.kill("SIGUSR2");
        await sleep(1_000);
      }
      await waitIdle(db, keel);
      const stored = await storedOf(db, k);
      printRun("otel-ingest", "keel", round, k, { stored });
      if (stored.lost) throw new Error(`Keel acknowledged spans it did not store: ${stored.lost}`);
      keels.push({ ...k, stored });
    }

    // psql \copy of the same span rows: exactly what Keel stored (exported from telemetry.spans),
    // into an unpartitioned table with the same columns, keys and indexes, in the same PostgreSQL.
    const csv = path.join(dir, "spans.csv");
    const copyRows = Math.min(
      Number(process.env.BENCH_COPY_ROWS ?? 300_000),
      Number((await db.query("SELECT count(*)::int AS n FROM telemetry.spans")).rows[0].n),
    );
    await runCommand("psql", [
      keel.databaseUrl,
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      `\\copy (SELECT ${SPAN_COPY_COLUMNS} FROM telemetry.spans LIMIT ${copyRows}) TO '${csv}' WITH (FORMAT csv)`,
    ]);
    await db.query("CREATE TABLE public.bench_spans (LIKE telemetry.spans INCLUDING ALL)");
    const copies = [];
    for (let round = 1; round <= rounds; round++) {
      await db.query("TRUNCATE public.bench_spans");
      await db.query("CHECKPOINT");
      const started = performance.now();
      await runCommand("psql", [
        keel.databaseUrl,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        `\\copy public.bench_spans (${SPAN_COPY_COLUMNS}) FROM '${csv}' WITH (FORMAT csv)`,
      ]);
      const ms = performance.now() - started;
      const rowsPerSecond = Math.round(copyRows / (ms / 1000));
      copies.push(rowsPerSecond);
      console.log(
        JSON.stringify({
          bench: "otel-ingest",
          target: "psql-copy",
          round,
          rows: copyRows,
          csvMb: round1(statSync(csv).size / 2 ** 20),
          ms: Math.round(ms),
          spansPerSecond: rowsPerSecond,
        }),
      );
    }

    const keelRate = median(keels.map((k) => k.measured.spansPerSecond));
    const bareRate = median(bares.map((b) => b.measured.spansPerSecond));
    const copyRate = median(copies);

    // Burst: twice the sustainable rate, on a schedule, for burstSeconds.
    const burstRate = 2 * keelRate;
    const burst = await otlpLoad(
      {
        url: `http://127.0.0.1:${keel.port}${OTLP_PATH}`,
        secret: keel.ingestSecret,
        mode: "open",
        spansPerSecond: burstRate,
        connections: burstConnections,
        warmupSeconds: 0,
        seconds: burstSeconds,
        timeoutMs: 10_000,
      },
      { server: keel.child.pid, postgres: postmaster },
      { db, keel },
    );
    const drainMs = await waitIdle(db, keel);
    const burstStored = await storedOf(db, burst);
    const notAccepted = burst.sent.spans - burst.acceptedSpans;
    const burstSummary = {
      targetSpansPerSecond: burstRate,
      seconds: burstSeconds,
      sentSpans: burst.sent.spans,
      acceptedSpans: burst.acceptedSpans,
      notAcceptedSpans: notAccepted,
      statuses: burst.statuses,
      errors: burst.errors,
      timedOutBatches: burst.timedOut,
      rowsStored: burstStored.rows,
      storedButNotAcknowledged: burstStored.storedUnacknowledged,
      lost: burstStored.lost,
      traceSummariesMatch: burstStored.traceSummariesMatch,
      latencyP50Ms: burst.measured.p50Ms,
      latencyP99Ms: burst.measured.p99Ms,
      latencyMaxMs: burst.measured.maxMs,
      maxInFlight: burst.maxInFlight,
      lastSpanStoredMsAfterLoad: drainMs,
      elapsedSeconds: burst.elapsedSeconds,
      acceptedPerSecond: burst.perSecond.map((s) => s?.accepted ?? 0),
    };
    console.log(
      JSON.stringify({
        bench: "otel-ingest",
        target: "keel-burst",
        ...burstSummary,
        cpu: burst.cpu,
        activity: burst.activity,
        ...(burst.lastError ? { lastError: burst.lastError } : {}),
      }),
    );

    const ratioBare = round3(keelRate / bareRate);
    const ratioCopy = round3(keelRate / copyRate);
    const goal = { ratioBare: 0.5, ratioCopy: 0.5, lost: 0 };
    console.log(
      JSON.stringify({
        bench: "otel-ingest",
        summary: true,
        describe:
          "100-span OTLP JSON batches POSTed to Keel's /api/public/otel/v1/traces (key auth, decode, price, one transaction: spans + trace summaries + minute/hour rollups, reply after COMMIT) vs a bare node:http server that JSON.parses the body, and vs psql \\copy of the same rows into an unpartitioned copy of telemetry.spans; then a burst at 2x Keel's rate",
        spansPerSecond: { keel: keelRate, bare: bareRate, psqlCopy: copyRate },
        ratio: ratioBare,
        ratioBare,
        ratioCopy,
        keel: {
          p50Ms: median(keels.map((k) => k.measured.p50Ms)),
          p99Ms: median(keels.map((k) => k.measured.p99Ms)),
          cpu: keels.at(-1).cpu,
          activity: keels.at(-1).activity,
        },
        bare: { p50Ms: median(bares.map((b) => b.measured.p50Ms)), p99Ms: median(bares.map((b) => b.measured.p99Ms)), cpu: bares.at(-1).cpu },
        burst: { ...burstSummary, acceptedPerSecond: undefined },
        lost: burstStored.lost + keels.reduce((n, k) => n + k.stored.lost, 0),
        goal,
        met: ratioBare >= goal.ratioBare && ratioCopy >= goal.ratioCopy && burstStored.lost === 0,
        connections: otelConnections,
        seconds,
        rounds,
        cpus: os.availableParallelism(),
        // Other work on the machine skews every figure: the 1/5/15-minute load averages at the end.
        loadAverage: os.loadavg().map(round1),
        node: process.version,
        note: "load generator, servers and PostgreSQL share the machine's cores; spans/s of Keel and bare count answers received in the measured window; psql's from spawning psql to its exit",
      }),
    );
  } finally {
    await db?.end().catch(() => undefined);
    await Promise.all([stopServer(keel), stopServer(bare)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ----- gateway ----------------------------------------------------------------------------------

async function freePort() {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Portkey's open-source gateway (devDependency), headless, ready when it answers GET /. */
async function startPortkey() {
  const port = await freePort();
  const child = spawn(process.execPath, ["node_modules/@portkey-ai/gateway/build/start-server.js", `--port=${port}`, "--headless"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  void exited.then(() => children.delete(child));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`Portkey's gateway exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { port, child, exited };
    await sleep(100);
  }
  throw new Error("Portkey's gateway did not start within 20 s");
}

const render = (template, variables) => template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k) => variables[k] ?? "");

export async function gateway() {
  const sequential = Number(process.env.BENCH_GATEWAY_REQUESTS ?? 2000);
  const concurrency = Number(process.env.BENCH_GATEWAY_CONCURRENCY ?? 64);
  const concurrentRequests = Number(process.env.BENCH_GATEWAY_CONCURRENT_REQUESTS ?? 4000);
  const warm = Number(process.env.BENCH_GATEWAY_WARMUP ?? 300);
  let fake;
  let keel;
  let portkey;
  let db;
  try {
    fake = await startServer(["--conditions=react-server", "--import", "tsx", "bench/servers/fake-openai.ts"]);
    // The provider answers at once: what is measured is the gateways' own time.
    await fetch(`${fake.control}/reset?latency=0&share=0`, { method: "POST" });
    [keel, portkey] = await Promise.all([startServer(KEEL_SERVER, { FAKE_URL: fake.url }), startPortkey()]);
    db = await connect(keel);
    const postmaster = await postmasterOf(db);

    // The prompt's variables carry personal data, so the masking guardrail has work on every call.
    const variables = {
      company: "Acme",
      language: "English",
      customer_name: "Dana",
      plan: "Pro",
      known_issues: "card payments to EU banks are delayed by a day",
      refund_policy_url: "https://acme.example/refunds",
      history: "Customer: Hi, my parcel has not arrived.\nAssistant: Sorry to hear that! Could you give me your order number?",
      message: "Order #48213. You can reach me at dana.smith@example.com or +1 415 555 0134 if needed.",
    };
    const rendered = [
      { role: "system", content: render(keel.promptMessages[0].content, variables) },
      { role: "user", content: render(keel.promptMessages[1].content, variables) },
    ];
    const sampling = { temperature: 0.3, max_tokens: 800 };
    const keelBase = `http://127.0.0.1:${keel.port}/api/gateway/v1`;
    const targets = [
      { name: "direct", baseURL: fake.url, apiKey: "sk-bench-1234567890", model: "gpt-4o-mini", messages: rendered, extra: sampling },
      { name: "keel-prompt", baseURL: keelBase, apiKey: keel.gatewaySecret, model: `prompt:${keel.prompt}@production`, messages: [], variables },
      { name: "keel-model", baseURL: keelBase, apiKey: keel.gatewaySecret, model: "gpt-4o-mini", messages: rendered, extra: sampling },
      {
        name: "portkey",
        baseURL: `http://127.0.0.1:${portkey.port}/v1`,
        apiKey: "sk-bench-1234567890",
        model: "gpt-4o-mini",
        messages: rendered,
        extra: sampling,
        headers: { "x-portkey-provider": "openai", "x-portkey-custom-host": fake.url },
      },
    ];
    let stopCpu = null;
    if (process.env.BENCH_PROFILE) keel.child.kill("SIGUSR2");
    const result = await runClient(
      "bench/gateway-client.mjs",
      { targets, warmup: warm, sequential, chunk: 50, concurrency, concurrentRequests, concurrentChunk: 1000 },
      () => (stopCpu = startCpu({ keel: keel.child.pid, portkey: portkey.child.pid, fakeProvider: fake.child.pid, postgres: postmaster })),
    );
    const cpu = { ...stopCpu?.(), client: { ms: result.clientCpuMs, cores: null } };
    if (process.env.BENCH_PROFILE) {
      keel.child.kill("SIGUSR2");
      await sleep(1_000);
    }
    const byName = Object.fromEntries(result.targets.map((t) => [t.name, t]));
    const direct = byName.direct;
    const added = (t, kind) => ({
      p50Ms: round3(t[kind].p50Ms - direct[kind].p50Ms),
      p99Ms: round3(t[kind].p99Ms - direct[kind].p99Ms),
    });
    const callsPerTarget = 1 + warm + sequential + concurrency + concurrentRequests;
    for (const t of result.targets) {
      console.log(
        JSON.stringify({
          bench: "gateway",
          target: t.name,
          sequential: { ...t.sequential, ...(t.name === "direct" ? {} : { added: added(t, "sequential") }) },
          concurrent: { ...t.concurrent, concurrency, ...(t.name === "direct" ? {} : { added: added(t, "concurrent") }) },
          errors: t.errors,
          ...(t.lastError ? { lastError: t.lastError } : {}),
          sample: t.sample,
        }),
      );
    }

    // Logging is on as always: every Keel call must become a span (written in the background).
    const flushed = await fetch(`${keel.control}/flush`, { method: "POST" }).then((r) => r.json());
    const logged = Number((await db.query("SELECT count(*)::int AS n FROM telemetry.spans WHERE source = 'gateway'")).rows[0].n);
    const keelCalls = 2 * callsPerTarget;
    const flaggedSpans = Number(
      (await db.query("SELECT count(*)::int AS n FROM telemetry.spans WHERE source = 'gateway' AND guardrails IS NOT NULL")).rows[0].n,
    );
    const masked = ["keel-prompt", "keel-model"].every((n) => byName[n].sample.content && !byName[n].sample.content.includes("dana.smith@example.com"));
    const keelSeq = ["keel-prompt", "keel-model"].map((n) => added(byName[n], "sequential"));
    const added_p50_ms = Math.max(...keelSeq.map((a) => a.p50Ms));
    const added_p99_ms = Math.max(...keelSeq.map((a) => a.p99Ms));
    const portkeySeq = added(byName.portkey, "sequential");
    const goal = { added_p50_ms: 1, added_p99_ms: 3, lessThanPortkey: true };
    console.log(
      JSON.stringify({
        bench: "gateway",
        summary: true,
        describe:
          "the official openai client → fake provider (answers at once) directly, vs through Keel's gateway (key auth, prompt:<name>@production rendered with variables, or a plain model through the project's connection; PII-masking input guardrail and a max_length output guardrail; every call logged as a trace), vs through Portkey's open-source gateway 1.15.2 (non-streaming)",
        added_p50_ms,
        added_p99_ms,
        keel: {
          prompt: added(byName["keel-prompt"], "sequential"),
          model: added(byName["keel-model"], "sequential"),
          promptConcurrent: added(byName["keel-prompt"], "concurrent"),
          modelConcurrent: added(byName["keel-model"], "concurrent"),
        },
        portkey: { sequential: portkeySeq, concurrent: added(byName.portkey, "concurrent") },
        direct: {
          sequential: { p50Ms: direct.sequential.p50Ms, p99Ms: direct.sequential.p99Ms },
          concurrent: { p50Ms: direct.concurrent.p50Ms, p99Ms: direct.concurrent.p99Ms, rps: direct.concurrent.rps },
        },
        logging: { keelCalls, spansLogged: logged, spansWithGuardrailFlags: flaggedSpans, logger: flushed.logger },
        guardrails: { names: keel.guardrails, inputMasked: masked, flaggedHeader: byName["keel-prompt"].sample.guardrailsFlagged },
        cpu: cpu
          ? Object.fromEntries(
              Object.entries(cpu).map(([k, v]) => [
                k,
                {
                  ...v,
                  usPerCall: k === "keel" ? Math.round((v.ms * 1000) / keelCalls) : k === "portkey" ? Math.round((v.ms * 1000) / callsPerTarget) : undefined,
                },
              ]),
            )
          : null,
        goal,
        met:
          added_p50_ms <= goal.added_p50_ms &&
          added_p99_ms <= goal.added_p99_ms &&
          added_p50_ms < portkeySeq.p50Ms &&
          added_p99_ms < portkeySeq.p99Ms &&
          logged === keelCalls,
        requests: { warmup: warm, sequential, concurrentRequests, concurrency },
        cpus: os.availableParallelism(),
        // Other work on the machine skews every figure: the 1/5/15-minute load averages at the end.
        loadAverage: os.loadavg().map(round1),
        node: process.version,
        note: "client, gateways, fake provider and PostgreSQL share the machine's cores; added = gateway percentile minus the direct call's percentile; targets measured interleaved in chunks of 50 (sequential) and 1,000 (concurrent); CPU usPerCall of keel/portkey over the whole client run",
      }),
    );
  } finally {
    await db?.end().catch(() => undefined);
    await Promise.all([stopServer(keel), stopServer(fake), portkey && (portkey.child.kill("SIGTERM"), portkey.exited)]);
  }
}

// ----- prompt API latency while ingesting -------------------------------------------------------

export async function promptUnderIngest() {
  const rate = Number(process.env.BENCH_PROMPT_RPS ?? 1000);
  let keel;
  let db;
  try {
    keel = await startServer(KEEL_SERVER);
    db = await connect(keel);
    const postmaster = await postmasterOf(db);
    const promptUrl = `http://127.0.0.1:${keel.port}/api/public/v2/prompts/${encodeURIComponent(keel.prompt)}?label=production`;
    const headers = { authorization: `Bearer ${keel.readSecret}` };
    const probe = await fetch(promptUrl, { headers });
    if (probe.status !== 200) throw new Error(`prompt-under-ingest: Keel answered ${probe.status}: ${await probe.text()}`);
    const otlp = { url: `http://127.0.0.1:${keel.port}${OTLP_PATH}`, secret: keel.ingestSecret };

    // The most Keel ingests (closed loop), unless given.
    let maxRate = Number(process.env.BENCH_OTEL_SPANS_PER_SECOND ?? 0);
    if (!maxRate) {
      const max = await otlpLoad(
        { ...otlp, mode: "closed", connections: otelConnections, warmupSeconds: 2, seconds: 8 },
        { server: keel.child.pid, postgres: postmaster },
      );
      printRun("prompt-under-ingest", "otel-max", 1, max);
      maxRate = max.measured.spansPerSecond;
    }
    await waitIdle(db, keel);

    const probeLatency = async (target, round) => {
      const cpuStop = startCpu({ server: keel.child.pid, postgres: postmaster });
      await fetch(`${keel.control}/reset`, { method: "POST" });
      const r = await runClient("bench/load-get.mjs", { url: promptUrl, headers, rate, connections: 16, warmupSeconds: 2, seconds });
      const server = await fetch(`${keel.control}/stats`).then((x) => x.json());
      const out = { ...r, cpu: cpuStop(), eventLoopDelayMs: server.eventLoopDelayMs, gc: server.gc };
      console.log(JSON.stringify({ bench: "prompt-under-ingest", target, round, ...out, pid: undefined }));
      if (r.errors || Object.keys(r.statuses).some((s) => s !== "200"))
        throw new Error(`prompt API answered ${JSON.stringify(r.statuses)} (${r.errors} errors: ${r.lastError})`);
      return out;
    };

    // Rounds alternate idle and under-ingest probes (one stall of the machine then spoils one
    // round, not the comparison); the ratio compares the medians of the rounds' p99s.
    const probeRounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const ingestRate = Math.round(maxRate / 2);
    const idles = [];
    const unders = [];
    const ingests = [];
    for (let round = 1; round <= probeRounds; round++) {
      idles.push(await probeLatency("prompt-idle", round));
      // Ingest at half the maximum for the whole probe: it starts 3 s before the probe (whose own
      // warm-up is 2 s) and outlasts it.
      const ingesting = otlpLoad(
        { ...otlp, mode: "open", spansPerSecond: ingestRate, connections: 64, warmupSeconds: 5, seconds: seconds + 2, timeoutMs: 10_000 },
        { server: keel.child.pid, postgres: postmaster },
        { db, keel },
      );
      await sleep(3_000);
      unders.push(await probeLatency("prompt-under-ingest", round));
      const ingest = await ingesting;
      printRun("prompt-under-ingest", "otel-half", round, ingest, { targetSpansPerSecond: ingestRate });
      ingests.push(ingest);
      await waitIdle(db, keel);
    }

    const med = (list, field) => median(list.map((r) => r[field]));
    const ratio = round3(med(unders, "p99Ms") / med(idles, "p99Ms"));
    const lastIngest = ingests.at(-1);
    console.log(
      JSON.stringify({
        bench: "prompt-under-ingest",
        summary: true,
        describe: `GET /api/public/v2/prompts/{name}?label=production (prompts:read key) at ${rate} req/s, timed from each request's due time: idle, then while OTLP batches arrive at half of Keel's measured maximum, alternating, ${probeRounds} rounds (medians)`,
        ratio,
        p99Ms: {
          idle: med(idles, "p99Ms"),
          underIngest: med(unders, "p99Ms"),
          idleRounds: idles.map((r) => r.p99Ms),
          underIngestRounds: unders.map((r) => r.p99Ms),
        },
        p50Ms: { idle: med(idles, "p50Ms"), underIngest: med(unders, "p50Ms") },
        p90Ms: { idle: med(idles, "p90Ms"), underIngest: med(unders, "p90Ms") },
        maxMs: { idle: med(idles, "maxMs"), underIngest: med(unders, "maxMs") },
        serverWaitedForCpuMs: { idle: idles.map((r) => r.cpu.server.waitedForCpuMs), underIngest: unders.map((r) => r.cpu.server.waitedForCpuMs) },
        // Keel's event loop: how long a request arriving at a random moment waited for it, and GC pauses.
        eventLoopDelayMs: { idle: idles.map((r) => r.eventLoopDelayMs), underIngest: unders.map((r) => r.eventLoopDelayMs) },
        gc: { idle: idles.map((r) => r.gc), underIngest: unders.map((r) => r.gc) },
        ingest: {
          maxSpansPerSecond: maxRate,
          targetSpansPerSecond: ingestRate,
          achievedSpansPerSecond: median(ingests.map((i) => i.measured.spansPerSecond)),
          p99Ms: median(ingests.map((i) => i.measured.p99Ms)),
          cpu: lastIngest.cpu,
          activity: lastIngest.activity,
        },
        goal: { ratio: 1.5 },
        met: ratio <= 1.5,
        rate,
        seconds,
        rounds: probeRounds,
        cpus: os.availableParallelism(),
        // Other work on the machine skews every figure: the 1/5/15-minute load averages at the end.
        loadAverage: os.loadavg().map(round1),
        node: process.version,
        note: "the prompt probe, the OTLP load generator, Keel and PostgreSQL share the machine's cores; waitedForCpuMs: time Keel's event loop thread was runnable but had no core",
      }),
    );
  } finally {
    await db?.end().catch(() => undefined);
    await stopServer(keel);
  }
}
