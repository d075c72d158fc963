// Bench harness: `npm run bench -- <case>` runs a named case and prints one JSON line per result
// and a final summary JSON line (`bench`, `ratio` and the raw figures). Every server runs in its
// own process; autocannon drives them from this one, one target at a time.
//
// Cases (bench/README.md):
//   prompt-api  GET /api/public/v1/prompts/{name}?label=production through Keel's request handler
//               vs a bare node:http server sending the same pre-serialized body
//   whoami      GET /api/public/v1/whoami (key cache + one PostgreSQL query) vs the same bare server
//   dataset-import
//               a generated 100,000-row CSV (5 columns, ~300 bytes a row) imported through Keel's
//               import endpoint vs `psql \copy` of the same file into a plain table on the same
//               PostgreSQL; rows/s of both, the ratio, Keel's peak RSS growth; then the latency of
//               browsing page 1 and page 2,000 (50 items a page) and a full-text search of the
//               100k-item dataset. Needs `psql` (postgresql-client). BENCH_ROWS changes the size.
//   audit-export
//               BENCH_AUDIT_EVENTS generated audit events (default "1000000,2000000": one fresh server
//               per size, each event hashed into the organization's chain) streamed through Keel's
//               CSV export endpoint (key auth, COPY → response, SHA-256, signed manifest) vs
//               `psql \copy (SELECT <the export's columns> …) TO STDOUT` of the same rows into
//               /dev/null; rows/s of both, the ratio, time to first byte, Keel's peak RSS growth.
//               Needs `psql`.
//   deployments the approval that completes a protected environment's rules and promotes, and a
//               whole request-to-deployed flow, vs a direct label move of an unprotected
//               environment; ten approvers racing on one request (exactly one deployment).
//               BENCH_DEPLOYMENTS (default 200) rounds.
//   otel-ingest, gateway, prompt-under-ingest
//               production observability (bench/telemetry-cases.mjs): OTLP batches through Keel's
//               trace endpoint vs bare node:http and psql \copy, then a burst at 2x; the openai
//               client through Keel's gateway vs direct and vs Portkey's gateway; the prompt API's
//               p99 while traces are ingested.
//   scale-out   npm start's supervisor with 1, then 2, web and ingest processes behind one port
//               (bench/scale-out.mjs): the prompt API's req/s and p99, OTLP ingest's spans/s, and
//               the cores available.
//   dashboard   every dashboard query and the trace list over BENCH_TRACES (1,000,000) traces written
//               through Keel's own write path, vs the same 30-day figures scanned from the raw spans.
//
// Environment: BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 64), BENCH_WARMUP_SECONDS
// (default 3), BENCH_ROUNDS (default 1: more alternate bare and Keel that many times and summarize
// the medians, which steadies figures on a busy machine), BENCH_PROFILE=<dir> (write a CPU
// profile of the Keel server during its measured runs).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { gateway, otelIngest, promptUnderIngest } from "./telemetry-cases.mjs";
import { promptUnderIngestRoles, scaleOut } from "./scale-out.mjs";

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

/** Resident memory (bytes) of a process now, and its peak so far (VmHWM), from /proc. */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

