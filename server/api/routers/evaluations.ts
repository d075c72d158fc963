import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { text } from "../../contracts/fields";
import { createEvaluatorInput, evaluatorConfig, evaluatorName, saveEvaluatorVersionInput } from "../../contracts/evaluators";
import { createRunInput } from "../../contracts/evaluations";
import { archiveEvaluator, createEvaluator, getEvaluator, listEvaluators, saveEvaluatorVersion } from "../../domain/evaluations/registry";
import { cancelRun, createRun, getRun, listRuns, runStatus } from "../../domain/evaluations/runs";
import { compareRuns, promptDashboard, runResults } from "../../domain/evaluations/results";
import { promptName } from "../../contracts/prompts";

const runNumber = z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647, "is out of range");
// Configurations are checked by the domain (it names the field); here only their outline.
const configInput = z.custom<z.input<typeof evaluatorConfig>>(
  (v) => typeof v === "object" && v !== null && "kind" in v,
  "must be an evaluator configuration with a kind",
);

export const evaluatorsRouter = createRouter({
  list: projectProcedure("evaluation:read")
    .input(z.object({ includeArchived: z.boolean().default(false) }))
    .query(({ ctx, input }) => listEvaluators(ctx.db, ctx.project.id, input)),
  get: projectProcedure("evaluation:read")
    .input(z.object({ name: evaluatorName }))
    .query(({ ctx, input }) => getEvaluator(ctx.db, ctx.project.id, input.name)),
  create: projectProcedure("evaluation:write")
    .input(createEvaluatorInput.extend({ config: configInput }))
    .mutation(async ({ ctx, input }) => {
      const { evaluator, version } = await ctx.audited((w) => createEvaluator(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input));
      return { name: evaluator.name, version: version.version };
    }),
  saveVersion: projectProcedure("evaluation:write")
    .input(saveEvaluatorVersionInput.extend({ config: configInput }))
    .mutation(({ ctx, input }) => ctx.audited((w) => saveEvaluatorVersion(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  archive: projectProcedure("evaluation:write")
    .input(z.object({ name: evaluatorName }))
    .mutation(({ ctx, input }) => ctx.audited((w) => archiveEvaluator(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});

export const runsRouter = createRouter({
  list: projectProcedure("evaluation:read")
    .input(z.object({ promptName: promptName.optional(), before: runNumber.optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listRuns(ctx.db, ctx.project.id, input)),
  get: projectProcedure("evaluation:read")
    .input(z.object({ number: runNumber }))
    .query(({ ctx, input }) => getRun(ctx.db, ctx.project.id, input.number)),
  progress: projectProcedure("evaluation:read")
    .input(z.object({ number: runNumber }))
    .query(({ ctx, input }) => runStatus(ctx.db, ctx.project.id, input.number)),
  results: projectProcedure("evaluation:read")
    .input(
      z.object({
        number: runNumber,
        page: z.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.union([z.literal(25), z.literal(50), z.literal(100)]).default(50),
        status: z.enum(["done", "error", "pending"]).optional(),
        position: z.number().int().min(1).max(2_147_483_647).optional(),
        failedOn: text(100).min(1).optional(),
        sort: z.enum(["position", "latency", "cost", "score"]).default("position"),
        sortEvaluator: text(100).min(1).optional(),
        direction: z.enum(["asc", "desc"]).default("asc"),
      }),
    )
    .query(({ ctx, input }) => runResults(ctx.db, ctx.project.id, input)),
  compare: projectProcedure("evaluation:read")
    .input(z.object({ baseline: runNumber, candidate: runNumber }))
    .query(({ ctx, input }) => compareRuns(ctx.db, ctx.project.id, input)),
  dashboard: projectProcedure("evaluation:read")
    .input(z.object({ promptName }))
    .query(({ ctx, input }) => promptDashboard(ctx.db, ctx.project.id, input.promptName)),
  create: projectProcedure("evaluation:write")
    .input(createRunInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createRun(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  cancel: projectProcedure("evaluation:write")
    .input(z.object({ number: runNumber }))
    .mutation(({ ctx, input }) => ctx.audited((w) => cancelRun(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});
