import "server-only";
// What happens when an identity provider vouches for a person (after next-auth and openid-client
// have verified the ID token: signature, issuer, audience, expiry, nonce, PKCE, state).
//
// An organization's connection: the email must be verified by the provider (email_verified not
// false) and in the connection's allowed domains. The person is found by their link (issuer,
// subject); otherwise an existing account with that email is linked when it is safe to (below);
// otherwise, with just-in-time membership on, an account and a membership with the connection's
// role are created; otherwise the sign-in is refused with words the sign-in page shows. The
// group → role mapping then applies (never to an owner, never granting owner).
//
// Linking by email is safe only when the organization's identity provider cannot thereby reach
// more than it already governs: the account must be a member of this organization and of no other,
// or the person must already be signed in to that account (proving it is theirs). Otherwise an
// owner who controls an identity provider could assert the email of someone who is also a member
// of another organization and sign in as them there.
//
// The instance-wide connection (KEEL_OIDC_*, trusted by the operator) links existing accounts by
// verified email within KEEL_OIDC_ALLOWED_DOMAINS and creates no membership.
//
// A person already signed in who completes single sign-on again as the same account (step-up)
// keeps their session: its verifiedAt moves to now when the ID token's auth_time is recent.
import type { Db } from "../../../db/client";
import type { Actor, RequestMeta } from "../../../audit/actor";
import { runAudited, type AuditedTx } from "../../../audit/mutation";
import type { Role } from "../../../contracts/permissions";
import { normaliseEmail } from "../../users/email";
import { startSession } from "../../users/sessions";
import type { SsoConnectionForSignIn } from "./connections";

/** How recent the identity provider's authentication must be for a step-up. */
export const SSO_STEP_UP_MAX_AGE_MS = 5 * 60_000;
/** Clock difference tolerated between Keel and the identity provider (as openid-client does). */
const CLOCK_TOLERANCE_MS = 10_000;

export type SsoSource = { kind: "org"; connection: SsoConnectionForSignIn } | { kind: "instance"; issuer: string; allowedDomains: string[]; name: string };

/** ID token claims as openid-client returns them after verifying the token. */
export type SsoClaims = Record<string, unknown> & { sub?: unknown; email?: unknown; email_verified?: unknown };

/** A refusal with words for the sign-in page, passed as ?error=<code>|<email>|<organization>. */
export class SsoSignInRefusal extends Error {
  constructor(
    readonly code: "SsoNoEmail" | "SsoEmailUnverified" | "SsoDomainNotAllowed" | "SsoNotMember" | "SsoAccountExists" | "SsoNoAccount",
    readonly email: string = "",
    readonly orgName: string = "",
  ) {
    super([code, email, orgName].join("|"));
    this.name = "SsoSignInRefusal";
  }
}

export type SsoSignInResult = {
  userId: string;
  email: string;
  name: string;
  sessionVersion: number;
  sessionId: string;
  /** True when an existing session was re-verified (step-up) instead of a new one started. */
  steppedUp: boolean;
};

/** The session the callback request came with, when it came with a live one. */
export type CurrentSession = { userId: string; sessionId: string } | null;

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1);
}

