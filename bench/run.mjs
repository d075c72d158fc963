// Bench harness: `npm run bench -- <case>` runs a named case and prints one JSON line per result
// and a final summary JSON line (`bench`, `ratio` and the raw figures). Every server runs in its
// own process; autocannon drives them from this one, one target at a time.
//
// Cases (bench/README.md):
//   prompt-api  GET /api/public/v1/prompts/{name}?label=production through Keel's request handler
//               vs a bare node:http server sending the same pre-serialized body
//   whoami      GET /api/public/v1/whoami (key cache + one PostgreSQL query) vs the same bare server
//
// Environment: BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 64), BENCH_WARMUP_SECONDS
// (default 3), BENCH_ROUNDS (default 1: more alternate bare and Keel that many times and summarize
// the medians, which steadies figures on a busy machine), BENCH_PROFILE=<dir> (write a CPU
// profile of the Keel server during its measured runs).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);

const CASES = {
  "prompt-api": {
    describe: "GET /api/public/v1/prompts/{name}?label=production (key auth + prompt cache) vs bare node:http with the same body",
    path: (ready) => `/api/public/v1/prompts/${encodeURIComponent(ready.prompt)}?label=production`,
    goal: { ratio: 0.6, p99Ratio: 2 },
  },
  whoami: {
    describe: "GET /api/public/v1/whoami (key auth + one PostgreSQL query) vs bare node:http with the same body",
    path: () => "/api/public/v1/whoami",
    goal: null,
  },
};

const children = new Set();

function start(args) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /READY (\{.*\})/.exec(out);
      if (m) resolve({ child, ...JSON.parse(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(`${args.at(-1)} exited with ${code} before it was ready`)));
  });
}

function stop(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", resolve);
    server.child.kill("SIGTERM");
  });
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(130);
  });
}

/** CPU time (ms) the process has used so far, from /proc (Linux; null elsewhere). 100 ticks a second. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function load(bench, target, url, headers, server, round) {
  await autocannon({ url, headers, connections, duration: warmup });
  const profile = process.env.BENCH_PROFILE && target === "keel";
  if (profile) server.child.kill("SIGUSR2");
  const cpuBefore = cpuMs(server.child.pid);
  const r = await autocannon({ url, headers, connections, duration: seconds });
  const cpuAfter = cpuMs(server.child.pid);
  if (profile) {
    server.child.kill("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const result = {
    bench,
    target,
    round,
    connections,
    seconds,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    p999: r.latency.p99_9,
    latencyMean: r.latency.average,
    requests: r.requests.total,
    bytesPerResponse: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    // Server CPU per request: steadier than req/s when other work shares the cores.
    serverCpuUsPerRequest: cpuBefore === null || cpuAfter === null || !r.requests.total ? null : Number((((cpuAfter - cpuBefore) * 1000) / r.requests.total).toFixed(1)),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
  console.log(JSON.stringify(result));
  if (r.non2xx || r.errors || r.timeouts) throw new Error(`${bench}/${target}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  return result;
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)];
const medianResult = (results) => ({
  rps: median(results.map((r) => r.rps)),
  p50: median(results.map((r) => r.p50)),
  p99: median(results.map((r) => r.p99)),
  serverCpuUsPerRequest: results.some((r) => r.serverCpuUsPerRequest === null) ? null : median(results.map((r) => r.serverCpuUsPerRequest)),
});

async function compare(name, spec) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "keel-bench-"));
  let keel;
  let bare;
  try {
    keel = await start(["--conditions=react-server", "--import", "tsx", "bench/servers/keel-public-api.ts"]);
    const urlPath = spec.path(keel);
    const headers = { authorization: `Bearer ${keel.secret}` };
    const probe = await fetch(`http://127.0.0.1:${keel.port}${urlPath}`, { headers });
    if (probe.status !== 200) throw new Error(`${name}: Keel answered ${probe.status}: ${await probe.text()}`);
    const bodyFile = path.join(dir, "body.json");
    writeFileSync(bodyFile, Buffer.from(await probe.arrayBuffer()));
    bare = await start(["bench/servers/bare.mjs", bodyFile]);

    const bares = [];
    const keels = [];
    for (let round = 1; round <= rounds; round++) {
      bares.push(await load(name, "bare", `http://127.0.0.1:${bare.port}${urlPath}`, {}, bare, round));
      keels.push(await load(name, "keel", `http://127.0.0.1:${keel.port}${urlPath}`, headers, keel, round));
    }
    const b = medianResult(bares);
    const k = medianResult(keels);

    // autocannon reports whole milliseconds: a bare p99 under 1 ms counts as 1 ms.
    const ratio = Number((k.rps / b.rps).toFixed(3));
    const p99Ratio = Number((k.p99 / Math.max(b.p99, 1)).toFixed(2));
    const summary = {
      bench: name,
      summary: true,
      describe: spec.describe,
      ratio,
      p99Ratio,
      // Bare's server CPU per request over Keel's: the throughput ratio a CPU-bound server would reach.
      cpuRatio: k.serverCpuUsPerRequest && b.serverCpuUsPerRequest ? Number((b.serverCpuUsPerRequest / k.serverCpuUsPerRequest).toFixed(3)) : null,
      keel: k,
      bare: b,
      ...(spec.goal ? { goal: spec.goal, met: ratio >= spec.goal.ratio && p99Ratio <= spec.goal.p99Ratio } : {}),
      connections,
      seconds,
      rounds,
      cpus: os.availableParallelism(),
      node: process.version,
      note: "load generator, servers and PostgreSQL share the machine's cores",
    };
    console.log(JSON.stringify(summary));
  } finally {
    await Promise.all([keel && stop(keel), bare && stop(bare)].filter(Boolean));
    rmSync(dir, { recursive: true, force: true });
  }
}

const name = process.argv[2];
const spec = CASES[name];
if (!spec) {
  console.error(`Usage: npm run bench -- <case>\nCases:\n${Object.entries(CASES).map(([n, c]) => `  ${n.padEnd(12)} ${c.describe}`).join("\n")}`);
  process.exit(1);
}
await compare(name, spec);
