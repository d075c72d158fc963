import "server-only";
// Passkeys (WebAuthn credentials). Registration and assertion each start with a challenge kept in
// webauthn_challenges: bound to the person, used once (deleted when checked), valid for five
// minutes. The relying party is Keel's public address (relying-party.ts).
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { Db, Tx } from "../../db/client";
import { getDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import type { WebauthnResponseJson } from "../../contracts/identity";
import { AppError } from "../../errors";
import { recordSecurityEvent } from "./requirement";
import { relyingParty } from "./relying-party";
import { countRecoveryCodesLeft, replaceRecoveryCodes } from "./recovery-codes";
import { markSessionSecondFactor } from "./session-factor";

const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_PASSKEYS = 20;
type Purpose = "register" | "authenticate";

async function storeChallenge(db: Db, userId: string, purpose: Purpose, challenge: string): Promise<string> {
  const now = new Date();
  // Expired challenges of anyone go as new ones arrive (indexed on expires_at).
  await db.webauthnChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
  const row = await db.webauthnChallenge.create({
    data: { userId, purpose, challenge, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) },
    select: { id: true },
  });
  return row.id;
}

/** Takes a challenge out of the table: it can be checked once, by the person it was issued to. */
async function takeChallenge(db: Db | Tx, userId: string, purpose: Purpose, by: { id: string } | { challenge: string }): Promise<string | null> {
  const row = await db.webauthnChallenge.findFirst({
    where: { userId, purpose, expiresAt: { gt: new Date() }, ...("id" in by ? { id: by.id } : { challenge: by.challenge }) },
    select: { id: true, challenge: true },
  });
  if (!row) return null;
  const taken = await db.webauthnChallenge.deleteMany({ where: { id: row.id } });
  return taken.count === 1 ? row.challenge : null;
}

/** The challenge a response answers, read from its clientDataJSON (checked again by the library). */
function challengeOf(response: WebauthnResponseJson): string | null {
  try {
    const clientData = JSON.parse(Buffer.from(String(response.response.clientDataJSON ?? ""), "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof clientData.challenge === "string" ? clientData.challenge : null;
  } catch {
    return null;
  }
}

// ---- registration -----------------------------------------------------------------------------

export async function passkeyRegistrationOptions(
  user: { id: string; email: string; name: string },
  db: Db = getDb(),
): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const existing = await db.userPasskey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  if (existing.length >= MAX_PASSKEYS) throw new AppError("BAD_REQUEST", `You have ${MAX_PASSKEYS} passkeys, the most an account can have. Remove one first.`);
  const rp = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    // An authenticator that already holds one of this person's passkeys is not offered again.
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  const challengeId = await storeChallenge(db, user.id, "register", options.challenge);
  return { challengeId, options };
}

function defaultName(response: WebauthnResponseJson, count: number): string {
  const kind = response.authenticatorAttachment === "cross-platform" ? "Security key" : "Passkey";
  return count === 0 ? kind : `${kind} ${count + 1}`;
}

/**
 * Verifies a registration and stores the passkey. Its first factor gives the person recovery codes
 * (returned once) and counts for the current session.
 */
export async function registerPasskey(
  w: AuditedTx,
  userId: string,
  input: { challengeId: string; response: WebauthnResponseJson; name?: string },
  sessionId: string | null,
): Promise<{ passkeyId: string; name: string; recoveryCodes: string[] | null }> {
  const expectedChallenge = await takeChallenge(w.tx, userId, "register", { id: input.challengeId });
  if (!expectedChallenge) throw new AppError("BAD_REQUEST", "The passkey request expired or was already used. Try adding the passkey again.");
  const rp = relyingParty();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response as unknown as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch (error) {
    throw new AppError("BAD_REQUEST", `The passkey could not be verified: ${(error as Error).message}`);
  }
  if (!verification.verified) throw new AppError("BAD_REQUEST", "The passkey could not be verified.");
  const { credential } = verification.registrationInfo;
  if (await w.tx.userPasskey.findUnique({ where: { credentialId: credential.id }, select: { id: true } })) {
    throw new AppError("CONFLICT", "This passkey is already registered.");
  }
  const before = await w.tx.userPasskey.count({ where: { userId } });
  const hadTotp = !!(await w.tx.userTotp.findFirst({ where: { userId, confirmedAt: { not: null } }, select: { userId: true } }));
  const name = input.name?.trim() || defaultName(input.response, before);
  const passkey = await w.tx.userPasskey.create({
    data: {
      userId,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey),
      counter: BigInt(credential.counter),
      transports: credential.transports ?? [],
      name,
    },
    select: { id: true },
  });
  const firstFactor = before === 0 && !hadTotp;
  const recoveryCodes = firstFactor || (await countRecoveryCodesLeft(w.tx, userId)) === 0 ? await replaceRecoveryCodes(w.tx, userId) : null;
  await markSessionSecondFactor(w.tx, userId, sessionId, "passkey");
  await recordSecurityEvent(w, userId, "user.mfa.passkey_added", {
    passkeyId: passkey.id,
    name,
    recoveryCodesIssued: recoveryCodes ? recoveryCodes.length : 0,
  });
  return { passkeyId: passkey.id, name, recoveryCodes };
}