function groupsOf(claims: SsoClaims, claim: string | null): string[] {
  if (!claim) return [];
  const value = claims[claim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string");
  if (typeof value === "string") return [value];
  return [];
}

/** What the ID token says about how the person authenticated (recorded on the sign-in event). */
function authenticationOf(claims: SsoClaims) {
  const authTime = typeof claims.auth_time === "number" && Number.isFinite(claims.auth_time) ? new Date(claims.auth_time * 1000) : null;
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((a): a is string => typeof a === "string").slice(0, 10) : null;
  return { authTime, amr };
}

/** Whether the identity provider authenticated the person within the step-up window. */
export function isFreshAuthentication(authTime: Date | null, now = new Date()): boolean {
  if (!authTime) return false;
  const age = now.getTime() - authTime.getTime();
  return age <= SSO_STEP_UP_MAX_AGE_MS && age >= -CLOCK_TOLERANCE_MS;
}

type Person = { id: string; email: string; name: string; sessionVersion: number };

export async function completeSsoSignIn(db: Db, source: SsoSource, claims: SsoClaims, request: RequestMeta, current: CurrentSession): Promise<SsoSignInResult> {
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  const email = typeof claims.email === "string" ? normaliseEmail(claims.email) : "";
  const orgName = source.kind === "org" ? source.connection.org.name : source.name;
  if (!subject || !email || !email.includes("@")) throw new SsoSignInRefusal("SsoNoEmail");
  if (claims.email_verified === false || claims.email_verified === "false") throw new SsoSignInRefusal("SsoEmailUnverified", email);
  const allowed = source.kind === "org" ? source.connection.allowedDomains : source.allowedDomains;
  if (!allowed.includes(domainOf(email))) throw new SsoSignInRefusal("SsoDomainNotAllowed", email, orgName);

  const issuer = source.kind === "org" ? source.connection.issuer : source.issuer;
  const connectionId = source.kind === "org" ? source.connection.id : null;
  const { authTime, amr } = authenticationOf(claims);
  const displayName = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim().slice(0, 120) : email;
  const actor: Actor = { type: "user", id: null, label: email, role: null, request };

  const person = await runAudited(actor, async (w) => {
    const linked = await w.tx.userSsoIdentity.findUnique({ where: { issuer_subject: { issuer, subject } }, include: { user: true } });
    let user: Person | null = linked?.user ?? null;
    let linkedExisting = false;
    if (!user) {
      const existing = await w.tx.user.findUnique({ where: { email }, include: { memberships: { select: { orgId: true } } } });
      if (existing) {
        const provedBySession = current?.userId === existing.id;
        if (source.kind === "org") {
          const orgId = source.connection.org.id;
          const member = existing.memberships.some((m) => m.orgId === orgId);
          const elsewhere = existing.memberships.some((m) => m.orgId !== orgId);
          if (!provedBySession && (!member || elsewhere)) {
            // Not linkable by email alone: a member who could join or sign in by signing in with
            // their password first and completing single sign-on then.
            throw new SsoSignInRefusal(member || source.connection.jitRole ? "SsoAccountExists" : "SsoNotMember", email, orgName);
          }
        }
        user = existing;
        linkedExisting = true;
      } else if (source.kind === "org" && source.connection.jitRole) {
        user = await w.tx.user.create({ data: { email, name: displayName } });
        actor.id = user.id;
        w.record({
          orgId: source.connection.org.id,
          action: "user.created",
          targetType: "user",
          targetId: user.id,
          after: { email, name: user.name, via: "sso" },
        });
      } else {
        throw source.kind === "org" ? new SsoSignInRefusal("SsoNotMember", email, orgName) : new SsoSignInRefusal("SsoNoAccount", email);
      }
      await w.tx.userSsoIdentity.create({ data: { userId: user.id, connectionId, issuer, subject, lastUsedAt: authTime ?? new Date() } });
    } else {
      await w.tx.userSsoIdentity.update({ where: { id: linked!.id }, data: { lastUsedAt: authTime ?? new Date() } });
    }
    actor.id = user.id;
    actor.label = user.email;

    const orgIds =
      source.kind === "org"
        ? [source.connection.org.id]
        : (await w.tx.membership.findMany({ where: { userId: user.id }, select: { orgId: true } })).map((m) => m.orgId);
    if (source.kind === "org") {
      const role = await ensureMembership(w, source.connection, user, claims);
      actor.role = role;
    }
    const linkEvent = { issuer, subject, connectionId, ...(source.kind === "instance" ? { provider: "instance" } : {}) };
    if (linkedExisting) {
      for (const orgId of orgIds)
        w.record({ orgId, action: "user.sso.linked", targetType: "user", targetId: user.id, after: { email: user.email, ...linkEvent } });
    }
    const stepUp = current?.userId === user.id;
    for (const orgId of orgIds) {
      w.record({
        orgId,
        action: "user.signed_in_sso",
        targetType: "user",
        targetId: user.id,
        after: { email: user.email, issuer, connectionId, amr, authTime: authTime?.toISOString() ?? null, ...(stepUp ? { reauthentication: true } : {}) },
      });
    }
    if (orgIds.length === 0) w.unchanged();
    await w.tx.user.update({ where: { id: user.id }, data: { lastSignedInAt: new Date() } });
    return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
  });

  if (current && current.userId === person.id) {
    // Step-up: the same person proved themselves again; their session stays, fresher if the
    // identity provider really asked them (auth_time within the window).
    if (isFreshAuthentication(authTime)) {
      await db.userSession.updateMany({
        where: { id: current.sessionId, userId: person.id, revokedAt: null },
        data: { verifiedAt: new Date(), verifiedMethod: "sso" },
      });
    }
    return { userId: person.id, email: person.email, name: person.name, sessionVersion: person.sessionVersion, sessionId: current.sessionId, steppedUp: true };
  }
  const sessionId = await startSession(db, person.id, request, { method: "sso", factor: null, ssoConnectionId: connectionId });
  return { userId: person.id, email: person.email, name: person.name, sessionVersion: person.sessionVersion, sessionId, steppedUp: false };
}

/**
 * The person's membership in the connection's organization: created just-in-time when missing
 * (the connection's role), then the group → role mapping applies. Returns the role in effect.
 */
async function ensureMembership(w: AuditedTx, c: SsoConnectionForSignIn, user: Person, claims: SsoClaims): Promise<Role> {
  let m = await w.tx.membership.findUnique({ where: { orgId_userId: { orgId: c.org.id, userId: user.id } } });
  if (!m) {
    if (!c.jitRole) throw new SsoSignInRefusal("SsoNotMember", user.email, c.org.name);
    m = await w.tx.membership.create({ data: { orgId: c.org.id, userId: user.id, role: c.jitRole } });
    w.record({
      orgId: c.org.id,
      action: "member.joined_via_sso",
      targetType: "membership",
      targetId: user.id,
      after: { email: user.email, role: c.jitRole, connectionId: c.id },
    });
  }
  return applyRoleMapping(w, c, { membershipId: m.id, role: m.role, user }, claims);
}

/**
 * The first mapping row whose group the person has decides their role. People in no mapped group
 * keep theirs; owners are never changed (nor made: the mapping cannot name owner), so the mapping
 * can never take an organization's last owner away.
 */
async function applyRoleMapping(
  w: AuditedTx,
  c: SsoConnectionForSignIn,
  m: { membershipId: string; role: Role; user: Person },
  claims: SsoClaims,
): Promise<Role> {
  if (!c.groupsClaim || c.roleMapping.length === 0 || m.role === "owner") return m.role;
  const groups = new Set(groupsOf(claims, c.groupsClaim));
  const row = c.roleMapping.find((r) => groups.has(r.group));
  if (!row || row.role === m.role) return m.role;
  await w.tx.membership.update({ where: { id: m.membershipId }, data: { role: row.role } });
  w.record({
    orgId: c.org.id,
    action: "member.role.changed",
    targetType: "membership",
    targetId: m.user.id,
    before: { email: m.user.email, role: m.role },
    after: { email: m.user.email, role: row.role, reason: "sso_groups", group: row.group },
  });
  return row.role;
}
