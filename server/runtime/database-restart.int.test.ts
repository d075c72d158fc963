// PostgreSQL restarted under load is a blip, not an outage. This file runs its own PostgreSQL (not
// the test run's server) and Keel's real code in child processes: the web process minus Next
// (test/support/keel-web.ts: public API, OTLP ingestion, gateway) and an evaluation worker
// (`keel worker`). While a dataset import streams in, OTLP batches arrive and an evaluation run
// executes against the fake provider, PostgreSQL is stopped the way a crash or
// `pg_ctl restart -m immediate` stops it (SIGQUIT to the postmaster: every backend dies without
// a goodbye, crash recovery on the next start), kept down for a second, and started again.
//
// Both processes must stay up; requests during the outage get 503 with Retry-After (never a 500,
// never a hang); within 2 s of PostgreSQL accepting connections requests succeed again; no
// acknowledged write is lost: every span whose batch got a 2xx is stored, the run completes with
// every item stored once, the import committed whole or not at all and its retry succeeds.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmbeddedPostgres, type RunningPostgres } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { createKey } from "@/test/support/public-api";

const root = fileURLToPath(new URL("../../", import.meta.url));
const RUN_ITEMS = 80;
const IMPORT_ROWS = 4_000;

let dataDir: string;
let postgres: RunningPostgres;
let fake: FakeProviderServer;
let t: TestOrg;
let secret: string;
let providerId: string;
const children: Child[] = [];

type Child = { name: string; process: ChildProcess; output: string[] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keel under tsx in a child process, as `npm start` and `npx keel` run it. */
function startKeel(name: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ child: Child; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: postgres.url,
      KEEL_SECRET: "database-restart-test-secret".padEnd(40, "x"),
      KEEL_EGRESS_ALLOW: "127.0.0.0/8",
      KEEL_QUEUE_POLL_SECONDS: "0.5",
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child: Child = { name, process: proc, output: [] };
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${child.output.join("\n")}`)), 60_000);
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        child.output.push(line);
        const match = line.match(ready);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match });
        }
      }
    };
    proc.stdout!.on("data", onLine);
    proc.stderr!.on("data", onLine);
    proc.once("exit", (code, signal) => {
      child.output.push(`(exited: ${signal ?? code})`);
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready:\n${child.output.join("\n")}`));
    });
  });
}

/** A statement on a connection of its own (the test's view of the database, across restarts). */
async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * `pg_ctl restart -m immediate`, spelled out: SIGQUIT to the postmaster (what `-m immediate`
 * sends), down for `downMs`, then the same data directory and port again. Resolves with the time
 * PostgreSQL accepted connections again.
 */
async function restartImmediately(downMs: number): Promise<{ downAt: number; upAt: number }> {
  const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  process.kill(pid, "SIGQUIT");
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await sleep(10);
  }
  const downAt = Date.now();
  await sleep(downMs);
  postgres = await startEmbeddedPostgres({ dataDir, port: postgres.port });
  return { downAt, upAt: Date.now() };
}

type Answer = { at: number; ms: number; status: number | "timeout" | "error"; retryAfter: string | null; error?: string };

async function call(url: string, init: RequestInit): Promise<Answer> {
  const at = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
    await res.arrayBuffer();
    return { at, ms: Date.now() - at, status: res.status, retryAfter: res.headers.get("retry-after") };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const status = (error as Error).name === "TimeoutError" ? "timeout" : "error";
    return { at, ms: Date.now() - at, status, retryAfter: null, error: `${(error as Error).message}: ${cause?.code ?? ""} ${cause?.message ?? ""}` };
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** An OTLP/JSON batch of `n` spans with fresh ids. */
function otlpBatch(n: number): { body: string; spanIds: string[] } {
  const traceId = hex(16);
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, () => ({
    traceId,
    spanId: hex(8),
    name: "restart-probe",
    kind: 1,
    startTimeUnixNano: String(now - 5_000_000n),
    endTimeUnixNano: String(now),
  }));
  const body = JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: "restart-test" } }] }, scopeSpans: [{ scope: { name: "t" }, spans }] },
    ],
  });
  return { body, spanIds: spans.map((s) => s.spanId) };
}

function csvRows(from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) out += `Imported question ${i} ${"x".repeat(80)},Imported answer ${i}\n`;
  return out;
}

/**
 * A dataset import whose file arrives in `chunks` pieces `gapMs` apart (a slow upload), so the
 * database can go away while its COPY is open. `onChunk` hears how many pieces were sent.
 */
function slowImport(base: string, dataset: string, chunks: number, gapMs: number, onChunk: (sent: number) => void) {
  return new Promise<{ status: number; retryAfter: string | null; body: string }>((resolve, reject) => {
    const req = request(`${base}/api/public/v1/datasets/${dataset}/import?format=csv`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "text/csv" },
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers["retry-after"] as string | undefined) ?? null, body }));
    });
    req.on("error", reject);
    void (async () => {
      req.write("question,expected\n");
      const per = IMPORT_ROWS / chunks;
      for (let i = 0; i < chunks; i++) {
        if (req.destroyed) return;
        req.write(csvRows(i * per, (i + 1) * per));
        onChunk(i + 1);
        await sleep(gapMs);
      }
      req.end();
    })();
  });
}

