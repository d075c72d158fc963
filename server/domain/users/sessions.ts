import "server-only";
// Signed-in sessions, held server-side. The session JWT only names a session row; a request is
// signed in while that row is neither revoked nor expired and the user's session version still
// matches. Sign-out revokes the row, so a copied cookie stops working at once; people see their
// sessions on the account page and revoke any of them.
import type { Db, ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import type { AuditedTx } from "../../audit/mutation";
import type { RequestMeta } from "../../audit/actor";

/** A session ends after this long without a request … */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
/** … and this long after sign-in, whatever happens. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
/** last_seen_at is written at most this often per session (one write, not one per request). */
const TOUCH_EVERY_MS = 5 * 60_000;

/** A second factor a person can present. */
export type SecondFactor = "totp" | "passkey" | "recovery_code";
/** How a fresh authentication was made: at sign-in, or later to step up. */
export type VerificationMethod = "password" | "sso" | SecondFactor;

/** How a session was signed in. */
export type SignInAuthentication = { method: "password" | "sso"; factor: SecondFactor | null; ssoConnectionId?: string | null };

/** What a request knows of how its session was authenticated (step-up and the audit trail read it). */
export type SessionAuthentication = {
  method: "password" | "sso";
  factor: SecondFactor | null;
  /** The most recent fresh authentication in this session, and how it was made. */
  verifiedAt: Date;
  verifiedMethod: VerificationMethod;
  createdAt: Date;
};

export async function startSession(
  db: Db,
  userId: string,
  request: RequestMeta,
  auth: SignInAuthentication = { method: "password", factor: null },
): Promise<string> {
  const now = new Date();
  const session = await db.userSession.create({
    data: {
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
      ip: request.ip || null,
      userAgent: request.userAgent,
      method: auth.method,
      factor: auth.factor,
      ssoConnectionId: auth.ssoConnectionId ?? null,
      verifiedAt: now,
      verifiedMethod: auth.factor ?? auth.method,
    },
    select: { id: true },
  });
  return session.id;
}

export type LiveSession = {
  user: { id: string; email: string; name: string; sessionVersion: number };
  sessionId: string;
  authentication: SessionAuthentication;
};

type PolicyOrg = { sessionIdleMinutes: number | null; sessionAbsoluteHours: number | null };

/**
 * The timeouts that apply to a person's sessions: the strictest of the organizations they are a
 * member of (Organization.sessionIdleMinutes / sessionAbsoluteHours), else the instance's.
 */
export function sessionLimits(orgs: readonly PolicyOrg[]): { idleMs: number; absoluteMs: number } {
  let idleMs = SESSION_IDLE_MS;
  let absoluteMs = SESSION_ABSOLUTE_MS;
  for (const o of orgs) {
    if (o.sessionIdleMinutes !== null) idleMs = Math.min(idleMs, o.sessionIdleMinutes * 60_000);
    if (o.sessionAbsoluteHours !== null) absoluteMs = Math.min(absoluteMs, o.sessionAbsoluteHours * 3_600_000);
  }
  return { idleMs, absoluteMs };
}

function isOver(row: { createdAt: Date; lastSeenAt: Date }, limits: { idleMs: number; absoluteMs: number }, now: Date): boolean {
  return now.getTime() - row.lastSeenAt.getTime() > limits.idleMs || now.getTime() - row.createdAt.getTime() > limits.absoluteMs;
}

const POLICY_ORGS = { memberships: { select: { org: { select: { sessionIdleMinutes: true, sessionAbsoluteHours: true } } } } } as const;

/** The session's user, or null when the session is over. Touches last_seen_at now and then. */
export async function findLiveSession(sessionId: string, userId: string): Promise<LiveSession | null> {
  const now = new Date();
  const row = await getDb().userSession.findFirst({
    where: { id: sessionId, userId, revokedAt: null, expiresAt: { gt: now } },
    select: {
      id: true,
      createdAt: true,
      lastSeenAt: true,
      method: true,
      factor: true,
      verifiedAt: true,
      verifiedMethod: true,
      user: { select: { id: true, email: true, name: true, sessionVersion: true, ...POLICY_ORGS } },
    },
  });
  if (!row) return null;
  const limits = sessionLimits(row.user.memberships.map((m) => m.org));
  if (isOver(row, limits, now)) return null;
  // Often enough that an organization's idle timeout is kept to within a fifth of itself.
  if (now.getTime() - row.lastSeenAt.getTime() > Math.min(TOUCH_EVERY_MS, limits.idleMs / 5)) {
    const expiresAt = new Date(Math.min(now.getTime() + limits.idleMs, row.createdAt.getTime() + limits.absoluteMs));
    // Best effort: a lost touch only shortens the idle window by a few minutes.
    void getDb()
      .userSession.updateMany({ where: { id: row.id, lastSeenAt: row.lastSeenAt }, data: { lastSeenAt: now, expiresAt } })
      .catch(() => {});
  }
  const { memberships: _orgs, ...user } = row.user;
  return {
    user,
    sessionId: row.id,
    authentication: {
      method: row.method as SessionAuthentication["method"],
      factor: row.factor as SecondFactor | null,
      verifiedAt: row.verifiedAt,
      verifiedMethod: row.verifiedMethod as VerificationMethod,
      createdAt: row.createdAt,
    },
  };
}

/** Sign-out: revokes the session the cookie names (nothing to audit: the person leaves). */
export async function endSession(sessionId: unknown): Promise<void> {
  if (typeof sessionId !== "string" || !/^[0-9a-f-]{36}$/.test(sessionId)) return;
  await getDb().userSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function listSessions(db: ReadDb, userId: string, currentSessionId: string | null) {
  const now = new Date();
  const [rows, user] = await Promise.all([
    db.userSession.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: now } },
      orderBy: { lastSeenAt: "desc" },
      select: { id: true, createdAt: true, lastSeenAt: true, expiresAt: true, ip: true, userAgent: true, method: true, factor: true },
    }),
    db.user.findUnique({ where: { id: userId }, select: POLICY_ORGS }),
  ]);
  const limits = sessionLimits(user?.memberships.map((m) => m.org) ?? []);
  return rows.filter((r) => !isOver(r, limits, now)).map((r) => ({ ...r, current: r.id === currentSessionId }));
}

