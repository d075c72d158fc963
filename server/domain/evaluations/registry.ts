import "server-only";
// Evaluators per project, versioned like prompts: saving a changed configuration makes the next
// immutable version (numbered under the evaluator's row lock), and runs record the exact versions
// they used, so a result can always be explained by the configuration that produced it.
import { createHash } from "node:crypto";
import type { AuditedTx } from "../../audit/mutation";
import { canonicalJson, type JsonValue } from "../../audit/canonical";
import type { ReadDb } from "../../db/client";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { evaluatorConfig, type EvaluatorConfigInput } from "../../contracts/evaluators";
import { checkEvaluatorConfig } from "./evaluators";

export type ProjectCtx = { orgId: string; projectId: string };

function prepare(raw: EvaluatorConfigInput) {
  const parsed = evaluatorConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["config", ...issue.path].join(".");
    throw new AppError("BAD_REQUEST", `${field} ${issue.message}`, { field });
  }
  checkEvaluatorConfig(parsed.data, "config.");
  const hash = createHash("sha256")
    .update(canonicalJson(JSON.parse(JSON.stringify(parsed.data)) as JsonValue))
    .digest("hex");
  return { config: parsed.data, hash };
}

async function checkJudgeReferences(w: AuditedTx, ctx: ProjectCtx, config: ReturnType<typeof prepare>["config"]) {
  if (config.kind !== "llm_judge") return;
  const prompt = await w.tx.prompt.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: config.promptName } } });
  if (!prompt) throw new AppError("NOT_FOUND", `No prompt named "${config.promptName}" for the judge`, { field: "config.promptName" });
  if (config.promptVersion && config.promptVersion > prompt.latestVersion)
    throw new AppError("NOT_FOUND", `"${config.promptName}" has no version ${config.promptVersion}`, { field: "config.promptVersion" });
  const provider = await w.tx.providerConnection.findFirst({ where: { id: config.providerId, projectId: ctx.projectId } });
  if (!provider) throw new AppError("NOT_FOUND", "The judge's provider was not found", { field: "config.providerId" });
}

export async function createEvaluator(w: AuditedTx, ctx: ProjectCtx, input: { name: string; description?: string; config: EvaluatorConfigInput }) {
  const { config, hash } = prepare(input.config);
  await checkJudgeReferences(w, ctx, config);
  const evaluator = await w.tx.evaluator
    .create({ data: { projectId: ctx.projectId, name: input.name, description: input.description?.trim() ?? "", latestVersion: 1 } })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new AppError("CONFLICT", `An evaluator named "${input.name}" already exists`, { field: "name" });
      throw error;
    });
  const version = await w.tx.evaluatorVersion.create({
    data: {
      evaluatorId: evaluator.id,
      version: 1,
      kind: config.kind,
      config: config as object,
      contentHash: hash,
      commitMessage: "Created",
      authorType: w.actor.type,
      authorId: w.actor.id,
      authorLabel: w.actor.label,
    },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "evaluator.created",
    targetType: "evaluator",
    targetId: evaluator.id,
    after: { name: evaluator.name, description: evaluator.description, version: 1, config },
  });
  return { evaluator, version };
}

export async function saveEvaluatorVersion(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { name: string; config: EvaluatorConfigInput; commitMessage?: string; description?: string },
) {
  const rows = await w.tx.$queryRaw<{ id: string; latest_version: number; archived: boolean; description: string }[]>`
    SELECT id, latest_version, archived_at IS NOT NULL AS archived, description FROM evaluators WHERE project_id = ${ctx.projectId}::uuid AND name = ${input.name} FOR UPDATE`;
  const evaluator = rows[0];
  if (!evaluator) throw notFound(`Evaluator "${input.name}"`);
  if (evaluator.archived) throw new AppError("CONFLICT", `"${input.name}" is archived`);
  const { config, hash } = prepare(input.config);
  await checkJudgeReferences(w, ctx, config);
  const latest = await w.tx.evaluatorVersion.findUniqueOrThrow({
    where: { evaluatorId_version: { evaluatorId: evaluator.id, version: evaluator.latest_version } },
  });
  if (latest.contentHash === hash) {
    w.unchanged();
    return { version: latest.version, changed: false };
  }
  const next = evaluator.latest_version + 1;
  await w.tx.evaluatorVersion.create({
    data: {
      evaluatorId: evaluator.id,
      version: next,
      kind: config.kind,
      config: config as object,
      contentHash: hash,
      commitMessage: input.commitMessage?.trim() ?? "",
      authorType: w.actor.type,
      authorId: w.actor.id,
      authorLabel: w.actor.label,
    },
  });
  await w.tx.evaluator.update({
    where: { id: evaluator.id },
    data: { latestVersion: next, ...(input.description !== undefined ? { description: input.description.trim() } : {}) },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "evaluator.version.created",
    targetType: "evaluator",
    targetId: evaluator.id,
    before: { name: input.name, version: latest.version, config: latest.config },
    after: { name: input.name, version: next, config },
  });
  return { version: next, changed: true };
}

export async function archiveEvaluator(w: AuditedTx, ctx: ProjectCtx, input: { name: string }) {
  const evaluator = await w.tx.evaluator.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.name } } });
  if (!evaluator) throw notFound(`Evaluator "${input.name}"`);
  if (evaluator.archivedAt) {
    w.unchanged();
    return { archived: true };
  }
  await w.tx.evaluator.update({ where: { id: evaluator.id }, data: { archivedAt: new Date() } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "evaluator.archived",
    targetType: "evaluator",
    targetId: evaluator.id,
    before: { name: evaluator.name, archived: false },
    after: { name: evaluator.name, archived: true },
  });
  return { archived: true };
}

export async function listEvaluators(db: ReadDb, projectId: string, input: { includeArchived?: boolean }) {
  const evaluators = await db.evaluator.findMany({ where: { projectId, ...(input.includeArchived ? {} : { archivedAt: null }) }, orderBy: { name: "asc" } });
  const versions = await db.evaluatorVersion.findMany({ where: { OR: evaluators.map((e) => ({ evaluatorId: e.id, version: e.latestVersion })) } });
  const byId = new Map(versions.map((v) => [v.evaluatorId, v]));
  return evaluators.map((e) => ({
    ...e,
    kind: byId.get(e.id)?.kind ?? "",
    config: byId.get(e.id)?.config ?? null,
    updatedBy: byId.get(e.id)?.authorLabel ?? null,
  }));
}

export async function getEvaluator(db: ReadDb, projectId: string, name: string) {
  const evaluator = await db.evaluator.findUnique({ where: { projectId_name: { projectId, name } }, include: { versions: { orderBy: { version: "desc" } } } });
  if (!evaluator) throw notFound(`Evaluator "${name}"`);
  return evaluator;
}
