import "server-only";
// Checking a second factor, wherever one is asked for: at sign-in (server/auth/credentials.ts) and
// when a sensitive decision asks for a fresh authentication (step-up). Attempts are throttled like
// password attempts (server/auth/throttle.ts, under the key "mfa:<user id>"): a few free tries per
// address, then exponential back-off.
import { setTimeout as sleep } from "node:timers/promises";
import type { Db, ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import type { RequestMeta } from "../../audit/actor";
import { runAudited } from "../../audit/mutation";
import { clearLoginFailures, reserveLoginAttempt } from "../../auth/throttle";
import { verifyPassword } from "../../auth/password";
import { secondFactorProof, type SecondFactorKind, type SecondFactorProof } from "../../contracts/identity";
import { AppError } from "../../errors";
import type { SecondFactor } from "../users/sessions";
import { signInWithPassword } from "../users/sign-in";
import { passkeyAssertionOptions, verifyPasskeyAssertion } from "./passkeys";
import { recordSecurityEvent } from "./requirement";
import { consumeRecoveryCode, countRecoveryCodesLeft } from "./recovery-codes";
import { verifyTotpCode } from "./totp";

export type { SecondFactorProof } from "../../contracts/identity";

export const WRONG_FACTOR_MESSAGE = "That code is not correct or was already used.";
const WRONG_PASSKEY_MESSAGE = "The passkey could not be verified. Try again, or use another way to confirm it's you.";

const throttleKey = (userId: string) => `mfa:${userId}`;

/** What second factors a person has. A confirmed authenticator app or any passkey is a factor. */
export type Factors = { totp: boolean; passkeys: number; recoveryCodesLeft: number };

export async function listFactors(db: Pick<ReadDb, "userTotp" | "userPasskey" | "userRecoveryCode">, userId: string): Promise<Factors> {
  const [totp, passkeys, recoveryCodesLeft] = await Promise.all([
    db.userTotp.findFirst({ where: { userId, confirmedAt: { not: null } }, select: { userId: true } }),
    db.userPasskey.count({ where: { userId } }),
    countRecoveryCodesLeft(db, userId),
  ]);
  return { totp: !!totp, passkeys, recoveryCodesLeft };
}

export function hasSecondFactor(factors: Factors): boolean {
  return factors.totp || factors.passkeys > 0;
}

/** The ways a person with these factors can present one (what the second-step form offers). */
export function availableMethods(factors: Factors): SecondFactorKind[] {
  if (!hasSecondFactor(factors)) return [];
  return [
    ...(factors.totp ? (["totp"] as const) : []),
    ...(factors.passkeys > 0 ? (["passkey"] as const) : []),
    ...(factors.recoveryCodesLeft > 0 ? (["recovery_code"] as const) : []),
  ];
}

/**
 * Checks a second factor of the person: an authenticator code (never the same one twice), a
 * passkey assertion (its challenge from passkeyAssertionOptions, by id or as the response names
 * it), or a recovery code (used up; recorded in their organizations' logs). Returns the factor
 * used; throws AppError BAD_REQUEST when the proof is wrong, TOO_MANY_REQUESTS when throttled.
 * Independent of sign-in: the caller decides what a verified factor means for the session.
 */
export async function verifySecondFactor(db: Db, userId: string, proof: SecondFactorProof, request: RequestMeta): Promise<SecondFactor> {
  const parsed = secondFactorProof.safeParse(proof);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]?.message ?? "The second factor is not valid", { field: "code" });
  const reservation = await reserveLoginAttempt(db, throttleKey(userId), request.ip);
  if (!reservation.ok) throw new AppError("TOO_MANY_REQUESTS", `Too many attempts. Try again in ${reservation.retryAfterSeconds} s.`);
  if (reservation.waitMs > 0) await sleep(reservation.waitMs);

  const p = parsed.data;
  let ok: boolean;
  if (p.kind === "totp") ok = await verifyTotpCode(db, userId, p.code);
  else if (p.kind === "passkey") ok = await verifyPasskeyAssertion(db, userId, p.response, p.challengeId);
  else ok = await spendRecoveryCode(db, userId, p.code, request);

  if (!ok)
    throw new AppError("BAD_REQUEST", p.kind === "passkey" ? WRONG_PASSKEY_MESSAGE : WRONG_FACTOR_MESSAGE, {
      field: p.kind === "passkey" ? undefined : "code",
    });
  await clearLoginFailures(db, throttleKey(userId), request.ip);
  return p.kind;
}

async function spendRecoveryCode(db: Db, userId: string, code: string, request: RequestMeta): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
  if (!user) return false;
  return runAudited(
    { type: "user", id: userId, label: user.email, role: null, request },
    async (w) => {
      if (!(await consumeRecoveryCode(w.tx, userId, code))) {
        w.unchanged();
        return false;
      }
      await recordSecurityEvent(w, userId, "user.mfa.recovery_code_used", { recoveryCodesLeft: await countRecoveryCodesLeft(w.tx, userId) });
      return true;
    },
    { db },
  );
}

/**
 * Removing a factor or regenerating recovery codes asks again who is there: the account password
 * (throttled like sign-in) or a fresh second factor.
 */
export async function verifyReauthentication(
  db: Db,
  userId: string,
  reauth: { password: string } | { proof: SecondFactorProof },
  request: RequestMeta,
): Promise<void> {
  if ("proof" in reauth) {
    await verifySecondFactor(db, userId, reauth.proof, request);
    return;
  }
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, passwordHash: true } });
  const reservation = await reserveLoginAttempt(db, user.email, request.ip);
  if (!reservation.ok) throw new AppError("TOO_MANY_REQUESTS", `Too many attempts. Try again in ${reservation.retryAfterSeconds} s.`);
  if (reservation.waitMs > 0) await sleep(reservation.waitMs);
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, reauth.password))) {
    throw new AppError("BAD_REQUEST", "The password is not correct.", { field: "reauth.password" });
  }
  await clearLoginFailures(db, user.email, request.ip);
}

/**
 * Passkey options for the sign-in form's second step. The caller must present the right password
 * (the same throttled check as signing in), so an anonymous caller learns nothing about which
 * emails have accounts or passkeys.
 */
export async function passkeySignInOptions(input: { email: string; password: string }, request: RequestMeta, db: Db = getDb()) {
  const result = await signInWithPassword(db, input, request);
  if (!result.ok) {
    if (result.reason === "throttled") throw new AppError("TOO_MANY_REQUESTS", `Too many attempts. Try again in ${result.retryAfterSeconds} s.`);
    if (result.reason === "sso_required") throw new AppError("FORBIDDEN", `${result.orgName} requires single sign-on. Use 'Sign in with SSO'.`);
    throw new AppError("UNAUTHORIZED", "The email or password is not correct.");
  }
  return passkeyAssertionOptions(result.user.id, db);
}
