import "server-only";
// Deployment requests and their state machine:
//
//   pending ──(every rule met)──▶ approved ──(wait over, no freeze, gate passes)──▶ deployed
//      │                              │
//      ├──▶ rejected / cancelled / expired / superseded ◀──┘
//
// Every transition is a compare-and-set on the request row (UPDATE … WHERE state = <expected>)
// inside an audited transaction that records its event; approvals lock the request row first, so
// any number of approvers acting at once apply one after the other and exactly one of them sees
// the rules met and promotes. Promotion moves the environment's label (writeLabelMove, the only
// way a protected label moves), writes the immutable deployment record and the webhook outbox
// rows in that same transaction.
import type { Tx } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError, notFound } from "../../errors";
import type { Role } from "../../contracts/permissions";
import { DEPLOYMENT_STATE_LABELS, type DeploymentKind, type DeploymentState, type GateResult } from "../../contracts/deployments";
import { writeLabelMove } from "../prompts/labels";
import { evaluateGate } from "./gate";
import { freezeAt, policyOf, requireEnvironment, type StoredPolicy } from "./policy";
import { gateApplies, matchApprovals, qualifies, rulesFor, type Approver } from "./rules";
import { enqueueWebhookEvent } from "./webhooks";
import { formatUtc } from "./time";

export type ProjectCtx = { orgId: string; projectId: string };

const HOUR = 3_600_000;

type RequestRow = NonNullable<Awaited<ReturnType<typeof loadLocked>>>;

/** Locks the request row (FOR UPDATE) and loads what the transitions need. */
async function loadLocked(tx: Tx, projectId: string, number: number) {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM deployment_requests WHERE project_id = ${projectId}::uuid AND number = ${number} FOR UPDATE`;
  if (!locked[0]) return null;
  return tx.deploymentRequest.findUniqueOrThrow({
    where: { id: locked[0].id },
    include: {
      prompt: { select: { id: true, name: true } },
      promptVersion: { select: { id: true, version: true, authorType: true, authorId: true, authorLabel: true, contentHash: true } },
      environment: { include: { policy: true } },
      approvals: { orderBy: { createdAt: "asc" } },
    },
  });
}

async function requireRequest(tx: Tx, projectId: string, number: number): Promise<RequestRow> {
  const request = await loadLocked(tx, projectId, number);
  if (!request) throw notFound(`Deployment request #${number}`);
  return request;
}

function policyFor(request: RequestRow): StoredPolicy {
  if (!request.environment.policy) throw new AppError("CONFLICT", `"${request.environment.name}" has no protection rules any more`);
  return policyOf(request.environment.policy);
}

function summary(
  request: { id: string; number: number; state: DeploymentState; kind: DeploymentKind; version: number; fromVersion: number | null; contentHash: string },
  prompt: string,
  environment: string,
) {
  return {
    id: request.id,
    number: request.number,
    prompt,
    environment,
    kind: request.kind,
    version: request.version,
    fromVersion: request.fromVersion,
    contentHash: request.contentHash,
    state: request.state,
  };
}

/** Moves the request from one state to another, or reports that someone else moved it first. */
async function transition(tx: Tx, request: { id: string; number: number }, from: DeploymentState[], to: DeploymentState, data: Record<string, unknown> = {}) {
  const count = await tx.deploymentRequest.updateMany({ where: { id: request.id, state: { in: from } }, data: { state: to, ...data } });
  if (count.count !== 1) throw new AppError("CONFLICT", `Request #${request.number} changed meanwhile; reload it`);
}

function explainClosed(request: RequestRow, now: Date): string | null {
  const name = `Request #${request.number}`;
  if (request.state === "pending" || request.state === "approved") {
    return request.expiresAt <= now ? `${name} expired at ${formatUtc(request.expiresAt)}` : null;
  }
  const why = request.endedReason ? `: ${request.endedReason}` : "";
  return `${name} is ${DEPLOYMENT_STATE_LABELS[request.state].toLowerCase()}${why}`;
}

// ---- Request ------------------------------------------------------------------------------------

export class GateFailedError extends AppError {
  constructor(
    readonly gate: GateResult,
    environment: string,
  ) {
    super("UNPROCESSABLE", `The evaluation gate of ${environment} fails: ${gate.reasons.join("; ")}`, { field: "version" });
  }
}

