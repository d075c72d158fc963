import "server-only";
// Handing out items and taking grades, without races. "Next item" locks a candidate item row
// (FOR UPDATE SKIP LOCKED: reviewers never wait for each other), re-counts its live leases and
// submitted reviews in a fresh statement under that lock, and only then leases it: an item never
// has more reviewers than it needs, and no reviewer gets an item twice. A lease that runs out
// returns the item. A grade is accepted from the holder of a live lease, or from a lapsed lease
// when the item still has room; otherwise it is refused, never silently overwriting anything.
import type { AuditedTx } from "../../audit/mutation";
import { AppError, notFound } from "../../errors";
import { checkGrade, type Grade, type Rubric } from "../../contracts/reviews";
import { lockQueue, type ProjectCtx } from "./queues";
import { consensusOf } from "./consensus";
import { sql } from "../../db/sql";
import { deleteDraftOf } from "./drafts";

type QueueRow = { id: string; name: string; rubric: Rubric; reviewsPerItem: number; leaseSeconds: number; archivedAt: Date | null };

async function queueForReviewer(w: AuditedTx, ctx: ProjectCtx, name: string, reviewerId: string): Promise<QueueRow> {
  const queue = await w.tx.reviewQueue.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name } } });
  if (!queue) throw notFound(`Review queue "${name}"`);
  const assigned = await w.tx.reviewQueueReviewer.findUnique({ where: { queueId_userId: { queueId: queue.id, userId: reviewerId } } });
  // Reviewers see only the queues they are assigned to: for anyone else the queue does not exist.
  if (!assigned) throw notFound(`Review queue "${name}"`);
  return { ...queue, rubric: queue.rubric as Rubric };
}

/** How many reviews an item needs: gold items are reviewed by every reviewer of the queue. */
function neededSql(reviewsPerItem: number) {
  return sql`CASE WHEN i.gold_grade IS NOT NULL THEN (SELECT count(*) FROM review_queue_reviewers q WHERE q.queue_id = i.queue_id) ELSE ${reviewsPerItem}::bigint END`;
}

export type Leased = { assignmentId: string; itemId: string; position: number; leaseUntil: Date; resumed: boolean };

/** The reviewer's next item under a lease (their current one if they hold a live lease). */
export async function nextItem(w: AuditedTx, ctx: ProjectCtx, input: { name: string; reviewerId: string }): Promise<Leased | null> {
  const queue = await queueForReviewer(w, ctx, input.name, input.reviewerId);
  if (queue.archivedAt) throw new AppError("CONFLICT", `"${queue.name}" is archived`);
  const held = await w.tx.$queryRaw<{ id: string; item_id: string; position: number; lease_until: Date }[]>`
    SELECT a.id, a.item_id, i.position, a.lease_until FROM review_assignments a JOIN review_items i ON i.id = a.item_id
    WHERE i.queue_id = ${queue.id}::uuid AND a.reviewer_id = ${input.reviewerId}::uuid AND a.status = 'leased' AND a.lease_until > now() AND i.finalized_at IS NULL
    ORDER BY i.position LIMIT 1`;
  if (held[0]) {
    w.unchanged();
    return { assignmentId: held[0].id, itemId: held[0].item_id, position: held[0].position, leaseUntil: held[0].lease_until, resumed: true };
  }
  const tried: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    // 1. A candidate this reviewer has not reviewed (or skipped), that looks like it has room.
    const candidates = await w.tx.$queryRaw<{ id: string; position: number }[]>(
      sql`SELECT i.id, i.position FROM review_items i
       WHERE i.queue_id = ${queue.id}::uuid AND i.finalized_at IS NULL AND NOT (i.id = ANY(${tried}::uuid[]))
         AND NOT EXISTS (SELECT 1 FROM review_assignments a WHERE a.item_id = i.id AND a.reviewer_id = ${input.reviewerId}::uuid AND (a.status <> 'leased' OR a.lease_until > now()))
         AND (SELECT count(*) FROM review_assignments a WHERE a.item_id = i.id AND (a.status = 'submitted' OR (a.status = 'leased' AND a.lease_until > now()))) < ${neededSql(queue.reviewsPerItem)}
       ORDER BY i.position LIMIT 1 FOR UPDATE OF i SKIP LOCKED`,
    );
    const candidate = candidates[0];
    if (!candidate) {
      w.unchanged();
      return null;
    }
    // 2. Under the item's lock, count again in a new statement (it sees every commit so far).
    const [counts] = await w.tx.$queryRaw<{ taken: number; needed: number }[]>(
      sql`SELECT (SELECT count(*)::int FROM review_assignments a WHERE a.item_id = i.id AND a.reviewer_id <> ${input.reviewerId}::uuid AND (a.status = 'submitted' OR (a.status = 'leased' AND a.lease_until > now()))) AS taken,
              (${neededSql(queue.reviewsPerItem)})::int AS needed
       FROM review_items i WHERE i.id = ${candidate.id}::uuid`,
    );
    if (!counts || counts.taken >= counts.needed) {
      tried.push(candidate.id);
      continue;
    }
    // 3. Lease it (a lapsed lease of this reviewer on the same item is renewed).
    const rows = await w.tx.$queryRaw<{ id: string; lease_until: Date }[]>(
      sql`INSERT INTO review_assignments (id, item_id, reviewer_id, status, lease_until, started_at)
       VALUES (gen_random_uuid(), ${candidate.id}::uuid, ${input.reviewerId}::uuid, 'leased', now() + make_interval(secs => ${queue.leaseSeconds}), now())
       ON CONFLICT (item_id, reviewer_id) DO UPDATE SET status = 'leased', lease_until = EXCLUDED.lease_until, started_at = now()
       RETURNING id, lease_until`,
    );
    const row = rows[0]!;
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: "review.item.leased",
      targetType: "review_queue",
      targetId: queue.id,
      after: { queue: queue.name, position: candidate.position, leaseUntil: row.lease_until },
    });
    return { assignmentId: row.id, itemId: candidate.id, position: candidate.position, leaseUntil: row.lease_until, resumed: false };
  }
  w.unchanged();
  return null;
}