beforeAll(async () => {
  const parent = await mkdtemp(path.join(os.tmpdir(), "keel-restart-"));
  await chmod(parent, 0o755); // as root the server runs as `postgres`, which must reach it
  dataDir = path.join(parent, "data");
  // Durable settings (not the test run's fsync=off, synchronous_commit=off): with those an
  // immediate shutdown may lose commits PostgreSQL already acknowledged, which is the very thing
  // this file checks Keel does not do.
  postgres = await startEmbeddedPostgres({ dataDir });
  await migrateDatabase(postgres.url);

  // This file's organization, key, provider, prompt and datasets live in that database.
  process.env.DATABASE_URL = postgres.url;
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  fake = await startFakeOpenAI();
  t = await createTestOrg();
  ({ secret } = await createKey(t, ["datasets:write", "traces:ingest", "evaluations:write"]));
  const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
  const editor = callerFor(t.users.editor);
  providerId = (
    await callerFor(t.users.admin).providers.create({
      ...scope,
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  await editor.prompts.create({
    ...scope,
    name: "qa",
    content: { type: "text", template: "{{question}}", config: { providerId, model: "gpt-4o-mini" } },
    commitMessage: "v1",
  });
  await editor.datasets.create({ ...scope, name: "qa" });
  await editor.datasets.addItems({
    ...scope,
    name: "qa",
    items: Array.from({ length: RUN_ITEMS }, (_, i) => ({ input: { question: `Question ${i + 1}` }, expected: `Echo: Question ${i + 1}` })),
  });
  await editor.datasets.create({ ...scope, name: "imported" });
  await editor.evaluators.create({ ...scope, name: "exact", config: { kind: "exact_match" } });
  // The test's own connections to this database go before it restarts (they are not under test).
  const { closeReadOnlyDb, getDb } = await import("../db/client");
  await getDb().$disconnect();
  await closeReadOnlyDb();
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const child of children) child.process.kill("SIGKILL");
  await fake?.close();
  await postgres?.stop();
  if (dataDir) await rm(path.dirname(dataDir), { recursive: true, force: true });
});

describe("PostgreSQL restarted mid-import, mid-ingest and mid-run", () => {
  it("keeps Keel up, answers 503 with Retry-After meanwhile, recovers within 2 s and loses no acknowledged write", async () => {
    // Two web processes: OTLP written in the ingestion worker thread (the default), and on the
    // main thread (KEEL_INGEST_THREADS=0), where a lost connection once ended the whole process.
    const [{ child: web, match }, { child: web0, match: match0 }, { child: worker }] = await Promise.all([
      startKeel("web", ["test/support/keel-web.ts"], /listening on (\d+)/),
      startKeel("web (KEEL_INGEST_THREADS=0)", ["test/support/keel-web.ts"], /listening on (\d+)/, { KEEL_INGEST_THREADS: "0" }),
      startKeel("worker", ["server/cli/keel.ts", "worker"], /listening for evaluation runs/),
    ]);
    const bases = [`http://127.0.0.1:${match[1]}`, `http://127.0.0.1:${match0[1]}`];
    const base = bases[0]!;
    const auth = { authorization: `Bearer ${secret}` };

    // Probes, to both web processes in turn: a read that needs the database every 50 ms, OTLP
    // batches back to back.
    let stop = false;
    const polls: Answer[] = [];
    const probing = (async () => {
      for (let i = 0; !stop; i++) {
        polls.push(await call(`${bases[i % 2]}/api/public/v1/datasets`, { headers: auth }));
        await sleep(50);
      }
    })();
    const batches: Answer[] = [];
    const acknowledged: string[] = [];
    const ingesting = (async () => {
      for (let i = 0; !stop; i++) {
        const batch = otlpBatch(20);
        const answer = await call(`${bases[i % 2]}/api/public/otel/v1/traces`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: batch.body,
        });
        batches.push(answer);
        if (typeof answer.status === "number" && answer.status < 300) acknowledged.push(...batch.spanIds);
        await sleep(20);
      }
    })();

    // An evaluation run, well under way when the database goes.
    fake.setLatency(200);
    const created = await fetch(`${base}/api/public/v1/evaluations/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ prompt: { name: "qa" }, dataset: { name: "qa" }, evaluators: ["exact"], providerId, concurrency: 4 }),
    });
    expect(created.status).toBe(201);
    const { id: runId } = (await created.json()) as { id: string };
    const doneItems = async () =>
      Number((await query<{ n: string }>("SELECT count(*) AS n FROM evaluation_run_items WHERE run_id = $1 AND status = 'done'", [runId]))[0]!.n);
    while ((await doneItems()) < 12) await sleep(100);

    // An import whose COPY is open when the database goes.
    let chunksSent = 0;
    const importing = slowImport(base, "imported", 16, 100, (n) => (chunksSent = n));
    while (chunksSent < 6) await sleep(10);
    const doneBefore = await doneItems();
    const { downAt, upAt } = await restartImmediately(1_000);
    const imported = await importing;

    // Two seconds after PostgreSQL is back, and a little more to see it stays well.
    await sleep(Math.max(0, upAt + 3_000 - Date.now()));
    stop = true;
    await Promise.all([probing, ingesting]);

    // Both processes are alive: no uncaught error ended them.
    const alive = (c: Child) => c.process.exitCode === null && c.process.signalCode === null;
    expect(alive(web), web.output.join("\n")).toBe(true);
    expect(alive(web0), web0.output.join("\n")).toBe(true);
    expect(alive(worker), worker.output.join("\n")).toBe(true);

    // During the outage: 503 with Retry-After, or success; never a 500, an error or a hang.
    const outage = (a: Answer) => a.status !== 200;
    const described = (a: Answer, kind: string) => `${kind} at ${a.at - downAt} ms after the stop (up at ${upAt - downAt}): ${JSON.stringify(a)}`;
    for (const answer of [...polls, ...batches].filter(outage)) {
      expect(answer, described(answer, polls.includes(answer) ? "read" : "OTLP batch")).toMatchObject({ status: 503 });
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    const failedPolls = polls.filter(outage);
    expect(failedPolls.length).toBeGreaterThan(0); // the outage was seen at all
    // Within 2 s of PostgreSQL accepting connections, answers are normal again.
    const lateFailures = [...polls, ...batches].filter((a) => outage(a) && a.at >= upAt + 2_000);
    expect(lateFailures).toEqual([]);
    const recovered = polls.find((a) => a.at >= upAt && a.status === 200);
    expect(recovered).toBeDefined();

    // The import failed as a whole (503, nothing written), and the same file imports on retry.
    expect(imported.status, imported.body).toBe(503);
    expect(imported.retryAfter).toMatch(/^\d+$/);
    const [dataset] = await query<{ id: string; latest_version: number }>(
      "SELECT id, latest_version FROM datasets WHERE project_id = $1 AND name = 'imported'",
      [t.project.id],
    );
    expect(dataset!.latest_version).toBe(0);
    expect((await query("SELECT 1 FROM dataset_item_revisions WHERE dataset_id = $1", [dataset!.id])).length).toBe(0);
    const retried = await fetch(`${base}/api/public/v1/datasets/imported/import?format=csv`, {
      method: "POST",
      headers: { ...auth, "content-type": "text/csv" },
      body: "question,expected\n" + csvRows(0, IMPORT_ROWS),
    });
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { result: { added: number } }).result.added).toBe(IMPORT_ROWS);

    // Every acknowledged span is stored.
    const stored = new Set(
      (await query<{ span_id: string }>("SELECT span_id FROM telemetry.spans WHERE project_id = $1", [t.project.id])).map((r) => r.span_id),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

    // The run completes, every item answered and stored once.
    let status = "";
    for (let i = 0; i < 300 && status !== "completed"; i++) {
      status = (await query<{ status: string }>("SELECT status FROM evaluation_runs WHERE id = $1", [runId]))[0]!.status;
      if (status !== "completed") await sleep(100);
    }
    expect(status).toBe("completed");
    const items = await query<{ status: string; output: string; attempts: number }>(
      "SELECT status, output, attempts FROM evaluation_run_items WHERE run_id = $1",
      [runId],
    );
    expect(items).toHaveLength(RUN_ITEMS);
    expect(items.every((i) => i.status === "done" && i.output.startsWith("Echo: Question"))).toBe(true);
    // Asked again only when claimed again (calls whose result could not be stored during the outage).
    const reclaims = items.reduce((n, i) => n + i.attempts - 1, 0);
    const calls = fake.requests.length;
    expect(calls).toBeGreaterThanOrEqual(RUN_ITEMS);
    expect(calls).toBeLessThanOrEqual(RUN_ITEMS + reclaims);

    const firstOk = recovered!.at + recovered!.ms - upAt;
    console.log(
      `[restart] down ${((upAt - downAt) / 1000).toFixed(1)} s; ${doneBefore} of ${RUN_ITEMS} items done before; ` +
        `${failedPolls.length} of ${polls.length} reads and ${batches.filter(outage).length} of ${batches.length} OTLP batches answered 503; ` +
        `first normal read ${firstOk} ms after PostgreSQL accepted connections; ${acknowledged.length} spans acknowledged, all stored; ` +
        `${reclaims} items claimed again; import ${imported.status}, retried 200`,
    );
  }, 150_000);
});