function writeBenchCsv(file, rows) {
  const categories = ["billing", "shipping", "account", "technical", "other"];
  const words = "order refund parcel invoice password account delivery payment subscription return exchange warranty".split(" ");
  const lines = ["question,context,expected_answer,category,language"];
  for (let i = 1; i <= rows; i++) {
    const w = (k) => words[(i * 7 + k * 13) % words.length];
    lines.push(
      [
        `Customer ${i} asks about the ${w(1)} of their ${w(2)}: when will it be sorted out?`,
        `"Ticket #${i}, plan ${["free", "pro", "team"][i % 3]}; previous contact about the ${w(3)}, marked ""urgent"" by the agent"`,
        `Explain the ${w(4)} policy; confirm the ${w(5)} status and give the expected date (case ${i}).`,
        categories[i % categories.length],
        ["en", "de", "fr", "pt"][i % 4],
      ].join(","),
    );
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

function run(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${out}`))));
  });
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function datasetImport() {
  const rows = Number(process.env.BENCH_ROWS ?? 100_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "keel-bench-"));
  const file = path.join(dir, "bench.csv");
  writeBenchCsv(file, rows);
  const bytes = statSync(file).size;
  let keel;
  try {
    keel = await start(["--conditions=react-server", "--import", "tsx", "bench/servers/keel-datasets.ts"]);
    const headers = { authorization: `Bearer ${keel.secret}` };
    if (process.env.BENCH_SQL) await run("psql", [keel.databaseUrl, "-q", "-c", process.env.BENCH_SQL]);
    await run("psql", [
      keel.databaseUrl,
      "-q",
      "-c",
      "CREATE TABLE bench_plain (question text, context text, expected_answer text, category text, language text)",
    ]);
    const copies = [];
    const imports = [];
    for (let round = 1; round <= rounds; round++) {
      await run("psql", [keel.databaseUrl, "-q", "-c", "TRUNCATE bench_plain"]);
      const copy = await timed(() => run("psql", [keel.databaseUrl, "-q", "-c", `\\copy bench_plain FROM '${file}' WITH (FORMAT csv, HEADER true)`]));
      copies.push(copy.ms);
      console.log(
        JSON.stringify({
          bench: "dataset-import",
          target: "psql-copy",
          round,
          rows,
          ms: Math.round(copy.ms),
          rowsPerSecond: Math.round(rows / (copy.ms / 1000)),
        }),
      );

      const before = memory(keel.child.pid);
      let peak = before.rss;
      const sampler = setInterval(() => (peak = Math.max(peak, memory(keel.child.pid).rss)), 20);
      const response = await timed(async () => {
        const r = await fetch(`http://127.0.0.1:${keel.port}/api/public/v1/datasets/bench-${round}/import?format=csv&fileName=bench.csv`, {
          method: "POST",
          headers: { ...headers, "content-type": "text/csv", "content-length": String(bytes) },
          body: createReadStream(file),
          duplex: "half",
        });
        return { status: r.status, body: await r.json() };
      });
      clearInterval(sampler);
      const after = memory(keel.child.pid);
      peak = Math.max(peak, after.rss);
      if (response.value.status !== 200 || response.value.body.result.added !== rows)
        throw new Error(`Keel import answered ${response.value.status}: ${JSON.stringify(response.value.body).slice(0, 500)}`);
      const growth = Math.max(peak, after.hwm > before.hwm ? after.hwm : 0) - before.rss;
      imports.push({ ms: response.ms, growth });
      console.log(
        JSON.stringify({
          bench: "dataset-import",
          target: "keel",
          round,
          rows,
          ms: Math.round(response.ms),
          rowsPerSecond: Math.round(rows / (response.ms / 1000)),
          rssBeforeMb: Math.round(before.rss / 2 ** 20),
          peakRssGrowthMb: Math.round(growth / 2 ** 20),
        }),
      );
    }

    // Browsing the 100k-item dataset: the same pages the UI asks for (50 items a page).
    const browse = async (query) => {
      const times = [];
      for (let i = 0; i < 21; i++) {
        const t = await timed(async () => {
          const r = await fetch(`http://127.0.0.1:${keel.port}/api/public/v1/datasets/bench-1/items?${query}`, { headers });
          if (r.status !== 200) throw new Error(`browse ${query}: ${r.status} ${await r.text()}`);
          return r.json();
        });
        if (i > 0) times.push(t.ms);
      }
      return Number(median(times).toFixed(1));
    };
    await run("psql", [keel.databaseUrl, "-q", "-c", "VACUUM ANALYZE dataset_item_revisions"]);
    const lastPage = Math.ceil(rows / 50);
    const browsing = {
      page1Ms: await browse("version=1&page=1&pageSize=50"),
      [`page${Math.min(2000, lastPage)}Ms`]: await browse(`version=1&page=${Math.min(2000, lastPage)}&pageSize=50`),
      searchMs: await browse(`version=1&pageSize=50&search=${encodeURIComponent("customer 4242")}`),
    };

    const copyMs = median(copies);
    const keelMs = median(imports.map((i) => i.ms));
    const copyRate = Math.round(rows / (copyMs / 1000));
    const keelRate = Math.round(rows / (keelMs / 1000));
    const growthMb = Math.round(median(imports.map((i) => i.growth)) / 2 ** 20);
    const ratio = Number((keelRate / copyRate).toFixed(3));
    console.log(
      JSON.stringify({
        bench: "dataset-import",
        summary: true,
        describe: "100k-row CSV through Keel's import endpoint (parse, map, validate, dedupe, versioned insert, audit) vs psql \\copy into a plain table",
        rows,
        fileMb: Number((bytes / 2 ** 20).toFixed(1)),
        keel: { rowsPerSecond: keelRate, ms: Math.round(keelMs), peakRssGrowthMb: growthMb },
        psqlCopy: { rowsPerSecond: copyRate, ms: Math.round(copyMs) },
        ratio,
        browsing,
        goal: { ratio: 0.25, peakRssGrowthMb: 150, browseMs: 100 },
        met: ratio >= 0.25 && growthMb < 150 && browsing.page1Ms < 100 && Object.entries(browsing).every(([k, ms]) => k === "searchMs" || ms < 100),
        rounds,
        cpus: os.availableParallelism(),
        node: process.version,
        note: "client, Keel and PostgreSQL share the machine's cores; browsing times include HTTP and API-key auth",
      }),
    );
  } finally {
    if (keel) await stop(keel);
    rmSync(dir, { recursive: true, force: true });
  }
}

