// Reads from a real streaming replica with read-your-writes. The test starts its own primary and
// a hot standby of it (pg_basebackup -R, test/support/replica.ts), migrates the primary and points
// DATABASE_URL at it and KEEL_READ_DATABASE_URL at the standby. Pausing the standby's replay makes
// the two differ on purpose: what a read sees tells where it was served from. Reads of a session
// without a recent change come from the standby; a session (or API key) that just changed
// something reads it back at once, from the primary, until the standby has replayed it; writes go
// to the primary even while the standby is paused.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestOrg, testRequest, type TestOrg } from "@/test/support/factories";
import { replicaToolsUnavailable, startReplicatedPostgres, type ReplicatedPostgres } from "@/test/support/replica";
import { bearer, createKey, startPublicApi } from "@/test/support/public-api";
import { createCaller } from "../api/root";
import { createContext, type Context } from "../api/trpc";
import { readAfterCookie, readAfterOf } from "../api/http-context";
import { migrateDatabase } from "./migrate";
import { closeReadOnlyDb, getDb, getReadDb, readSql, type ReadDb } from "./client";
import { captureWriteLsn, readingFromReplica, routeReads } from "./replica";
import { pgQuery, sql } from "./sql";
import { closeTelemetryPool, readPool } from "../telemetry/store";
import { startAuditExport } from "../domain/audit/export";
import type { SessionUser } from "../auth/session";
import type { Actor } from "../audit/actor";

const unavailable = replicaToolsUnavailable();
if (unavailable) console.warn(`[replica.int.test] skipped: ${unavailable}`);

let pgs: ReplicatedPostgres;
let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

/** A browser session: its context keeps the WAL position of its last change, as its cookie would. */
function session(user: SessionUser, readAfter: string | null = null) {
  const ctx: Context = createContext(user, testRequest(), readAfter);
  return { ctx, caller: createCaller(ctx) };
}

async function promptNames(caller: ReturnType<typeof createCaller>): Promise<string[]> {
  return (await caller.prompts.list(scope())).items.map((p) => p.name);
}