/** Keeps a lease alive while the reviewer works. */
export async function renewLease(w: AuditedTx, ctx: ProjectCtx, input: { name: string; reviewerId: string; position: number }) {
  const queue = await queueForReviewer(w, ctx, input.name, input.reviewerId);
  const rows = await w.tx.$queryRaw<{ lease_until: Date }[]>`
    UPDATE review_assignments a SET lease_until = now() + make_interval(secs => ${queue.leaseSeconds})
    FROM review_items i WHERE i.id = a.item_id AND i.queue_id = ${queue.id}::uuid AND i.position = ${input.position}
      AND a.reviewer_id = ${input.reviewerId}::uuid AND a.status = 'leased' AND a.lease_until > now()
    RETURNING a.lease_until`;
  // Renewing is bookkeeping of a lease the reviewer already holds, not a new change.
  w.unchanged();
  if (!rows[0]) throw new AppError("CONFLICT", "Your lease on this item has run out; take the next item");
  return { leaseUntil: rows[0].lease_until };
}

async function lockItem(w: AuditedTx, queueId: string, position: number) {
  const rows = await w.tx.$queryRaw<{ id: string; finalized_at: Date | null; gold_grade: unknown }[]>`
    SELECT id, finalized_at, gold_grade FROM review_items WHERE queue_id = ${queueId}::uuid AND position = ${position} FOR UPDATE`;
  if (!rows[0]) throw notFound(`Item #${position}`);
  return rows[0];
}

/** Submits a grade: one audited change; finalises the item when it has all its reviews and they agree. */
export async function submitGrade(w: AuditedTx, ctx: ProjectCtx, input: { name: string; reviewerId: string; position: number; grade: Grade }) {
  const queue = await queueForReviewer(w, ctx, input.name, input.reviewerId);
  const problem = checkGrade(queue.rubric, input.grade);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: `grade.${problem.dimension}` });
  const item = await lockItem(w, queue.id, input.position);
  if (item.finalized_at) throw new AppError("CONFLICT", `Item #${input.position} is already finalised`);
  const assignment = await w.tx.reviewAssignment.findUnique({ where: { itemId_reviewerId: { itemId: item.id, reviewerId: input.reviewerId } } });
  if (!assignment || assignment.status === "skipped") throw new AppError("CONFLICT", `You do not hold item #${input.position}; take the next item`);
  if (assignment.status === "submitted") throw new AppError("CONFLICT", `You already graded item #${input.position}; revise your grade instead`);
  if (!assignment.leaseUntil || assignment.leaseUntil <= new Date()) {
    // The lease ran out: accept only if nobody took the place meanwhile.
    const [others] = await w.tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM review_assignments WHERE item_id = ${item.id}::uuid AND reviewer_id <> ${input.reviewerId}::uuid AND (status = 'submitted' OR (status = 'leased' AND lease_until > now()))`;
    const needed = item.gold_grade ? await w.tx.reviewQueueReviewer.count({ where: { queueId: queue.id } }) : queue.reviewsPerItem;
    if ((others?.n ?? 0) >= needed)
      throw new AppError("CONFLICT", `Your lease on item #${input.position} ran out and another reviewer now holds it; your grade was not saved`);
  }
  const seconds = Math.max(0, Math.round((Date.now() - assignment.startedAt.getTime()) / 1000));
  await w.tx.reviewAssignment.update({
    where: { id: assignment.id },
    data: { status: "submitted", grade: input.grade, submittedAt: new Date(), leaseUntil: null, seconds },
  });
  // The draft became this grade: it goes in the same transaction (a failed submit keeps it).
  await deleteDraftOf(w, input.reviewerId, item.id);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.grade.submitted",
    targetType: "review_queue",
    targetId: queue.id,
    after: { queue: queue.name, position: input.position, grade: input.grade },
  });
  const finalized = await maybeFinalize(w, queue, item.id, !!item.gold_grade);
  return { finalized };
}