/**
 * An administrator ends a member's sessions (a lost laptop, a departure): every live session of
 * theirs, in every browser. Recorded in this organization's log; only an owner may do it to an owner.
 */
export async function revokeMemberSessions(w: AuditedTx, ctx: { orgId: string; actorRole: string; actorUserId: string }, userId: string) {
  const m = await w.tx.membership.findUnique({
    where: { orgId_userId: { orgId: ctx.orgId, userId } },
    select: { role: true, user: { select: { email: true } } },
  });
  if (!m) throw new AppError("NOT_FOUND", "Member not found", { field: "userId" });
  if (m.role === "owner" && ctx.actorRole !== "owner") throw new AppError("FORBIDDEN", "Only an owner can sign out an owner");
  const revoked = await w.tx.userSession.updateMany({ where: { userId, revokedAt: null, expiresAt: { gt: new Date() } }, data: { revokedAt: new Date() } });
  if (revoked.count === 0) {
    w.unchanged();
    return { revoked: 0 };
  }
  w.record({
    orgId: ctx.orgId,
    action: "member.sessions.revoked",
    targetType: "membership",
    targetId: userId,
    after: { email: m.user.email, sessions: revoked.count, self: userId === ctx.actorUserId },
  });
  return { revoked: revoked.count };
}

/**
 * Revokes one of the person's own sessions (or all but the current one). Recorded in the logs of
 * the organizations they are a member of, like their other security events.
 */
export async function revokeSessions(w: AuditedTx, userId: string, input: { sessionId: string } | { allExcept: string | null }) {
  const now = new Date();
  const where =
    "sessionId" in input
      ? { id: input.sessionId, userId, revokedAt: null }
      : { userId, revokedAt: null, ...(input.allExcept ? { id: { not: input.allExcept } } : {}) };
  const revoked = await w.tx.userSession.updateMany({ where, data: { revokedAt: now } });
  if ("sessionId" in input && revoked.count === 0) throw new AppError("NOT_FOUND", "Session not found or already ended", { field: "sessionId" });
  const memberships = await w.tx.membership.findMany({ where: { userId }, select: { orgId: true } });
  if (revoked.count === 0 || memberships.length === 0) {
    // Nothing ended, or a person in no organization: there is no log that this belongs to.
    w.unchanged();
    return { revoked: revoked.count };
  }
  for (const m of memberships) {
    w.record({
      orgId: m.orgId,
      action: "user.sessions.revoked",
      targetType: "user",
      targetId: userId,
      after: { sessions: revoked.count, ...("sessionId" in input ? { sessionId: input.sessionId } : { allOthers: true }) },
    });
  }
  return { revoked: revoked.count };
}

/** A password change ends every other session (the session version bump ends their JWTs too). */
export async function revokeOtherSessions(w: AuditedTx, userId: string, keep: string | null) {
  await w.tx.userSession.updateMany({ where: { userId, revokedAt: null, ...(keep ? { id: { not: keep } } : {}) }, data: { revokedAt: new Date() } });
}
