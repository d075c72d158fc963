// OTLP load generator for the telemetry benchmarks, in a process of its own (never the server's,
// never the harness's): POSTs unique 100-span OTLP JSON batches (bench/otlp-batches.mjs) over
// keep-alive connections and prints one line `RESULT {…}` when done.
//
//   node bench/load-otlp.mjs '{"url":"http://127.0.0.1:3000/api/public/otel/v1/traces","secret":"sk-keel-…",
//     "mode":"closed","connections":32,"warmupSeconds":3,"seconds":10}'
//
// mode "closed": `connections` loops each send a batch and wait for its answer (the most the
//   server sustains); only answers that arrive after the warm-up and before the end count towards
//   `measured.spansPerSecond`.
// mode "open": batches leave on a fixed schedule (`spansPerSecond`) whatever the answers, over at
//   most `connections` sockets (more wait in the client, as in an exporter's queue), each given up
//   after `timeoutMs` (10 s, OTLP exporters' default) from when it was due.
// Latencies run from when a batch was due to its answer: in a closed loop those answered in the
// measured window, in an open loop every batch due after the warm-up (late answers included).
// `maxInFlight` counts batches sent and not yet answered, those queued in the client included.
// Either way every batch is accounted for: answered 200 (spans accepted, minus those the server
// refused one by one as an OTLP partial success), answered another status, failed, or timed out;
// `acceptedBatches` lists the batch numbers whose spans the server acknowledged, for the harness to
// find in telemetry.spans.
import http from "node:http";
import { createBatchSource, SPANS_PER_BATCH } from "./otlp-batches.mjs";

const options = JSON.parse(process.argv[2] ?? "{}");
const mode = options.mode ?? "closed";
const connections = options.connections ?? 32;
const warmupMs = (options.warmupSeconds ?? 0) * 1000;
const measureMs = (options.seconds ?? 10) * 1000;
const timeoutMs = options.timeoutMs ?? 10_000;
const url = new URL(options.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const source = createBatchSource(options.runId);

const statuses = {};
const acceptedBatches = [];
const latencies = [];
const perSecond = [];
let acceptedSpans = 0;
let partialRejected = 0;
let errors = 0;
let timedOut = 0;
let sentSpans = 0;
let windowSpans = 0;
let windowBatches = 0;
let inFlight = 0;
let maxInFlight = 0;
let lastError = null;

const started = performance.now();
const measureFrom = started + warmupMs;
const measureTo = measureFrom + measureMs;
const second = (t) => {
  const s = Math.floor((t - started) / 1000);
  perSecond[s] ??= { sent: 0, accepted: 0, failed: 0 };
  return perSecond[s];
};

/** One batch, resolved when it is accounted for (never rejects). */
function send(dueAt) {
  const { number, body, spans } = source.next();
  const payload = Buffer.from(body);
  sentSpans += spans;
  second(performance.now()).sent += spans;
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status, text) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight--;
      const now = performance.now();
      if (status === 200) {
        // An OTLP partial success names the spans the server refused one by one.
        let rejected = 0;
        try {
          rejected = Number(JSON.parse(text || "{}").partialSuccess?.rejectedSpans ?? 0);
        } catch {
          rejected = 0;
        }
        partialRejected += rejected;
        acceptedSpans += spans - rejected;
        acceptedBatches.push(number);
        second(now).accepted += spans - rejected;
        if (now >= measureFrom && now <= measureTo) {
          windowSpans += spans - rejected;
          windowBatches++;
          if (mode === "closed") latencies.push(now - dueAt);
        }
        // Open loop: every batch's latency, those answered after the schedule ended included.
        if (mode === "open" && dueAt >= measureFrom) latencies.push(now - dueAt);
      } else {
        second(now).failed += spans;
        if (status !== null) lastError = `${status}: ${String(text).slice(0, 300)}`;
      }
      if (status !== null) statuses[status] = (statuses[status] ?? 0) + 1;
      resolve();
    };
    const timer = setTimeout(
      () => {
        timedOut++;
        req.destroy();
        settle(null);
      },
      Math.max(1, timeoutMs - (performance.now() - dueAt)),
    );
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${options.secret}`, "content-type": "application/json", "content-length": payload.length },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => settle(res.statusCode, Buffer.concat(chunks).toString("utf8")));
        res.on("error", (error) => {
          errors++;
          lastError = error.message;
          settle(null);
        });
      },
    );
    req.on("error", (error) => {
      if (settled) return;
      errors++;
      lastError = error.message;
      settle(null);
    });
    req.end(payload);
  });
}

async function closedLoop() {
  const end = measureTo;
  const worker = async () => {
    while (performance.now() < end) await send(performance.now());
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

async function openLoop() {
  const perMs = options.spansPerSecond / SPANS_PER_BATCH / 1000; // batches due per millisecond
  const end = measureTo;
  const pending = new Set();
  let due = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const target = Math.floor((Math.min(now, end) - started) * perMs);
      while (due < target) {
        const dueAt = started + due / perMs;
        const p = send(dueAt);
        pending.add(p);
        void p.then(() => pending.delete(p));
        due++;
      }
      if (now >= end) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
}

console.log(`STARTED ${JSON.stringify({ runId: source.runId, mode })}`);
const cpuBefore = process.cpuUsage();
await (mode === "open" ? openLoop() : closedLoop());
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();

const sorted = latencies.sort((a, b) => a - b);
const q = (p) => (sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(1)) : null);
const elapsedS = (performance.now() - started) / 1000;
console.log(
  `RESULT ${JSON.stringify({
    runId: source.runId,
    mode,
    connections,
    spansPerBatch: SPANS_PER_BATCH,
    targetSpansPerSecond: mode === "open" ? options.spansPerSecond : null,
    measured: {
      seconds: measureMs / 1000,
      batches: windowBatches,
      spans: windowSpans,
      spansPerSecond: Math.round(windowSpans / (measureMs / 1000)),
      p50Ms: q(0.5),
      p90Ms: q(0.9),
      p99Ms: q(0.99),
      maxMs: q(1),
    },
    sent: { batches: source.batches, spans: sentSpans },
    acceptedSpans,
    partialRejectedSpans: partialRejected,
    statuses,
    errors,
    timedOut,
    lastError,
    maxInFlight,
    elapsedSeconds: Number(elapsedS.toFixed(2)),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    perSecond,
    acceptedBatches,
  })}`,
);
process.exit(0);
