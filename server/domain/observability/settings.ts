import "server-only";
// Observability's governed configuration: retention and gateway routing per project, guardrails,
// online evaluators, trace routing rules and API keys' gateway limits. Unlike the telemetry they
// shape, every change here is audited. Changes reach the gateway's and the worker's caches right
// after commit in this process (onObservabilityChanged) and within their TTL elsewhere.
import type { ReadDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { notifyApiKeyChanged } from "../api-keys/changes";
import {
  DEFAULT_TELEMETRY_SETTINGS,
  type GuardrailInput,
  type OnlineEvaluatorInput,
  type TelemetrySettingsInput,
  type TraceRuleInput,
} from "../../contracts/observability";

type ProjectCtx = { orgId: string; projectId: string };

type Listener = (projectId: string) => void;
const listeners = new Set<Listener>();

/** Called right after a committed change to a project's observability configuration. */
export function onObservabilityChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(w: AuditedTx, projectId: string) {
  w.afterCommit(() => {
    for (const l of listeners) l(projectId);
  });
}

// ----- retention and gateway routing --------------------------------------------------------

export async function getTelemetrySettings(db: ReadDb, projectId: string): Promise<TelemetrySettingsInput> {
  const row = await db.telemetrySettings.findUnique({ where: { projectId } });
  if (!row) return { ...DEFAULT_TELEMETRY_SETTINGS };
  return {
    retentionDays: row.retentionDays,
    gatewayConnectionId: row.gatewayConnectionId,
    fallbackConnectionId: row.fallbackConnectionId,
    fallbackModel: row.fallbackModel,
    gatewayTimeoutMs: row.gatewayTimeoutMs,
  };
}

async function checkConnection(w: AuditedTx, projectId: string, id: string | null, field: string) {
  if (!id) return;
  const found = await w.tx.providerConnection.findFirst({ where: { id, projectId }, select: { id: true } });
  if (!found) throw new AppError("BAD_REQUEST", "is not a provider connection of this project", { field });
}

export async function updateTelemetrySettings(w: AuditedTx, ctx: ProjectCtx, input: TelemetrySettingsInput) {
  await checkConnection(w, ctx.projectId, input.gatewayConnectionId, "gatewayConnectionId");
  await checkConnection(w, ctx.projectId, input.fallbackConnectionId, "fallbackConnectionId");
  if (input.fallbackConnectionId && input.fallbackConnectionId === input.gatewayConnectionId) {
    throw new AppError("BAD_REQUEST", "must differ from the gateway connection: a fallback is a second provider", { field: "fallbackConnectionId" });
  }
  const before = await getTelemetrySettings(w.tx, ctx.projectId);
  const data: TelemetrySettingsInput = {
    retentionDays: input.retentionDays,
    gatewayConnectionId: input.gatewayConnectionId,
    fallbackConnectionId: input.fallbackConnectionId,
    fallbackModel: input.fallbackModel || null,
    gatewayTimeoutMs: input.gatewayTimeoutMs,
  };
  await w.tx.telemetrySettings.upsert({ where: { projectId: ctx.projectId }, create: { projectId: ctx.projectId, ...data }, update: data });
  if (JSON.stringify(before) === JSON.stringify(data)) {
    w.unchanged();
    return data;
  }
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "telemetry.settings.updated",
    targetType: "project",
    targetId: ctx.projectId,
    before,
    after: data,
  });
  changed(w, ctx.projectId);
  return data;
}

// ----- guardrails --------------------------------------------------------------------------

