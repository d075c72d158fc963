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
