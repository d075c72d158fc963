// Tamper evidence: the database refuses changes to the log, and when someone goes around that
// (triggers disabled by a superuser), verification names the first broken event.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../db/client";
import { verifyAuditChain } from "./chain";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";

let admin: pg.Client;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
});
afterAll(() => admin.end());

/** Runs SQL with triggers disabled, as an attacker with superuser rights could. */
async function behindTheTriggers(sql: string, params: unknown[]) {
  await admin.query("BEGIN; SET LOCAL session_replication_role = replica;");
  await admin.query(sql, params);
  await admin.query("COMMIT");
}

async function orgWithEvents(): Promise<TestOrg> {
  const t = await createTestOrg();
  const owner = callerFor(t.users.owner);
  for (const name of ["a", "b", "c"]) await owner.apiKeys.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name, scopes: ["prompts:read"] });
  expect(await verifyAuditChain(getDb(), t.org.id)).toMatchObject({ ok: true });
  return t;
}

describe("append-only audit table", () => {
  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    const t = await orgWithEvents();
    await expect(admin.query("UPDATE audit_events SET action = 'x' WHERE org_id = $1", [t.org.id])).rejects.toThrow(/append-only/);
    await expect(admin.query("DELETE FROM audit_events WHERE org_id = $1", [t.org.id])).rejects.toThrow(/append-only/);
    await expect(admin.query("TRUNCATE audit_events CASCADE")).rejects.toThrow(/append-only/);
  });
});

describe("verify", () => {
  it("detects an edited event and names it", async () => {
    const t = await orgWithEvents();
    await behindTheTriggers(`UPDATE audit_events SET after = '{"name":"forged"}' WHERE org_id = $1 AND seq = 5`, [t.org.id]);
    expect(await verifyAuditChain(getDb(), t.org.id)).toMatchObject({ ok: false, firstBrokenSeq: "5" });
  });

  it("detects an edited event whose hash was recomputed (the next link breaks)", async () => {
    const t = await orgWithEvents();
    await behindTheTriggers(`UPDATE audit_events SET action = 'member.removed', hash = repeat('a', 64) WHERE org_id = $1 AND seq = 4`, [t.org.id]);
    const result = await verifyAuditChain(getDb(), t.org.id);
    expect(result.ok).toBe(false);
    expect(["4", "5"]).toContain((result as { firstBrokenSeq: string }).firstBrokenSeq);
  });

  it("detects a deleted event in the middle", async () => {
    const t = await orgWithEvents();
    await behindTheTriggers("DELETE FROM audit_events WHERE org_id = $1 AND seq = 3", [t.org.id]);
    expect(await verifyAuditChain(getDb(), t.org.id)).toMatchObject({ ok: false, firstBrokenSeq: "3", reason: expect.stringMatching(/missing/) });
  });

  it("detects a deleted last event through the chain head", async () => {
    const t = await orgWithEvents();
    const { rows } = await admin.query("SELECT max(seq)::text AS last FROM audit_events WHERE org_id = $1", [t.org.id]);
    await behindTheTriggers("DELETE FROM audit_events WHERE org_id = $1 AND seq = $2", [t.org.id, rows[0].last]);
    expect(await verifyAuditChain(getDb(), t.org.id)).toMatchObject({ ok: false, firstBrokenSeq: rows[0].last });
  });

  it("`keel audit verify` reports the broken sequence number and exits non-zero", async () => {
    const t = await orgWithEvents();
    await behindTheTriggers(`UPDATE audit_events SET actor_label = 'someone-else' WHERE org_id = $1 AND seq = 2`, [t.org.id]);
    const run = promisify(execFile);
    const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL, KEEL_SECRET: "x".repeat(32) };
    const failed = await run("node", ["bin/keel.mjs", "audit", "verify", "--org", t.org.slug], { env }).then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed?.code).toBe(3);
    expect(failed?.stdout).toMatch(new RegExp(`${t.org.slug}: BROKEN at #2`));
  }, 30_000);
});
