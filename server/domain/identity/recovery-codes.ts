import "server-only";
// Recovery codes: ten one-time codes shown once when the first factor is set up (or regenerated),
// for when the authenticator app or the passkeys are out of reach. Each code is 10 characters
// from a 32-letter alphabet (50 bits, random), so a fast keyed hash is enough to store them:
// HMAC-SHA-256 under a key derived from KEEL_SECRET. Without the secret a stolen table cannot be
// searched at all; with it, 2^50 guesses per code are still out of reach. (A slow password hash
// would buy nothing for random codes and cost ten Argon2 runs per check.)
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from "node:crypto";
import type { Tx, ReadDb } from "../../db/client";
import { setting } from "../../env";

export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper.
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

let cachedKey: { secret: string; key: Buffer } | undefined;
function hashKey(): Buffer {
  const secret = setting("KEEL_SECRET") ?? "";
  if (!secret) throw new Error("KEEL_SECRET is needed to store recovery codes");
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: Buffer.from(hkdfSync("sha256", secret, "keel", "recovery-codes v1", 32)) };
  return cachedKey.key;
}

/** The stored form of a code (after normalisation: lower case, no spaces or dashes). */
export function hashRecoveryCode(normalised: string): string {
  return createHmac("sha256", hashKey()).update(normalised).digest("base64url");
}

export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, "");
}

function newCode(): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Replaces the person's codes with ten new ones; returns them (the only time they exist in clear). */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await tx.userRecoveryCode.deleteMany({ where: { userId } });
  await tx.userRecoveryCode.createMany({ data: codes.map((c) => ({ userId, codeHash: hashRecoveryCode(normaliseRecoveryCode(c)) })) });
  return codes;
}

/** Marks a code used, once: false when it is not one of the person's unused codes. */
export async function consumeRecoveryCode(tx: Tx, userId: string, code: string): Promise<boolean> {
  const hash = hashRecoveryCode(normaliseRecoveryCode(code));
  const unused = await tx.userRecoveryCode.findMany({ where: { userId, usedAt: null }, select: { id: true, codeHash: true } });
  const match = unused.find((r) => r.codeHash.length === hash.length && timingSafeEqual(Buffer.from(r.codeHash), Buffer.from(hash)));
  if (!match) return false;
  // The usedAt condition makes two parallel uses of one code end with one winner.
  const used = await tx.userRecoveryCode.updateMany({ where: { id: match.id, usedAt: null }, data: { usedAt: new Date() } });
  return used.count === 1;
}

export async function countRecoveryCodesLeft(db: Pick<ReadDb, "userRecoveryCode">, userId: string): Promise<number> {
  return db.userRecoveryCode.count({ where: { userId, usedAt: null } });
}