export async function createRequest(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { prompt: string; version: number; environment: string; justification: string; contentHash?: string; kind?: DeploymentKind },
) {
  const kind = input.kind ?? "promote";
  const justification = input.justification.trim();
  if (!justification)
    throw new AppError("BAD_REQUEST", kind === "rollback" ? "A rollback needs a comment saying why" : "Say why this version should be deployed", {
      field: "justification",
    });
  const { env, policy } = await requireEnvironment(w.tx, ctx.projectId, input.environment);
  const prompt = await w.tx.prompt.findUnique({
    where: { projectId_name: { projectId: ctx.projectId, name: input.prompt } },
    select: { id: true, name: true },
  });
  if (!prompt) throw new AppError("NOT_FOUND", `No prompt named "${input.prompt}"`, { field: "prompt" });
  // Serialise requests for this prompt and environment (and the project's numbering).
  await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`deployment_requests:${ctx.projectId}`}))`;
  const version = await w.tx.promptVersion.findUnique({ where: { promptId_version: { promptId: prompt.id, version: input.version } } });
  if (!version) throw new AppError("NOT_FOUND", `"${prompt.name}" has no version ${input.version}`, { field: "version" });
  if (input.contentHash && input.contentHash !== version.contentHash) {
    throw new AppError("CONFLICT", `The content hash does not match v${version.version} of "${prompt.name}" (${version.contentHash.slice(0, 12)}…)`, {
      field: "contentHash",
    });
  }
  const current = await w.tx.promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: env.name } } });
  if (current?.version === version.version) {
    throw new AppError("CONFLICT", `v${version.version} of "${prompt.name}" is already deployed to ${env.name}`, { field: "version" });
  }
  if (kind === "rollback") {
    const before = await w.tx.promptLabelEvent.findFirst({ where: { promptId: prompt.id, label: env.name, toVersion: version.version } });
    if (!before)
      throw new AppError("BAD_REQUEST", `v${version.version} was never deployed to ${env.name}: request a promotion, not a rollback`, { field: "version" });
  }
  const open = await w.tx.deploymentRequest.findFirst({ where: { environmentId: env.id, promptId: prompt.id, state: { in: ["pending", "approved"] } } });
  const now = new Date();
  if (open && open.version === version.version && open.expiresAt > now) {
    throw new AppError("CONFLICT", `Request #${open.number} for v${open.version} of "${prompt.name}" to ${env.name} is already ${open.state}`, {
      field: "version",
    });
  }

  const gate = gateApplies(kind, policy)
    ? await evaluateGate(w.tx, ctx.projectId, version.id, policy.gate, now)
    : { passed: true, configured: false, run: null, checks: [], review: null, reasons: [], checkedAt: now.toISOString() };
  if (!gate.passed) throw new GateFailedError(gate, env.name);

  const last = await w.tx.deploymentRequest.aggregate({ where: { projectId: ctx.projectId }, _max: { number: true } });
  const number = (last._max.number ?? 0) + 1;
  if (open) {
    // A newer request replaces the open one (or it lapsed: it ends as expired).
    const expired = open.expiresAt <= now;
    const reason = expired ? `expired at ${formatUtc(open.expiresAt)}` : `replaced by request #${number} (v${version.version})`;
    await transition(w.tx, open, ["pending", "approved"], expired ? "expired" : "superseded", { endedAt: now, endedReason: reason });
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: expired ? "deployment.expired" : "deployment.superseded",
      targetType: "deployment_request",
      targetId: open.id,
      before: { number: open.number, state: open.state },
      after: { number: open.number, state: expired ? "expired" : "superseded", reason },
    });
  }
  const { editedById: _id, editedByLabel, editedAt, ...rules } = policy;
  const request = await w.tx.deploymentRequest.create({
    data: {
      projectId: ctx.projectId,
      number,
      promptId: prompt.id,
      promptVersionId: version.id,
      version: version.version,
      contentHash: version.contentHash,
      environmentId: env.id,
      kind,
      justification,
      fromVersion: current?.version ?? null,
      requestedByType: w.actor.type,
      requestedById: w.actor.id,
      requestedByLabel: w.actor.label,
      policySnapshot: JSON.parse(JSON.stringify({ ...rules, editedByLabel, editedAt })) as object,
      gateResult: JSON.parse(JSON.stringify(gate)) as object,
      expiresAt: new Date(now.getTime() + policy.expiryHours * HOUR),
    },
  });
  const view = summary(request, prompt.name, env.name);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.requested",
    targetType: "deployment_request",
    targetId: request.id,
    after: { ...view, justification, gate: { configured: gate.configured, passed: gate.passed, run: gate.run?.number ?? null } },
  });
  await enqueueWebhookEvent(w, ctx.projectId, "deployment.requested", {
    request: { ...view, justification, requestedBy: w.actor.label, expiresAt: request.expiresAt },
  });
  return { ...view, gate, expiresAt: request.expiresAt };
}

