import "server-only";
// Labels: each project environment is a label a prompt can point at one of its versions.
// `latest` is implicit (the highest version). Every move is recorded in prompt_label_events
// (append-only), which answers "which version was in production at time T". Protected
// environments refuse direct moves for everyone, API keys included: an approved deployment
// request is the only way to move them (writeLabelMove, called by server/domain/deployments).
import type { ReadDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { DEFAULT_ENVIRONMENTS, RESERVED_LABELS } from "../../contracts/prompts";
import { notifyPromptChanged } from "./changes";
import { ensurePolicy } from "../deployments/policy";
import type { ProjectCtx } from "./versions";

export async function createDefaultEnvironments(w: AuditedTx, ctx: ProjectCtx) {
  for (const env of DEFAULT_ENVIRONMENTS) {
    const created = await w.tx.environment.create({ data: { projectId: ctx.projectId, name: env.name, description: env.description } });
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: "environment.created",
      targetType: "environment",
      targetId: created.id,
      after: { name: created.name, protected: false },
    });
  }
}

export async function createEnvironment(w: AuditedTx, ctx: ProjectCtx, input: { name: string; description: string; protected: boolean }) {
  if ((RESERVED_LABELS as readonly string[]).includes(input.name)) throw new AppError("BAD_REQUEST", `"${input.name}" is reserved`, { field: "name" });
  try {
    const env = await w.tx.environment.create({
      data: { projectId: ctx.projectId, name: input.name, description: input.description.trim(), protected: input.protected },
    });
    if (env.protected) await ensurePolicy(w, ctx, env);
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: "environment.created",
      targetType: "environment",
      targetId: env.id,
      after: { name: env.name, description: env.description, protected: env.protected },
    });
    return env;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `The environment "${input.name}" already exists`, { field: "name" });
    throw error;
  }
}

export async function setEnvironmentProtection(w: AuditedTx, ctx: ProjectCtx, input: { name: string; protected: boolean }) {
  const env = await w.tx.environment.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.name } } });
  if (!env) throw notFound(`Environment "${input.name}"`);
  if (env.protected === input.protected) {
    // Setting what is already set is an idempotent repeat, not a change to audit.
    w.unchanged();
    return env;
  }
  const updated = await w.tx.environment.update({ where: { id: env.id }, data: { protected: input.protected } });
  // A protected environment always has rules: a default one until an admin edits them.
  if (updated.protected) await ensurePolicy(w, ctx, updated);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "environment.updated",
    targetType: "environment",
    targetId: env.id,
    before: { name: env.name, protected: env.protected },
    after: { name: env.name, protected: updated.protected },
  });
  return updated;
}

export async function moveLabel(w: AuditedTx, ctx: ProjectCtx, input: { promptId: string; label: string; version: number }) {
  if ((RESERVED_LABELS as readonly string[]).includes(input.label)) {
    throw new AppError("BAD_REQUEST", `"${input.label}" always points at the newest version and cannot be moved`, { field: "label" });
  }
  const env = await w.tx.environment.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name: input.label } } });
  if (!env) throw new AppError("NOT_FOUND", `This project has no environment "${input.label}"`, { field: "label" });
  if (env.protected) {
    throw new AppError("FORBIDDEN", `"${input.label}" is a protected environment: its label moves only through an approved deployment, not directly`, {
      field: "label",
    });
  }
  return writeLabelMove(w, ctx, input);
}

/**
 * Moves a label without the protection check: only the deployment domain calls this, after a
 * request met every rule of the environment (server/domain/deployments/promotion.ts).
 */
export async function writeLabelMove(w: AuditedTx, ctx: ProjectCtx, input: { promptId: string; label: string; version: number }) {
  // Lock the prompt row: concurrent moves of its labels apply one after the other.
  const rows = await w.tx.$queryRaw<{ id: string; name: string }[]>`
    SELECT id, name FROM prompts WHERE id = ${input.promptId}::uuid AND project_id = ${ctx.projectId}::uuid FOR UPDATE`;
  const prompt = rows[0];
  if (!prompt) throw notFound("Prompt");
  const version = await w.tx.promptVersion.findUnique({
    where: { promptId_version: { promptId: prompt.id, version: input.version } },
    select: { version: true },
  });
  if (!version) throw new AppError("NOT_FOUND", `"${prompt.name}" has no version ${input.version}`, { field: "version" });

  const current = await w.tx.promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: input.label } } });
  if (current?.version === input.version) {
    // Moving a label to where it already points is an idempotent no-op, not a change.
    w.unchanged();
    return { label: input.label, version: input.version, fromVersion: current.version, changed: false };
  }
  const at = new Date();
  await w.tx.promptLabel.upsert({
    where: { promptId_name: { promptId: prompt.id, name: input.label } },
    create: { promptId: prompt.id, name: input.label, version: input.version, updatedAt: at },
    update: { version: input.version, updatedAt: at },
  });
  await w.tx.promptLabelEvent.create({
    data: {
      promptId: prompt.id,
      label: input.label,
      fromVersion: current?.version ?? null,
      toVersion: input.version,
      actorType: w.actor.type,
      actorLabel: w.actor.label,
      at,
    },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "prompt.label.moved",
    targetType: "prompt",
    targetId: prompt.id,
    before: { name: prompt.name, label: input.label, version: current?.version ?? null },
    after: { name: prompt.name, label: input.label, version: input.version },
  });
  await notifyPromptChanged(w, ctx.projectId, prompt.name);
  return { label: input.label, version: input.version, fromVersion: current?.version ?? null, changed: true };
}

export async function labelHistory(db: ReadDb, promptId: string, label?: string) {
  return db.promptLabelEvent.findMany({ where: { promptId, ...(label ? { label } : {}) }, orderBy: { at: "desc" }, take: 500 });
}

/** The version a label pointed at, at a moment in time (null: it pointed nowhere yet). */
export async function versionAt(db: ReadDb, promptId: string, label: string, at: Date): Promise<number | null> {
  const event = await db.promptLabelEvent.findFirst({ where: { promptId, label, at: { lte: at } }, orderBy: { at: "desc" } });
  return event?.toVersion ?? null;
}
