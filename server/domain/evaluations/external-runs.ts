import "server-only";
// External runs: evaluation runs an SDK executed itself (Langfuse's dataset runs: `item.link(...)`,
// `dataset.runExperiment(...)`), recorded one linked item at a time. Such a run has source
// `external`, the SDK's run name (unique per dataset), no prompt version, and is pinned to the
// dataset's latest version when its first item is linked. Each link is one run item (a repeated
// link of the same item is its next repetition) holding the trace and observation it points at;
// outputs, tokens, cost and scores are read from that trace when results are shown
// (results.ts). Nothing here queues work: Keel's worker never executes an external run, and
// gates and comparisons, which need a prompt version and automatic scores, never count one.
import type { AuditedTx } from "../../audit/mutation";
import { AppError, notFound } from "../../errors";
import { LIVE } from "../datasets/store";

export type ProjectCtx = { orgId: string; projectId: string };

export type LinkInput = {
  runName: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  datasetId: string;
  itemId: string;
  traceId: string;
  observationId?: string | null;
  at?: Date;
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Links a dataset item to a trace in the named external run, creating the run on its first link. */
export async function linkExternalRunItem(w: AuditedTx, ctx: ProjectCtx, input: LinkInput) {
  // One writer per run name: concurrent links (an experiment loop runs items in parallel) find
  // the same run and number repetitions without gaps.
  await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`external_run:${ctx.projectId}:${input.datasetId}:${input.runName}`}))`;
  const dataset = await w.tx.dataset.findFirst({
    where: { id: input.datasetId, projectId: ctx.projectId },
    select: { id: true, name: true, latestVersion: true },
  });
  if (!dataset) throw notFound("Dataset");
  let run = await w.tx.evaluationRun.findFirst({
    where: { projectId: ctx.projectId, source: "external", name: input.runName, datasetVersion: { datasetId: dataset.id } },
    include: { datasetVersion: { select: { version: true } } },
  });
  let created = false;
  if (!run) {
    if (dataset.latestVersion === 0) throw new AppError("BAD_REQUEST", `"${dataset.name}" has no items yet`, { field: "datasetItemId" });
    const version = await w.tx.datasetVersion.findUniqueOrThrow({
      where: { datasetId_version: { datasetId: dataset.id, version: dataset.latestVersion } },
      select: { id: true },
    });
    // Run numbers per project, 1..N: the same lock as runs Keel executes (runs.ts).
    await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`evaluation_runs:${ctx.projectId}`}))`;
    const last = await w.tx.evaluationRun.aggregate({ where: { projectId: ctx.projectId }, _max: { number: true } });
    const now = input.at ?? new Date();
    run = await w.tx.evaluationRun.create({
      data: {
        projectId: ctx.projectId,
        number: (last._max.number ?? 0) + 1,
        source: "external",
        name: input.runName,
        description: input.description ?? null,
        metadata: (input.metadata ?? undefined) as object | undefined,
        datasetVersionId: version.id,
        model: "",
        repetitions: 1,
        concurrency: 1,
        // Nothing is left for Keel to do: the SDK executed it. Items keep arriving while it runs.
        status: "completed",
        startedAt: now,
        finishedAt: now,
        createdByType: w.actor.type,
        createdById: w.actor.id,
        createdByLabel: w.actor.label,
      },
      include: { datasetVersion: { select: { version: true } } },
    });
    created = true;
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: "evaluation.run.created",
      targetType: "evaluation_run",
      targetId: run.id,
      after: {
        number: run.number,
        source: "external",
        name: input.runName,
        description: run.description,
        dataset: dataset.name,
        datasetVersion: run.datasetVersion.version,
      },
    });
  }
  const pinned = run.datasetVersion.version;
  const revisions = await w.tx.$queryRaw<{ position: number; valid_from: number; valid_to: number }[]>`
    SELECT position, valid_from, valid_to FROM dataset_item_revisions
    WHERE dataset_id = ${dataset.id}::uuid AND item_id = ${input.itemId}::uuid ORDER BY valid_from DESC`;
  if (revisions.length === 0) throw new AppError("NOT_FOUND", `No dataset item ${input.itemId} in "${dataset.name}"`, { field: "datasetItemId" });
  const atPin = revisions.find((r) => r.valid_from <= pinned && r.valid_to > pinned);
  if (!atPin) {
    const live = revisions.some((r) => r.valid_to === LIVE);
    throw new AppError(
      "CONFLICT",
      live
        ? `Item ${input.itemId} was added to "${dataset.name}" after run "${input.runName}" started on version ${pinned}; link it in a new run`
        : `Item ${input.itemId} is archived in "${dataset.name}"`,
      { field: "datasetItemId" },
    );
  }
  const [{ next }] = (await w.tx.$queryRaw<{ next: number }[]>`
    SELECT coalesce(max(repetition), 0)::int + 1 AS next FROM evaluation_run_items WHERE run_id = ${run.id}::uuid AND position = ${atPin.position}`) as [
    { next: number },
  ];
  const at = input.at ?? new Date();
  await w.tx.evaluationRunItem.create({
    data: {
      runId: run.id,
      position: atPin.position,
      repetition: next,
      itemId: input.itemId,
      status: "done",
      traceId: input.traceId,
      observationId: input.observationId ?? null,
      finishedAt: at,
    },
  });
  const describe =
    !created && ((input.description != null && input.description !== run.description) || (input.metadata != null && !sameJson(input.metadata, run.metadata)));
  await w.tx.evaluationRun.update({
    where: { id: run.id },
    data: {
      itemsTotal: { increment: 1 },
      finishedAt: at > (run.finishedAt ?? at) ? at : run.finishedAt,
      ...(describe ? { description: input.description ?? run.description, metadata: (input.metadata ?? run.metadata ?? undefined) as object | undefined } : {}),
    },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "evaluation.run.item.linked",
    targetType: "evaluation_run",
    targetId: run.id,
    after: {
      number: run.number,
      name: input.runName,
      dataset: dataset.name,
      item: input.itemId,
      position: atPin.position,
      repetition: next,
      traceId: input.traceId,
      observationId: input.observationId ?? null,
    },
  });
  return {
    runId: run.id,
    number: run.number,
    name: input.runName,
    datasetId: dataset.id,
    datasetName: dataset.name,
    itemId: input.itemId,
    position: atPin.position,
    repetition: next,
    createdAt: at,
    runCreatedAt: run.createdAt,
  };
}