// ---- Decide -------------------------------------------------------------------------------------

/** Why `approver` may not decide on `request`, or null when they may. */
function refusal(request: RequestRow, policy: StoredPolicy, approver: Approver): { code: "FORBIDDEN" | "CONFLICT"; message: string } | null {
  const env = request.environment.name;
  if (policy.separationOfDuties || env === "production") {
    if (request.requestedByType === "user" && request.requestedById === approver.id) {
      return { code: "FORBIDDEN", message: "You requested this deployment: someone else must approve or reject it (separation of duties)" };
    }
    if (request.promptVersion.authorType === "user" && request.promptVersion.authorId === approver.id) {
      return { code: "FORBIDDEN", message: `You wrote v${request.version}: someone else must approve or reject it (separation of duties)` };
    }
    if (policy.editedById === approver.id) {
      return {
        code: "FORBIDDEN",
        message: `You last edited the protection rules of ${env}: someone else must approve or reject its deployments (separation of duties)`,
      };
    }
  }
  const rules = rulesFor(request.kind, policy);
  if (!rules.some((rule) => qualifies(rule, approver))) {
    return { code: "FORBIDDEN", message: `You are not in any approval rule of ${env} (${rules.map((r) => r.name).join(", ")})` };
  }
  if (request.approvals.some((a) => a.approverId === approver.id)) {
    return { code: "CONFLICT", message: `You already decided on request #${request.number}` };
  }
  return null;
}

function approversOf(request: { approvals: { approverId: string; approverLabel: string; approverRole: Role; approved: boolean }[] }): Approver[] {
  return request.approvals.filter((a) => a.approved).map((a) => ({ id: a.approverId, label: a.approverLabel, role: a.approverRole }));
}

function requireUser(w: AuditedTx): Approver {
  // API keys never reach this (deployment:approve is person-only); checked again here on purpose.
  if (w.actor.type !== "user" || !w.actor.id || !w.actor.role) throw new AppError("FORBIDDEN", "Only a signed-in person can approve or reject a deployment");
  return { id: w.actor.id, label: w.actor.label, role: w.actor.role };
}

export async function approveRequest(w: AuditedTx, ctx: ProjectCtx, input: { number: number; comment: string }) {
  const approver = requireUser(w);
  const request = await requireRequest(w.tx, ctx.projectId, input.number);
  const now = new Date();
  const closed = explainClosed(request, now);
  if (closed) throw new AppError("CONFLICT", closed);
  if (request.state === "approved") throw new AppError("CONFLICT", `Request #${request.number} already has every approval it needs`);
  const policy = policyFor(request);
  const refused = refusal(request, policy, approver);
  if (refused) throw new AppError(refused.code, refused.message);

  const approval = await w.tx.deploymentApproval.create({
    data: {
      requestId: request.id,
      approverId: approver.id,
      approverLabel: approver.label,
      approverRole: approver.role,
      approved: true,
      comment: input.comment.trim(),
    },
  });
  const view = summary(request, request.prompt.name, request.environment.name);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.approval.given",
    targetType: "deployment_request",
    targetId: request.id,
    after: { number: request.number, approver: approver.label, role: approver.role, comment: approval.comment },
  });
  const outcome = matchApprovals(rulesFor(request.kind, policy), approversOf({ approvals: [...request.approvals, approval] }));
  if (!outcome.met) return { ...view, state: "pending" as const, rules: outcome, deployed: false, waiting: outcome.missing };

  const deployableAt = new Date(now.getTime() + policy.waitMinutes * 60_000);
  await transition(w.tx, request, ["pending"], "approved", { approvedAt: now, deployableAt });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.approved",
    targetType: "deployment_request",
    targetId: request.id,
    before: { number: request.number, state: "pending" },
    after: { number: request.number, state: "approved", approvers: outcome.rules.map((r) => ({ rule: r.name, approvers: r.approvers })), deployableAt },
  });
  await enqueueWebhookEvent(w, ctx.projectId, "deployment.approved", { request: { ...view, state: "approved", deployableAt } });
  const promoted = await promote(w, ctx, { ...request, approvals: [...request.approvals, approval], state: "approved", approvedAt: now, deployableAt }, now);
  return {
    ...view,
    state: promoted.deployed ? ("deployed" as const) : ("approved" as const),
    rules: outcome,
    deployed: promoted.deployed,
    waiting: promoted.deployed ? [] : [promoted.reason],
  };
}

