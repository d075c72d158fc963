import "server-only";
// Step-up: the decisions that matter need a fresh authentication. Approving or rejecting a
// deployment, breaking a freeze, changing roles or protection rules, creating API keys, exporting
// the audit trail and changing the identity policy are accepted only when the person authenticated
// within the organization's step-up window (Organization.stepUpMinutes, default 10): with a second
// factor, a single sign-on re-login, or, for a person who has no second factor, their password.
// The decision's audit event records how (`after.authentication`), so an evidence pack can say
// "approved by X with a passkey at T".
import type { Db, ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import type { SessionUser } from "../../auth/session";
import type { RequestMeta } from "../../audit/actor";
import type { VerificationMethod } from "../users/sessions";
import { signInWithPassword } from "../users/sign-in";
import { hasSecondFactor, listFactors, verifySecondFactor, type SecondFactorProof } from "./second-factor";

/** How a decision's maker last authenticated, as its audit event records it. */
export type FreshAuthentication = { method: VerificationMethod; at: string };

export function stepUpRequired(minutes: number): AppError {
  return new AppError(
    "FORBIDDEN",
    `This decision needs a fresh authentication: confirm it's you (within the last ${minutes} minute${minutes === 1 ? "" : "s"}), then try again.`,
    { reason: "step_up_required" },
  );
}

/** Whether the person has a second factor (a confirmed authenticator app or a passkey). */
export async function personHasSecondFactor(db: Db | ReadDb, userId: string): Promise<boolean> {
  return hasSecondFactor(await listFactors(db, userId));
}

/**
 * The fresh authentication a decision rests on, or the `step_up_required` refusal. A request that
 * did not come with a session (none can make these decisions) is refused too.
 */
export async function requireFreshAuthentication(
  db: Db | ReadDb,
  user: SessionUser,
  org: { stepUpMinutes: number },
  now: Date = new Date(),
): Promise<FreshAuthentication> {
  const auth = user.authentication;
  const windowMs = org.stepUpMinutes * 60_000;
  if (auth && now.getTime() - auth.verifiedAt.getTime() <= windowMs) {
    // A password proves little to a person who has a second factor: they must use it.
    if (auth.verifiedMethod !== "password" || !(await personHasSecondFactor(db, user.id))) {
      return { method: auth.verifiedMethod, at: auth.verifiedAt.toISOString() };
    }
  }
  throw stepUpRequired(org.stepUpMinutes);
}

/** Records a fresh authentication on the person's session (step-up made in the browser). */
export async function markSessionVerified(db: Db, sessionId: string, userId: string, method: VerificationMethod, at: Date = new Date()): Promise<void> {
  const updated = await db.userSession.updateMany({
    where: { id: sessionId, userId, revokedAt: null, expiresAt: { gt: at } },
    data: { verifiedAt: at, verifiedMethod: method },
  });
  if (updated.count === 0) throw new AppError("UNAUTHORIZED", "Your session has ended. Sign in again.");
}

/**
 * Step-up with the password: only for a person without a second factor (the others use theirs).
 * Throttled and recorded like a sign-in attempt.
 */
export async function stepUpWithPassword(user: SessionUser, password: string, request: RequestMeta): Promise<FreshAuthentication> {
  if (!user.sessionId) throw new AppError("UNAUTHORIZED", "Step-up needs a signed-in session");
  const db = getDb();
  if (await personHasSecondFactor(db, user.id)) {
    throw new AppError("BAD_REQUEST", "You have a second factor: confirm with your authenticator app or passkey instead", { field: "password" });
  }
  const result = await signInWithPassword(db, { email: user.email, password }, request);
  if (!result.ok) {
    if (result.reason === "throttled") throw new AppError("TOO_MANY_REQUESTS", `Too many attempts. Try again in ${result.retryAfterSeconds} s.`);
    if (result.reason === "sso_required") throw new AppError("BAD_REQUEST", `${result.orgName} requires single sign-on: confirm with it instead`);
    throw new AppError("BAD_REQUEST", "The password is not correct", { field: "password" });
  }
  if (result.user.id !== user.id) throw new AppError("UNAUTHORIZED", "Your session has ended. Sign in again.");
  const at = new Date();
  await markSessionVerified(db, user.sessionId, user.id, "password", at);
  return { method: "password", at: at.toISOString() };
}

/** Step-up with a second factor: an authenticator app code, a passkey or a recovery code. */
export async function stepUpWithSecondFactor(user: SessionUser, proof: SecondFactorProof, request: RequestMeta): Promise<FreshAuthentication> {
  if (!user.sessionId) throw new AppError("UNAUTHORIZED", "Step-up needs a signed-in session");
  const db = getDb();
  const method = await verifySecondFactor(db, user.id, proof, request);
  const at = new Date();
  await markSessionVerified(db, user.sessionId, user.id, method, at);
  return { method, at: at.toISOString() };
}
