import "server-only";
// Evaluation runs over the public API, for CI: start a run (the same audited domain function as
// the web app, with the API key as the actor) and poll it until it ends. `npx keel eval` uses
// these two routes.
import { z } from "zod";
import { getDb, getReadDb } from "../db/client";
import { runAudited } from "../audit/mutation";
import { createRunInput, isUsableRun, runOutcome, RUN_OUTCOMES, RUN_STATUSES, type RunSummary } from "../contracts/evaluations";
import { createRun, getRun } from "../domain/evaluations/runs";
import { defineRoute, type PublicRoute } from "./route-table";

const evaluatorSummary = z
  .object({
    evaluatorVersionId: z.string(),
    name: z.string(),
    kind: z.string(),
    n: z.number().int(),
    mean: z.number(),
    ciLow: z.number(),
    ciHigh: z.number(),
    passRate: z.number(),
    passLow: z.number(),
    passHigh: z.number(),
  })
  .strict();

const runResponse = z
  .object({
    number: z.number().int().describe("The run's number in the project (#12)."),
    id: z.string(),
    status: z.enum(RUN_STATUSES),
    outcome: z
      .enum(RUN_OUTCOMES)
      .describe(
        "What the run measured: `completed` (every call answered), `completed_with_errors` (some calls errored; they are not scored), `failed` (no usable result; `error` says why), else the status.",
      ),
    usable: z
      .boolean()
      .describe("True when the run completed with at least half of its calls answered: only such runs count for deployment gates and dashboards."),
    error: z.string().nullable(),
    source: z.enum(["keel", "external"]).describe("`external`: executed by an SDK outside Keel (Langfuse dataset run items); it names no prompt version."),
    name: z.string().nullable().describe("The run name an SDK gave an external run; null for runs Keel executed."),
    prompt: z.object({ name: z.string(), version: z.number().int() }).strict().nullable().describe("The prompt version Keel ran; null for an external run."),
    dataset: z.object({ name: z.string(), version: z.number().int(), tag: z.string().nullable() }).strict(),
    model: z.string(),
    progress: z
      .object({
        total: z.number().int(),
        done: z.number().int(),
        errors: z.number().int(),
        running: z.number().int(),
        pending: z.number().int(),
        etaSeconds: z.number().nullable(),
      })
      .strict(),
    summary: z
      .object({
        items: z.number().int(),
        done: z.number().int(),
        errors: z.number().int(),
        evaluators: z.array(evaluatorSummary),
        latencyP50: z.number().nullable(),
        latencyP95: z.number().nullable(),
        inputTokens: z.number().int(),
        outputTokens: z.number().int(),
        costUsd: z.number().nullable(),
        consistency: z.array(z.object({ name: z.string(), meanVariance: z.number() }).strict()).nullable(),
        errorMessages: z
          .array(z.object({ message: z.string(), count: z.number().int() }).strict())
          .optional()
          .describe("The most frequent error messages of the errored calls, most frequent first (at most 3)."),
      })
      .strict()
      .nullable()
      .describe("Written when the run ends: per evaluator the mean score with a 95% CI and the pass rate with a Wilson interval."),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .strict();

type LoadedRun = Awaited<ReturnType<typeof getRun>>;

function toResponse(run: LoadedRun) {
  return {
    number: run.number,
    id: run.id,
    status: run.status,
    outcome: runOutcome(run.status, run.summary as RunSummary | null),
    usable: isUsableRun(run.status, run.summary as RunSummary | null),
    error: run.error,
    source: run.source,
    name: run.name,
    prompt: run.promptVersion ? { name: run.promptVersion.prompt.name, version: run.promptVersion.version } : null,
    dataset: { name: run.datasetVersion.dataset.name, version: run.datasetVersion.version, tag: run.tag },
    model: run.model,
    progress: {
      total: run.progress.total,
      done: run.progress.done,
      errors: run.progress.errors,
      running: run.progress.running,
      pending: run.progress.pending,
      etaSeconds: run.progress.etaSeconds,
    },
    summary: (run.summary as z.infer<typeof runResponse>["summary"]) ?? null,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export const evaluationRoutes: PublicRoute[] = [
  defineRoute({
    method: "POST",
    path: "/api/public/v1/evaluations/runs",
    operationId: "createEvaluationRun",
    summary: "Start an evaluation run",
    description:
      "Runs a prompt version (by `version` or `label`, default `latest`) over a dataset version (default: the latest; pin `version` for reproducible gates), optionally one `tag`, scored by the named evaluators at their latest versions. The run is queued and executed by Keel's workers; poll `GET /api/public/v1/evaluations/runs/{number}`. Audited with the API key as the actor.",
    tag: "Evaluations",
    scope: "evaluations:write",
    permission: "evaluation:write",
    body: createRunInput,
    responses: { 201: { description: "The run, queued.", schema: runResponse } },
    errors: [404],
    async handle({ principal, body, actor }) {
      const created = await runAudited(actor, (w) => createRun(w, { orgId: principal.orgId, projectId: principal.projectId }, body));
      return { status: 201, body: toResponse(await getRun(getDb(), principal.projectId, created.number)) };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/public/v1/evaluations/runs/{number}",
    replica: true,
    operationId: "getEvaluationRun",
    summary: "An evaluation run's status and results",
    description: "Progress while it runs; the summary once it has ended (`completed`, `failed` with an `error`, or `cancelled`).",
    tag: "Evaluations",
    scope: "evaluations:read",
    permission: "evaluation:read",
    params: z.object({
      number: z.coerce
        .number({ error: "must be a run number" })
        .int("must be a run number")
        .min(1, "must be a run number")
        .max(2_147_483_647, "is out of range"),
    }),
    responses: { 200: { description: "The run.", schema: runResponse } },
    errors: [404],
    async handle({ principal, params }) {
      return { status: 200, body: toResponse(await getRun(getReadDb(), principal.projectId, params.number)) };
    },
  }),
];
