import "server-only";
// Review queues: a rubric, guidelines, reviewers, and items filled from evaluation runs (all
// items, the failures of one evaluator, or a random sample) or a dataset version. Leads (editor
// and above) manage them; every change is audited.
import type { AuditedTx } from "../../audit/mutation";
import { Prisma } from "../../db/generated/client";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { rubric as rubricSchema, checkGrade, type Grade, type Rubric } from "../../contracts/reviews";
import type { ItemScore } from "../../contracts/evaluations";
import { empty, sql } from "../../db/sql";

export type ProjectCtx = { orgId: string; projectId: string };

export type QueueSettings = {
  name: string;
  description?: string;
  guidelines?: string;
  rubric: unknown;
  reviewsPerItem: number;
  blind?: boolean;
  showAutoScores?: boolean;
  leaseSeconds?: number;
};

function parseRubric(raw: unknown): Rubric {
  const parsed = rubricSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["rubric", ...issue.path].join(".");
    throw new AppError("BAD_REQUEST", `${field} ${issue.message}`, { field });
  }
  return parsed.data;
}

export async function createQueue(w: AuditedTx, ctx: ProjectCtx, input: QueueSettings) {
  const rubric = parseRubric(input.rubric);
  const queue = await w.tx.reviewQueue
    .create({
      data: {
        projectId: ctx.projectId,
        name: input.name,
        description: input.description?.trim() ?? "",
        guidelines: input.guidelines ?? "",
        rubric: rubric as object,
        reviewsPerItem: input.reviewsPerItem,
        blind: input.blind ?? true,
        showAutoScores: input.showAutoScores ?? false,
        leaseSeconds: input.leaseSeconds ?? 600,
      },
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A review queue named "${input.name}" already exists`, { field: "name" });
      throw error;
    });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.queue.created",
    targetType: "review_queue",
    targetId: queue.id,
    after: { name: queue.name, rubric, reviewsPerItem: queue.reviewsPerItem, blind: queue.blind },
  });
  return queue;
}

export async function lockQueue(w: AuditedTx, ctx: ProjectCtx, name: string) {
  const rows = await w.tx.$queryRaw<{ id: string }[]>`SELECT id FROM review_queues WHERE project_id = ${ctx.projectId}::uuid AND name = ${name} FOR UPDATE`;
  if (!rows[0]) throw notFound(`Review queue "${name}"`);
  return w.tx.reviewQueue.findUniqueOrThrow({ where: { id: rows[0].id } });
}

/** Sets who may review the queue (project members only). */
export async function setReviewers(w: AuditedTx, ctx: ProjectCtx, input: { name: string; userIds: string[] }) {
  const queue = await lockQueue(w, ctx, input.name);
  const wanted = [...new Set(input.userIds)];
  const project = await w.tx.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { orgId: true } });
  const members = await w.tx.membership.findMany({
    where: { orgId: project.orgId, userId: { in: wanted } },
    select: { userId: true, user: { select: { email: true } } },
  });
  const missing = wanted.filter((id) => !members.some((m) => m.userId === id));
  if (missing.length) throw new AppError("BAD_REQUEST", "Only members of the organization can review", { field: "userIds" });
  const current = await w.tx.reviewQueueReviewer.findMany({ where: { queueId: queue.id }, select: { userId: true } });
  const before = current.map((r) => r.userId).sort();
  const after = [...wanted].sort();
  if (JSON.stringify(before) === JSON.stringify(after)) {
    w.unchanged();
    return { reviewers: after.length };
  }
  await w.tx.reviewQueueReviewer.deleteMany({ where: { queueId: queue.id, userId: { notIn: wanted } } });
  await w.tx.reviewQueueReviewer.createMany({ data: wanted.map((userId) => ({ queueId: queue.id, userId })), skipDuplicates: true });
  const emails = (ids: string[]) => ids.map((id) => members.find((m) => m.userId === id)?.user.email ?? id);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.reviewers.changed",
    targetType: "review_queue",
    targetId: queue.id,
    before: { name: queue.name, reviewers: before },
    after: { name: queue.name, reviewers: emails(after) },
  });
  return { reviewers: after.length };
}

type NewItem = {
  sourceType: string;
  sourceRef: object;
  input: unknown;
  expected: unknown;
  output: string | null;
  autoScores: unknown;
  goldGrade?: Grade | null;
};

async function insertItems(w: AuditedTx, queue: { id: string; nextPosition: number }, items: NewItem[]) {
  if (!items.length) return 0;
  await w.tx.reviewItem.createMany({
    data: items.map((item, i) => ({
      queueId: queue.id,
      position: queue.nextPosition + i,
      sourceType: item.sourceType,
      sourceRef: item.sourceRef,
      input: (item.input ?? {}) as object,
      expected: item.expected === null || item.expected === undefined ? undefined : (item.expected as object),
      output: item.output,
      autoScores: item.autoScores === null || item.autoScores === undefined ? undefined : (item.autoScores as object),
      goldGrade: item.goldGrade ?? undefined,
    })),
  });
  await w.tx.reviewQueue.update({ where: { id: queue.id }, data: { nextPosition: queue.nextPosition + items.length } });
  return items.length;
}

export type QueueItemInput = NewItem;

/**
 * Adds items from anywhere (the entry point for production traces in a later capability): each
 * with its input, output, optional expected output and automatic scores, and a source link.
 */
export async function addItemsToQueue(w: AuditedTx, ctx: ProjectCtx, input: { name: string; items: QueueItemInput[]; from: string }) {
  const queue = await lockQueue(w, ctx, input.name);
  if (queue.archivedAt) throw new AppError("CONFLICT", `"${queue.name}" is archived`);
  const added = await insertItems(w, queue, input.items);
  if (!added) throw new AppError("BAD_REQUEST", "Add at least one item", { field: "items" });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.items.added",
    targetType: "review_queue",
    targetId: queue.id,
    after: { queue: queue.name, from: input.from, added },
  });
  return { added };
}

/** Mulberry32: samples (and the demo's generated traffic) are reproducible from their seed. */
export function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type RunSelection = { kind: "all" } | { kind: "failed"; evaluator: string } | { kind: "sample"; count?: number; percent?: number; seed?: number };

/** Adds the outputs of an evaluation run: all of them, those an evaluator failed, or a random sample. */
export async function addFromRun(w: AuditedTx, ctx: ProjectCtx, input: { name: string; runNumber: number; select: RunSelection }) {
  const queue = await lockQueue(w, ctx, input.name);
  if (queue.archivedAt) throw new AppError("CONFLICT", `"${queue.name}" is archived`);
  const run = await w.tx.evaluationRun.findUnique({
    where: { projectId_number: { projectId: ctx.projectId, number: input.runNumber } },
    include: { datasetVersion: true },
  });
  if (!run) throw new AppError("NOT_FOUND", `Run #${input.runNumber} not found`, { field: "runNumber" });
  if (!run.promptVersionId)
    throw new AppError(
      "BAD_REQUEST",
      `Run #${input.runNumber} was executed outside Keel (external, SDK): its outputs are in its traces; review those traces instead`,
      { field: "runNumber" },
    );
  const rows = await w.tx.$queryRaw<
    { position: number; repetition: number; item_id: string; input: unknown; expected: unknown; output: string | null; scores: ItemScore[] | null }[]
  >(sql`SELECT i.position, i.repetition, i.item_id::text, r.input, r.expected, i.output, i.scores
     FROM evaluation_run_items i JOIN dataset_item_revisions r ON r.dataset_id = ${run.datasetVersion.datasetId}::uuid AND r.position = i.position AND r.valid_from <= ${run.datasetVersion.version} AND r.valid_to > ${run.datasetVersion.version}
     WHERE i.run_id = ${run.id}::uuid AND i.status = 'done' ORDER BY i.position, i.repetition`);
  let chosen = rows;
  if (input.select.kind === "failed") {
    const name = input.select.evaluator;
    if (!rows.some((r) => r.scores?.some((s) => s.name === name)))
      throw new AppError("BAD_REQUEST", `Run #${run.number} has no scores from "${name}"`, { field: "select.evaluator" });
    chosen = rows.filter((r) => r.scores?.some((s) => s.name === name && !s.passed));
  } else if (input.select.kind === "sample") {
    const n = input.select.count ?? Math.round((rows.length * (input.select.percent ?? 10)) / 100);
    const random = seeded(input.select.seed ?? run.number);
    chosen = rows
      .map((r) => ({ r, k: random() }))
      .sort((a, b) => a.k - b.k)
      .slice(0, Math.max(0, Math.min(rows.length, n)))
      .map((x) => x.r)
      .sort((a, b) => a.position - b.position || a.repetition - b.repetition);
  }
  // The same output is not queued twice.
  const existing = await w.tx.reviewItem.findMany({ where: { queueId: queue.id, sourceType: "evaluation" }, select: { sourceRef: true } });
  const seen = new Set(
    existing.map((e) =>
      JSON.stringify([
        (e.sourceRef as { runId?: string }).runId,
        (e.sourceRef as { position?: number }).position,
        (e.sourceRef as { repetition?: number }).repetition,
      ]),
    ),
  );
  const items = chosen
    .filter((r) => !seen.has(JSON.stringify([run.id, r.position, r.repetition])))
    .map((r) => ({
      sourceType: "evaluation",
      sourceRef: { runId: run.id, runNumber: run.number, position: r.position, repetition: r.repetition, datasetItemId: r.item_id },
      input: r.input,
      expected: r.expected,
      output: r.output,
      autoScores: r.scores,
    }));
  const added = await insertItems(w, queue, items);
  if (!added) {
    w.unchanged();
    return { added: 0, skipped: chosen.length };
  }
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.items.added",
    targetType: "review_queue",
    targetId: queue.id,
    after: { queue: queue.name, from: `run #${run.number}`, select: input.select, added, alreadyQueued: chosen.length - added },
  });
  return { added, skipped: chosen.length - added };
}

