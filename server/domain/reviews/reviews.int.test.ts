// Review queues on real PostgreSQL: race-free assignment (20 concurrent reviewers over 100 items:
// each item reviewed exactly the needed number of times, nobody twice on one item), leases that
// run out, grades checked against the rubric, revisions and adjudication audited.
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { auditEventsOf, createTestOrg, createUser, lastSeq, testRequest, type TestOrg } from "@/test/support/factories";
import { addFromDataset, createQueue, setReviewers } from "./queues";
import { adjudicate, nextItem, reviseGrade, skipItem, submitGrade } from "./assignments";
import type { Rubric } from "../../contracts/reviews";

let t: TestOrg;
const ctx = () => ({ orgId: t.org.id, projectId: t.project.id });
const actorFor = (user: { id: string; email: string }): Actor => ({ type: "user", id: user.id, label: user.email, role: "reviewer", request: testRequest() });

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
      { value: "partly", label: "Partly" },
      { value: "yes", label: "Yes" },
    ],
  },
  { type: "numeric", key: "tone", label: "Tone", description: "", required: true, min: 1, max: 5, step: 1 },
  { type: "boolean", key: "safe", label: "Safe", description: "", required: true },
  { type: "text", key: "comment", label: "Comment", description: "", required: false, maxLength: 2000 },
];

async function makeQueue(name: string, items: number, reviewsPerItem: number, reviewers: { id: string; email: string }[], leaseSeconds = 600) {
  const lead = actorFor(t.users.editor);
  await runAudited(lead, (w) => createQueue(w, ctx(), { name, rubric: RUBRIC, reviewsPerItem, leaseSeconds }));
  const { callerFor } = await import("@/test/support/factories");
  await callerFor(t.users.editor).datasets.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name: `${name}-data` });
  await callerFor(t.users.editor).datasets.addItems({
    orgSlug: t.org.slug,
    projectSlug: t.project.slug,
    name: `${name}-data`,
    items: Array.from({ length: items }, (_, i) => ({ input: { question: `Q${i + 1}` }, expected: `A${i + 1}` })),
  });
  await runAudited(lead, (w) => addFromDataset(w, ctx(), { name, dataset: `${name}-data` }));
  await runAudited(lead, (w) => setReviewers(w, ctx(), { name, userIds: reviewers.map((r) => r.id) }));
}

const grade = (correct = "yes", tone = 4, safe = true) => ({ correct, tone, safe });

beforeAll(async () => {
  t = await createTestOrg();
});

describe("assignment under concurrency", () => {
  it("20 reviewers over 100 items needing 2 reviews: each item reviewed exactly twice, nobody twice on one item", async () => {
    const reviewers = [];
    for (let i = 0; i < 20; i++) {
      const u = await createUser(`rev-${i}-${Date.now()}@example.com`);
      await getDb().membership.create({ data: { orgId: t.org.id, userId: u.id, role: "reviewer" } });
      reviewers.push(u);
    }
    await makeQueue("race", 100, 2, reviewers);
    await Promise.all(
      reviewers.map(async (r) => {
        const actor = actorFor(r);
        for (;;) {
          const leased = await runAudited(actor, (w) => nextItem(w, ctx(), { name: "race", reviewerId: r.id }));
          if (!leased) return;
          await runAudited(actor, (w) => submitGrade(w, ctx(), { name: "race", reviewerId: r.id, position: leased.position, grade: grade() }));
        }
      }),
    );
    const queue = await getDb().reviewQueue.findFirstOrThrow({ where: { projectId: t.project.id, name: "race" } });
    const counts = await getDb().$queryRaw<{ position: number; reviews: number; reviewers: number }[]>`
      SELECT i.position, count(a.id)::int AS reviews, count(DISTINCT a.reviewer_id)::int AS reviewers
      FROM review_items i LEFT JOIN review_assignments a ON a.item_id = i.id AND a.status = 'submitted'
      WHERE i.queue_id = ${queue.id}::uuid GROUP BY i.position ORDER BY i.position`;
    expect(counts).toHaveLength(100);
    expect(counts.every((c) => c.reviews === 2 && c.reviewers === 2)).toBe(true);
    expect(await getDb().reviewItem.count({ where: { queueId: queue.id, finalizedAt: null } })).toBe(0);
  }, 120_000);
});

