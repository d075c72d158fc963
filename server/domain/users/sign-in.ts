import "server-only";
// Password sign-in: throttling, constant-time-ish failure path, and audited failures.
import type { Db } from "../../db/client";
import { dummyPasswordHash, verifyPassword } from "../../auth/password";
import { setTimeout as sleep } from "node:timers/promises";
import { clearLoginFailures, reserveLoginAttempt } from "../../auth/throttle";
import { recordDenied, runAudited } from "../../audit/mutation";
import type { Actor, RequestMeta } from "../../audit/actor";
import type { Role } from "../../contracts/permissions";
import { normaliseEmail } from "./email";

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  /** The password is right, but an organization the person belongs to requires single sign-on. */
  | { ok: false; reason: "sso_required"; orgName: string };

export async function signInWithPassword(db: Db, input: { email: string; password: string }, request: RequestMeta): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  // Counted before the password is checked (atomically), so parallel attempts cannot pass together.
  const reservation = await reserveLoginAttempt(db, email, request.ip);
  if (!reservation.ok) return { ok: false, reason: "throttled", retryAfterSeconds: reservation.retryAfterSeconds };
  if (reservation.waitMs > 0) await sleep(reservation.waitMs);

  const user = await db.user.findUnique({
    where: { email },
    include: { memberships: { select: { orgId: true, role: true, breakGlass: true, org: { select: { name: true, requireSso: true } } } } },
  });
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (user && user.passwordHash && valid) {
    await clearLoginFailures(db, email, request.ip);
    // Organizations that require single sign-on refuse a password, except from their break-glass
    // owners (checked after the password, so the answer says nothing to someone without it).
    const ssoOnly = user.memberships.filter((m) => m.org.requireSso);
    const refusing = ssoOnly.filter((m) => !m.breakGlass);
    const actor = (role: Role): Actor => ({ type: "user", id: user.id, label: user.email, role, request });
    if (refusing.length > 0) {
      for (const m of refusing) {
        await recordDenied(actor(m.role), {
          orgId: m.orgId,
          action: "auth.login.failed",
          targetType: "user",
          targetId: user.id,
          after: { reason: "single sign-on required" },
        });
      }
      return { ok: false, reason: "sso_required", orgName: refusing[0]!.org.name };
    }
    if (ssoOnly.length > 0) {
      await runAudited(actor(ssoOnly[0]!.role), async (w) => {
        for (const m of ssoOnly)
          w.record({ orgId: m.orgId, action: "user.signed_in_break_glass", targetType: "user", targetId: user.id, after: { email: user.email } });
      });
    }
    // From now on the account is in its owner's hands: no organization may issue it a password link.
    await db.user.update({ where: { id: user.id }, data: { lastSignedInAt: new Date() } });
    return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
  }

  // Failed sign-ins to a known account are recorded in the logs of the organizations the person is
  // a member of (accepted), never in those that only invited them.
  for (const m of user?.memberships ?? []) {
    await recordDenied(
      { type: "user", id: user!.id, label: user!.email, role: m.role, request },
      { orgId: m.orgId, action: "auth.login.failed", targetType: "user", targetId: user!.id, after: { reason: "wrong password" } },
      db,
    );
  }
  return { ok: false, reason: "invalid" };
}
