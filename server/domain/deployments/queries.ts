import "server-only";
// Reading deployments: request lists, one request with everything an approver needs to decide
// (rules progress, whether the reader may decide and why not, what blocks promotion), the
// deployment history per environment and prompt, and what an environment served at a moment.
import { readSql, type ReadDb } from "../../db/client";
import { AppError, notFound } from "../../errors";
import type { Role } from "../../contracts/permissions";
import type { DeploymentState, GateResult } from "../../contracts/deployments";
import { freezeAt, policyOf, type StoredPolicy } from "./policy";
import { describeRule, matchApprovals, qualifies, rulesFor } from "./rules";
import { AUTHENTICATION_METHOD_LABELS } from "../../contracts/identity-policy";
import type { VerificationMethod } from "../users/sessions";
import { formatUtc } from "./time";
import { sql } from "../../db/sql";

const OPEN: DeploymentState[] = ["pending", "approved"];

/** A request's number from its id (the public API accepts either); null when the project has none such. */
export async function requestNumberById(db: ReadDb, projectId: string, id: string): Promise<number | null> {
  const row = await db.deploymentRequest.findFirst({ where: { id, projectId }, select: { number: true } });
  return row?.number ?? null;
}

export type RequestFilter = { status: "open" | "closed" | "all"; environment?: string; prompt?: string; page: number; pageSize: number };