// The SELECT of Keel's CSV export (server/domain/audit/export.ts, selectSql("csv") with the WHERE of
// an unfiltered export): the psql reference copies the same columns, so both produce the same bytes.
const auditCsvSelect = (orgId, extra = "") =>
  `SELECT e.seq::text, to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), e.org_id, e.project_id, e.actor_type, e.actor_id, e.actor_label, e.actor_role, e.action, e.target_type, e.target_id, e.outcome, ` +
  `e.request_id, e.ip, e.user_agent, coalesce(e.before::text, 'null'), coalesce(e.after::text, 'null'), e.prev_hash, e.hash FROM audit_events e WHERE e.org_id = '${orgId}'${extra} ORDER BY e.seq`;

/** psql `\copy (query) TO STDOUT WITH (FORMAT csv)`: into /dev/null, or through `onData`. */
function psqlCopyOut(databaseUrl, query, onData) {
  const devNull = onData ? null : openSync("/dev/null", "w");
  return new Promise((resolve, reject) => {
    const child = spawn("psql", [databaseUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy (${query}) TO STDOUT WITH (FORMAT csv)`], {
      stdio: ["ignore", devNull ?? "pipe", "pipe"],
    });
    let err = "";
    if (onData) child.stdout.on("data", onData);
    child.stderr.on("data", (c) => (err += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`psql \\copy exited with ${code}: ${err}`))));
  }).finally(() => devNull !== null && closeSync(devNull));
}

/**
 * One CSV export through Keel's endpoint, the body only counted: the time to the response head,
 * to the first body byte (the CSV header line, sent once the export's facts are read and its
 * audit event committed), to the first event row, and to the last byte (the manifest is signed
 * before the body ends).
 */
function keelExport(keel, query = "format=csv") {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    const headerBytes = Buffer.byteLength(keel.csvHeader);
    const req = http.get(
      { host: "127.0.0.1", port: keel.port, path: `/api/public/v1/audit/export?${query}`, headers: { authorization: `Bearer ${keel.secret}` }, agent: false },
      (res) => {
        const headMs = ms();
        let ttfbMs = null;
        let firstRowMs = null;
        let bytes = 0;
        let text = "";
        res.on("data", (chunk) => {
          if (ttfbMs === null) ttfbMs = ms();
          bytes += chunk.length;
          if (firstRowMs === null && bytes > headerBytes) firstRowMs = ms();
          if (res.statusCode !== 200) text += chunk;
        });
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`Keel export answered ${res.statusCode}: ${text.slice(0, 500)}`));
          resolve({ ms: ms(), headMs, ttfbMs, firstRowMs, bytes, exportId: res.headers["keel-export-id"], rowCount: Number(res.headers["x-keel-row-count"]) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
  });
}

async function auditExportSize(events) {
  const keel = await start(["--conditions=react-server", "--import", "tsx", "bench/servers/keel-audit.ts"], { BENCH_AUDIT_EVENTS: String(events) });
  try {
    const psqlAt = async (sql) => (await run("psql", [keel.databaseUrl, "-X", "-At", "-c", sql])).trim();
    const tableMb = Math.round(Number(await psqlAt("SELECT pg_total_relation_size('audit_events')")) / 2 ** 20);
    console.log(
      JSON.stringify({
        bench: "audit-export",
        target: "seed",
        events,
        lastSeq: Number(keel.lastSeq),
        seedMs: keel.seedMs,
        eventsPerSecond: Math.round(events / (keel.seedMs / 1000)),
        tableWithIndexesMb: tableMb,
        chain: keel.verified,
      }),
    );

    // Warm-up, as on a server that has been up a while: one export of an empty time range runs
    // the code path once (lazy imports, key cache, the organization's signing key, created on the
    // first export ever). Its figures are printed, not counted.
    const cold = await keelExport(keel, `format=csv&from=${encodeURIComponent("2999-01-01T00:00:00Z")}`);
    console.log(
      JSON.stringify({
        bench: "audit-export",
        target: "keel-warmup",
        events,
        rows: cold.rowCount,
        ms: Math.round(cold.ms),
        ttfbMs: Math.round(cold.ttfbMs),
        note: "first export in this process (empty time range): creates the signing key",
      }),
    );

    // Reference bytes (and a warm cache for both): psql's copy of the events as they are now,
    // behind Keel's header line. Keel's first measured export covers exactly these rows.
    const lastSeq = await psqlAt(`SELECT max(seq)::text FROM audit_events WHERE org_id = '${keel.orgId}'`);
    const reference = createHash("sha256").update(keel.csvHeader);
    let referenceBytes = Buffer.byteLength(keel.csvHeader);
    await psqlCopyOut(keel.databaseUrl, auditCsvSelect(keel.orgId, ` AND e.seq <= ${lastSeq}`), (chunk) => {
      reference.update(chunk);
      referenceBytes += chunk.length;
    });
    const referenceSha256 = reference.digest("hex");

    const copies = [];
    const exports = [];
    let sameBytesAsPsql = null;
    for (let round = 1; round <= rounds; round++) {
      // Every export appends two events (exported, signed): count what psql is about to copy.
      const rows = Number(await psqlAt(`SELECT count(*) FROM audit_events WHERE org_id = '${keel.orgId}'`));
      const copy = await timed(() => psqlCopyOut(keel.databaseUrl, auditCsvSelect(keel.orgId)));
      copies.push({ ms: copy.ms, rows });
      console.log(
        JSON.stringify({
          bench: "audit-export",
          target: "psql-copy",
          events,
          round,
          rows,
          ms: Math.round(copy.ms),
          rowsPerSecond: Math.round(rows / (copy.ms / 1000)),
        }),
      );

      const profile = process.env.BENCH_PROFILE;
      if (profile) keel.child.kill("SIGUSR2");
      const before = memory(keel.child.pid);
      let peak = before.rss;
      const sampler = setInterval(() => (peak = Math.max(peak, memory(keel.child.pid).rss)), 20);
      const cpuBefore = cpuMs(keel.child.pid);
      const clientBefore = process.cpuUsage();
      const result = await keelExport(keel).finally(() => clearInterval(sampler));
      const client = process.cpuUsage(clientBefore);
      const cpuAfter = cpuMs(keel.child.pid);
      const after = memory(keel.child.pid);
      if (profile) {
        keel.child.kill("SIGUSR2");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      peak = Math.max(peak, after.rss);
      const growth = Math.max(peak, after.hwm > before.hwm ? after.hwm : 0) - before.rss;
      // The signed manifest proves the export was read to the end and completed.
      const m = await fetch(`http://127.0.0.1:${keel.port}/api/public/v1/audit/exports/${result.exportId}/manifest`, {
        headers: { authorization: `Bearer ${keel.secret}` },
      });
      const manifest = await m.json();
      if (m.status !== 200 || manifest.rowCount !== result.rowCount || !manifest.signature)
        throw new Error(`manifest of export ${result.exportId}: ${m.status} ${JSON.stringify(manifest).slice(0, 500)}`);
      if (manifest.lastSeq === lastSeq) sameBytesAsPsql = manifest.fileSha256 === referenceSha256 && result.bytes === referenceBytes;
      exports.push({ ...result, growth, rows: manifest.rowCount, fileSha256: manifest.fileSha256 });
      console.log(
        JSON.stringify({
          bench: "audit-export",
          target: "keel",
          events,
          round,
          rows: manifest.rowCount,
          ms: Math.round(result.ms),
          rowsPerSecond: Math.round(manifest.rowCount / (result.ms / 1000)),
          mbPerSecond: Number((result.bytes / 2 ** 20 / (result.ms / 1000)).toFixed(1)),
          // Keel's own CPU time during the export (PostgreSQL's backend and this client not included).
          serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
          // This harness's CPU time reading the response (and sampling /proc).
          clientCpuMs: Math.round((client.user + client.system) / 1000),
          headMs: Math.round(result.headMs),
          ttfbMs: Math.round(result.ttfbMs),
          firstRowMs: Math.round(result.firstRowMs),
          fileMb: Number((result.bytes / 2 ** 20).toFixed(1)),
          rssBeforeMb: Math.round(before.rss / 2 ** 20),
          peakRssGrowthMb: Math.round(growth / 2 ** 20),
          manifest: { rowCount: manifest.rowCount, lastSeq: manifest.lastSeq, fileSha256: manifest.fileSha256, publicKeyId: manifest.publicKeyId },
        }),
      );
    }
    if (sameBytesAsPsql !== true)
      throw new Error(`Keel's export of events 1…${lastSeq} differs from psql's copy of the same rows (${referenceBytes} bytes, sha256 ${referenceSha256})`);
    // The median run by rows/s (rows differ by the few events each export appends).
    const medianRun = (runs) => runs.map((r) => ({ ...r, rate: r.rows / (r.ms / 1000) })).sort((x, y) => x.rate - y.rate)[Math.floor((runs.length - 1) / 2)];
    const copyMedian = medianRun(copies);
    const keelMedian = medianRun(exports);
    const copyRate = copyMedian.rate;
    const keelRate = keelMedian.rate;
    return {
      events,
      rows: exports[0].rows,
      coldTtfbMs: Math.round(cold.ttfbMs),
      fileMb: Number((exports[0].bytes / 2 ** 20).toFixed(1)),
      keel: {
        rowsPerSecond: Math.round(keelRate),
        ms: Math.round(keelMedian.ms),
        ttfbMs: Math.round(median(exports.map((e) => e.ttfbMs))),
        firstRowMs: Math.round(median(exports.map((e) => e.firstRowMs))),
        // The largest over rounds: memory is a ceiling, not a typical value.
        peakRssGrowthMb: Math.round(Math.max(...exports.map((e) => e.growth)) / 2 ** 20),
      },
      // The first measured export's signed manifest: every event up to lastSeq, byte for byte psql's copy.
      manifest: { rowCount: exports[0].rows, fileSha256: exports[0].fileSha256 },
      psqlCopy: { rowsPerSecond: Math.round(copyRate), ms: Math.round(copyMedian.ms) },
      ratio: Number((keelRate / copyRate).toFixed(3)),
      sameBytesAsPsql,
    };
  } finally {
    await stop(keel);
  }
}

