// Review drafts on real PostgreSQL, through the tRPC procedures: saved and read back by their
// author only, overwritten (newest wins), bounded in size, never an audit event, and deleted in
// the transaction that submits (or skips) the item — a refused submit keeps the draft.
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import type { Rubric } from "../../contracts/reviews";
import { MAX_DRAFT_BYTES } from "./drafts";

let t: TestOrg;
const RUBRIC: Rubric = [
  {
    type: "categorical",
    key: "correct",
    label: "Correct",
    description: "",
    required: true,
    ordered: true,
    options: [
      { value: "no", label: "No" },
      { value: "yes", label: "Yes" },
    ],
  },
  { type: "text", key: "comment", label: "Comment", description: "", required: false, maxLength: 10_000 },
];
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const q = () => ({ ...scope(), name: "drafts" });

beforeAll(async () => {
  t = await createTestOrg();
  const editor = callerFor(t.users.editor);
  await editor.reviews.create({ ...scope(), name: "drafts", rubric: RUBRIC, reviewsPerItem: 2 });
  await editor.datasets.create({ ...scope(), name: "drafts-data" });
  await editor.datasets.addItems({ ...scope(), name: "drafts-data", items: [1, 2, 3].map((i) => ({ input: { question: `Q${i}` }, expected: `A${i}` })) });
  await editor.reviews.addFromDataset({ ...scope(), name: "drafts", dataset: "drafts-data" });
  await editor.reviews.setReviewers({ ...scope(), name: "drafts", userIds: [t.users.reviewer.id, t.users.admin.id] });
});

describe("review drafts", () => {
  it("saves, reads back and overwrites the caller's draft, without an audit event", async () => {
    const reviewer = callerFor(t.users.reviewer);
    const leased = await reviewer.reviews.next(q());
    expect(leased?.position).toBe(1);
    expect(await reviewer.reviews.draft({ ...q(), position: 1 })).toBeNull();
    const before = await lastSeq(t.org.id);
    const first = await reviewer.reviews.saveDraft({ ...q(), position: 1, grade: { correct: "no", comment: "first thoughts" } });
    const second = await reviewer.reviews.saveDraft({ ...q(), position: 1, grade: { correct: "yes", comment: "on reflection" } });
    expect(second.updatedAt!.getTime()).toBeGreaterThanOrEqual(first.updatedAt!.getTime());
    const draft = await reviewer.reviews.draft({ ...q(), position: 1 });
    expect(draft).toMatchObject({ grade: { correct: "yes", comment: "on reflection" } });
    expect(draft!.updatedAt.getTime()).toBe(second.updatedAt!.getTime());
    // One row per person and item, however often it is saved.
    expect(await getDb().reviewDraft.count({ where: { userId: t.users.reviewer.id } })).toBe(1);
    expect(await auditEventsOf(t.org.id, before)).toHaveLength(0);
  });

  it("is visible to its author only: another reviewer of the same item sees nothing, others cannot ask", async () => {
    const admin = callerFor(t.users.admin);
    // The second reviewer holds the same item (it needs two reviews) and has no draft of it.
    expect((await admin.reviews.next(q()))?.position).toBe(1);
    expect(await admin.reviews.draft({ ...q(), position: 1 })).toBeNull();
    await admin.reviews.saveDraft({ ...q(), position: 1, grade: { correct: "no" } });
    expect(await callerFor(t.users.reviewer).reviews.draft({ ...q(), position: 1 })).toMatchObject({ grade: { correct: "yes" } });
    expect(await admin.reviews.draft({ ...q(), position: 1 })).toMatchObject({ grade: { correct: "no" } });
    // Not assigned to the queue: it does not exist for them. No item handed over: refused.
    await expect(callerFor(t.users.owner).reviews.draft({ ...q(), position: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(t.users.reviewer).reviews.draft({ ...q(), position: 3 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(t.users.reviewer).reviews.saveDraft({ ...q(), position: 3, grade: { correct: "no" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // The viewer role cannot grade at all.
    await expect(callerFor(t.users.viewer).reviews.draft({ ...q(), position: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses a draft over the size bound with a 400 naming it, and keeps the saved one", async () => {
    const reviewer = callerFor(t.users.reviewer);
    const big: Record<string, string> = {};
    for (let i = 0; i < 8; i++) big[`note${i}`] = "x".repeat(9_000);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(MAX_DRAFT_BYTES);
    await expect(reviewer.reviews.saveDraft({ ...q(), position: 1, grade: big })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("too large"),
    });
    expect(await reviewer.reviews.draft({ ...q(), position: 1 })).toMatchObject({ grade: { correct: "yes" } });
  });

  it("an empty draft and discardDraft delete it", async () => {
    const admin = callerFor(t.users.admin);
    await admin.reviews.saveDraft({ ...q(), position: 1, grade: {} });
    expect(await admin.reviews.draft({ ...q(), position: 1 })).toBeNull();
    await admin.reviews.saveDraft({ ...q(), position: 1, grade: { correct: "no" } });
    expect(await admin.reviews.discardDraft({ ...q(), position: 1 })).toEqual({ discarded: true });
    expect(await admin.reviews.draft({ ...q(), position: 1 })).toBeNull();
    expect(await admin.reviews.discardDraft({ ...q(), position: 1 })).toEqual({ discarded: false });
  });

  it("a refused submit keeps the draft; the submit that succeeds deletes it in the same transaction", async () => {
    const reviewer = callerFor(t.users.reviewer);
    // Not a valid grade for the rubric: refused, nothing changes, the draft stays.
    await expect(reviewer.reviews.submit({ ...q(), position: 1, grade: { correct: "maybe" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await reviewer.reviews.draft({ ...q(), position: 1 })).not.toBeNull();
    const before = await lastSeq(t.org.id);
    await reviewer.reviews.submit({ ...q(), position: 1, grade: { correct: "yes" } });
    expect(await getDb().reviewDraft.count({ where: { userId: t.users.reviewer.id } })).toBe(0);
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["review.grade.submitted"]);
    // Revising starts a new draft; the revision deletes it too.
    await reviewer.reviews.saveDraft({ ...q(), position: 1, grade: { correct: "no" } });
    await reviewer.reviews.revise({ ...q(), position: 1, grade: { correct: "no" } });
    expect(await reviewer.reviews.draft({ ...q(), position: 1 })).toBeNull();
  });

  it("skipping deletes the draft; a skipped item takes no new one", async () => {
    const reviewer = callerFor(t.users.reviewer);
    expect((await reviewer.reviews.next(q()))?.position).toBe(2);
    await reviewer.reviews.saveDraft({ ...q(), position: 2, grade: { correct: "no" } });
    await reviewer.reviews.skip({ ...q(), position: 2 });
    expect(await getDb().reviewDraft.count({ where: { userId: t.users.reviewer.id } })).toBe(0);
    await expect(reviewer.reviews.saveDraft({ ...q(), position: 2, grade: { correct: "no" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