describe.skipIf(unavailable !== null)("a streaming read replica", () => {
  beforeAll(async () => {
    pgs = await startReplicatedPostgres("keel");
    await migrateDatabase(pgs.primaryUrl());
    vi.stubEnv("DATABASE_URL", pgs.primaryUrl());
    vi.stubEnv("KEEL_READ_DATABASE_URL", pgs.standbyUrl());
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
    t = await createTestOrg();
    await pgs.caughtUp();
  }, 120_000);

  afterAll(async () => {
    try {
      await Promise.all([getDb().$disconnect(), closeReadOnlyDb(), closeTelemetryPool()]);
    } finally {
      vi.unstubAllEnvs();
      // Whatever failed above, neither server outlives the file.
      await pgs?.stop();
    }
  });

  it("serves a request's reads from the standby, and nothing else", async () => {
    const recovery = sql`SELECT pg_is_in_recovery() AS standby`;
    const where = async () => ({
      prisma: (await getReadDb().$queryRaw<{ standby: boolean }[]>(recovery))[0]!.standby,
      raw: (await readSql<{ standby: boolean }>(getDb() as unknown as ReadDb, recovery))[0]!.standby,
      telemetry: (await pgQuery<{ standby: boolean }>(readPool(), recovery)).rows[0]!.standby,
    });
    expect(await routeReads(null, where)).toEqual({ prisma: true, raw: true, telemetry: true });
    // Outside a routed read (mutations, the worker, the audited path): the primary.
    expect(await where()).toEqual({ prisma: false, raw: false, telemetry: false });
    expect((await getDb().$queryRaw<{ standby: boolean }[]>(recovery))[0]!.standby).toBe(false);
  });

  it("lets a session read its own change at once, while others read the standby until it has replayed it", async () => {
    const writer = session(t.users.editor);
    const other = session(t.users.viewer);
    await pgs.pauseReplay();
    try {
      // A write while the standby applies nothing: it went to the primary.
      await writer.caller.prompts.create({ ...scope(), name: "fresh", content: { type: "text", template: "Hi", config: {} }, commitMessage: "v1" });
      expect(writer.ctx.consistency.wrote).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      // The other session reads the standby: no such prompt there yet.
      expect(await promptNames(other.caller)).not.toContain("fresh");
      // The writer's next request (the same session) and a new request carrying its cookie read it back.
      expect(await promptNames(writer.caller)).toContain("fresh");
      const cookie = readAfterCookie(writer.ctx.consistency.wrote!);
      const nextRequest = session(t.users.editor, readAfterOf(cookie.split(";")[0]!));
      expect(await promptNames(nextRequest.caller)).toContain("fresh");
      expect(await routeReads(writer.ctx.consistency.wrote, async () => readingFromReplica())).toBe(false);
    } finally {
      await pgs.resumeReplay();
    }
    await pgs.caughtUp();
    expect(await promptNames(other.caller)).toContain("fresh");
    // Replayed: the writer's reads go back to the standby.
    expect(await routeReads(writer.ctx.consistency.wrote, async () => readingFromReplica())).toBe(true);
  });

  it("shows the trace explorer and dashboards from the standby", async () => {
    const ingest = await createKey(t, ["traces:ingest"]);
    const api = await startPublicApi({ ingestThreads: 0 });
    const viewer = session(t.users.viewer);
    await pgs.pauseReplay();
    try {
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
                      traceId: "ef".repeat(16),
                      spanId: "01".repeat(8),
                      name: "answer",
                      kind: 1,
                      startTimeUnixNano: String(startNs),
                      endTimeUnixNano: String(startNs + 1_000_000n),
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
      // Stored on the primary, not yet replayed: the explorer (reading the standby) does not list it.
      expect((await viewer.caller.observability.traces({ ...scope(), window: "1h" })).items).toHaveLength(0);
    } finally {
      await pgs.resumeReplay();
      await api.close();
    }
    await pgs.caughtUp();
    expect((await viewer.caller.observability.traces({ ...scope(), window: "1h" })).items.map((i) => i.traceId)).toEqual(["ef".repeat(16)]);
  });

  it("streams an audit export from the standby's snapshot and records it on the primary", async () => {
    const admin = session(t.users.admin);
    await pgs.caughtUp();
    const before = await getDb().auditEvent.count({ where: { orgId: t.org.id } });
    await pgs.pauseReplay();
    try {
      // A change the standby has not replayed: an export read there ends before it.
      await admin.caller.prompts.create({ ...scope(), name: "after-pause", content: { type: "text", template: "x", config: {} }, commitMessage: "v1" });
      const actor: Actor = { type: "user", id: t.users.admin.id, label: t.users.admin.email, role: "admin", request: testRequest() };
      const filters = { from: null, to: null, project: null, action: null, actor: null, targetType: null, targetId: null, outcome: null, q: null };
      const exp = await routeReads(null, () => startAuditExport({ orgId: t.org.id, format: "jsonl", filters, actor }));
      let text = "";
      for await (const chunk of exp.body) text += chunk.toString();
      const rows = text.trim().split("\n");
      expect(rows).toHaveLength(before);
      expect(exp.rowCount).toBe(before);
      // The manifest is signed and stored on the primary once the file was read.
      const manifest = await exp.manifest;
      expect(manifest.rowCount).toBe(before);
      // The export itself is audited on the primary, where the standby (paused) cannot have it yet.
      expect(await getDb().auditEvent.count({ where: { orgId: t.org.id, action: "audit.exported" } })).toBeGreaterThan(0);
    } finally {
      await pgs.resumeReplay();
    }
  });

  it("answers public GETs from the standby, and a key's own change from the primary", async () => {
    await session(t.users.editor).caller.datasets.create({ ...scope(), name: "faq" });
    const writerKey = await createKey(t, ["datasets:write", "datasets:read"], "writer");
    const readerKey = await createKey(t, ["datasets:read"], "reader");
    const api = await startPublicApi();
    await pgs.caughtUp();
    const items = async (key: typeof writerKey) => {
      const res = await fetch(`${api.base}/api/public/v1/datasets/faq/items`, { headers: bearer(key) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { input: { q: string } }[] }).data.map((i) => i.input.q);
    };
    await pgs.pauseReplay();
    try {
      const added = await fetch(`${api.base}/api/public/v1/datasets/faq/items`, {
        method: "POST",
        headers: { ...bearer(writerKey), "content-type": "application/json" },
        body: JSON.stringify({ items: [{ input: { q: "hours" }, expected: "9-5" }] }),
      });
      expect(added.status).toBe(201);
      expect(await items(writerKey)).toEqual(["hours"]);
      expect(await items(readerKey)).toEqual([]);
    } finally {
      await pgs.resumeReplay();
    }
    await pgs.caughtUp();
    expect(await items(readerKey)).toEqual(["hours"]);
    await api.close();
  });

  it("keeps a change's reads on the primary when its position could not be read", async () => {
    // A primary that cannot answer the position: the mark is the highest, never reached.
    const broken = { $queryRaw: () => Promise.reject(new Error("Connection terminated")) } as unknown as Parameters<typeof captureWriteLsn>[0];
    const mark = await captureWriteLsn(broken);
    expect(await routeReads(mark, async () => readingFromReplica())).toBe(false);
  });
});