async function auditExport() {
  const sizes = String(process.env.BENCH_AUDIT_EVENTS ?? "1000000,2000000")
    .split(",")
    .map(Number);
  const results = [];
  for (const events of sizes) results.push(await auditExportSize(events));
  const goal = { ratio: 0.5, ttfbMs: 300, peakRssGrowthMb: 64, rssGrowthSpreadMb: 16 };
  const growths = results.map((r) => r.keel.peakRssGrowthMb);
  const rssGrowthSpreadMb = Math.max(...growths) - Math.min(...growths);
  console.log(
    JSON.stringify({
      bench: "audit-export",
      summary: true,
      describe:
        "audit events through Keel's CSV export endpoint (key auth, REPEATABLE READ facts, audit event, COPY → response with backpressure, SHA-256, signed manifest) vs psql \\copy of the same SELECT into /dev/null",
      sizes: results,
      ratio: Math.min(...results.map((r) => r.ratio)),
      rssGrowthSpreadMb,
      goal,
      met:
        results.every((r) => r.ratio >= goal.ratio && r.keel.ttfbMs <= goal.ttfbMs && r.keel.peakRssGrowthMb <= goal.peakRssGrowthMb) &&
        rssGrowthSpreadMb <= goal.rssGrowthSpreadMb,
      rounds,
      cpus: os.availableParallelism(),
      node: process.version,
      note: "client, Keel and PostgreSQL share the machine's cores; Keel's time runs from the request to the last body byte (manifest signed), psql's from spawning psql to its exit; rssGrowthSpreadMb = largest minus smallest peak RSS growth across sizes (memory must not grow with the export's size)",
    }),
  );
}

