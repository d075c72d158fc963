// The `scale-out` case (bench/README.md): `npm start`'s supervisor (server/main.ts) with 1, then 2,
// web and ingest processes behind one port (node:cluster: the supervisor accepts and hands
// connections out round-robin; web forwards ingestion to the ingest processes' socket), measured
// with the prompt API (req/s, p99, CPU per request of every Keel process) and OTLP ingestion
// (spans/s, every acknowledged span looked up), on the cores this machine has. The database and
// its seed (an organization, a prompt labelled production, keys) come from the telemetry bench
// server, whose own HTTP server stays idle.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { connect, cpuMs, parentOf, runClient, startServer, stopServer, storedOf } from "./telemetry-cases.mjs";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const otelConnections = Number(process.env.BENCH_OTEL_CONNECTIONS ?? 16);
const counts = String(process.env.BENCH_PROCESSES ?? "1,2")
  .split(",")
  .map(Number);

const round1 = (x) => Number(x.toFixed(1));

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** CPU (ms) of a process and every live process below it. */
function treeCpuMs(rootPid) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) if (/^\d+$/.test(entry)) parents.set(Number(entry), parentOf(entry));
  let total = 0;
  for (const pid of parents.keys()) {
    for (let p = pid; p && p > 1; p = parents.get(p)) {
      if (p === rootPid) {
        total += cpuMs(pid);
        break;
      }
    }
  }
  return total;
}

/** `npm start` as an operator scales it, against the bench database; resolves once it is listening. */
function startSupervisor(seed, processes, port, dataDir) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/main.ts"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: seed.databaseUrl,
      KEEL_SECRET: "bench-scale-out-secret-0123456789abcdef",
      KEEL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64url"),
      KEEL_DATA_DIR: dataDir,
      KEEL_ROLES: "web,ingest",
      KEEL_WEB_API_ONLY: "1",
      KEEL_WEB_PROCESSES: String(processes),
      KEEL_INGEST_PROCESSES: String(processes),
      PORT: String(port),
      HOST: "127.0.0.1",
    },
  });
  let out = "";
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        out = (out + chunk).slice(-20_000);
        if (out.includes("Keel is listening on")) resolve();
      });
    }
    void exited.then((code) => reject(new Error(`the supervisor exited with ${code} before it was ready:\n${out}`)));
  });
  return { child, exited, ready, output: () => out };
}

