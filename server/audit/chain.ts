import "server-only";
// Appending to and verifying the per-organization hash chain.
import type { ReadDb, Tx } from "../db/client";
import { eventHash, GENESIS_HASH, type HashedEvent, type JsonValue } from "./canonical";
import { uuidv7 } from "../db/uuid";
import { sql, type Sql } from "../db/sql";

export type PendingEvent = Omit<HashedEvent, "seq" | "createdAt">;

/**
 * The one thing appending needs: tagged SQL in the caller's transaction. `external` runs SQL text
 * a library wrote (pg-boss's job insert, handed to us with its own numbered parameters); Keel's
 * own statements always go through `query`.
 */
export type SqlExecutor = { query<T>(q: Sql): Promise<T[]>; external<T>(text: string, values: unknown[]): Promise<T[]> };

/** A Prisma interactive transaction as an executor. */
export const prismaExecutor = (tx: Tx): SqlExecutor => ({
  query: <T>(q: Sql) => tx.$queryRaw<T[]>(q),
  // pg-boss's own statement text (see enqueueRun): not built by Keel, so nothing to misnumber here.
  external: <T>(text: string, values: unknown[]) => tx.$queryRawUnsafe<T[]>(text, ...values),
});

/**
 * Appends events under a row lock on each organization's chain head, so sequence numbers are
 * gap-free and the chain is total even with concurrent writers. Runs in the caller's
 * transaction (Prisma's, or a raw connection's for streamed imports): the change and its events
 * commit together.
 */
export async function appendAuditEvents(db: SqlExecutor, events: PendingEvent[]): Promise<void> {
  const byOrg = new Map<string, PendingEvent[]>();
  for (const e of events) byOrg.set(e.orgId, [...(byOrg.get(e.orgId) ?? []), e]);
  // Lock heads in a fixed order so two multi-org transactions cannot deadlock.
  for (const orgId of [...byOrg.keys()].sort()) {
    await db.query(
      sql`INSERT INTO audit_chain_heads (org_id, last_seq, last_hash, updated_at) VALUES (${orgId}::uuid, 0, ${GENESIS_HASH}, now()) ON CONFLICT (org_id) DO NOTHING`,
    );
    const rows = await db.query<{ last_seq: string; last_hash: string }>(
      sql`SELECT last_seq::text AS last_seq, last_hash FROM audit_chain_heads WHERE org_id = ${orgId}::uuid FOR UPDATE`,
    );
    const head = rows[0];
    if (!head) throw new Error("audit chain head missing");
    let seq = BigInt(head.last_seq);
    let prevHash = head.last_hash;
    const createdAt = new Date();
    for (const e of byOrg.get(orgId) ?? []) {
      seq += 1n;
      const hashed: HashedEvent = { ...e, seq: seq.toString(), createdAt: createdAt.toISOString() };
      const hash = eventHash(prevHash, hashed);
      await db.query(sql`INSERT INTO audit_events (id, org_id, project_id, seq, created_at, actor_type, actor_id, actor_label, actor_role, action,
          target_type, target_id, before, after, outcome, request_id, ip, user_agent, prev_hash, hash)
        VALUES (${uuidv7()}::uuid, ${e.orgId}::uuid, ${e.projectId}::uuid, ${seq.toString()}::bigint, ${createdAt.toISOString()}::timestamptz, ${e.actorType}::"ActorType", ${e.actorId}, ${e.actorLabel}, ${e.actorRole}, ${e.action},
          ${e.targetType}, ${e.targetId}, ${e.before === null ? null : JSON.stringify(e.before)}::jsonb, ${e.after === null ? null : JSON.stringify(e.after)}::jsonb, ${e.outcome}::"AuditOutcome", ${e.requestId}, ${e.ip}, ${e.userAgent}, ${prevHash}, ${hash})`);
      prevHash = hash;
    }
    await db.query(
      sql`UPDATE audit_chain_heads SET last_seq = ${seq.toString()}::bigint, last_hash = ${prevHash}, updated_at = now() WHERE org_id = ${orgId}::uuid`,
    );
  }
}

export type VerifyResult =
  | { ok: true; orgId: string; eventCount: number; lastSeq: string; lastHash: string }
  | { ok: false; orgId: string; eventCount: number; firstBrokenSeq: string; reason: string };

type StoredEvent = {
  seq: bigint;
  createdAt: Date;
  orgId: string;
  projectId: string | null;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  outcome: string;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  prevHash: string;
  hash: string;
};

export function toHashedEvent(e: StoredEvent): HashedEvent {
  return {
    orgId: e.orgId,
    projectId: e.projectId,
    seq: e.seq.toString(),
    createdAt: e.createdAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    actorRole: e.actorRole,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: (e.before ?? null) as JsonValue,
    after: (e.after ?? null) as JsonValue,
    outcome: e.outcome,
    requestId: e.requestId,
    ip: e.ip,
    userAgent: e.userAgent,
  };
}

/**
 * Re-computes an organization's chain from the first event, in pages, and names the first
 * sequence number whose event, link or position does not check out. A deleted tail is caught
 * by comparing with the chain head.
 */
export async function verifyAuditChain(db: ReadDb, orgId: string, pageSize = 2000): Promise<VerifyResult> {
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const page = await db.auditEvent.findMany({
      where: { orgId, seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    for (const e of page) {
      const broken = (reason: string): VerifyResult => ({ ok: false, orgId, eventCount: count, firstBrokenSeq: expectedSeq.toString(), reason });
      if (e.seq !== expectedSeq) return broken(`event ${expectedSeq} is missing`);
      if (e.prevHash !== prevHash) return broken(`event ${expectedSeq} does not link to the event before it`);
      if (eventHash(prevHash, toHashedEvent(e)) !== e.hash) return broken(`event ${expectedSeq} was altered`);
      prevHash = e.hash;
      expectedSeq += 1n;
      count += 1;
    }
    if (page.length < pageSize) break;
  }
  const head = await db.auditChainHead.findUnique({ where: { orgId } });
  const lastSeq = expectedSeq - 1n;
  if (head && (head.lastSeq !== lastSeq || head.lastHash !== prevHash)) {
    return {
      ok: false,
      orgId,
      eventCount: count,
      firstBrokenSeq: (lastSeq + 1n).toString(),
      reason: `the chain head records event ${head.lastSeq}, but the log ends at ${lastSeq}`,
    };
  }
  return { ok: true, orgId, eventCount: count, lastSeq: lastSeq.toString(), lastHash: prevHash };
}