function start(args, env = {}) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
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
    serverCpuUsPerRequest:
      cpuBefore === null || cpuAfter === null || !r.requests.total ? null : Number((((cpuAfter - cpuBefore) * 1000) / r.requests.total).toFixed(1)),
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

/**
 * The peers eval-run compares with (promptfoo) live in bench/peers, outside Keel's own dependencies;
 * installed here on first use, or the case stops naming the command to run by hand.
 */
async function ensurePeers() {
  const promptfoo = path.resolve("bench/peers/node_modules/.bin/promptfoo");
  if (existsSync(promptfoo)) return promptfoo;
  const command = "npm --prefix bench/peers ci --no-audit --no-fund";
  console.error(`[bench] installing the eval-run peer (promptfoo) into bench/peers: ${command}`);
  const result = spawnSync("npm", ["--prefix", "bench/peers", "ci", "--no-audit", "--no-fund"], { stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0 || !existsSync(promptfoo)) {
    throw new Error(
      `eval-run compares with promptfoo, which is not installed and \`${command}\` failed (exit ${result.status}); run it by hand and start the bench again`,
    );
  }
  return promptfoo;
}

async function evalRun() {
  const promptfoo = await ensurePeers();
  const items = Number(process.env.BENCH_ITEMS ?? 1000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const latency = Number(process.env.BENCH_LATENCY_MS ?? 200);
  const ideal = Math.ceil(items / concurrency) * latency;
  const dir = mkdtempSync(path.join(os.tmpdir(), "keel-bench-"));
  const fake = await start(["--conditions=react-server", "--import", "tsx", "bench/servers/fake-openai.ts"]);
  const control = async (method, query = "") => (await fetch(`${fake.control}/${method === "POST" ? "reset" : "stats"}${query}`, { method })).json();
  const keelRun = async () => {
    await control("POST", `?latency=${latency}&share=${share}&retryAfter=1`);
    const out = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "bench/servers/keel-eval-run.ts"], {
      FAKE_URL: fake.url,
      BENCH_ITEMS: String(items),
      BENCH_CONCURRENCY: String(concurrency),
    });
    const result = JSON.parse(/RESULT (\{.*\})/.exec(out)[1]);
    return { ...result, ratio: Number((result.ms / ideal).toFixed(3)), provider: await control("GET") };
  };
  let share = 0;
  try {
    const keel = await keelRun();
    console.log(JSON.stringify({ bench: "eval-run", target: "keel", ...keel }));
    share = 0.05;
    const keel429 = await keelRun();
    console.log(JSON.stringify({ bench: "eval-run", target: "keel-429", ...keel429 }));
    share = 0;

    // promptfoo on the same cases, provider and concurrency.
    let peer = null;
    try {
      const rows = ["question,__expected"];
      for (let i = 1; i <= items; i++) rows.push(`Question ${i},Echo: Question ${i}`);
      writeFileSync(path.join(dir, "tests.csv"), `${rows.join("\n")}\n`);
      writeFileSync(
        path.join(dir, "promptfooconfig.yaml"),
        [
          "description: keel bench",
          "prompts:",
          "  - '{{question}}'",
          "providers:",
          "  - id: openai:chat:gpt-4o-mini",
          "    config:",
          `      apiBaseUrl: ${fake.url}`,
          "      apiKey: sk-bench-1234567890",
          "tests: file://tests.csv",
          "",
        ].join("\n"),
      );
      await control("POST", `?latency=${latency}&share=0`);
      const env = {
        PROMPTFOO_DISABLE_TELEMETRY: "1",
        PROMPTFOO_DISABLE_UPDATE: "1",
        PROMPTFOO_DISABLE_SHARING: "1",
        PROMPTFOO_DISABLE_REMOTE_GENERATION: "1",
        PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION: "1",
        PROMPTFOO_CONFIG_DIR: path.join(dir, "promptfoo-home"),
        OPENAI_API_KEY: "sk-bench-1234567890",
      };
      const t = await timed(() =>
        run(
          promptfoo,
          [
            "eval",
            "-c",
            path.join(dir, "promptfooconfig.yaml"),
            "--no-cache",
            "--max-concurrency",
            String(concurrency),
            "--no-table",
            "--no-progress-bar",
            "-o",
            path.join(dir, "out.json"),
          ],
          env,
        ).catch((e) => {
          // promptfoo exits 100 when some assertions fail; the timing still counts.
          if (!/exited with 100/.test(String(e.message))) throw e;
        }),
      );
      const results = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8"));
      const stats = results.results?.stats ?? {};
      peer = {
        ms: Math.round(t.ms),
        ratio: Number((t.ms / ideal).toFixed(3)),
        successes: stats.successes,
        failures: stats.failures,
        errors: stats.errors,
        provider: await control("GET"),
      };
      console.log(JSON.stringify({ bench: "eval-run", target: "promptfoo", ...peer }));
    } catch (error) {
      // The comparison is part of the goal: a failed peer run is reported and the goal is not met.
      console.log(JSON.stringify({ bench: "eval-run", target: "promptfoo", failed: String(error.message).slice(0, 300) }));
    }
    console.log(
      JSON.stringify({
        bench: "eval-run",
        summary: true,
        describe: `${items} items, concurrency ${concurrency}, fake provider answering after ${latency} ms; ideal = ceil(items/concurrency) x latency`,
        idealMs: ideal,
        ratio: keel.ratio,
        keel: { ms: keel.ms, done: keel.done, errors: keel.errors, maxInFlight: keel.provider.maxInFlight },
        keelWith429: {
          ms: keel429.ms,
          ratio: keel429.ratio,
          done: keel429.done,
          errors: keel429.errors,
          requests: keel429.provider.requests,
          maxInFlight: keel429.provider.maxInFlight,
        },
        promptfoo: peer,
        goal: { ratio: 1.1, ratioWith429: 1.3, fasterThanPromptfoo: true, maxInFlight: concurrency },
        met:
          keel.ratio <= 1.1 &&
          keel429.ratio <= 1.3 &&
          keel429.done === items &&
          keel429.provider.maxInFlight <= concurrency &&
          peer !== null &&
          keel.ms < peer.ms,
        note: "Keel's time runs from creating the run to its completion (server already up); promptfoo's is the whole CLI invocation (its start-up included)",
      }),
    );
  } finally {
    await stop(fake);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function deployments() {
  const out = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "bench/servers/keel-deployments.ts"]);
  const result = JSON.parse(/RESULT (\{.*\})/.exec(out)[1]);
  console.log(
    JSON.stringify({
      bench: "deployments",
      summary: true,
      describe:
        "the approval that promotes (approval, rules matched, gate re-check, label move, deployment record, outbox, audit events in one transaction) and request-to-deployed (3 transactions) vs a direct label move of an unprotected environment; ten approvers racing on one request",
      ...result,
      ratio: result.ratios.promotingApproval,
      goal: { promotingApprovalRatio: 3, requestToDeployedRatio: 8, exactlyOneDeploymentPerRace: true },
      met: result.ratios.promotingApproval <= 3 && result.ratios.requestToDeployed <= 8 && result.race.exactlyOneDeployment === result.race.trials,
    }),
  );
}