export async function listRequests(db: ReadDb, projectId: string, q: RequestFilter) {
  const where = {
    projectId,
    ...(q.status === "open" ? { state: { in: OPEN } } : q.status === "closed" ? { state: { notIn: OPEN } } : {}),
    ...(q.environment ? { environment: { name: q.environment } } : {}),
    ...(q.prompt ? { prompt: { name: q.prompt } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.deploymentRequest.findMany({
      where,
      orderBy: { number: "desc" },
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
      include: { prompt: { select: { name: true } }, environment: { select: { name: true } }, approvals: { select: { approverLabel: true, approved: true } } },
    }),
    db.deploymentRequest.count({ where }),
  ]);
  const now = new Date();
  return {
    rows: rows.map((r) => ({
      number: r.number,
      prompt: r.prompt.name,
      environment: r.environment.name,
      kind: r.kind,
      version: r.version,
      fromVersion: r.fromVersion,
      state: effectiveState(r.state, r.expiresAt, now),
      requestedBy: r.requestedByLabel,
      justification: r.justification,
      approvals: r.approvals.filter((a) => a.approved).map((a) => a.approverLabel),
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      expiresAt: r.expiresAt,
    })),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** An open request past its expiry reads as expired before the sweeper records it. */
function effectiveState(state: DeploymentState, expiresAt: Date, now: Date): DeploymentState {
  return OPEN.includes(state) && expiresAt <= now ? "expired" : state;
}

export type Reader = { type: "user" | "api_key"; id: string | null; role: Role | null; canApprove: boolean };

/** The `after.authentication` of each approval and rejection event of a request, by "approverId:approved". */
async function decisionAuthentications(db: ReadDb, orgId: string, requestId: string): Promise<Map<string, DecisionAuthentication>> {
  const events = await db.auditEvent.findMany({
    where: {
      orgId,
      targetType: "deployment_request",
      targetId: requestId,
      action: { in: ["deployment.approval.given", "deployment.rejected"] },
      outcome: "success",
    },
    select: { action: true, actorId: true, after: true },
  });
  const found = new Map<string, DecisionAuthentication>();
  for (const e of events) {
    const auth = (e.after as { authentication?: { method?: unknown; at?: unknown } } | null)?.authentication;
    if (!e.actorId || !auth || typeof auth.method !== "string" || typeof auth.at !== "string") continue;
    const method = auth.method as VerificationMethod;
    found.set(`${e.actorId}:${e.action === "deployment.approval.given"}`, {
      method,
      methodLabel: AUTHENTICATION_METHOD_LABELS[method] ?? method,
      at: new Date(auth.at),
    });
  }
  return found;
}

export type DecisionAuthentication = { method: VerificationMethod; methodLabel: string; at: Date };

export async function getRequest(db: ReadDb, projectId: string, number: number, reader: Reader) {
  const r = await db.deploymentRequest.findUnique({
    where: { projectId_number: { projectId, number } },
    include: {
      project: { select: { orgId: true } },
      prompt: { select: { id: true, name: true } },
      promptVersion: { select: { version: true, authorType: true, authorId: true, authorLabel: true, commitMessage: true, createdAt: true } },
      environment: { include: { policy: true } },
      approvals: { orderBy: { createdAt: "asc" } },
      deployment: true,
    },
  });
  if (!r) throw notFound(`Deployment request #${number}`);
  const authentications = await decisionAuthentications(db, r.project.orgId, r.id);
  const now = new Date();
  const policy: StoredPolicy | null = r.environment.policy ? policyOf(r.environment.policy) : null;
  const rules = policy ? rulesFor(r.kind, policy) : [];
  const approvers = r.approvals.filter((a) => a.approved).map((a) => ({ id: a.approverId, label: a.approverLabel, role: a.approverRole }));
  const progress = matchApprovals(rules, approvers);
  const userIds = [...new Set(rules.flatMap((x) => x.users))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [];
  const labels = new Map(users.map((u) => [u.id, u.email]));
  const state = effectiveState(r.state, r.expiresAt, now);
  const freeze = policy ? freezeAt(policy, now) : null;

  let blockedBy: string | null = null;
  if (state === "approved") {
    if (r.deployableAt && r.deployableAt > now) blockedBy = `Wait timer: deploys at ${formatUtc(r.deployableAt)}`;
    else if (freeze) blockedBy = `Change freeze until ${formatUtc(freeze.end)}: ${freeze.reason}`;
    else blockedBy = "Deploys within seconds (the evaluation gate is checked again first)";
  }
  return {
    id: r.id,
    number: r.number,
    prompt: r.prompt.name,
    environment: r.environment.name,
    kind: r.kind,
    version: r.version,
    contentHash: r.contentHash,
    fromVersion: r.fromVersion,
    state,
    justification: r.justification,
    author: {
      type: r.promptVersion.authorType,
      label: r.promptVersion.authorLabel,
      commitMessage: r.promptVersion.commitMessage,
      createdAt: r.promptVersion.createdAt,
    },
    requestedBy: { type: r.requestedByType, label: r.requestedByLabel },
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    approvedAt: r.approvedAt,
    deployableAt: r.deployableAt,
    endedAt: r.endedAt,
    endedReason: r.endedReason,
    gateAtRequest: r.gateResult as GateResult | null,
    rules: progress.rules.map((p, i) => ({ ...p, description: describeRule(rules[i]!, labels) })),
    missing: progress.missing,
    decisions: r.approvals.map((a) => ({
      approver: a.approverLabel,
      role: a.approverRole,
      approved: a.approved,
      comment: a.comment,
      at: a.createdAt,
      // How the approver authenticated for this decision (step-up), from its audit event; null for
      // decisions recorded before step-up existed.
      authentication: authentications.get(`${a.approverId}:${a.approved}`) ?? null,
    })),
    freeze,
    blockedBy,
    deployment: r.deployment ? { id: r.deployment.id, deployedAt: r.deployment.deployedAt, freezeOverride: r.deployment.freezeOverride } : null,
    policy: policy
      ? {
          separationOfDuties: policy.separationOfDuties,
          rollbackPolicy: policy.rollbackPolicy,
          waitMinutes: policy.waitMinutes,
          expiryHours: policy.expiryHours,
          gate: policy.gate,
        }
      : null,
    viewer: viewerOptions(r, policy, rules, reader, state, freeze !== null),
  };
}

/** What the reader may do with the request, and why not (the UI shows the reason instead of a button). */
function viewerOptions(
  r: {
    requestedByType: string;
    requestedById: string | null;
    promptVersion: { authorType: string; authorId: string | null };
    approvals: { approverId: string }[];
    number: number;
    environment: { name: string };
  },
  policy: StoredPolicy | null,
  rules: { name: string; required: number; users: string[]; roles: Role[] }[],
  reader: Reader,
  state: DeploymentState,
  frozen: boolean,
) {
  const open = state === "pending" || state === "approved";
  let decide: string | null = null;
  if (!open) decide = "This request is closed";
  else if (reader.type !== "user" || !reader.id || !reader.role) decide = "Only a signed-in person can approve";
  else if (!reader.canApprove) decide = `Your role (${reader.role}) cannot approve deployments`;
  else if ((policy?.separationOfDuties ?? true) && r.requestedByType === "user" && r.requestedById === reader.id)
    decide = "You requested this deployment (separation of duties)";
  else if ((policy?.separationOfDuties ?? true) && r.promptVersion.authorType === "user" && r.promptVersion.authorId === reader.id)
    decide = "You wrote this version (separation of duties)";
  else if ((policy?.separationOfDuties ?? true) && policy?.editedById === reader.id)
    decide = `You last edited the rules of ${r.environment.name} (separation of duties)`;
  else if (!rules.some((rule) => qualifies(rule, { id: reader.id!, role: reader.role! }))) decide = `You are not in an approval rule of ${r.environment.name}`;
  else if (r.approvals.some((a) => a.approverId === reader.id)) decide = "You already decided";
  return {
    canApprove: decide === null && state === "pending",
    canReject: decide === null,
    cannotDecideBecause: decide,
    canCancel: open && reader.type === "user" && (r.requestedById === reader.id || reader.role === "owner" || reader.role === "admin"),
    canOverrideFreeze: open && state === "approved" && frozen && reader.role === "owner",
  };
}

/** Open requests the reader could approve now: the pending-approvals badge (one query, rules checked in memory). */
export async function pendingForApprover(db: ReadDb, projectId: string, reader: Reader): Promise<number> {
  if (!reader.canApprove || !reader.id) return 0;
  const open = await db.deploymentRequest.findMany({
    where: { projectId, state: "pending", expiresAt: { gt: new Date() } },
    select: {
      number: true,
      kind: true,
      requestedByType: true,
      requestedById: true,
      promptVersion: { select: { authorType: true, authorId: true } },
      environment: { select: { name: true, policy: true } },
      approvals: { select: { approverId: true } },
    },
    take: 500,
  });
  return open.filter((r) => {
    const policy = r.environment.policy ? policyOf(r.environment.policy) : null;
    return viewerOptions(r, policy, policy ? rulesFor(r.kind, policy) : [], reader, "pending", false).canApprove;
  }).length;
}

export async function deploymentHistory(db: ReadDb, projectId: string, q: { environment?: string; prompt?: string; page: number; pageSize: number }) {
  const where = { projectId, ...(q.environment ? { environment: { name: q.environment } } : {}), ...(q.prompt ? { prompt: { name: q.prompt } } : {}) };
  const [rows, total] = await Promise.all([
    db.deployment.findMany({
      where,
      orderBy: { deployedAt: "desc" },
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
      include: {
        prompt: { select: { name: true } },
        environment: { select: { name: true } },
        request: { select: { number: true, requestedByLabel: true, justification: true } },
      },
    }),
    db.deployment.count({ where }),
  ]);
  return {
    rows: rows.map((d) => {
      const evidence = d.evidence as { approvers?: { label: string }[] };
      return {
        id: d.id,
        prompt: d.prompt.name,
        environment: d.environment.name,
        kind: d.kind,
        version: d.version,
        fromVersion: d.fromVersion,
        contentHash: d.contentHash,
        request: d.request.number,
        requestedBy: d.request.requestedByLabel,
        justification: d.request.justification,
        approvers: (evidence.approvers ?? []).map((a) => a.label),
        freezeOverride: d.freezeOverride as { by: string; reason: string } | null,
        deployedAt: d.deployedAt,
      };
    }),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/**
 * What an environment served at a moment: the label history answers for every prompt (moves made
 * before the environment was protected included); the deployment that put it there, when one did.
 */
export async function deployedAt(db: ReadDb, projectId: string, q: { environment: string; at: Date; prompt?: string }) {
  const env = await db.environment.findUnique({ where: { projectId_name: { projectId, name: q.environment } }, select: { id: true } });
  if (!env) throw new AppError("NOT_FOUND", `This project has no environment "${q.environment}"`, { field: "environment" });
  if (q.prompt && !(await db.prompt.findUnique({ where: { projectId_name: { projectId, name: q.prompt } }, select: { id: true } }))) {
    throw new AppError("NOT_FOUND", `No prompt named "${q.prompt}"`, { field: "prompt" });
  }
  // The last move of the label at or before T, per prompt (one index range scan each).
  const moves = await readSql<{ prompt_id: string; prompt: string; version: number; since: Date; moved_by: string }>(
    db,
    sql`SELECT DISTINCT ON (e.prompt_id) e.prompt_id, p.name AS prompt, e.to_version AS version, e.at AS since, e.actor_label AS moved_by
     FROM prompt_label_events e JOIN prompts p ON p.id = e.prompt_id
     WHERE p.project_id = ${projectId}::uuid AND e.label = ${q.environment} AND e.at <= ${q.at} AND (${q.prompt ?? null}::text IS NULL OR p.name = ${q.prompt ?? null})
     ORDER BY e.prompt_id, e.at DESC`,
  );
  const deployments = moves.length
    ? await db.deployment.findMany({
        where: { environmentId: env.id, promptId: { in: moves.map((m) => m.prompt_id) }, deployedAt: { lte: q.at } },
        orderBy: { deployedAt: "desc" },
        select: { id: true, promptId: true, version: true, kind: true, deployedAt: true, request: { select: { number: true } } },
      })
    : [];
  const prompts = moves
    .map((m) => {
      // The deployment that made this move, if one did (a move before protection has none).
      const d = deployments.find((x) => x.promptId === m.prompt_id);
      const made = d && d.version === m.version && Math.abs(d.deployedAt.getTime() - m.since.getTime()) < 1000 ? d : null;
      return {
        prompt: m.prompt,
        version: m.version,
        since: m.since,
        movedBy: m.moved_by,
        deployment: made ? { id: made.id, request: made.request.number, kind: made.kind } : null,
      };
    })
    .sort((a, b) => a.prompt.localeCompare(b.prompt));
  return { environment: q.environment, at: q.at, prompts };
}
