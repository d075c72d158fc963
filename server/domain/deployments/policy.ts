import "server-only";
// Environment protection rules: stored per protected environment, edited by admins (audited with
// before and after). Protecting an environment gives it a default policy (one approval from an
// owner, admin or approver; separation of duties on) so protection is never rule-less.
import type { ReadDb, Tx } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError, notFound } from "../../errors";
import { DEFAULT_POLICY, policyInput, type FreezeWindow, type Policy, type PolicyInput } from "../../contracts/deployments";
import { roleHasPermission } from "../../contracts/permissions";
import { Prisma, type EnvironmentPolicy } from "../../db/generated/client";

export type ProjectCtx = { orgId: string; projectId: string };

export type StoredPolicy = Policy & { editedById: string | null; editedByLabel: string; editedAt: string };

export function policyOf(row: EnvironmentPolicy): StoredPolicy {
  return {
    rules: row.approvalRules as Policy["rules"],
    separationOfDuties: row.separationOfDuties,
    gate: (row.gate ?? null) as Policy["gate"],
    expiryHours: row.expiryHours,
    waitMinutes: row.waitMinutes,
    freezeWindows: row.freezeWindows as FreezeWindow[],
    rollbackPolicy: row.rollbackPolicy,
    editedById: row.editedById,
    editedByLabel: row.editedByLabel,
    editedAt: row.editedAt.toISOString(),
  };
}

/** The freeze window in force at `at`, if any. */
export function freezeAt(policy: Pick<Policy, "freezeWindows">, at: Date): FreezeWindow | null {
  const t = at.getTime();
  return policy.freezeWindows.find((w) => Date.parse(w.start) <= t && t < Date.parse(w.end)) ?? null;
}

async function environmentByName(db: ReadDb | Tx, projectId: string, name: string) {
  const env = await db.environment.findUnique({ where: { projectId_name: { projectId, name } }, include: { policy: true } });
  if (!env) throw new AppError("NOT_FOUND", `This project has no environment "${name}"`, { field: "environment" });
  return env;
}

export async function getPolicy(db: ReadDb, projectId: string, environment: string) {
  const env = await environmentByName(db, projectId, environment);
  return { environment: { id: env.id, name: env.name, protected: env.protected }, policy: env.policy ? policyOf(env.policy) : null };
}

/** Writes the default policy for a newly protected environment (inside the caller's audited change). */
export async function ensurePolicy(w: AuditedTx, ctx: ProjectCtx, environment: { id: string; name: string }) {
  const environmentId = environment.id;
  const existing = await w.tx.environmentPolicy.findUnique({ where: { environmentId } });
  if (existing) return policyOf(existing);
  const row = await w.tx.environmentPolicy.create({
    data: {
      environmentId,
      approvalRules: DEFAULT_POLICY.rules,
      separationOfDuties: true,
      expiryHours: DEFAULT_POLICY.expiryHours,
      editedById: w.actor.type === "user" ? w.actor.id : null,
      editedByLabel: w.actor.label,
      editedAt: new Date(),
    },
  });
  const policy = policyOf(row);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "environment.policy.updated",
    targetType: "environment",
    targetId: environmentId,
    before: { environment: environment.name, policy: null },
    after: { environment: environment.name, policy: { ...policy, editedAt: undefined, editedById: undefined, editedByLabel: undefined } },
  });
  return policy;
}

