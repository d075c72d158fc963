import "server-only";
// A person's second factors as the account page shows and changes them. Removing a factor and
// regenerating recovery codes need the password or a fresh second factor first
// (verifyReauthentication, called by the procedure before the change). The last factor cannot go
// while an organization of the person requires one; when it goes, the recovery codes go with it.
import type { ReadDb, Tx } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError } from "../../errors";
import { organizationsRequiringSecondFactor, recordSecurityEvent } from "./requirement";
import { replaceRecoveryCodes } from "./recovery-codes";
import { hasSecondFactor, listFactors, type Factors } from "./second-factor";

export async function getMfaStatus(db: ReadDb, userId: string) {
  const [totp, passkeys, recoveryCodesLeft, requiredBy] = await Promise.all([
    db.userTotp.findUnique({ where: { userId }, select: { confirmedAt: true } }),
    db.userPasskey.findMany({ where: { userId }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, createdAt: true, lastUsedAt: true } }),
    db.userRecoveryCode.count({ where: { userId, usedAt: null } }),
    organizationsRequiringSecondFactor(db, userId),
  ]);
  return { totp: totp?.confirmedAt ? { confirmedAt: totp.confirmedAt } : null, passkeys, recoveryCodesLeft, requiredBy };
}

async function refuseRemovingLastFactor(tx: Tx, userId: string, after: Factors) {
  if (hasSecondFactor(after)) return;
  const requiring = await organizationsRequiringSecondFactor(tx, userId);
  if (requiring.length > 0) {
    const names = requiring.map((o) => o.name).join(", ");
    throw new AppError(
      "CONFLICT",
      `${names} ${requiring.length === 1 ? "requires" : "require"} a second factor: add another authenticator app or passkey before removing this one.`,
    );
  }
  // No factor left: the recovery codes would stand for nothing.
  await tx.userRecoveryCode.deleteMany({ where: { userId } });
}

export async function removeTotp(w: AuditedTx, userId: string): Promise<{ removed: true }> {
  const row = await w.tx.userTotp.findUnique({ where: { userId }, select: { confirmedAt: true } });
  if (!row) throw new AppError("NOT_FOUND", "No authenticator app is set up.");
  const factors = await listFactors(w.tx, userId);
  if (row.confirmedAt) await refuseRemovingLastFactor(w.tx, userId, { ...factors, totp: false });
  await w.tx.userTotp.delete({ where: { userId } });
  if (!row.confirmedAt) {
    // An enrolment that was never confirmed was never a factor.
    w.unchanged();
    return { removed: true };
  }
  await recordSecurityEvent(w, userId, "user.mfa.totp_removed");
  return { removed: true };
}

export async function removePasskey(w: AuditedTx, userId: string, passkeyId: string): Promise<{ removed: true }> {
  const passkey = await w.tx.userPasskey.findFirst({ where: { id: passkeyId, userId }, select: { id: true, name: true } });
  if (!passkey) throw new AppError("NOT_FOUND", "Passkey not found", { field: "passkeyId" });
  const factors = await listFactors(w.tx, userId);
  await refuseRemovingLastFactor(w.tx, userId, { ...factors, passkeys: factors.passkeys - 1 });
  await w.tx.userPasskey.delete({ where: { id: passkey.id } });
  await recordSecurityEvent(w, userId, "user.mfa.passkey_removed", { passkeyId: passkey.id, name: passkey.name });
  return { removed: true };
}

/** Ten new recovery codes (returned once); the old ones stop working. */
export async function regenerateRecoveryCodes(w: AuditedTx, userId: string): Promise<{ recoveryCodes: string[] }> {
  if (!hasSecondFactor(await listFactors(w.tx, userId))) {
    throw new AppError("BAD_REQUEST", "Set up an authenticator app or a passkey first: recovery codes stand in for one.");
  }
  const recoveryCodes = await replaceRecoveryCodes(w.tx, userId);
  await recordSecurityEvent(w, userId, "user.mfa.recovery_codes_regenerated", { count: recoveryCodes.length });
  return { recoveryCodes };
}
