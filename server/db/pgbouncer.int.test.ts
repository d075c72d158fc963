// Keel behind a real PgBouncer in transaction mode (Debian's package; the test installs it when
// it is missing, or skips naming the command): DATABASE_URL goes through PgBouncer
// (`?pgbouncer=true`) for Prisma, the telemetry pool, bulk imports and pg-boss, and
// KEEL_LISTEN_DATABASE_URL goes straight to PostgreSQL for LISTEN and migrations. Keel's core
// paths run through it: a governed change on the audited path, a dataset import (COPY and a
// temporary table in one transaction), prompt fetches whose cache hears another instance's change
// through NOTIFY, an OTLP ingest, an evaluation run worked by a separate worker process through
// pg-boss, the read-only raw-SQL path and the upkeep lock. PgBouncer's own statistics show the
// traffic went through it.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { pollUntil, spawnKeelWorker } from "@/test/support/processes";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { pgbouncerUnavailable, startPgBouncer, type RunningPgBouncer } from "@/test/support/pgbouncer";
import { addVersion, bearer, createKey, seedPrompt, setLabel, startPublicApi, text } from "@/test/support/public-api";
import { verifyAuditChain } from "../audit/chain";
import { getDb, readSql, type ReadDb } from "./client";
import { sql } from "./sql";
import { sessionDatabaseUrl } from "./connections";
import { exclusively } from "../telemetry/store";
import { getTrace } from "../telemetry/queries";

const unavailable = pgbouncerUnavailable();
if (unavailable) console.warn(`[pgbouncer.int.test] skipped: ${unavailable}`);

let bouncer: RunningPgBouncer;
let direct: string;
let t: TestOrg;
let fake: FakeProviderServer;
const children = new Set<ChildProcess>();
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);

const within = <T>(ms: number, what: string, fn: () => Promise<T | null | undefined | false>) => pollUntil(what, fn, ms);

