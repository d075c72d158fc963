// Chain checkpoints and the background verification, against someone who can rewrite the
// database: a checkpoint is signed and pushed to a file outside it; after a superuser rewrites an
// event and recomputes every later hash (a chain that verifies on its own), the comparison with
// the checkpoint held outside still names the rewritten event. "Verify now" reports progress
// and its result in the chain status.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verify } from "node:crypto";
import { getDb } from "../../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { canonicalJson, eventHash, type JsonValue } from "../../audit/canonical";
import { toHashedEvent } from "../../audit/chain";
import { readPublicKey } from "../../audit/export-format";
import { compareWithCheckpoints, createCheckpoint, type CheckpointRecord } from "./checkpoints";
import { verificationIdle } from "./verification";

let admin: pg.Client;
let t: TestOrg;
const dir = mkdtempSync(path.join(os.tmpdir(), "keel-checkpoints-"));
const sink = path.join(dir, "checkpoints.jsonl");

beforeAll(async () => {
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  t = await createTestOrg();
  const owner = callerFor(t.users.owner);
  for (const name of ["a", "b", "c"]) await owner.apiKeys.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name, scopes: ["prompts:read"] });
});
afterAll(() => admin.end());

async function statusOf() {
  return callerFor(t.users.auditor).audit.status({ orgSlug: t.org.slug });
}

describe("checkpoints", () => {
  it("are signed, pushed outside the database, audited, and skipped when nothing happened", async () => {
    const made = await createCheckpoint(t.org.id, { sink });
    expect(made).toMatchObject({ orgSlug: t.org.slug, sinkError: null });
    const line = JSON.parse(readFileSync(sink, "utf8").trim()) as CheckpointRecord;
    const { signature, keyId: _k, orgSlug: _s, ...value } = line;
    const key = readPublicKey((await statusOf()).signingKey!.publicKey);
    expect(verify(null, Buffer.from(canonicalJson(value as unknown as JsonValue)), key, Buffer.from(signature, "base64"))).toBe(true);
    expect(await createCheckpoint(t.org.id, { sink })).toBeNull();
    expect((await statusOf()).checkpoint).toMatchObject({ seq: BigInt(line.seq), hash: line.hash, sink });
    const events = await getDb().auditEvent.findMany({ where: { orgId: t.org.id, action: "audit.checkpoint.created" } });
    expect(events).toHaveLength(1);
  });

  it("expose a rewritten history that recomputed every hash", async () => {
    const checkpointed = JSON.parse(readFileSync(sink, "utf8").trim()) as CheckpointRecord;
    expect(await compareWithCheckpoints([JSON.stringify(checkpointed)])).toEqual([expect.objectContaining({ ok: true })]);
    // A superuser rewrites event 2 and re-hashes the whole chain after it, heads included.
    const rows = await getDb().auditEvent.findMany({ where: { orgId: t.org.id }, orderBy: { seq: "asc" } });
    await admin.query("BEGIN; SET LOCAL session_replication_role = replica;");
    let prev = rows[0]!.hash;
    for (const row of rows.slice(1)) {
      const after = row.seq === 2n ? { forged: true } : row.after;
      const hash = eventHash(prev, { ...toHashedEvent({ ...row, after: after as never }) });
      await admin.query("UPDATE audit_events SET after = $1, prev_hash = $2, hash = $3 WHERE id = $4", [JSON.stringify(after), prev, hash, row.id]);
      prev = hash;
    }
    await admin.query("UPDATE audit_chain_heads SET last_hash = $1 WHERE org_id = $2", [prev, t.org.id]);
    await admin.query("COMMIT");
    // The chain is self-consistent again; only the checkpoint held outside tells.
    const [outside] = await compareWithCheckpoints([JSON.stringify(checkpointed)]);
    expect(outside).toMatchObject({
      ok: false,
      message: expect.stringMatching(new RegExp(`event ${checkpointed.seq} differs from the checkpoint of .*: history was rewritten`)),
    });

    // The background verification compares with the stored checkpoint too.
    await callerFor(t.users.auditor).audit.verifyNow({ orgSlug: t.org.slug });
    await verificationIdle(t.org.id);
    const status = await statusOf();
    expect(status.verification).toMatchObject({ status: "broken", message: expect.stringMatching(/differs from the checkpoint .*history was rewritten/) });
  });
});

describe("verify now", () => {
  it("runs in the background and reports the verified head", async () => {
    const other = await createTestOrg();
    await callerFor(other.users.owner).apiKeys.create({ orgSlug: other.org.slug, projectSlug: other.project.slug, name: "x", scopes: ["prompts:read"] });
    const started = await callerFor(other.users.auditor).audit.verifyNow({ orgSlug: other.org.slug });
    expect(started).toMatchObject({ started: true, status: "running" });
    await verificationIdle(other.org.id);
    const status = await callerFor(other.users.auditor).audit.status({ orgSlug: other.org.slug });
    expect(status.verification).toMatchObject({ status: "ok", startedBy: other.users.auditor.email });
    expect(status.verification!.checkedSeq).toBe(status.verification!.targetSeq);
    expect(status.retentionYears).toBe(7);
    await expect(callerFor(other.users.viewer).audit.verifyNow({ orgSlug: other.org.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