async function promptLoad(url, headers, pid) {
  await autocannon({ url, headers, connections, duration: warmup });
  const before = treeCpuMs(pid);
  const r = await autocannon({ url, headers, connections, duration: seconds });
  const cpu = treeCpuMs(pid) - before;
  if (r.non2xx || r.errors || r.timeouts) throw new Error(`prompt API: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    keelCpuUsPerRequest: r.requests.total ? round1((cpu * 1000) / r.requests.total) : null,
  };
}

export async function scaleOut() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keel-bench-"));
  let seed;
  let db;
  const results = [];
  try {
    seed = await startServer(["--conditions=react-server", "--import", "tsx", "bench/servers/keel-telemetry.ts"]);
    db = await connect(seed);
    for (const processes of counts) {
      const port = await freePort();
      const keel = startSupervisor(seed, processes, port, dataDir);
      try {
        await keel.ready;
        const promptUrl = `http://127.0.0.1:${port}/api/public/v1/prompts/${encodeURIComponent(seed.prompt)}?label=production`;
        const prompt = await promptLoad(promptUrl, { authorization: `Bearer ${seed.readSecret}` }, keel.child.pid);
        console.log(JSON.stringify({ bench: "scale-out", target: "prompt-api", processes, connections, seconds, ...prompt }));

        const cpuBefore = treeCpuMs(keel.child.pid);
        const otlp = await runClient("bench/load-otlp.mjs", {
          url: `http://127.0.0.1:${port}/api/public/otel/v1/traces`,
          secret: seed.ingestSecret,
          mode: "closed",
          connections: otelConnections,
          warmupSeconds: warmup,
          seconds,
        });
        const keelCpuCores = (treeCpuMs(keel.child.pid) - cpuBefore) / (otlp.elapsedSeconds * 1000);
        const stored = await storedOf(db, otlp);
        if (stored.lost) throw new Error(`Keel acknowledged spans it did not store: ${stored.lost}`);
        const ingest = {
          spansPerSecond: otlp.measured.spansPerSecond,
          p50Ms: otlp.measured.p50Ms,
          p99Ms: otlp.measured.p99Ms,
          statuses: otlp.statuses,
          errors: otlp.errors,
          keelCores: round1(keelCpuCores),
          lost: stored.lost,
        };
        console.log(JSON.stringify({ bench: "scale-out", target: "otel-ingest", processes, connections: otelConnections, seconds, ...ingest }));
        results.push({ processes, promptApi: prompt, otelIngest: ingest });
      } finally {
        keel.child.kill("SIGTERM");
        await keel.exited;
      }
    }
    const [one, two] = [results.find((r) => r.processes === 1), results.find((r) => r.processes === 2)];
    console.log(
      JSON.stringify({
        bench: "scale-out",
        summary: true,
        describe:
          "npm start's supervisor with N web and N ingest processes behind one port (node:cluster round-robin; web forwards OTLP to the ingest socket): the prompt API (autocannon, key + prompt cache) and OTLP ingest (100-span JSON batches, closed loop)",
        cpus: os.availableParallelism(),
        results,
        ...(one && two
          ? {
              promptApiRpsRatio: Number((two.promptApi.rps / one.promptApi.rps).toFixed(3)),
              otelIngestRatio: Number((two.otelIngest.spansPerSecond / one.otelIngest.spansPerSecond).toFixed(3)),
            }
          : {}),
        loadAverage: os.loadavg().map(round1),
        node: process.version,
        note: "the load generators, the supervisor, its role processes and PostgreSQL share the machine's cores: with 2 cores, a second process of a role has no core of its own to run on",
      }),
    );
  } finally {
    await db?.end().catch(() => undefined);
    await stopServer(seed);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `prompt-under-ingest` as `npm start` runs Keel (BENCH_ROLES, the default): the supervisor with one
 * web and one ingest process, ingest 5 nice levels lower, OTLP sent to the web port (forwarded to
 * the ingest process). The prompt API's p99 at a fixed rate, idle and while OTLP arrives at half
 * the measured maximum, alternating rounds (medians). `BENCH_ROLES=0` measures the single process.
 */
export async function promptUnderIngestRoles() {
  const rate = Number(process.env.BENCH_PROMPT_RPS ?? 1000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keel-bench-"));
  let seed;
  let db;
  let keel;
  try {
    seed = await startServer(["--conditions=react-server", "--import", "tsx", "bench/servers/keel-telemetry.ts"]);
    db = await connect(seed);
    const port = await freePort();
    keel = startSupervisor(seed, 1, port, dataDir);
    await keel.ready;
    const promptUrl = `http://127.0.0.1:${port}/api/public/v2/prompts/${encodeURIComponent(seed.prompt)}?label=production`;
    const headers = { authorization: `Bearer ${seed.readSecret}` };
    const otlp = { url: `http://127.0.0.1:${port}/api/public/otel/v1/traces`, secret: seed.ingestSecret };
    const settle = async () => {
      for (let i = 0; i < 600; i++) {
        const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'keel-telemetry' AND state <> 'idle'");
        if (rows[0].n === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let maxRate = Number(process.env.BENCH_OTEL_SPANS_PER_SECOND ?? 0);
    if (!maxRate) {
      const max = await runClient("bench/load-otlp.mjs", { ...otlp, mode: "closed", connections: otelConnections, warmupSeconds: 2, seconds: 8 });
      maxRate = max.measured.spansPerSecond;
    }
    await settle();
    const probe = async (target, round) => {
      const r = await runClient("bench/load-get.mjs", { url: promptUrl, headers, rate, connections: 16, warmupSeconds: 2, seconds });
      if (r.errors || Object.keys(r.statuses).some((status) => status !== "200"))
        throw new Error(`prompt API answered ${JSON.stringify(r.statuses)} (${r.errors} errors)`);
      console.log(JSON.stringify({ bench: "prompt-under-ingest", processes: "roles", target, round, p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs }));
      return r;
    };
    const idles = [];
    const unders = [];
    const ingests = [];
    const ingestRate = Math.round(maxRate / 2);
    for (let round = 1; round <= rounds; round++) {
      idles.push(await probe("prompt-idle", round));
      const ingesting = runClient("bench/load-otlp.mjs", {
        ...otlp,
        mode: "open",
        spansPerSecond: ingestRate,
        connections: 64,
        warmupSeconds: 5,
        seconds: seconds + 2,
        timeoutMs: 10_000,
      });
      await new Promise((r) => setTimeout(r, 3_000));
      unders.push(await probe("prompt-under-ingest", round));
      const ingest = await ingesting;
      const stored = await storedOf(db, ingest);
      if (stored.lost) throw new Error(`Keel acknowledged spans it did not store: ${stored.lost}`);
      ingests.push({ achievedSpansPerSecond: ingest.measured.spansPerSecond, p99Ms: ingest.measured.p99Ms, statuses: ingest.statuses, lost: stored.lost });
      await settle();
    }
    const median = (values) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)];
    const idle = median(idles.map((r) => r.p99Ms));
    const under = median(unders.map((r) => r.p99Ms));
    const ratio = Number((under / idle).toFixed(3));
    console.log(
      JSON.stringify({
        bench: "prompt-under-ingest",
        summary: true,
        describe: `npm start's supervisor (one web process, one ingest process 5 nice levels lower; OTLP posted to the web port and forwarded): GET /api/public/v2/prompts/{name}?label=production at ${rate} req/s, idle and while OTLP arrives at half the measured maximum, ${rounds} alternating rounds (medians)`,
        ratio,
        p99Ms: { idle, underIngest: under, idleRounds: idles.map((r) => r.p99Ms), underIngestRounds: unders.map((r) => r.p99Ms) },
        p50Ms: { idle: median(idles.map((r) => r.p50Ms)), underIngest: median(unders.map((r) => r.p50Ms)) },
        ingest: { maxSpansPerSecond: maxRate, targetSpansPerSecond: ingestRate, rounds: ingests },
        goal: { ratio: 1.5 },
        met: ratio <= 1.5,
        cpus: os.availableParallelism(),
        loadAverage: os.loadavg().map(round1),
        node: process.version,
      }),
    );
  } finally {
    if (keel) {
      keel.child.kill("SIGTERM");
      await keel.exited;
    }
    await db?.end().catch(() => undefined);
    await stopServer(seed);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
