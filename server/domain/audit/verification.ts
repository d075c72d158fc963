import "server-only";
// The chain status panel: "verify now" recomputes an organization's whole hash chain in the
// background (progress is written as it goes, so large chains show how far it got), and checks
// the chain against the latest signed checkpoint. Starting a verification is audited; the
// progress and result rows are bookkeeping of that one action.
import type { ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { eventHash, GENESIS_HASH } from "../../audit/canonical";
import { toHashedEvent } from "../../audit/chain";

const PAGE = 5_000;
const running = new Map<string, Promise<void>>();

export async function startVerification(w: AuditedTx, orgId: string) {
  const current = await w.tx.auditVerification.findUnique({ where: { orgId } });
  if (current?.status === "running" && running.has(orgId)) {
    w.unchanged();
    return { started: false, status: current.status };
  }
  const head = await w.tx.auditChainHead.findUnique({ where: { orgId } });
  const data = {
    status: "running",
    checkedSeq: 0n,
    targetSeq: head?.lastSeq ?? 0n,
    lastHash: null,
    message: null,
    startedAt: new Date(),
    finishedAt: null,
    startedBy: w.actor.label,
  };
  await w.tx.auditVerification.upsert({ where: { orgId }, create: { orgId, ...data }, update: data });
  w.record({ orgId, action: "audit.chain.verified", targetType: "organization", targetId: orgId, after: { upToSeq: (head?.lastSeq ?? 0n).toString() } });
  w.afterCommit(() => {
    const job = runVerification(orgId, head?.lastSeq ?? 0n).finally(() => running.delete(orgId));
    running.set(orgId, job);
  });
  return { started: true, status: "running" };
}

/** Waits for a verification in progress in this process (tests). */
export async function verificationIdle(orgId: string) {
  await running.get(orgId);
}

async function runVerification(orgId: string, upTo: bigint): Promise<void> {
  const db = getDb();
  let prevHash = GENESIS_HASH;
  let expected = 1n;
  const finish = (status: "ok" | "broken", message: string) =>
    db.auditVerification.update({ where: { orgId }, data: { status, message, checkedSeq: expected - 1n, lastHash: prevHash, finishedAt: new Date() } });
  try {
    const checkpoint = await db.auditCheckpoint.findFirst({ where: { orgId, seq: { lte: upTo } }, orderBy: { seq: "desc" } });
    while (expected <= upTo) {
      const rows = await db.auditEvent.findMany({ where: { orgId, seq: { gte: expected, lte: upTo } }, orderBy: { seq: "asc" }, take: PAGE });
      if (!rows.length) break;
      for (const e of rows) {
        if (e.seq !== expected) return void (await finish("broken", `event ${expected} is missing`));
        if (e.prevHash !== prevHash) return void (await finish("broken", `event ${expected} does not link to event ${expected - 1n}`));
        if (eventHash(prevHash, toHashedEvent(e)) !== e.hash) return void (await finish("broken", `event ${expected} was altered`));
        if (checkpoint && e.seq === checkpoint.seq && e.hash !== checkpoint.hash) {
          return void (await finish(
            "broken",
            `event ${expected} differs from the checkpoint signed at ${checkpoint.createdAt.toISOString()}: history was rewritten`,
          ));
        }
        prevHash = e.hash;
        expected += 1n;
      }
      await db.auditVerification.update({ where: { orgId }, data: { checkedSeq: expected - 1n, lastHash: prevHash } });
    }
    if (expected - 1n !== upTo) return void (await finish("broken", `the chain stops at event ${expected - 1n}; the head says ${upTo}`));
    await finish("ok", checkpoint ? `${upTo} events verified; matches the checkpoint of event ${checkpoint.seq}` : `${upTo} events verified`);
  } catch (error) {
    await finish("broken", `verification failed: ${error instanceof Error ? error.message : String(error)}`).catch(() => undefined);
  }
}

export async function chainStatus(db: ReadDb, orgId: string) {
  const [head, verification, checkpoint, org, key] = await Promise.all([
    db.auditChainHead.findUnique({ where: { orgId } }),
    db.auditVerification.findUnique({ where: { orgId } }),
    db.auditCheckpoint.findFirst({ where: { orgId }, orderBy: { seq: "desc" } }),
    db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { auditRetentionYears: true } }),
    db.auditSigningKey.findUnique({ where: { orgId }, select: { publicKey: true, keyId: true, createdAt: true } }),
  ]);
  return {
    head: head ? { seq: head.lastSeq, hash: head.lastHash, at: head.updatedAt } : null,
    verification: verification
      ? {
          status: verification.status as "running" | "ok" | "broken",
          checkedSeq: verification.checkedSeq,
          targetSeq: verification.targetSeq,
          message: verification.message,
          startedAt: verification.startedAt,
          finishedAt: verification.finishedAt,
          startedBy: verification.startedBy,
        }
      : null,
    checkpoint: checkpoint
      ? {
          seq: checkpoint.seq,
          hash: checkpoint.hash,
          at: checkpoint.createdAt,
          keyId: checkpoint.keyId,
          sink: checkpoint.sink,
          sinkError: checkpoint.sinkError,
        }
      : null,
    retentionYears: org.auditRetentionYears,
    signingKey: key,
  };
}