/** Adds the items of a dataset version (their expected output is what reviewers grade against). */
export async function addFromDataset(w: AuditedTx, ctx: ProjectCtx, input: { name: string; dataset: string; version?: number; tag?: string }) {
  const queue = await lockQueue(w, ctx, input.name);
  const dataset = await w.tx.dataset.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.dataset } } });
  if (!dataset) throw new AppError("NOT_FOUND", `No dataset named "${input.dataset}"`, { field: "dataset" });
  const version = input.version ?? dataset.latestVersion;
  const rows = await w.tx.$queryRaw<{ item_id: string; position: number; input: unknown; expected: unknown }[]>(
    sql`SELECT item_id::text, position, input, expected FROM dataset_item_revisions
     WHERE dataset_id = ${dataset.id}::uuid AND valid_from <= ${version} AND valid_to > ${version} ${input.tag ? sql`AND tags @> ARRAY[${input.tag}]::text[]` : empty} ORDER BY position`,
  );
  const added = await insertItems(
    w,
    queue,
    rows.map((r) => ({
      sourceType: "dataset",
      sourceRef: { datasetId: dataset.id, dataset: dataset.name, version, itemId: r.item_id, position: r.position },
      input: r.input,
      expected: null,
      output: typeof r.expected === "string" ? r.expected : r.expected === null ? null : JSON.stringify(r.expected),
      autoScores: null,
    })),
  );
  if (!added)
    throw new AppError("BAD_REQUEST", `Version ${version} of "${dataset.name}" has no items${input.tag ? ` tagged "${input.tag}"` : ""}`, { field: "dataset" });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.items.added",
    targetType: "review_queue",
    targetId: queue.id,
    after: { queue: queue.name, from: `${dataset.name} v${version}`, tag: input.tag ?? null, added },
  });
  return { added, skipped: 0 };
}