const guardrailFields = {
  id: true,
  name: true,
  description: true,
  kind: true,
  stage: true,
  action: true,
  config: true,
  promptName: true,
  environment: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function listGuardrails(db: ReadDb, projectId: string) {
  return db.guardrail.findMany({ where: { projectId }, orderBy: { name: "asc" }, select: guardrailFields });
}

function guardrailSnapshot(g: {
  name: string;
  description: string;
  kind: string;
  stage: string;
  action: string;
  config: unknown;
  promptName: string | null;
  environment: string | null;
  enabled: boolean;
}) {
  return {
    name: g.name,
    description: g.description,
    kind: g.kind,
    stage: g.stage,
    action: g.action,
    config: g.config,
    promptName: g.promptName,
    environment: g.environment,
    enabled: g.enabled,
  };
}

function conflict(error: unknown, what: string, name: string): never {
  if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A ${what} named "${name}" already exists`, { field: "name" });
  throw error;
}

function guardrailData(input: GuardrailInput) {
  if (input.config.kind === "json_schema" && input.stage === "input") {
    throw new AppError("BAD_REQUEST", "checks the model's output: use the output stage", { field: "stage" });
  }
  const { name, description, stage, action, promptName, environment, enabled } = input;
  return { name, description, stage, action, promptName, environment, enabled, kind: input.config.kind, config: input.config as object };
}

export async function createGuardrail(w: AuditedTx, ctx: ProjectCtx, input: GuardrailInput) {
  const row = await w.tx.guardrail
    .create({ data: { projectId: ctx.projectId, ...guardrailData(input) }, select: guardrailFields })
    .catch((e: unknown) => conflict(e, "guardrail", input.name));
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "guardrail.created",
    targetType: "guardrail",
    targetId: row.id,
    after: guardrailSnapshot(row),
  });
  changed(w, ctx.projectId);
  return row;
}

export async function updateGuardrail(w: AuditedTx, ctx: ProjectCtx, input: GuardrailInput & { id: string }) {
  const before = await w.tx.guardrail.findFirst({ where: { id: input.id, projectId: ctx.projectId } });
  if (!before) throw notFound("Guardrail");
  const row = await w.tx.guardrail
    .update({ where: { id: before.id }, data: guardrailData(input), select: guardrailFields })
    .catch((e: unknown) => conflict(e, "guardrail", input.name));
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "guardrail.updated",
    targetType: "guardrail",
    targetId: before.id,
    before: guardrailSnapshot(before),
    after: guardrailSnapshot(row),
  });
  changed(w, ctx.projectId);
  return row;
}

export async function deleteGuardrail(w: AuditedTx, ctx: ProjectCtx, input: { id: string }) {
  const before = await w.tx.guardrail.findFirst({ where: { id: input.id, projectId: ctx.projectId } });
  if (!before) throw notFound("Guardrail");
  await w.tx.guardrail.delete({ where: { id: before.id } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "guardrail.deleted",
    targetType: "guardrail",
    targetId: before.id,
    before: guardrailSnapshot(before),
  });
  changed(w, ctx.projectId);
  return { id: before.id };
}

// ----- online evaluators ---------------------------------------------------------------------

const onlineFields = {
  id: true,
  promptName: true,
  environment: true,
  sampleRate: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
  evaluator: { select: { id: true, name: true, latestVersion: true } },
} as const;

export function listOnlineEvaluators(db: ReadDb, projectId: string) {
  return db.onlineEvaluator.findMany({ where: { projectId }, orderBy: { createdAt: "asc" }, select: onlineFields });
}

async function evaluatorIdOf(w: AuditedTx, projectId: string, name: string) {
  const evaluator = await w.tx.evaluator.findFirst({ where: { projectId, name, archivedAt: null }, select: { id: true } });
  if (!evaluator) throw new AppError("NOT_FOUND", `No evaluator named "${name}"`, { field: "evaluator" });
  return evaluator.id;
}

const onlineSnapshot = (o: { evaluator: { name: string }; promptName: string | null; environment: string | null; sampleRate: number; enabled: boolean }) => ({
  evaluator: o.evaluator.name,
  promptName: o.promptName,
  environment: o.environment,
  sampleRate: o.sampleRate,
  enabled: o.enabled,
});

const onlineData = (input: OnlineEvaluatorInput) => ({
  sampleRate: input.sampleRate,
  promptName: input.promptName,
  environment: input.environment,
  enabled: input.enabled,
});

async function refuseDuplicateOnline(w: AuditedTx, projectId: string, evaluatorId: string, input: OnlineEvaluatorInput, exceptId?: string) {
  const twin = await w.tx.onlineEvaluator.findFirst({
    where: { projectId, evaluatorId, promptName: input.promptName, environment: input.environment, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (twin)
    throw new AppError(
      "CONFLICT",
      `"${input.evaluator}" already runs on ${input.promptName ?? "every prompt"} in ${input.environment ?? "every environment"}`,
      { field: "evaluator" },
    );
}

export async function createOnlineEvaluator(w: AuditedTx, ctx: ProjectCtx, input: OnlineEvaluatorInput) {
  const evaluatorId = await evaluatorIdOf(w, ctx.projectId, input.evaluator);
  await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`online:${ctx.projectId}`}))`;
  await refuseDuplicateOnline(w, ctx.projectId, evaluatorId, input);
  const row = await w.tx.onlineEvaluator.create({ data: { projectId: ctx.projectId, evaluatorId, ...onlineData(input) }, select: onlineFields });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "online_evaluator.created",
    targetType: "online_evaluator",
    targetId: row.id,
    after: onlineSnapshot(row),
  });
  changed(w, ctx.projectId);
  return row;
}