export async function setPolicy(w: AuditedTx, ctx: ProjectCtx, input: { environment: string; policy: PolicyInput }) {
  const parsed = policyInput.safeParse(input.policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_REQUEST", `${issue.path.join(".") || "policy"}: ${issue.message}`, { field: `policy.${issue.path.join(".")}` });
  }
  const policy = parsed.data;
  const env = await environmentByName(w.tx, ctx.projectId, input.environment);
  if (!env.protected) throw new AppError("BAD_REQUEST", `"${env.name}" is not protected: protect it first, then give it rules`, { field: "environment" });
  if (env.name === "production" && !policy.separationOfDuties) {
    throw new AppError("BAD_REQUEST", "Separation of duties cannot be switched off for production", { field: "policy.separationOfDuties" });
  }
  // Named users must be members of the organization; roles must be able to approve at all.
  const userIds = [...new Set(policy.rules.flatMap((r) => r.users))];
  if (userIds.length) {
    const members = await w.tx.membership.findMany({
      where: { orgId: ctx.orgId, userId: { in: userIds } },
      select: { userId: true, role: true, user: { select: { email: true, projectRoles: { where: { projectId: ctx.projectId }, select: { role: true } } } } },
    });
    const missing = userIds.filter((id) => !members.some((m) => m.userId === id));
    if (missing.length)
      throw new AppError("BAD_REQUEST", `A rule names someone who is not a member of this organization (${missing[0]})`, { field: "policy.rules" });
    // A named person must be able to approve at all (their project role, else their organization role).
    for (const m of members) {
      const role = m.user.projectRoles[0]?.role ?? m.role;
      if (!roleHasPermission(role, "deployment:approve")) {
        throw new AppError("BAD_REQUEST", `A rule names ${m.user.email}, whose role (${role}) cannot approve deployments`, { field: "policy.rules" });
      }
    }
  }
  for (const rule of policy.rules) {
    const useless = rule.roles.filter((role) => !roleHasPermission(role, "deployment:approve"));
    if (useless.length)
      throw new AppError("BAD_REQUEST", `Rule "${rule.name}": the ${useless.join(", ")} role cannot approve deployments`, { field: "policy.rules" });
  }
  if (policy.gate) {
    const dataset = await w.tx.dataset.findUnique({
      where: { projectId_name: { projectId: ctx.projectId, name: policy.gate.dataset } },
      select: { id: true, latestVersion: true },
    });
    if (!dataset) throw new AppError("BAD_REQUEST", `The gate names a dataset that does not exist: "${policy.gate.dataset}"`, { field: "policy.gate.dataset" });
    if (policy.gate.datasetVersion && policy.gate.datasetVersion > dataset.latestVersion) {
      throw new AppError("BAD_REQUEST", `"${policy.gate.dataset}" has no version ${policy.gate.datasetVersion}`, { field: "policy.gate.datasetVersion" });
    }
    const prompts = await w.tx.prompt.findMany({ where: { projectId: ctx.projectId, name: { in: policy.gate.prompts } }, select: { name: true } });
    const unknownPrompt = policy.gate.prompts.find((name) => !prompts.some((p) => p.name === name));
    if (unknownPrompt) throw new AppError("BAD_REQUEST", `The gate names a prompt that does not exist: "${unknownPrompt}"`, { field: "policy.gate.prompts" });
    const evaluators = await w.tx.evaluator.findMany({
      where: { projectId: ctx.projectId, name: { in: policy.gate.evaluators.map((e) => e.name) } },
      select: { name: true },
    });
    const unknown = policy.gate.evaluators.find((e) => !evaluators.some((x) => x.name === e.name));
    if (unknown) throw new AppError("BAD_REQUEST", `The gate names an evaluator that does not exist: "${unknown.name}"`, { field: "policy.gate.evaluators" });
    if (policy.gate.review) {
      const queue = await w.tx.reviewQueue.findUnique({
        where: { projectId_name: { projectId: ctx.projectId, name: policy.gate.review.queue } },
        select: { id: true },
      });
      if (!queue)
        throw new AppError("BAD_REQUEST", `The gate names a review queue that does not exist: "${policy.gate.review.queue}"`, {
          field: "policy.gate.review.queue",
        });
    }
  }
  const data = {
    approvalRules: policy.rules,
    separationOfDuties: policy.separationOfDuties,
    gate: (policy.gate as Prisma.InputJsonObject | null) ?? Prisma.DbNull,
    expiryHours: policy.expiryHours,
    waitMinutes: policy.waitMinutes,
    freezeWindows: policy.freezeWindows.map((f) => ({ start: f.start.toISOString(), end: f.end.toISOString(), reason: f.reason })),
    rollbackPolicy: policy.rollbackPolicy,
    editedById: w.actor.type === "user" ? w.actor.id : null,
    editedByLabel: w.actor.label,
    editedAt: new Date(),
  };
  const before = env.policy ? policyOf(env.policy) : null;
  const row = await w.tx.environmentPolicy.upsert({
    where: { environmentId: env.id },
    create: { environmentId: env.id, ...data },
    update: data,
  });
  const after = policyOf(row);
  const strip = (p: StoredPolicy | null) => (p ? { ...p, editedAt: undefined, editedById: undefined, editedByLabel: undefined } : null);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "environment.policy.updated",
    targetType: "environment",
    targetId: env.id,
    before: { environment: env.name, policy: strip(before) },
    after: { environment: env.name, policy: strip(after) },
  });
  return { environment: env.name, policy: after };
}

export async function requireEnvironment(tx: Tx, projectId: string, name: string) {
  const env = await environmentByName(tx, projectId, name);
  if (!env.protected) throw new AppError("BAD_REQUEST", `"${name}" is not a protected environment: move its label directly`, { field: "environment" });
  if (!env.policy) throw notFound(`Protection rules of "${name}"`);
  return { env, policy: policyOf(env.policy) };
}