describe("filling from an evaluation run", () => {
  it("adds a run's failures of one evaluator, a sample, or all; never the same output twice", async () => {
    const { callerFor } = await import("@/test/support/factories");
    const editor = callerFor(t.users.editor);
    const s = { orgSlug: t.org.slug, projectSlug: t.project.slug };
    await editor.datasets.create({ ...s, name: "fill" });
    await editor.datasets.addItems({
      ...s,
      name: "fill",
      items: Array.from({ length: 10 }, (_, i) => ({ input: { q: `Q${i}` }, expected: i % 2 ? "short" : "x".repeat(500) })),
    });
    await editor.prompts.create({ ...s, name: "fill", content: { type: "text", template: "{{q}}" }, commitMessage: "v1" });
    await editor.evaluators.create({ ...s, name: "tiny", config: { kind: "length", max: 10, unit: "chars" } });
    const run = await editor.runs.create({ ...s, prompt: { name: "fill" }, dataset: { name: "fill" }, evaluators: ["tiny"] });
    const { processRun } = await import("../evaluations/worker");
    while ((await processRun(run.id, { deadline: Date.now() + 10_000, log: () => {} })) === "continue");
    await editor.reviews.create({ ...s, name: "from-run", reviewsPerItem: 1, rubric: RUBRIC });
    expect(await editor.reviews.addFromRun({ ...s, name: "from-run", runNumber: run.number, select: { kind: "failed", evaluator: "tiny" } })).toEqual({
      added: 10,
      skipped: 0,
    });
    expect(await editor.reviews.addFromRun({ ...s, name: "from-run", runNumber: run.number, select: { kind: "all" } })).toEqual({ added: 0, skipped: 10 });
    await editor.reviews.create({ ...s, name: "sampled", reviewsPerItem: 1, rubric: RUBRIC });
    expect(await editor.reviews.addFromRun({ ...s, name: "sampled", runNumber: run.number, select: { kind: "sample", percent: 30 } })).toEqual({
      added: 3,
      skipped: 0,
    });
    const item = await getDb().reviewItem.findFirstOrThrow({ where: { queue: { name: "sampled", projectId: t.project.id } } });
    expect(item).toMatchObject({
      sourceType: "evaluation",
      output: expect.stringContaining("[Simulated]"),
      autoScores: [expect.objectContaining({ name: "tiny", passed: false })],
    });
    await expect(
      editor.reviews.addFromRun({ ...s, name: "sampled", runNumber: run.number, select: { kind: "failed", evaluator: "nope" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  }, 60_000);
});

describe("filling from elsewhere", () => {
  it("takes items from any source through one domain function (production traces will use it)", async () => {
    const { addItemsToQueue } = await import("./queues");
    const lead = actorFor(t.users.editor);
    await runAudited(lead, (w) => createQueue(w, ctx(), { name: "traces", rubric: RUBRIC, reviewsPerItem: 1 }));
    const result = await runAudited(lead, (w) =>
      addItemsToQueue(w, ctx(), {
        name: "traces",
        from: "production traces",
        items: [{ sourceType: "trace", sourceRef: { traceId: "t-1" }, input: { question: "Hi" }, expected: null, output: "Hello!", autoScores: null }],
      }),
    );
    expect(result).toEqual({ added: 1 });
    expect(await getDb().reviewItem.findFirstOrThrow({ where: { queue: { name: "traces", projectId: t.project.id } } })).toMatchObject({
      sourceType: "trace",
      sourceRef: { traceId: "t-1" },
      output: "Hello!",
      position: 1,
    });
  });
});

describe("leases, grades and adjudication", () => {
  it("an expired lease returns the item; a late grade is refused when someone else holds it", async () => {
    const [a, b] = [t.users.reviewer, t.users.admin];
    await makeQueue("leases", 1, 1, [a, b], 1);
    const first = await runAudited(actorFor(a), (w) => nextItem(w, ctx(), { name: "leases", reviewerId: a.id }));
    expect(first).toMatchObject({ position: 1, resumed: false });
    expect(await runAudited(actorFor(b), (w) => nextItem(w, ctx(), { name: "leases", reviewerId: b.id }))).toBeNull();
    await new Promise((r) => setTimeout(r, 1_200));
    const second = await runAudited(actorFor(b), (w) => nextItem(w, ctx(), { name: "leases", reviewerId: b.id }));
    expect(second).toMatchObject({ position: 1 });
    await expect(
      runAudited(actorFor(a), (w) => submitGrade(w, ctx(), { name: "leases", reviewerId: a.id, position: 1, grade: grade() })),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Your lease on item #1 ran out and another reviewer now holds it; your grade was not saved",
    });
  });

  it("refuses grades outside the rubric, naming the dimension; reviewers see only their queues", async () => {
    const r = t.users.reviewer;
    await makeQueue("rubric", 2, 1, [r]);
    const leased = await runAudited(actorFor(r), (w) => nextItem(w, ctx(), { name: "rubric", reviewerId: r.id }));
    const submit = (g: Record<string, unknown>) =>
      runAudited(actorFor(r), (w) => submitGrade(w, ctx(), { name: "rubric", reviewerId: r.id, position: leased!.position, grade: g as never }));
    await expect(submit({ correct: "maybe", tone: 3, safe: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      field: "grade.correct",
      message: "Correct must be one of no, partly, yes",
    });
    await expect(submit({ correct: "yes", tone: 9, safe: true })).rejects.toMatchObject({ field: "grade.tone", message: "Tone must be between 1 and 5" });
    await expect(submit({ correct: "yes", tone: 3 })).rejects.toMatchObject({ field: "grade.safe", message: "Safe is required" });
    await expect(submit({ correct: "yes", tone: 3, safe: true, extra: 1 })).rejects.toMatchObject({ field: "grade.extra" });
    const viewer = t.users.viewer;
    await expect(runAudited(actorFor(viewer), (w) => nextItem(w, ctx(), { name: "rubric", reviewerId: viewer.id }))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("skips, revises (audited with before/after) and adjudicates disagreements", async () => {
    const [a, b] = [t.users.reviewer, t.users.admin];
    await makeQueue("adjudicate", 2, 2, [a, b]);
    const before = await lastSeq(t.org.id);
    const la = await runAudited(actorFor(a), (w) => nextItem(w, ctx(), { name: "adjudicate", reviewerId: a.id }));
    await runAudited(actorFor(a), (w) => skipItem(w, ctx(), { name: "adjudicate", reviewerId: a.id, position: la!.position }));
    const la2 = await runAudited(actorFor(a), (w) => nextItem(w, ctx(), { name: "adjudicate", reviewerId: a.id }));
    expect(la2!.position).toBe(2);
    await runAudited(actorFor(a), (w) => submitGrade(w, ctx(), { name: "adjudicate", reviewerId: a.id, position: 2, grade: grade("yes", 4) }));
    await runAudited(actorFor(a), (w) => reviseGrade(w, ctx(), { name: "adjudicate", reviewerId: a.id, position: 2, grade: grade("yes", 5) }));
    const lb = await runAudited(actorFor(b), (w) => nextItem(w, ctx(), { name: "adjudicate", reviewerId: b.id }));
    expect(lb!.position).toBe(1);
    await runAudited(actorFor(b), (w) => submitGrade(w, ctx(), { name: "adjudicate", reviewerId: b.id, position: 1, grade: grade() }));
    const lb2 = await runAudited(actorFor(b), (w) => nextItem(w, ctx(), { name: "adjudicate", reviewerId: b.id }));
    const result = await runAudited(actorFor(b), (w) =>
      submitGrade(w, ctx(), { name: "adjudicate", reviewerId: b.id, position: lb2!.position, grade: grade("no", 2) }),
    );
    expect(result.finalized).toBe(false); // yes/5 vs no/2: a disagreement
    await expect(
      runAudited(actorFor(t.users.editor), (w) =>
        adjudicate(w, ctx(), { name: "adjudicate", position: 2, grade: grade("partly", 3), note: " ", leadId: t.users.editor.id }),
      ),
    ).rejects.toMatchObject({ field: "note" });
    await runAudited(actorFor(t.users.editor), (w) =>
      adjudicate(w, ctx(), { name: "adjudicate", position: 2, grade: grade("partly", 3), note: "The answer is half right", leadId: t.users.editor.id }),
    );
    const item = await getDb().reviewItem.findFirstOrThrow({ where: { queue: { name: "adjudicate", projectId: t.project.id }, position: 2 } });
    expect(item).toMatchObject({ finalGrade: grade("partly", 3), finalSource: "adjudicated", adjudicationNote: "The answer is half right" });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual([
      "review.item.leased",
      "review.item.skipped",
      "review.item.leased",
      "review.grade.submitted",
      "review.grade.revised",
      "review.item.leased",
      "review.grade.submitted",
      "review.item.leased",
      "review.grade.submitted",
      "review.item.adjudicated",
    ]);
    expect(events[4]).toMatchObject({
      before: expect.objectContaining({ grade: grade("yes", 4) }),
      after: expect.objectContaining({ grade: grade("yes", 5) }),
    });

    // The lead's views: items by state, progress per reviewer, agreement per dimension.
    const { callerFor } = await import("@/test/support/factories");
    const s = { orgSlug: t.org.slug, projectSlug: t.project.slug };
    const lead = callerFor(t.users.editor);
    const items = await lead.reviews.items({ ...s, name: "adjudicate" });
    expect(items.items.map((i) => [i.position, i.state])).toEqual([
      [1, "pending"],
      [2, "finalized"],
    ]);
    const queue = await lead.reviews.get({ ...s, name: "adjudicate" });
    expect(queue.progress).toMatchObject({ items: 2, finalized: 1, reviewsSubmitted: 3 });
    const agreement = await lead.reviews.agreement({ ...s, name: "adjudicate" });
    expect(agreement.dimensions.map((d) => [d.key, d.level, d.units])).toEqual([
      ["correct", "ordinal", 1],
      ["tone", "interval", 1],
      ["safe", "nominal", 1],
    ]);
    // Grades export as CSV (one row per review) and the finalised item goes to a dataset.
    const { httpHandlers } = await import("../../api/http-handlers");
    const { sessionCookieFor } = await import("@/test/support/factories");
    const csv = await httpHandlers["reviews.export"](
      new Request(`http://keel.test/api/reviews/${t.org.slug}/${t.project.slug}/adjudicate/export?format=csv`, {
        headers: { cookie: await sessionCookieFor(t.users.auditor) },
      }),
      {
        params: Promise.resolve({ org: t.org.slug, project: t.project.slug, queue: "adjudicate" }),
      },
    );
    const text = await csv.text();
    expect(text.split("\n")[0]).toBe(
      "position,source,reviewer,correct,tone,safe,comment,submitted_at,revised_at,final_correct,final_tone,final_safe,final_comment,final_source,adjudication_note",
    );
    expect(text).toContain("partly,3,true,,adjudicated,The answer is half right");
    await lead.datasets.create({ ...s, name: "reviewed" });
    expect(await lead.reviews.addToDataset({ ...s, name: "adjudicate", dataset: "reviewed" })).toMatchObject({ version: 1, itemIds: [expect.any(String)] });
    const added = await lead.datasets.items({ ...s, name: "reviewed" });
    expect(added.items[0]).toMatchObject({
      expected: "A2",
      sourceType: "review",
      metadata: { review: { queue: "adjudicate", position: 2, finalSource: "adjudicated" } },
    });

    // Reviewers grade blind: the reviewer-facing procedures never return anyone else's grade, and
    // the lead's views are closed to them.
    await expect(callerFor(t.users.reviewer).reviews.items({ ...s, name: "adjudicate" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const mine = await callerFor(t.users.reviewer).reviews.item({ ...s, name: "adjudicate", position: 2 });
    expect(mine.mine.grade).toEqual(grade("yes", 5));
    expect(mine.others).toEqual([]); // blind (the default)
    const reviewer = callerFor(t.users.reviewer);
    expect((await reviewer.reviews.myGrades({ ...s, name: "adjudicate" })).rows.map((r) => [r.position, r.grade, r.finalized])).toEqual([
      [2, grade("yes", 5), true],
    ]);
    expect((await reviewer.reviews.mine({ ...s })).find((q) => q.name === "adjudicate")).toMatchObject({ items: 2, gradedByMe: 1, availableToMe: 0 });
    expect(JSON.stringify(mine)).not.toMatch(/"tone":2\b|adjudication|finalGrade|"reviews"/);
  });
});
