import "server-only";
// Authenticator apps (TOTP, RFC 6238: SHA-1, 6 digits, 30 s, the settings every app supports).
// The secret is generated here, stored encrypted (purpose "totp-secret", rotated with the other
// encrypted columns) and shown once while the person sets the app up; it counts as a factor once a
// first code confirmed it. The last accepted time step is kept, so a code (or an older one) is
// never accepted twice.
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import type { Db, Tx } from "../../db/client";
import { getDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { decryptSecret, encryptSecret } from "../../crypto/secrets";
import { AppError } from "../../errors";
import { recordSecurityEvent } from "./requirement";
import { countRecoveryCodesLeft, replaceRecoveryCodes } from "./recovery-codes";
import { markSessionSecondFactor } from "./session-factor";

export const TOTP_SECRET_PURPOSE = "totp-secret";
const ISSUER = "Keel";

export type TotpEnrolment = {
  /** otpauth:// URI, what the QR code holds. */
  uri: string;
  /** The QR code as an SVG data URL. */
  qrDataUrl: string;
  /** The secret in base32, for typing into an app that cannot scan. */
  secret: string;
};

/**
 * Starts (or restarts) setting up an authenticator app: a new secret, unconfirmed until
 * confirmTotpEnrolment. Refused while one is already set up (remove it first).
 */
export async function beginTotpEnrolment(user: { id: string; email: string }, db: Db = getDb()): Promise<TotpEnrolment> {
  const existing = await db.userTotp.findUnique({ where: { userId: user.id }, select: { confirmedAt: true } });
  if (existing?.confirmedAt) throw new AppError("CONFLICT", "An authenticator app is already set up. Remove it first to set up another one.");
  const secret = generateSecret({ length: 20 });
  const secretEncrypted = encryptSecret(secret, TOTP_SECRET_PURPOSE);
  // Bookkeeping, not yet a factor: nothing is recorded until the first code confirms it.
  await db.userTotp.upsert({
    where: { userId: user.id },
    create: { userId: user.id, secretEncrypted },
    update: { secretEncrypted, confirmedAt: null, lastStep: null, createdAt: new Date() },
  });
  const uri = generateURI({ issuer: ISSUER, label: user.email, secret });
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`, secret: secret.replace(/(.{4})(?=.)/g, "$1 ") };
}

/** The time step of a valid code (one step of clock drift either way), or null. */
async function matchingStep(secret: string, code: string, after: bigint | null): Promise<number | null> {
  try {
    const result = await verify({ secret, token: code, epochTolerance: 30, ...(after !== null ? { afterTimeStep: Number(after) } : {}) });
    return result.valid && "timeStep" in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

/**
 * Checks a code against the person's confirmed authenticator and records its time step, so it
 * cannot be used again. False for a wrong, expired or already used code.
 */
export async function verifyTotpCode(db: Db | Tx, userId: string, code: string): Promise<boolean> {
  const row = await db.userTotp.findUnique({ where: { userId } });
  if (!row?.confirmedAt) return false;
  const step = await matchingStep(decryptSecret(row.secretEncrypted, TOTP_SECRET_PURPOSE), code, row.lastStep);
  if (step === null) return false;
  // Conditional on the step still being newer: two parallel uses of one code end with one winner.
  const taken = await db.userTotp.updateMany({
    where: { userId, OR: [{ lastStep: null }, { lastStep: { lt: BigInt(step) } }] },
    data: { lastStep: BigInt(step) },
  });
  return taken.count === 1;
}

/**
 * Confirms the authenticator with a first code. When it is the person's first factor, ten
 * recovery codes are created and returned (the only time they are shown); the current session
 * counts as having presented a second factor from now on.
 */
export async function confirmTotpEnrolment(w: AuditedTx, userId: string, code: string, sessionId: string | null): Promise<{ recoveryCodes: string[] | null }> {
  const row = await w.tx.userTotp.findUnique({ where: { userId } });
  if (!row) throw new AppError("BAD_REQUEST", "Start setting up an authenticator app first.");
  if (row.confirmedAt) throw new AppError("CONFLICT", "The authenticator app is already set up.");
  const step = await matchingStep(decryptSecret(row.secretEncrypted, TOTP_SECRET_PURPOSE), code, null);
  if (step === null)
    throw new AppError("BAD_REQUEST", "That code is not correct. Check the time on your device and enter the current code.", { field: "code" });
  await w.tx.userTotp.update({ where: { userId }, data: { confirmedAt: new Date(), lastStep: BigInt(step) } });
  const recoveryCodes = (await countRecoveryCodesLeft(w.tx, userId)) === 0 ? await replaceRecoveryCodes(w.tx, userId) : null;
  await markSessionSecondFactor(w.tx, userId, sessionId, "totp");
  await recordSecurityEvent(w, userId, "user.mfa.totp_enrolled", { recoveryCodesIssued: recoveryCodes ? recoveryCodes.length : 0 });
  return { recoveryCodes };
}