/** Marks an item as gold: its known correct grade measures reviewers' accuracy. */
export async function setGold(w: AuditedTx, ctx: ProjectCtx, input: { name: string; position: number; grade: Grade | null }) {
  const queue = await lockQueue(w, ctx, input.name);
  const item = await w.tx.reviewItem.findUnique({ where: { queueId_position: { queueId: queue.id, position: input.position } } });
  if (!item) throw notFound(`Item #${input.position}`);
  if (input.grade) {
    const problem = checkGrade(queue.rubric as Rubric, input.grade);
    if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: `grade.${problem.dimension}` });
  }
  await w.tx.reviewItem.update({ where: { id: item.id }, data: { goldGrade: input.grade ?? Prisma.DbNull } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "review.item.gold",
    targetType: "review_queue",
    targetId: queue.id,
    before: { queue: queue.name, position: input.position, gold: item.goldGrade ?? null },
    after: { queue: queue.name, position: input.position, gold: input.grade },
  });
  return { gold: input.grade !== null };
}

/**
 * Adds finalised items to a dataset: the reviewed output becomes the expected output, the final
 * grade and a link back go into the metadata, and the items' source is "review".
 */
export async function addFinalizedToDataset(w: AuditedTx, ctx: ProjectCtx, input: { name: string; dataset: string; positions?: number[]; tags?: string[] }) {
  const queue = await w.tx.reviewQueue.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.name } } });
  if (!queue) throw notFound(`Review queue "${input.name}"`);
  const dataset = await w.tx.dataset.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.dataset } } });
  if (!dataset) throw new AppError("NOT_FOUND", `No dataset named "${input.dataset}"`, { field: "dataset" });
  const items = await w.tx.reviewItem.findMany({
    where: { queueId: queue.id, finalizedAt: { not: null }, output: { not: null }, ...(input.positions ? { position: { in: input.positions } } : {}) },
    orderBy: { position: "asc" },
  });
  if (!items.length)
    throw new AppError("BAD_REQUEST", `"${queue.name}" has no finalised items with an output${input.positions ? " among those" : ""}`, { field: "positions" });
  const { addItems } = await import("../datasets/items");
  return addItems(w, ctx, {
    datasetId: dataset.id,
    source: { type: "review", ref: `${queue.name}` },
    message: `From review queue ${queue.name}`,
    items: items.map((i) => ({
      input: i.input,
      expected: i.output,
      metadata: { review: { queue: queue.name, position: i.position, finalGrade: i.finalGrade, finalSource: i.finalSource } },
      tags: input.tags ?? [],
    })),
  });
}