/** When an item has all its reviews and they agree, their consensus becomes its final grade. */
async function maybeFinalize(w: AuditedTx, queue: QueueRow, itemId: string, gold: boolean): Promise<boolean> {
  const grades = await w.tx.reviewAssignment.findMany({ where: { itemId, status: "submitted" }, select: { grade: true } });
  const needed = gold ? await w.tx.reviewQueueReviewer.count({ where: { queueId: queue.id } }) : queue.reviewsPerItem;
  if (grades.length < needed) return false;
  const consensus = consensusOf(
    queue.rubric,
    grades.map((g) => g.grade as Grade),
  );
  if (!consensus) return false; // a disagreement: a lead adjudicates
  await w.tx.reviewItem.update({
    where: { id: itemId },
    data: { finalGrade: consensus, finalSource: grades.length === 1 ? "single" : "consensus", finalizedAt: new Date() },
  });
  return true;
}

/** Skips the leased item: it goes to someone else; this reviewer will not get it again. */
export async function skipItem(w: AuditedTx, ctx: ProjectCtx, input: { name: string; reviewerId: string; position: number }) {
  const queue = await queueForReviewer(w, ctx, input.name, input.reviewerId);
  const item = await lockItem(w, queue.id, input.position);
  const assignment = await w.tx.reviewAssignment.findUnique({ where: { itemId_reviewerId: { itemId: item.id, reviewerId: input.reviewerId } } });
  if (!assignment || assignment.status !== "leased") throw new AppError("CONFLICT", `You do not hold item #${input.position}`);
  await w.tx.reviewAssignment.update({ where: { id: assignment.id }, data: { status: "skipped", leaseUntil: null } });
  await deleteDraftOf(w, input.reviewerId, item.id);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.item.skipped",
    targetType: "review_queue",
    targetId: queue.id,
    after: { queue: queue.name, position: input.position },
  });
  return { skipped: true };
}

/** Revises the reviewer's own grade until the item is finalised (audited with before and after). */
export async function reviseGrade(w: AuditedTx, ctx: ProjectCtx, input: { name: string; reviewerId: string; position: number; grade: Grade }) {
  const queue = await queueForReviewer(w, ctx, input.name, input.reviewerId);
  const problem = checkGrade(queue.rubric, input.grade);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: `grade.${problem.dimension}` });
  const item = await lockItem(w, queue.id, input.position);
  if (item.finalized_at) throw new AppError("CONFLICT", `Item #${input.position} is finalised; its grades can no longer change`);
  const assignment = await w.tx.reviewAssignment.findUnique({ where: { itemId_reviewerId: { itemId: item.id, reviewerId: input.reviewerId } } });
  if (!assignment || assignment.status !== "submitted") throw new AppError("CONFLICT", `You have not graded item #${input.position}`);
  await deleteDraftOf(w, input.reviewerId, item.id);
  if (JSON.stringify(assignment.grade) === JSON.stringify(input.grade)) {
    w.unchanged();
    return { finalized: false };
  }
  await w.tx.reviewAssignment.update({ where: { id: assignment.id }, data: { grade: input.grade, revisedAt: new Date() } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.grade.revised",
    targetType: "review_queue",
    targetId: queue.id,
    before: { queue: queue.name, position: input.position, grade: assignment.grade },
    after: { queue: queue.name, position: input.position, grade: input.grade },
  });
  return { finalized: await maybeFinalize(w, queue, item.id, !!item.gold_grade) };
}

/** A lead settles an item with a final grade and a note (usually a disagreement). */
export async function adjudicate(w: AuditedTx, ctx: ProjectCtx, input: { name: string; position: number; grade: Grade; note: string; leadId: string }) {
  const queue = await lockQueue(w, ctx, input.name);
  if (queue.archivedAt) throw new AppError("CONFLICT", `"${queue.name}" is archived`);
  const problem = checkGrade(queue.rubric as Rubric, input.grade);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: `grade.${problem.dimension}` });
  if (!input.note.trim()) throw new AppError("BAD_REQUEST", "Say why: a note is required", { field: "note" });
  const item = await lockItem(w, queue.id, input.position);
  const before = await w.tx.reviewItem.findUniqueOrThrow({ where: { id: item.id }, select: { finalGrade: true, finalSource: true } });
  await w.tx.reviewItem.update({
    where: { id: item.id },
    data: { finalGrade: input.grade, finalSource: "adjudicated", finalizedAt: new Date(), finalizedById: input.leadId, adjudicationNote: input.note.trim() },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.item.adjudicated",
    targetType: "review_queue",
    targetId: queue.id,
    before: { queue: queue.name, position: input.position, ...before },
    after: { queue: queue.name, position: input.position, finalGrade: input.grade, note: input.note.trim() },
  });
  return { finalized: true };
}
