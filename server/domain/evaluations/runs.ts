import "server-only";
// Evaluation runs: a prompt version over a pinned dataset version (optionally one tag), scored
// by evaluators at the versions the run records. Creating a run writes the run, its evaluator
// versions, one pending row per (item, repetition) and the queue job, in one audited transaction:
// the job exists exactly when the run does. Workers do the rest (worker.ts).
import type { AuditedTx } from "../../audit/mutation";
import { prismaExecutor } from "../../audit/chain";
import type { ReadDb } from "../../db/client";
import { readSql } from "../../db/client";
import { AppError, notFound } from "../../errors";
import { createRunInput, FINISHED_STATUSES, MAX_RUN_ITEMS, type CreateRunInput, type RunStatus } from "../../contracts/evaluations";
import type { ModelConfig } from "../../contracts/prompts";
import { resolvePrompt } from "../prompts/queries";
import { enqueueRun } from "../../queue/boss";
import { humanScoresOfRun } from "../reviews/human-scores";
import { empty, sql } from "../../db/sql";

export type ProjectCtx = { orgId: string; projectId: string };

export async function createRun(w: AuditedTx, ctx: ProjectCtx, raw: CreateRunInput) {
  const input = createRunInput.parse(raw);
  const db = w.tx as unknown as ReadDb;

  const want = input.prompt.version ? { version: input.prompt.version } : { label: input.prompt.label ?? "latest" };
  const prompt = await resolvePrompt(db, ctx.projectId, input.prompt.name, want);
  if (!prompt) {
    const which = "version" in want ? `version ${want.version}` : `label "${want.label}"`;
    throw new AppError("NOT_FOUND", `No prompt "${input.prompt.name}" with ${which}`, { field: "prompt" });
  }
  const promptVersion = await w.tx.promptVersion.findUniqueOrThrow({
    where: { promptId_version: { promptId: prompt.promptId, version: prompt.version } },
    select: { id: true },
  });

  const dataset = await w.tx.dataset.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.dataset.name } } });
  if (!dataset) throw new AppError("NOT_FOUND", `No dataset named "${input.dataset.name}"`, { field: "dataset" });
  const datasetVersionNumber = input.dataset.version ?? dataset.latestVersion;
  if (datasetVersionNumber === 0) throw new AppError("BAD_REQUEST", `"${dataset.name}" has no items yet`, { field: "dataset" });
  const datasetVersion = await w.tx.datasetVersion.findUnique({ where: { datasetId_version: { datasetId: dataset.id, version: datasetVersionNumber } } });
  if (!datasetVersion) throw new AppError("NOT_FOUND", `"${dataset.name}" has no version ${datasetVersionNumber}`, { field: "dataset.version" });

  const evaluatorNames = [...new Set(input.evaluators)];
  const evaluators = [];
  for (const name of evaluatorNames) {
    const evaluator = await w.tx.evaluator.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name } } });
    if (!evaluator || evaluator.archivedAt) throw new AppError("NOT_FOUND", `No evaluator named "${name}"`, { field: "evaluators" });
    const version = await w.tx.evaluatorVersion.findUniqueOrThrow({
      where: { evaluatorId_version: { evaluatorId: evaluator.id, version: evaluator.latestVersion } },
    });
    evaluators.push({ name, version });
  }

  const config: ModelConfig = prompt.config;
  const providerId = input.providerId ?? config.providerId ?? null;
  const provider = providerId
    ? await w.tx.providerConnection.findFirst({ where: { id: providerId, projectId: ctx.projectId } })
    : await w.tx.providerConnection.findFirst({ where: { projectId: ctx.projectId, kind: "simulated" } });
  if (!provider) throw new AppError("NOT_FOUND", providerId ? "Provider not found" : "This project has no provider to run on", { field: "providerId" });
  const model =
    input.model ?? (provider.kind === "simulated" ? (provider.defaultModel ?? "simulated-1") : (config.model ?? provider.defaultModel ?? undefined));
  if (!model) throw new AppError("BAD_REQUEST", "Choose a model: neither the version nor the provider names one", { field: "model" });
  const settings = {
    temperature: input.temperature ?? config.temperature,
    maxTokens: input.maxTokens ?? config.maxTokens,
    topP: config.topP,
    stop: config.stop,
    responseFormat: config.responseFormat,
  };

  // Run numbers per project, 1..N: serialised by a transaction-scoped advisory lock.
  await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`evaluation_runs:${ctx.projectId}`}))`;
  const last = await w.tx.evaluationRun.aggregate({ where: { projectId: ctx.projectId }, _max: { number: true } });
  const run = await w.tx.evaluationRun.create({
    data: {
      projectId: ctx.projectId,
      number: (last._max.number ?? 0) + 1,
      promptVersionId: promptVersion.id,
      datasetVersionId: datasetVersion.id,
      tag: input.tag ?? null,
      providerId: provider.id,
      model,
      settings: JSON.parse(JSON.stringify(settings)) as object,
      repetitions: input.repetitions,
      concurrency: input.concurrency,
      createdByType: w.actor.type,
      createdById: w.actor.id,
      createdByLabel: w.actor.label,
    },
  });
  for (const [position, e] of evaluators.entries()) {
    await w.tx.evaluationRunEvaluator.create({ data: { runId: run.id, evaluatorVersionId: e.version.id, name: e.name, position } });
  }
  const inserted = await w.tx.$executeRaw(
    sql`INSERT INTO evaluation_run_items (run_id, position, repetition, item_id)
     SELECT ${run.id}::uuid, r.position, rep, r.item_id
     FROM dataset_item_revisions r CROSS JOIN generate_series(1, ${input.repetitions}::int) AS rep
     WHERE r.dataset_id = ${dataset.id}::uuid AND r.valid_from <= ${datasetVersionNumber} AND r.valid_to > ${datasetVersionNumber} ${input.tag ? sql`AND r.tags @> ARRAY[${input.tag}]::text[]` : empty}`,
  );
  if (inserted === 0) {
    throw new AppError(
      "BAD_REQUEST",
      input.tag
        ? `Version ${datasetVersionNumber} of "${dataset.name}" has no items tagged "${input.tag}"`
        : `Version ${datasetVersionNumber} of "${dataset.name}" has no items`,
      { field: input.tag ? "tag" : "dataset" },
    );
  }
  if (inserted > MAX_RUN_ITEMS)
    throw new AppError(
      "BAD_REQUEST",
      `A run may make at most ${MAX_RUN_ITEMS.toLocaleString("en-US")} calls (items × repetitions); this one would make ${inserted.toLocaleString("en-US")}`,
      { field: "repetitions" },
    );
  await w.tx.evaluationRun.update({ where: { id: run.id }, data: { itemsTotal: inserted } });
  await enqueueRun(run.id, prismaExecutor(w.tx));

  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "evaluation.run.created",
    targetType: "evaluation_run",
    targetId: run.id,
    after: {
      number: run.number,
      prompt: prompt.name,
      promptVersion: prompt.version,
      dataset: dataset.name,
      datasetVersion: datasetVersionNumber,
      tag: input.tag ?? null,
      evaluators: evaluators.map((e) => ({ name: e.name, version: e.version.version })),
      provider: provider.name,
      model,
      repetitions: input.repetitions,
      concurrency: input.concurrency,
      calls: inserted,
    },
  });
  return { id: run.id, number: run.number, itemsTotal: inserted };
}

export async function cancelRun(w: AuditedTx, ctx: ProjectCtx, input: { number: number }) {
  const rows = await w.tx.$queryRaw<{ id: string; status: RunStatus; cancel_requested: boolean }[]>`
    SELECT id, status::text AS status, cancel_requested FROM evaluation_runs WHERE project_id = ${ctx.projectId}::uuid AND number = ${input.number} FOR UPDATE`;
  const run = rows[0];
  if (!run) throw notFound(`Run #${input.number}`);
  if (FINISHED_STATUSES.includes(run.status))
    throw new AppError(
      "CONFLICT",
      `Run #${input.number} has already ${run.status === "cancelled" ? "been cancelled" : run.status === "completed" ? "completed" : "failed"}`,
    );
  if (run.cancel_requested) {
    w.unchanged();
    return { status: run.status, cancelRequested: true };
  }
  // A queued run stops at once; a running one stops when its worker next looks (within seconds).
  const status: RunStatus = run.status === "queued" ? "cancelled" : run.status;
  await w.tx.evaluationRun.update({
    where: { id: run.id },
    data: { cancelRequested: true, status, ...(status === "cancelled" ? { finishedAt: new Date() } : {}) },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "evaluation.run.cancelled",
    targetType: "evaluation_run",
    targetId: run.id,
    before: { number: input.number, status: run.status },
    after: { number: input.number, cancelRequested: true, status },
  });
  return { status, cancelRequested: true };
}

