import "server-only";
// Who must present a second factor, and where a person's second-factor events are recorded.
// An organization's policy (Organization.mfaRequirement: "none", "all", or "roles" with mfaRoles)
// applies to its members by role; a session satisfies it when a second factor was presented at
// sign-in (or the person enrolled one during it), or when it came through single sign-on (the
// identity provider is trusted to have asked for one).
import type { Tx, Db, ReadDb } from "../../db/client";
import type { AuditAction } from "../../contracts/audit";
import type { Role } from "../../contracts/permissions";
import { secondFactorRequiredFor } from "../../contracts/identity-policy";
import type { AuditedTx } from "../../audit/mutation";
import { AppError } from "../../errors";
import type { SessionAuthentication } from "../users/sessions";

export type MfaPolicy = { mfaRequirement: string; mfaRoles: readonly Role[] };

export function sessionHasSecondFactor(auth: Pick<SessionAuthentication, "method" | "factor">): boolean {
  return auth.factor !== null || auth.method === "sso";
}

/** Refused: the organization requires a second factor and this session has none (reason "second_factor_required"). */
export function secondFactorRequired(orgName: string): AppError {
  return new AppError(
    "FORBIDDEN",
    `${orgName} requires a second factor. Set up an authenticator app or a passkey on your account page (/account) to continue; if you have one, sign in again with it.`,
    { reason: "second_factor_required" },
  );
}

/**
 * The ladder's check for organization and project procedures. Callers without a session (tests,
 * the CLI) carry no authentication and are not affected.
 */
export function checkSecondFactorRequirement(org: MfaPolicy & { name: string }, role: Role, auth: SessionAuthentication | undefined): AppError | null {
  if (!auth || sessionHasSecondFactor(auth) || !secondFactorRequiredFor(org, role)) return null;
  return secondFactorRequired(org.name);
}

/** The organizations of a person that require them to have a second factor. */
export async function organizationsRequiringSecondFactor(db: Db | ReadDb | Tx, userId: string): Promise<{ slug: string; name: string }[]> {
  const memberships = await db.membership.findMany({
    where: { userId, org: { mfaRequirement: { not: "none" } } },
    select: { role: true, org: { select: { slug: true, name: true, mfaRequirement: true, mfaRoles: true } } },
    orderBy: { org: { name: "asc" } },
  });
  return memberships.filter((m) => secondFactorRequiredFor(m.org, m.role)).map((m) => ({ slug: m.org.slug, name: m.org.name }));
}

/**
 * A person's security event, recorded in every organization they are a member of (their
 * credentials are theirs, not an organization's). A person in no organization has no log to
 * record it in: the change is declared and still commits, as with revokeSessions.
 */
export async function recordSecurityEvent(w: AuditedTx, userId: string, action: AuditAction, after: Record<string, unknown> = {}): Promise<void> {
  const memberships = await w.tx.membership.findMany({ where: { userId }, select: { orgId: true } });
  if (memberships.length === 0) {
    w.unchanged();
    return;
  }
  for (const m of memberships) w.record({ orgId: m.orgId, action, targetType: "user", targetId: userId, after });
}