export async function updateOnlineEvaluator(w: AuditedTx, ctx: ProjectCtx, input: OnlineEvaluatorInput & { id: string }) {
  const before = await w.tx.onlineEvaluator.findFirst({ where: { id: input.id, projectId: ctx.projectId }, select: onlineFields });
  if (!before) throw notFound("Online evaluator");
  const evaluatorId = await evaluatorIdOf(w, ctx.projectId, input.evaluator);
  await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`online:${ctx.projectId}`}))`;
  await refuseDuplicateOnline(w, ctx.projectId, evaluatorId, input, input.id);
  const row = await w.tx.onlineEvaluator.update({ where: { id: before.id }, data: { evaluatorId, ...onlineData(input) }, select: onlineFields });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "online_evaluator.updated",
    targetType: "online_evaluator",
    targetId: before.id,
    before: onlineSnapshot(before),
    after: onlineSnapshot(row),
  });
  changed(w, ctx.projectId);
  return row;
}

export async function deleteOnlineEvaluator(w: AuditedTx, ctx: ProjectCtx, input: { id: string }) {
  const before = await w.tx.onlineEvaluator.findFirst({ where: { id: input.id, projectId: ctx.projectId }, select: onlineFields });
  if (!before) throw notFound("Online evaluator");
  await w.tx.onlineEvaluator.delete({ where: { id: before.id } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "online_evaluator.deleted",
    targetType: "online_evaluator",
    targetId: before.id,
    before: onlineSnapshot(before),
  });
  changed(w, ctx.projectId);
  return { id: before.id };
}

// ----- trace routing rules -------------------------------------------------------------------

const ruleFields = {
  id: true,
  name: true,
  kind: true,
  scoreName: true,
  threshold: true,
  sampleRate: true,
  promptName: true,
  environment: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
  queue: { select: { id: true, name: true } },
} as const;

export function listTraceRules(db: ReadDb, projectId: string) {
  return db.traceRule.findMany({ where: { projectId }, orderBy: { name: "asc" }, select: ruleFields });
}

const ruleSnapshot = (r: {
  name: string;
  kind: string;
  queue: { name: string };
  scoreName: string | null;
  threshold: number | null;
  sampleRate: number | null;
  promptName: string | null;
  environment: string | null;
  enabled: boolean;
}) => ({
  name: r.name,
  kind: r.kind,
  queue: r.queue.name,
  scoreName: r.scoreName,
  threshold: r.threshold,
  sampleRate: r.sampleRate,
  promptName: r.promptName,
  environment: r.environment,
  enabled: r.enabled,
});

async function ruleData(w: AuditedTx, projectId: string, input: TraceRuleInput) {
  const queue = await w.tx.reviewQueue.findFirst({ where: { projectId, name: input.queue }, select: { id: true, archivedAt: true } });
  if (!queue) throw new AppError("NOT_FOUND", `No review queue named "${input.queue}"`, { field: "queue" });
  if (queue.archivedAt) throw new AppError("CONFLICT", `"${input.queue}" is archived`, { field: "queue" });
  return {
    name: input.name,
    kind: input.kind,
    promptName: input.promptName,
    environment: input.environment,
    enabled: input.enabled,
    queueId: queue.id,
    // Fields that mean nothing for the kind are not stored (no stale threshold on a sample rule).
    sampleRate: input.kind === "random_sample" ? input.sampleRate : null,
    threshold: input.kind === "random_sample" ? null : input.threshold,
    scoreName: input.kind === "random_sample" ? null : input.scoreName,
  };
}

export async function createTraceRule(w: AuditedTx, ctx: ProjectCtx, input: TraceRuleInput) {
  const data = await ruleData(w, ctx.projectId, input);
  const row = await w.tx.traceRule
    .create({ data: { projectId: ctx.projectId, ...data }, select: ruleFields })
    .catch((e: unknown) => conflict(e, "rule", input.name));
  w.record({ orgId: ctx.orgId, projectId: ctx.projectId, action: "trace_rule.created", targetType: "trace_rule", targetId: row.id, after: ruleSnapshot(row) });
  changed(w, ctx.projectId);
  return row;
}

export async function updateTraceRule(w: AuditedTx, ctx: ProjectCtx, input: TraceRuleInput & { id: string }) {
  const before = await w.tx.traceRule.findFirst({ where: { id: input.id, projectId: ctx.projectId }, select: ruleFields });
  if (!before) throw notFound("Rule");
  const row = await w.tx.traceRule
    .update({ where: { id: before.id }, data: await ruleData(w, ctx.projectId, input), select: ruleFields })
    .catch((e: unknown) => conflict(e, "rule", input.name));
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "trace_rule.updated",
    targetType: "trace_rule",
    targetId: before.id,
    before: ruleSnapshot(before),
    after: ruleSnapshot(row),
  });
  changed(w, ctx.projectId);
  return row;
}

export async function deleteTraceRule(w: AuditedTx, ctx: ProjectCtx, input: { id: string }) {
  const before = await w.tx.traceRule.findFirst({ where: { id: input.id, projectId: ctx.projectId }, select: ruleFields });
  if (!before) throw notFound("Rule");
  await w.tx.traceRule.delete({ where: { id: before.id } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "trace_rule.deleted",
    targetType: "trace_rule",
    targetId: before.id,
    before: ruleSnapshot(before),
  });
  changed(w, ctx.projectId);
  return { id: before.id };
}

// ----- API keys' gateway limits -----------------------------------------------------------------

export async function setApiKeyLimits(w: AuditedTx, ctx: ProjectCtx, input: { id: string; rateLimitPerMinute: number | null; monthlyQuota: number | null }) {
  const before = await w.tx.apiKey.findFirst({ where: { id: input.id, projectId: ctx.projectId, revokedAt: null } });
  if (!before) throw notFound("API key");
  const limits = { rateLimitPerMinute: input.rateLimitPerMinute, monthlyQuota: input.monthlyQuota };
  if (before.rateLimitPerMinute === limits.rateLimitPerMinute && before.monthlyQuota === limits.monthlyQuota) {
    w.unchanged();
    return { id: before.id, ...limits };
  }
  await w.tx.apiKey.update({ where: { id: before.id }, data: limits });
  // Cached principals carry the limits: drop them here and on other instances.
  await notifyApiKeyChanged(w, { keyId: before.id, secretHash: before.secretHash });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "apikey.limits.changed",
    targetType: "api_key",
    targetId: before.id,
    before: { name: before.name, rateLimitPerMinute: before.rateLimitPerMinute, monthlyQuota: before.monthlyQuota },
    after: { name: before.name, ...limits },
  });
  changed(w, ctx.projectId);
  return { id: before.id, ...limits };
}
