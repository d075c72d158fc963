// The gateway case's client, in a process of its own: the official `openai` npm client (one
// instance per target, keep-alive) calling chat completions on each target, timed with
// performance.now() around `client.chat.completions.create`. Targets are measured interleaved, in
// chunks (chunk 1 of every target, then chunk 2 of every target, …), so a machine that slows down
// for a few seconds slows every target alike. Prints `RESULT {…}`.
//
//   node bench/gateway-client.mjs '{"targets":[{"name":"direct","baseURL":"http://…/v1","apiKey":"sk-…",
//     "model":"gpt-4o-mini","messages":[…],"variables":{…},"extra":{"temperature":0.3},"headers":{…}}, …],
//     "warmup":200,"sequential":2000,"chunk":250,"concurrency":64,"concurrentRequests":4000}'
import OpenAI from "openai";

const options = JSON.parse(process.argv[2] ?? "{}");
const warmup = options.warmup ?? 200;
const sequential = options.sequential ?? 2000;
const chunk = options.chunk ?? 250;
const concurrency = options.concurrency ?? 64;
const concurrentRequests = options.concurrentRequests ?? 4000;
const concurrentChunk = options.concurrentChunk ?? 1000;

const targets = options.targets.map((t) => ({
  ...t,
  client: new OpenAI({ baseURL: t.baseURL, apiKey: t.apiKey, maxRetries: 0, timeout: 30_000, defaultHeaders: t.headers ?? {} }),
  params: { model: t.model, messages: t.messages, ...(t.variables ? { variables: t.variables } : {}), ...(t.extra ?? {}) },
  sequential: [],
  concurrent: [],
  errors: 0,
  lastError: null,
}));

async function call(target, into) {
  const started = performance.now();
  try {
    const completion = await target.client.chat.completions.create(target.params);
    const ms = performance.now() - started;
    if (!completion.choices?.[0]?.message?.content) throw new Error(`empty answer: ${JSON.stringify(completion).slice(0, 200)}`);
    into?.push(ms);
  } catch (error) {
    target.errors++;
    target.lastError = String(error?.message ?? error).slice(0, 300);
  }
}

console.log(`STARTED ${JSON.stringify({ targets: targets.map((t) => t.name) })}`);
const cpuBefore = process.cpuUsage();

// One call per target with the raw response: what each answered, and Keel's guardrail header.
for (const t of targets) {
  const { data, response } = await t.client.chat.completions.create(t.params).withResponse();
  t.sample = {
    status: response.status,
    content: data.choices[0]?.message?.content?.slice(0, 300) ?? null,
    usage: data.usage ?? null,
    guardrailsFlagged: response.headers.get("x-keel-guardrails-flagged"),
    traceId: response.headers.get("x-keel-trace-id"),
  };
}
for (const t of targets) for (let i = 0; i < warmup; i++) await call(t, null);

for (let done = 0; done < sequential; done += chunk) {
  const n = Math.min(chunk, sequential - done);
  for (const t of targets) for (let i = 0; i < n; i++) await call(t, t.sequential);
}

for (const t of targets) {
  // Warm the connection pool to the concurrency measured.
  await Promise.all(Array.from({ length: concurrency }, () => call(t, null)));
}
for (let done = 0; done < concurrentRequests; done += concurrentChunk) {
  const n = Math.min(concurrentChunk, concurrentRequests - done);
  for (const t of targets) {
    let next = 0;
    const worker = async () => {
      while (next++ < n) await call(t, t.concurrent);
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    t.concurrentMs = (t.concurrentMs ?? 0) + (performance.now() - started);
  }
}

const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => (s.length ? Number(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)].toFixed(3)) : null);
  return {
    n: s.length,
    p50Ms: q(0.5),
    p90Ms: q(0.9),
    p99Ms: q(0.99),
    maxMs: q(1),
    meanMs: s.length ? Number((s.reduce((a, b) => a + b, 0) / s.length).toFixed(3)) : null,
  };
};
const cpu = process.cpuUsage(cpuBefore);
console.log(
  `RESULT ${JSON.stringify({
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    warmup,
    concurrency,
    targets: targets.map((t) => ({
      name: t.name,
      sequential: stats(t.sequential),
      concurrent: { ...stats(t.concurrent), rps: t.concurrentMs ? Math.round(t.concurrent.length / (t.concurrentMs / 1000)) : null },
      errors: t.errors,
      lastError: t.lastError,
      sample: t.sample,
    })),
  })}`,
);
process.exit(0);