export async function rejectRequest(w: AuditedTx, ctx: ProjectCtx, input: { number: number; comment: string }) {
  const approver = requireUser(w);
  const comment = input.comment.trim();
  if (!comment) throw new AppError("BAD_REQUEST", "Say why you reject it: a rejection needs a comment", { field: "comment" });
  const request = await requireRequest(w.tx, ctx.projectId, input.number);
  const now = new Date();
  const closed = explainClosed(request, now);
  if (closed) throw new AppError("CONFLICT", closed);
  const refused = refusal(request, policyFor(request), approver);
  if (refused) throw new AppError(refused.code, refused.message);
  await w.tx.deploymentApproval.create({
    data: { requestId: request.id, approverId: approver.id, approverLabel: approver.label, approverRole: approver.role, approved: false, comment },
  });
  await transition(w.tx, request, ["pending", "approved"], "rejected", { endedAt: now, endedReason: `rejected by ${approver.label}: ${comment}` });
  const view = summary(request, request.prompt.name, request.environment.name);
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.rejected",
    targetType: "deployment_request",
    targetId: request.id,
    before: { number: request.number, state: request.state },
    after: { number: request.number, state: "rejected", approver: approver.label, comment },
  });
  await enqueueWebhookEvent(w, ctx.projectId, "deployment.rejected", { request: { ...view, state: "rejected" }, rejectedBy: approver.label, comment });
  return { ...view, state: "rejected" as const };
}

export async function cancelRequest(w: AuditedTx, ctx: ProjectCtx, input: { number: number; reason: string }, canCancelAny: boolean) {
  const request = await requireRequest(w.tx, ctx.projectId, input.number);
  const now = new Date();
  const closed = explainClosed(request, now);
  if (closed) throw new AppError("CONFLICT", closed);
  const own = request.requestedByType === w.actor.type && request.requestedById === w.actor.id;
  if (!own && !canCancelAny) throw new AppError("FORBIDDEN", "Only the requester or an admin can cancel a deployment request");
  const reason = input.reason.trim() || "no reason given";
  await transition(w.tx, request, ["pending", "approved"], "cancelled", { endedAt: now, endedReason: `cancelled by ${w.actor.label}: ${reason}` });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.cancelled",
    targetType: "deployment_request",
    targetId: request.id,
    before: { number: request.number, state: request.state },
    after: { number: request.number, state: "cancelled", reason },
  });
  return { ...summary(request, request.prompt.name, request.environment.name), state: "cancelled" as const };
}

// ---- Promote ------------------------------------------------------------------------------------

export type PromoteOutcome = { deployed: true; deploymentId: string } | { deployed: false; reason: string };

/** Why an approved request cannot be deployed at `now` (null: it can), freeze aside when overriding. */
async function blocker(
  tx: Tx,
  ctx: ProjectCtx,
  request: RequestRow & { deployableAt: Date | null },
  policy: StoredPolicy,
  now: Date,
  overridingFreeze: boolean,
) {
  if (request.deployableAt && request.deployableAt > now) return { reason: `The wait timer ends at ${formatUtc(request.deployableAt)}`, gate: null };
  const freeze = freezeAt(policy, now);
  if (freeze && !overridingFreeze)
    return { reason: `Changes to ${request.environment.name} are frozen until ${formatUtc(new Date(freeze.end))} (${freeze.reason})`, gate: null };
  if (!gateApplies(request.kind, policy)) return { reason: null, gate: null };
  const gate = await evaluateGate(tx, ctx.projectId, request.promptVersionId, policy.gate, now);
  return { reason: gate.passed ? null : `The evaluation gate fails now: ${gate.reasons.join("; ")}`, gate };
}