const name = process.argv[2];
const spec = CASES[name];
if (name === "deployments") {
  await deployments();
  process.exit(0);
}
if (name === "eval-run") {
  await evalRun();
  process.exit(0);
}
if (name === "dataset-import") {
  await datasetImport();
  process.exit(0);
}
if (name === "audit-export") {
  await auditExport();
  process.exit(0);
}
if (name === "dashboard") {
  // The observability dashboards over 1M traces (bench/dashboard.ts): a TypeScript script of its own.
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(import.meta.dirname, "dashboard.ts")], {
    stdio: "inherit",
    env: process.env,
  });
  process.exit(await new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1))));
}
// prompt-under-ingest measures Keel as `npm start` runs it (roles), or with BENCH_ROLES=0 the single process.
const telemetryCases = {
  "otel-ingest": otelIngest,
  gateway,
  "prompt-under-ingest": process.env.BENCH_ROLES === "0" ? promptUnderIngest : promptUnderIngestRoles,
  "scale-out": scaleOut,
};
if (Object.hasOwn(telemetryCases, name)) {
  await telemetryCases[name]();
  process.exit(0);
}
if (!spec) {
  console.error(
    `Usage: npm run bench -- <case>\nCases:\n${Object.entries(CASES)
      .map(([n, c]) => `  ${n.padEnd(14)} ${c.describe}`)
      .join(
        "\n",
      )}\n  dataset-import 100k-row CSV import vs psql \\copy, peak RSS, browsing latency\n  audit-export   1M and 2M audit events through the signed CSV export vs psql \\copy, TTFB, peak RSS\n  deployments    governed promotion vs a direct label move; ten racing approvers\n  otel-ingest    100-span OTLP batches vs bare node:http and psql \\copy; a burst at 2x, nothing lost\n  gateway        openai client through Keel's gateway vs direct and vs Portkey: added p50/p99\n  prompt-under-ingest  the prompt API's p99 idle vs while ingesting traces at half the maximum\n  scale-out      the prompt API and OTLP ingest with 1 and 2 web/ingest processes behind one port\n  dashboard      the observability dashboards and trace list over 1M traces (BENCH_TRACES) vs raw span scans`,
  );
  process.exit(1);
}
await compare(name, spec);