// ---- assertion --------------------------------------------------------------------------------

/** Options for proving possession of one of the person's passkeys (sign-in or step-up). */
export async function passkeyAssertionOptions(
  userId: string,
  db: Db = getDb(),
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const passkeys = await db.userPasskey.findMany({ where: { userId }, select: { credentialId: true, transports: true } });
  if (passkeys.length === 0) throw new AppError("BAD_REQUEST", "This account has no passkey. Use another way to confirm it's you.");
  const rp = relyingParty();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
    userVerification: "preferred",
  });
  const challengeId = await storeChallenge(db, userId, "authenticate", options.challenge);
  return { challengeId, options };
}

/**
 * Checks an assertion against the person's passkey and its challenge (by id, or the one the
 * response names), then records the new signature counter and when it was used. False when the
 * assertion does not prove possession of one of their passkeys.
 */
export async function verifyPasskeyAssertion(db: Db, userId: string, response: WebauthnResponseJson, challengeId?: string): Promise<boolean> {
  const named = challengeOf(response);
  const expectedChallenge = await takeChallenge(db, userId, "authenticate", challengeId ? { id: challengeId } : { challenge: named ?? "" });
  if (!expectedChallenge) return false;
  const passkey = await db.userPasskey.findFirst({ where: { userId, credentialId: response.id } });
  if (!passkey) return false;
  const rp = relyingParty();
  try {
    const result = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter), transports: passkey.transports },
      requireUserVerification: false,
    });
    if (!result.verified) return false;
    // A counter that did not grow (when the authenticator keeps one) is refused by the library as
    // a possible clone; the conditional update keeps two parallel assertions from both counting.
    const updated = await db.userPasskey.updateMany({
      where: { id: passkey.id, counter: passkey.counter },
      data: { counter: BigInt(result.authenticationInfo.newCounter), lastUsedAt: new Date() },
    });
    return updated.count === 1;
  } catch {
    return false;
  }
}

export async function renamePasskey(w: AuditedTx, userId: string, passkeyId: string, name: string): Promise<{ id: string; name: string }> {
  const passkey = await w.tx.userPasskey.findFirst({ where: { id: passkeyId, userId }, select: { id: true, name: true } });
  if (!passkey) throw new AppError("NOT_FOUND", "Passkey not found", { field: "passkeyId" });
  if (passkey.name === name) {
    w.unchanged();
    return passkey;
  }
  await w.tx.userPasskey.update({ where: { id: passkey.id }, data: { name } });
  await recordSecurityEvent(w, userId, "user.mfa.passkey_renamed", { passkeyId, name, previousName: passkey.name });
  return { id: passkey.id, name };
}