async function promote(w: AuditedTx, ctx: ProjectCtx, request: RequestRow, now: Date, override?: { reason: string }): Promise<PromoteOutcome> {
  const policy = policyFor(request);
  const blocked = await blocker(w.tx, ctx, request, policy, now, Boolean(override));
  if (blocked.reason) return { deployed: false, reason: blocked.reason };
  const freeze = freezeAt(policy, now);
  const moved = await writeLabelMove(w, ctx, { promptId: request.promptId, label: request.environment.name, version: request.version });
  await transition(w.tx, request, ["approved"], "deployed", { endedAt: now });
  const approvers = request.approvals
    .filter((a) => a.approved)
    .map((a) => ({ label: a.approverLabel, role: a.approverRole, comment: a.comment, at: a.createdAt }));
  const freezeOverride = override && freeze ? { by: w.actor.label, reason: override.reason, window: freeze } : null;
  const deployment = await w.tx.deployment.create({
    data: {
      projectId: ctx.projectId,
      requestId: request.id,
      promptId: request.promptId,
      environmentId: request.environmentId,
      kind: request.kind,
      version: request.version,
      contentHash: request.contentHash,
      fromVersion: moved.fromVersion,
      evidence: JSON.parse(
        JSON.stringify({
          requestedBy: request.requestedByLabel,
          justification: request.justification,
          approvers,
          gate: blocked.gate,
          deployedBy: w.actor.label,
        }),
      ) as object,
      freezeOverride: freezeOverride ? (JSON.parse(JSON.stringify(freezeOverride)) as object) : undefined,
      deployedAt: now,
    },
  });
  const view = { ...summary(request, request.prompt.name, request.environment.name), state: "deployed" as const, fromVersion: moved.fromVersion };
  if (freezeOverride) {
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: "deployment.freeze_overridden",
      targetType: "deployment_request",
      targetId: request.id,
      after: { number: request.number, ...freezeOverride },
    });
  }
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.deployed",
    targetType: "deployment_request",
    targetId: request.id,
    before: { number: request.number, state: "approved", version: moved.fromVersion },
    after: {
      number: request.number,
      state: "deployed",
      deploymentId: deployment.id,
      prompt: request.prompt.name,
      environment: request.environment.name,
      version: request.version,
      contentHash: request.contentHash,
    },
  });
  await enqueueWebhookEvent(w, ctx.projectId, request.kind === "rollback" ? "deployment.rolled_back" : "deployment.deployed", {
    request: view,
    deployment: { id: deployment.id, deployedAt: now, approvers: approvers.map((a) => a.label), freezeOverride },
  });
  return { deployed: true, deploymentId: deployment.id };
}

/** Deploys an approved request whose wait is over (the sweeper, or a person pressing "Deploy now"). */
export async function deployIfDue(w: AuditedTx, ctx: ProjectCtx, input: { number: number }): Promise<PromoteOutcome> {
  const request = await requireRequest(w.tx, ctx.projectId, input.number);
  const now = new Date();
  const closed = explainClosed(request, now);
  if (closed || request.state !== "approved") {
    w.unchanged();
    return { deployed: false, reason: closed ?? `Request #${request.number} is still waiting for approvals` };
  }
  const outcome = await promote(w, ctx, request, now);
  if (!outcome.deployed) w.unchanged();
  return outcome;
}

/** Break glass: an owner deploys an approved request during a freeze window; the reason is audited. */
export async function overrideFreeze(w: AuditedTx, ctx: ProjectCtx, input: { number: number; reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw new AppError("BAD_REQUEST", "Breaking a change freeze needs a reason", { field: "reason" });
  const request = await requireRequest(w.tx, ctx.projectId, input.number);
  const now = new Date();
  const closed = explainClosed(request, now);
  if (closed) throw new AppError("CONFLICT", closed);
  if (request.state !== "approved")
    throw new AppError("CONFLICT", `Request #${request.number} is still waiting for approvals: a freeze override does not skip them`);
  const policy = policyFor(request);
  if (!freezeAt(policy, now)) throw new AppError("BAD_REQUEST", `${request.environment.name} is not frozen now: the request deploys on its own`);
  const outcome = await promote(w, ctx, request, now, { reason });
  if (!outcome.deployed) throw new AppError("CONFLICT", outcome.reason);
  return outcome;
}

/** Ends an open request whose time ran out (the sweeper). */
export async function expireIfDue(w: AuditedTx, ctx: ProjectCtx, input: { number: number }) {
  const request = await requireRequest(w.tx, ctx.projectId, input.number);
  const now = new Date();
  if (!(request.state === "pending" || request.state === "approved") || request.expiresAt > now) {
    w.unchanged();
    return { expired: false };
  }
  const reason = `not deployed by ${formatUtc(request.expiresAt)}`;
  await transition(w.tx, request, ["pending", "approved"], "expired", { endedAt: now, endedReason: reason });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "deployment.expired",
    targetType: "deployment_request",
    targetId: request.id,
    before: { number: request.number, state: request.state },
    after: { number: request.number, state: "expired", reason },
  });
  return { expired: true };
}
