// Fixed-rate GET latency probe for the prompt-under-ingest case, in a process of its own: sends
// `rate` requests a second (on a schedule, whatever the answers: a slow answer cannot hide the
// requests that should have followed it) over at most `connections` keep-alive sockets, and times
// each from when it was due to its last byte with performance.now(). Prints `RESULT {…}`.
//
//   node bench/load-get.mjs '{"url":"http://127.0.0.1:3000/api/public/v2/prompts/x?label=production",
//     "headers":{"authorization":"Bearer sk-keel-…"},"rate":1000,"connections":16,"warmupSeconds":2,"seconds":10}'
import http from "node:http";

const options = JSON.parse(process.argv[2] ?? "{}");
const url = new URL(options.url);
const rate = options.rate ?? 1000;
const warmupMs = (options.warmupSeconds ?? 2) * 1000;
const measureMs = (options.seconds ?? 10) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections ?? 16 });

const latencies = [];
const statuses = {};
let errors = 0;
let lastError = null;

function get(dueAt, counted) {
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers: options.headers ?? {} }, (res) => {
      res.on("data", () => {});
      res.on("end", () => {
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (counted && res.statusCode === 200) latencies.push(performance.now() - dueAt);
        resolve();
      });
    });
    req.on("error", (error) => {
      errors++;
      lastError = error.message;
      resolve();
    });
    req.end();
  });
}

const started = performance.now();
const measureFrom = started + warmupMs;
const end = measureFrom + measureMs;
const perMs = rate / 1000;
const pending = new Set();
let due = 0;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const target = Math.floor((Math.min(now, end) - started) * perMs);
    while (due < target) {
      const dueAt = started + due / perMs;
      const p = get(dueAt, dueAt >= measureFrom);
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
agent.destroy();

const sorted = latencies.sort((a, b) => a - b);
const q = (p) => (sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(2)) : null);
console.log(
  `RESULT ${JSON.stringify({ rate, seconds: measureMs / 1000, requests: sorted.length, p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), p999Ms: q(0.999), maxMs: q(1), statuses, errors, lastError })}`,
);
process.exit(0);
