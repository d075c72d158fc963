import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { jsonChecked, pageNumber, text } from "../../contracts/fields";
import { datasetName, itemTag } from "../../contracts/datasets";
import { gradeInput, queueName } from "../../contracts/reviews";
import { addFinalizedToDataset, addFromDataset, addFromRun, createQueue, setGold, setReviewers } from "../../domain/reviews/queues";
import { adjudicate, nextItem, renewLease, reviseGrade, skipItem, submitGrade } from "../../domain/reviews/assignments";
import { discardDraft, getDraft, saveDraft } from "../../domain/reviews/drafts";
import { getQueue, itemForReviewer, listQueues, myGrades, myQueues, queueAgreement, queueItems } from "../../domain/reviews/queries";

const position = z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647);
const scope = (ctx: { org: { id: string }; project: { id: string } }) => ({ orgId: ctx.org.id, projectId: ctx.project.id });

export const reviewsRouter = createRouter({
  list: projectProcedure("review:read").query(({ ctx }) => listQueues(ctx.db, ctx.project.id)),
  get: projectProcedure("review:read")
    .input(z.object({ name: queueName }))
    .query(({ ctx, input }) => getQueue(ctx.db, ctx.project.id, input.name)),
  items: projectProcedure("review:read")
    .input(
      z.object({
        name: queueName,
        page: pageNumber.default(1),
        pageSize: z.union([z.literal(25), z.literal(50), z.literal(100)]).default(25),
        state: z.enum(["pending", "disagreement", "finalized"]).optional(),
      }),
    )
    .query(({ ctx, input }) => queueItems(ctx.db, ctx.project.id, input.name, input)),
  agreement: projectProcedure("review:read")
    .input(z.object({ name: queueName }))
    .query(({ ctx, input }) => queueAgreement(ctx.db, ctx.project.id, input.name)),

  create: projectProcedure("review:manage")
    .input(
      z.object({
        name: queueName,
        description: text(2000).default(""),
        guidelines: text(50_000).default(""),
        rubric: jsonChecked(z.unknown()),
        reviewsPerItem: z.number().int().min(1, "must be 1 or more").max(5, "must be at most 5"),
        blind: z.boolean().default(true),
        showAutoScores: z.boolean().default(false),
        leaseMinutes: z.number().int().min(1).max(240).default(10),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.audited((w) => createQueue(w, scope(ctx), { ...input, leaseSeconds: input.leaseMinutes * 60 }));
      return { name: queue.name };
    }),
  setReviewers: projectProcedure("review:manage")
    .input(z.object({ name: queueName, userIds: z.array(z.uuid()).max(100) }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setReviewers(w, scope(ctx), input))),
  addFromRun: projectProcedure("review:manage")
    .input(
      z.object({
        name: queueName,
        runNumber: position,
        select: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("all") }),
          z.object({ kind: z.literal("failed"), evaluator: text(100).min(1) }),
          z.object({
            kind: z.literal("sample"),
            count: z.number().int().min(1).max(100_000).optional(),
            percent: z.number().min(0.1).max(100).optional(),
            seed: z.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
          }),
        ]),
      }),
    )
    .mutation(({ ctx, input }) => ctx.audited((w) => addFromRun(w, scope(ctx), input))),
  addFromDataset: projectProcedure("review:manage")
    .input(z.object({ name: queueName, dataset: datasetName, version: position.optional(), tag: itemTag.optional() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => addFromDataset(w, scope(ctx), input))),
  setGold: projectProcedure("review:manage")
    .input(z.object({ name: queueName, position, grade: gradeInput.nullable() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setGold(w, scope(ctx), input))),
  adjudicate: projectProcedure("review:manage")
    .input(z.object({ name: queueName, position, grade: gradeInput, note: text(2000) }))
    .mutation(({ ctx, input }) => ctx.audited((w) => adjudicate(w, scope(ctx), { ...input, leadId: ctx.user.id }))),

  addToDataset: projectProcedure("review:manage")
    .input(z.object({ name: queueName, dataset: datasetName, positions: z.array(position).max(10_000).optional(), tags: z.array(itemTag).max(20).optional() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => addFinalizedToDataset(w, scope(ctx), input))),

  /** The queues the signed-in person reviews. */
  mine: projectProcedure("review:grade").query(({ ctx }) => myQueues(ctx.db, ctx.project.id, ctx.user.id)),
  /** The signed-in reviewer's own grades in a queue. */
  myGrades: projectProcedure("review:grade")
    .input(z.object({ name: queueName }))
    .query(({ ctx, input }) => myGrades(ctx.db, ctx.project.id, input.name, ctx.user.id)),
  /** An item handed to the signed-in reviewer, as they may see it. */
  item: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position }))
    .query(({ ctx, input }) => itemForReviewer(ctx.db, ctx.project.id, input.name, ctx.user.id, input.position)),
  next: projectProcedure("review:grade")
    .input(z.object({ name: queueName }))
    .mutation(({ ctx, input }) => ctx.audited((w) => nextItem(w, scope(ctx), { name: input.name, reviewerId: ctx.user.id }))),
  renew: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position }))
    .mutation(({ ctx, input }) => ctx.audited((w) => renewLease(w, scope(ctx), { ...input, reviewerId: ctx.user.id }))),
  submit: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position, grade: gradeInput }))
    .mutation(({ ctx, input }) => ctx.audited((w) => submitGrade(w, scope(ctx), { ...input, reviewerId: ctx.user.id }))),
  skip: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position }))
    .mutation(({ ctx, input }) => ctx.audited((w) => skipItem(w, scope(ctx), { ...input, reviewerId: ctx.user.id }))),
  /** The signed-in reviewer's own draft of an item (nobody else's is ever readable). */
  draft: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position }))
    .query(({ ctx, input }) => getDraft(ctx.db, ctx.project.id, { ...input, userId: ctx.user.id })),
  /** Saves the form as a draft (debounced by the grading page); a draft is not a record: no audit event. */
  saveDraft: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position, grade: gradeInput }))
    .mutation(({ ctx, input }) => ctx.audited((w) => saveDraft(w, scope(ctx), { ...input, userId: ctx.user.id }))),
  discardDraft: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position }))
    .mutation(({ ctx, input }) => ctx.audited((w) => discardDraft(w, scope(ctx), { ...input, userId: ctx.user.id }))),
  revise: projectProcedure("review:grade")
    .input(z.object({ name: queueName, position, grade: gradeInput }))
    .mutation(({ ctx, input }) => ctx.audited((w) => reviseGrade(w, scope(ctx), { ...input, reviewerId: ctx.user.id }))),
});