describe.skipIf(unavailable !== null)("Keel through PgBouncer in transaction mode", () => {
  beforeAll(async () => {
    direct = process.env.DATABASE_URL!;
    bouncer = await startPgBouncer(direct, { poolMode: "transaction", poolSize: 6 });
    // Before anything connects: every pool this file opens goes through PgBouncer.
    vi.stubEnv("DATABASE_URL", bouncer.url(new URL(direct).pathname.slice(1)));
    vi.stubEnv("KEEL_LISTEN_DATABASE_URL", direct);
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
    t = await createTestOrg();
    fake = await startFakeOpenAI();
  });

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    try {
      await fake?.close();
      const { stopBoss } = await import("../queue/boss");
      await stopBoss();
      const { closeTelemetryPool } = await import("../telemetry/store");
      const { closeReadOnlyDb } = await import("./client");
      await Promise.all([getDb().$disconnect(), closeReadOnlyDb(), closeTelemetryPool()]);
    } finally {
      vi.unstubAllEnvs();
      // Whatever failed above, no PgBouncer outlives the file.
      await bouncer?.stop();
    }
  });

  it("runs a governed change on the audited path: the change, its event and an intact chain", async () => {
    const created = await editor().prompts.create({ ...scope(), name: "through-pgbouncer", content: text("Hello {{name}}"), commitMessage: "v1" });
    expect(created.version).toBe(1);
    const events = await getDb().auditEvent.findMany({ where: { orgId: t.org.id, targetType: "prompt" }, select: { action: true } });
    expect(events.map((e) => e.action)).toContain("prompt.created");
    expect(await verifyAuditChain(getDb() as unknown as ReadDb, t.org.id)).toMatchObject({ ok: true });
  });

  it("imports a dataset in upsert mode: COPY into a temporary table, applied in the same transaction", async () => {
    await editor().datasets.create({ ...scope(), name: "faq" });
    const key = await createKey(t, ["datasets:write", "datasets:read"]);
    const api = await startPublicApi();
    try {
      const upload = (body: string, mode: string) =>
        fetch(`${api.base}/api/public/v1/datasets/faq/import?format=csv&mode=${mode}${mode === "upsert" ? "&key=input.q" : ""}`, {
          method: "POST",
          headers: { ...bearer(key), "content-type": "text/csv" },
          body,
        });
      const appended = await upload("q,expected\nhours,9-5\nrefunds,30 days\n", "append");
      expect(appended.status, await appended.clone().text()).toBe(200);
      const upserted = await upload("q,expected\nhours,8-6\nshipping,2 days\n", "upsert");
      expect(upserted.status).toBe(200);
      expect(await upserted.json()).toMatchObject({ result: { mode: "upsert", updated: 1, added: 1, unchanged: 0 } });
    } finally {
      await api.close();
    }
  });

  it("serves prompts whose cache hears another instance's change through LISTEN on the session URL", async () => {
    const read = await createKey(t, ["prompts:read"]);
    await seedPrompt(t, "faq-answer", text("one"));
    await addVersion(t, "faq-answer", text("two"));
    await setLabel(t, "faq-answer", "production", 1);
    // Another instance: in-process invalidation off, so only NOTIFY can tell it.
    const b = await startPublicApi({ listen: { connectionString: sessionDatabaseUrl() }, inProcessInvalidation: false });
    try {
      const version = async () =>
        ((await (await fetch(`${b.base}/api/public/v1/prompts/faq-answer`, { headers: bearer(read) })).json()) as { version: number }).version;
      expect(await version()).toBe(1);
      const hits = b.api.stats().promptCache.hits;
      expect(await version()).toBe(1);
      expect(b.api.stats().promptCache.hits).toBe(hits + 1);
      // The label moves in a transaction through PgBouncer; its NOTIFY is delivered on commit.
      await setLabel(t, "faq-answer", "production", 2);
      await within(5_000, "the other instance to serve version 2", async () => (await version()) === 2);
      // The listening session is PostgreSQL's own, not one lent by PgBouncer.
      const pid = b.api.stats().listener!.pid;
      const clients = await bouncer.admin<{ application_name: string }>("SHOW CLIENTS");
      expect(clients.map((c) => c.application_name)).not.toContain("keel-change-listener");
      expect(pid).toBeGreaterThan(0);
    } finally {
      await b.close();
    }
  });

  it("ingests OTLP spans into the telemetry store", async () => {
    const ingest = await createKey(t, ["traces:ingest"]);
    const api = await startPublicApi();
    try {
      const traceId = "ab".repeat(16);
      const startNs = BigInt(Date.now()) * 1_000_000n;
      const res = await fetch(`${api.base}/api/public/otel/v1/traces`, {
        method: "POST",
        headers: { ...bearer(ingest), "content-type": "application/json" },
        body: JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [{ key: "service.name", value: { stringValue: "bot" } }] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId,
                      spanId: "cd".repeat(8),
                      name: "answer",
                      kind: 1,
                      startTimeUnixNano: String(startNs),
                      endTimeUnixNano: String(startNs + 5_000_000n),
                      attributes: [{ key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } }],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
      const trace = await within(5_000, "the trace", () => getTrace(t.project.id, traceId));
      expect(trace.spans.map((s) => s.name)).toEqual(["answer"]);
    } finally {
      await api.close();
    }
  });

  it("runs an evaluation through pg-boss with a worker process connected through PgBouncer", async () => {
    const provider = await callerFor(t.users.admin).providers.create({
      ...scope(),
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    });
    await editor().prompts.create({
      ...scope(),
      name: "qa",
      content: { type: "text", template: "{{question}}", config: { providerId: provider.id, model: "gpt-4o-mini" } },
      commitMessage: "v1",
    });
    await editor().datasets.create({ ...scope(), name: "qa" });
    await editor().datasets.addItems({
      ...scope(),
      name: "qa",
      items: Array.from({ length: 12 }, (_, i) => ({ input: { question: `Question ${i + 1}` }, expected: `Echo: Question ${i + 1}` })),
    });
    await editor().evaluators.create({ ...scope(), name: "exact", config: { kind: "exact_match" } });

    const worker = spawnKeelWorker({ KEEL_SECRET: "pgbouncer-test-secret-".padEnd(40, "x"), KEEL_QUEUE_POLL_SECONDS: "0.5" }, children);

    // The job is written through the run's audited transaction, through PgBouncer.
    const run = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa" },
      dataset: { name: "qa" },
      evaluators: ["exact"],
      providerId: provider.id,
      concurrency: 4,
    });
    const finished = await within(60_000, `the run to complete (worker: ${worker.output().trim().split("\n").pop() ?? ""})`, async () => {
      const r = await getDb().evaluationRun.findUniqueOrThrow({ where: { id: run.id } });
      return r.status === "completed" ? r : null;
    });
    expect((finished.summary as { evaluators: { passRate: number }[] }).evaluators[0]!.passRate).toBe(1);
    expect(await getDb().evaluationRunItem.count({ where: { runId: run.id, status: "done" } })).toBe(12);
    // The worker's queue connections are PgBouncer's clients.
    const clients = await bouncer.admin<{ application_name: string }>("SHOW CLIENTS");
    expect(clients.map((c) => c.application_name)).toContain("keel-queue");
    worker.kill("SIGTERM");
  }, 120_000);

  it("keeps raw reads read-only and under Keel's statement timeout without session settings", async () => {
    const reader = getDb() as unknown as ReadDb;
    const [row] = await readSql<{ timeout: string; readOnly: string }>(
      reader,
      sql`SELECT current_setting('statement_timeout') AS timeout, current_setting('transaction_read_only') AS "readOnly"`,
    );
    expect(row).toEqual({ timeout: "30s", readOnly: "on" });
    await expect(readSql(reader, sql`INSERT INTO rate_limits (key, window_start, count) VALUES ('x', now(), 1)`)).rejects.toThrow(/read-only transaction/);
  });

  it("lets one process at a time run an upkeep task", async () => {
    let release!: () => void;
    let started!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = exclusively("pgbouncer-test", async () => {
      started();
      await held;
      return "first";
    });
    await running;
    // While the first holds the task, others (whichever server connection PgBouncer lends them) are refused.
    for (let i = 0; i < 3; i++) expect(await exclusively("pgbouncer-test", async () => "second")).toBeNull();
    release();
    expect(await first).toBe("first");
    expect(await exclusively("pgbouncer-test", async () => "third")).toBe("third");
  });

  it("carried the traffic: PgBouncer counted this database's transactions", async () => {
    const database = new URL(direct).pathname.slice(1);
    // PgBouncer publishes its counters every stats_period (1 s here).
    await within(5_000, "PgBouncer's statistics", async () => {
      const stats = await bouncer.admin<{ database: string; total_xact_count: string }>("SHOW STATS");
      return Number(stats.find((s) => s.database === database)?.total_xact_count ?? 0) > 50;
    });
  });
});
