import "server-only";
// Changing a password, and setting one from a one-time link. Both end every other session of the
// user (the session version is bumped).
import { createHash, randomBytes } from "node:crypto";
import type { ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { hashPassword, verifyPassword } from "../../auth/password";
import type { AuditedTx } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { runAudited } from "../../audit/mutation";
import { revokeOtherSessions } from "./sessions";

export const PASSWORD_LINK_TTL_MS = 7 * 24 * 3600_000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

// Password events go to every organization the user is a member of (has accepted), never to one
// that only invited them; a user in none has no log to record them in, and no reason to keep a
// password.
async function orgIdsOf(w: AuditedTx, userId: string): Promise<string[]> {
  const ms = await w.tx.membership.findMany({ where: { userId }, select: { orgId: true } });
  if (ms.length === 0) throw new AppError("FORBIDDEN", "This account no longer belongs to any organization");
  return ms.map((m) => m.orgId);
}

export async function changePassword(w: AuditedTx, userId: string, input: { currentPassword: string; newPassword: string }) {
  const user = await w.tx.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("NOT_FOUND", "User not found");
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError("BAD_REQUEST", "The current password is not correct", { field: "currentPassword" });
  }
  if (input.currentPassword === input.newPassword) {
    throw new AppError("BAD_REQUEST", "The new password must differ from the current one", { field: "newPassword" });
  }
  const updated = await w.tx.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(input.newPassword), sessionVersion: { increment: 1 } },
  });
  await revokeOtherSessions(w, userId, null);
  for (const orgId of await orgIdsOf(w, userId)) {
    w.record({ orgId, action: "user.password.changed", targetType: "user", targetId: userId, after: { sessionsEnded: true } });
  }
  return { sessionVersion: updated.sessionVersion };
}

/** Creates a one-time set-password link token for a user; returns the token (shown once). */
export async function createPasswordLink(w: AuditedTx, userId: string, orgId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await w.tx.passwordSetupToken.updateMany({ where: { userId, usedAt: null }, data: { usedAt: new Date() } });
  await w.tx.passwordSetupToken.create({
    data: { userId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + PASSWORD_LINK_TTL_MS) },
  });
  w.record({ orgId, action: "member.password_link.created", targetType: "user", targetId: userId });
  return token;
}

/** Looks a link up without using it, for the set-password page. */
export async function describePasswordLink(db: ReadDb, token: string) {
  const row = await db.passwordSetupToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: { select: { email: true } } } });
  if (!row || row.usedAt || row.expiresAt < new Date()) return null;
  return { email: row.user.email };
}

export async function setPasswordFromLink(input: { token: string; password: string }, request: Actor["request"]) {
  const row = await getDb().passwordSetupToken.findUnique({ where: { tokenHash: hashToken(input.token) }, include: { user: true } });
  if (!row || row.usedAt || row.expiresAt < new Date()) {
    throw new AppError("BAD_REQUEST", "This link is invalid, used or expired; ask an admin for a new one", { field: "token" });
  }
  const actor: Actor = { type: "user", id: row.userId, label: row.user.email, role: null, request };
  const passwordHash = await hashPassword(input.password);
  return runAudited(actor, async (w) => {
    // Compare-and-set on usedAt: a link can be used once, even by two tabs at the same moment.
    const used = await w.tx.passwordSetupToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
    if (used.count !== 1) throw new AppError("BAD_REQUEST", "This link has already been used", { field: "token" });
    await w.tx.user.update({ where: { id: row.userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await revokeOtherSessions(w, row.userId, null);
    for (const orgId of await orgIdsOf(w, row.userId)) {
      w.record({ orgId, action: "user.password.set", targetType: "user", targetId: row.userId });
    }
    return { email: row.user.email };
  });
}
