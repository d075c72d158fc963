import "server-only";
// Review drafts: a reviewer's unsubmitted grade of an item, kept server-side so the work follows
// the person to another device (the browser keeps its own copy as an offline buffer; the newer
// one wins, by timestamp). A draft is the state of a form, not a record: saving or discarding one
// changes nothing anyone else can see, so it runs on the audited path but declares itself
// unchanged (like renewing a lease) instead of filling the audit chain with keystrokes. The grade
// it becomes is audited when it is submitted, and that transaction deletes the draft.
// Only its author ever reads a draft: every query is keyed by the caller's own user id.
import type { AuditedTx } from "../../audit/mutation";
import type { ReadDb } from "../../db/client";
import { AppError, notFound } from "../../errors";
import type { Grade } from "../../contracts/reviews";
import type { ProjectCtx } from "./queues";

/** The largest draft accepted, in bytes of its JSON (the table's CHECK says the same). */
export const MAX_DRAFT_BYTES = 64 * 1024;

type Lookup = Pick<ReadDb, "reviewQueue" | "reviewQueueReviewer" | "reviewItem" | "reviewAssignment">;

/** The item as the caller may draft on it: their queue, an item handed to them, not finalised. */
async function draftableItem(db: Lookup, projectId: string, name: string, userId: string, position: number) {
  const queue = await db.reviewQueue.findUnique({ where: { projectId_name: { projectId, name } }, select: { id: true } });
  // Reviewers see only the queues they are assigned to: for anyone else the queue does not exist.
  const assigned = queue ? await db.reviewQueueReviewer.findUnique({ where: { queueId_userId: { queueId: queue.id, userId } } }) : null;
  if (!queue || !assigned) throw notFound(`Review queue "${name}"`);
  const item = await db.reviewItem.findUnique({ where: { queueId_position: { queueId: queue.id, position } }, select: { id: true, finalizedAt: true } });
  if (!item) throw notFound(`Item #${position}`);
  const mine = await db.reviewAssignment.findUnique({ where: { itemId_reviewerId: { itemId: item.id, reviewerId: userId } }, select: { status: true } });
  if (!mine || mine.status === "skipped") throw new AppError("FORBIDDEN", `Item #${position} was not handed to you`);
  return item;
}

/** The caller's own draft of an item, or null. */
export async function getDraft(db: ReadDb, projectId: string, input: { name: string; position: number; userId: string }) {
  const item = await draftableItem(db, projectId, input.name, input.userId, input.position);
  const row = await db.reviewDraft.findUnique({
    where: { userId_itemId: { userId: input.userId, itemId: item.id } },
    select: { payload: true, updatedAt: true },
  });
  return row ? { grade: row.payload as Grade, updatedAt: row.updatedAt } : null;
}

/** Saves (or overwrites) the caller's draft; an empty draft deletes it. Not an audit event. */
export async function saveDraft(w: AuditedTx, ctx: ProjectCtx, input: { name: string; position: number; userId: string; grade: Grade }) {
  const bytes = Buffer.byteLength(JSON.stringify(input.grade));
  if (bytes > MAX_DRAFT_BYTES)
    throw new AppError("BAD_REQUEST", `The draft is too large (${Math.ceil(bytes / 1024)} KB; at most ${MAX_DRAFT_BYTES / 1024} KB)`, { field: "grade" });
  const item = await draftableItem(w.tx, ctx.projectId, input.name, input.userId, input.position);
  if (item.finalizedAt) throw new AppError("CONFLICT", `Item #${input.position} is finalised; its grades can no longer change`);
  w.unchanged();
  if (Object.keys(input.grade).length === 0) {
    await w.tx.reviewDraft.deleteMany({ where: { userId: input.userId, itemId: item.id } });
    return { updatedAt: null };
  }
  const row = await w.tx.reviewDraft.upsert({
    where: { userId_itemId: { userId: input.userId, itemId: item.id } },
    create: { userId: input.userId, itemId: item.id, payload: input.grade },
    update: { payload: input.grade, updatedAt: new Date() },
    select: { updatedAt: true },
  });
  return { updatedAt: row.updatedAt };
}

/** Discards the caller's draft of an item (nothing to discard is not an error). Not an audit event. */
export async function discardDraft(w: AuditedTx, ctx: ProjectCtx, input: { name: string; position: number; userId: string }) {
  const item = await draftableItem(w.tx, ctx.projectId, input.name, input.userId, input.position);
  w.unchanged();
  const { count } = await w.tx.reviewDraft.deleteMany({ where: { userId: input.userId, itemId: item.id } });
  return { discarded: count > 0 };
}

/** Called inside submit / revise / skip: the draft became a grade (or was given up) in the same transaction. */
export async function deleteDraftOf(w: AuditedTx, userId: string, itemId: string) {
  await w.tx.reviewDraft.deleteMany({ where: { userId, itemId } });
}
