import "server-only";
// An organization's identity policy: single sign-on required or not, who needs a second factor,
// the step-up window and session timeouts. Owners change it (identity:manage, with a fresh
// authentication); every change is one audit event with the policy before and after.
import type { ReadDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { notFound } from "../../errors";
import { assertCanRequireSso } from "./sso/connections";
import type { IdentityPolicy } from "../../contracts/identity-policy";

const POLICY = {
  requireSso: true,
  mfaRequirement: true,
  mfaRoles: true,
  stepUpMinutes: true,
  sessionIdleMinutes: true,
  sessionAbsoluteHours: true,
} as const;

export async function getIdentityPolicy(db: ReadDb, orgId: string) {
  const org = await db.organization.findUnique({ where: { id: orgId }, select: POLICY });
  if (!org) throw notFound("Organization");
  const [connection, breakGlassOwners] = await Promise.all([
    db.ssoConnection.findUnique({ where: { orgId }, select: { enabled: true } }),
    db.membership.count({ where: { orgId, role: "owner", breakGlass: true } }),
  ]);
  return { ...(org as IdentityPolicy), ssoConnection: connection ? { enabled: connection.enabled } : null, breakGlassOwners };
}

export async function setIdentityPolicy(w: AuditedTx, orgId: string, input: IdentityPolicy) {
  const before = await w.tx.organization.findUnique({ where: { id: orgId }, select: POLICY });
  if (!before) throw notFound("Organization");
  const after: IdentityPolicy = { ...input, mfaRoles: input.mfaRequirement === "roles" ? [...new Set(input.mfaRoles)].sort() : [] };
  // Requiring single sign-on locks members out of password sign-in: it needs an enabled connection
  // and a break-glass owner (locked against their removal meanwhile).
  if (after.requireSso && !before.requireSso) await assertCanRequireSso(w.tx, orgId);
  const changed = (Object.keys(POLICY) as (keyof IdentityPolicy)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (changed.length === 0) {
    w.unchanged();
    return after;
  }
  await w.tx.organization.update({ where: { id: orgId }, data: after });
  w.record({
    orgId,
    action: "org.identity_policy.updated",
    targetType: "organization",
    targetId: orgId,
    before: Object.fromEntries(changed.map((k) => [k, before[k]])),
    after: Object.fromEntries(changed.map((k) => [k, after[k]])),
  });
  return after;
}