// ---- reading -----------------------------------------------------------------------------------

export type RunProgress = {
  total: number;
  done: number;
  errors: number;
  running: number;
  pending: number;
  passRates: { name: string; passRate: number; n: number }[];
  etaSeconds: number | null;
};

export async function runProgress(db: ReadDb, run: { id: string; itemsTotal: number; startedAt: Date | null; status: string }): Promise<RunProgress> {
  const counts = await readSql<{ status: string; n: bigint }>(
    db,
    sql`SELECT status::text AS status, count(*) AS n FROM evaluation_run_items WHERE run_id = ${run.id}::uuid GROUP BY status`,
  );
  const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
  const rates = await readSql<{ name: string; rate: number; n: bigint }>(
    db,
    sql`SELECT s->>'name' AS name, avg(CASE WHEN (s->>'passed')::boolean THEN 1 ELSE 0 END)::float8 AS rate, count(*) AS n
     FROM evaluation_run_items i, jsonb_array_elements(i.scores) s WHERE i.run_id = ${run.id}::uuid AND i.status = 'done' GROUP BY 1 ORDER BY 1`,
  );
  const done = (by.done ?? 0) + (by.error ?? 0);
  const remaining = run.itemsTotal - done;
  const elapsed = run.startedAt ? (Date.now() - run.startedAt.getTime()) / 1000 : 0;
  return {
    total: run.itemsTotal,
    done,
    errors: by.error ?? 0,
    running: by.running ?? 0,
    pending: by.pending ?? 0,
    passRates: rates.map((r) => ({ name: r.name, passRate: r.rate, n: Number(r.n) })),
    etaSeconds: run.status === "running" && done > 0 && remaining > 0 ? Math.round((elapsed / done) * remaining) : null,
  };
}

