import "server-only";
// Signed checkpoints of each organization's chain head (sequence number, hash, time), stored and
// pushed to a sink outside the database (KEEL_AUDIT_CHECKPOINT_SINK: a file path, appended one
// JSON line per checkpoint, or an http(s) URL that receives a POST). Someone able to rewrite the
// database can recompute every hash of the chain, but not the checkpoints already held outside:
// `keel audit verify --checkpoints <file>` and the chain verification compare against them.
// Workers make one per organization every KEEL_AUDIT_CHECKPOINT_MINUTES (default 60) when the
// chain grew; `keel audit checkpoint` makes one now. A URL sink is reached through Keel's egress
// policy (server/net/egress.ts) like every outbound call: a loopback or private sink must be
// allowed in KEEL_EGRESS_ALLOW.
import { appendFile } from "node:fs/promises";
import { runAudited } from "../../audit/mutation";
import { systemActor } from "../../audit/actor";
import { getDb } from "../../db/client";
import { signValue } from "../../audit/signing";
import { egressPost, egressRefusalIn } from "../../net/egress";
import { setting } from "../../env";
import { logger } from "../../runtime/log";

const log = logger("audit");

export type CheckpointRecord = {
  kind: "keel.audit-checkpoint";
  orgId: string;
  orgSlug: string;
  seq: string;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
};

const SINK_TIMEOUT_MS = 10_000;

async function push(sink: string, record: CheckpointRecord): Promise<string | null> {
  if (/^https?:\/\//i.test(sink)) {
    const signal = AbortSignal.timeout(SINK_TIMEOUT_MS);
    try {
      // Redirects are not followed: a 3xx is the sink's answer.
      const res = await egressPost(sink, {
        headers: { "content-type": "application/json", "user-agent": "Keel-Checkpoints/1" },
        body: JSON.stringify(record),
        signal,
      });
      return res.status >= 200 && res.status < 300 ? null : `the sink answered ${res.status}`;
    } catch (error) {
      const refused = egressRefusalIn(error);
      return refused
        ? `not sent: ${refused.message}`
        : signal.aborted
          ? `the sink did not answer within ${SINK_TIMEOUT_MS / 1000} s`
          : "the sink could not be reached";
    }
  }
  try {
    await appendFile(sink, `${JSON.stringify(record)}\n`);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Signs and stores a checkpoint of the organization's head, unless nothing happened since the last one. */
export async function createCheckpoint(orgId: string, options: { sink?: string | null; actorLabel?: string } = {}) {
  const sink = options.sink === undefined ? (setting("KEEL_AUDIT_CHECKPOINT_SINK") ?? null) : options.sink;
  return runAudited(systemActor(options.actorLabel ?? "audit-checkpoint"), async (w) => {
    // The head row is the chain's lock: no event is appended while the checkpoint is taken.
    const [head] = await w.tx.$queryRaw<
      { last_seq: bigint; last_hash: string }[]
    >`SELECT last_seq, last_hash FROM audit_chain_heads WHERE org_id = ${orgId}::uuid FOR UPDATE`;
    const last = await w.tx.auditCheckpoint.findFirst({ where: { orgId }, orderBy: { seq: "desc" } });
    // Nothing but the last checkpoint's own events since then: no new checkpoint.
    const news = last
      ? await w.tx.auditEvent.count({ where: { orgId, seq: { gt: last.seq }, action: { notIn: ["audit.checkpoint.created", "audit.signing_key.created"] } } })
      : 1;
    if (!head || head.last_seq === 0n || news === 0) {
      w.unchanged();
      return null;
    }
    const org = await w.tx.organization.findUniqueOrThrow({ where: { id: orgId }, select: { slug: true } });
    const at = new Date().toISOString();
    const value = { kind: "keel.audit-checkpoint", orgId, seq: head.last_seq.toString(), hash: head.last_hash, at };
    const { signature, keyId } = await signValue(w, orgId, value);
    const record: CheckpointRecord = { ...value, kind: "keel.audit-checkpoint", orgSlug: org.slug, keyId, signature };
    const sinkError = sink ? await push(sink, record) : null;
    const row = await w.tx.auditCheckpoint.create({
      data: { orgId, seq: head.last_seq, hash: head.last_hash, signature, keyId, sink, sinkError, createdAt: new Date(at) },
    });
    w.record({
      orgId,
      action: "audit.checkpoint.created",
      targetType: "organization",
      targetId: orgId,
      after: { seq: record.seq, hash: record.hash, keyId, sink, sinkError },
    });
    return { id: row.id, ...record, sink, sinkError };
  });
}

export async function checkpointAll(options: { sink?: string | null; actorLabel?: string } = {}) {
  const heads = await getDb().auditChainHead.findMany({ select: { orgId: true } });
  const made = [];
  for (const { orgId } of heads) {
    try {
      const c = await createCheckpoint(orgId, options);
      if (c) made.push(c);
    } catch (error) {
      log.error(`the checkpoint of organization ${orgId} failed`, { orgId, error });
    }
  }
  return made;
}

export function startCheckpointer(): { stop(): Promise<void> } {
  const minutes = setting("KEEL_AUDIT_CHECKPOINT_MINUTES");
  let current: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (current) return;
    current = checkpointAll().finally(() => (current = null));
  }, minutes * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

/**
 * Compares the database with checkpoints held outside it (a sink file's lines): for each
 * organization, the event at each checkpoint's sequence number must still have that hash.
 */
export async function compareWithCheckpoints(lines: string[]): Promise<{ orgSlug: string; seq: string; ok: boolean; message: string }[]> {
  const out = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let c: CheckpointRecord;
    try {
      c = JSON.parse(line) as CheckpointRecord;
    } catch {
      out.push({ orgSlug: "?", seq: "?", ok: false, message: `line ${i + 1} of the checkpoint file is not JSON` });
      continue;
    }
    const event = await getDb().auditEvent.findFirst({ where: { orgId: c.orgId, seq: BigInt(c.seq) }, select: { hash: true } });
    if (!event) out.push({ orgSlug: c.orgSlug, seq: c.seq, ok: false, message: `event ${c.seq} no longer exists (checkpoint of ${c.at})` });
    else if (event.hash !== c.hash)
      out.push({ orgSlug: c.orgSlug, seq: c.seq, ok: false, message: `event ${c.seq} differs from the checkpoint of ${c.at}: history was rewritten` });
    else out.push({ orgSlug: c.orgSlug, seq: c.seq, ok: true, message: `event ${c.seq} matches the checkpoint of ${c.at}` });
  }
  return out;
}