/** Status and progress only: what a page polls while a run works. Null when there is no such run. */
export async function runStatus(db: ReadDb, projectId: string, number: number) {
  const run = await db.evaluationRun.findUnique({ where: { projectId_number: { projectId, number } } });
  if (!run) return null;
  return { status: run.status, error: run.error, cancelRequested: run.cancelRequested, progress: await runProgress(db, run) };
}

export async function getRun(db: ReadDb, projectId: string, number: number) {
  const run = await db.evaluationRun.findUnique({
    where: { projectId_number: { projectId, number } },
    include: {
      promptVersion: { select: { version: true, prompt: { select: { name: true } } } },
      datasetVersion: { select: { version: true, itemCount: true, dataset: { select: { name: true } } } },
      evaluators: { orderBy: { position: "asc" }, include: { evaluatorVersion: { select: { version: true, kind: true, config: true } } } },
    },
  });
  if (!run) throw notFound(`Run #${number}`);
  // An external (SDK) run's scores are those of its linked traces (results.ts reads them per item).
  const traceScoreNames =
    run.source === "external"
      ? (
          await readSql<{ name: string }>(
            db,
            sql`SELECT DISTINCT s.name FROM evaluation_run_items i JOIN telemetry.scores s ON s.project_id = ${projectId}::uuid AND s.trace_id = i.trace_id
             WHERE i.run_id = ${run.id}::uuid AND s.data_type <> 'categorical' ORDER BY 1 LIMIT 50`,
          )
        ).map((s) => s.name)
      : [];
  // Final grades from review queues that reviewed this run's outputs, beside the automatic scores.
  return { ...run, traceScoreNames, progress: await runProgress(db, run), human: await humanScoresOfRun(db, run.id) };
}

export async function listRuns(db: ReadDb, projectId: string, input: { promptName?: string; before?: number; limit: number }) {
  const runs = await db.evaluationRun.findMany({
    where: {
      projectId,
      ...(input.promptName ? { promptVersion: { prompt: { name: input.promptName } } } : {}),
      ...(input.before ? { number: { lt: input.before } } : {}),
    },
    orderBy: { number: "desc" },
    take: input.limit + 1,
    include: {
      promptVersion: { select: { version: true, prompt: { select: { name: true } } } },
      datasetVersion: { select: { version: true, dataset: { select: { name: true } } } },
    },
  });
  return { runs: runs.slice(0, input.limit), hasMore: runs.length > input.limit };
}
