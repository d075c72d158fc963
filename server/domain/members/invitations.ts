import "server-only";
// Invitations: the only way a person joins an organization from the web app. An organization
// invites an email; the person accepts through the invitation's link, signed in as that email, or
// creates their account through it when the email has no account and no other organization is
// waiting for it. Until then the organization sees only what it typed (no name, no "this account
// exists"), nobody's credentials are touched, and the person's security events do not reach it.
import { randomBytes } from "node:crypto";
import type { Db, ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { runAudited, type AuditedTx } from "../../audit/mutation";
import type { Actor, RequestMeta } from "../../audit/actor";
import { canGrantRole, type Role } from "../../contracts/permissions";
import { hashPassword } from "../../auth/password";
import { normaliseEmail } from "../users/email";
import { hashToken } from "../users/passwords";

export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

type OrgCtx = { orgId: string; actorRole: Role; actorUserId: string | null };

/** Open: neither accepted, revoked nor declined (it may still have expired). */
const OPEN = { acceptedAt: null, revokedAt: null, declinedAt: null } as const;

function newToken() {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + INVITATION_TTL_MS) };
}

function assertMayGrant(ctx: OrgCtx, role: Role) {
  if (!canGrantRole(ctx.actorRole, role)) {
    throw new AppError("FORBIDDEN", `Only an owner can invite someone as ${role}`, { field: "role" });
  }
}

/**
 * Invites an email. The answer is the same whether or not the email has a Keel account: the
 * invitation and its one-time link, never a name or a user id.
 */
export async function inviteMember(w: AuditedTx, ctx: OrgCtx, input: { email: string; role: Role }) {
  assertMayGrant(ctx, input.role);
  const email = normaliseEmail(input.email);
  // Whether this organization already has the person is its own business, not someone else's.
  const member = await w.tx.membership.findFirst({ where: { orgId: ctx.orgId, user: { email } }, select: { id: true } });
  if (member) throw new AppError("CONFLICT", `${email} is already a member`, { field: "email" });
  const open = await w.tx.invitation.findFirst({ where: { orgId: ctx.orgId, email, ...OPEN }, select: { id: true, expiresAt: true } });
  if (open && open.expiresAt > new Date()) {
    throw new AppError("CONFLICT", `${email} already has an open invitation; create a new link for it from the list`, { field: "email" });
  }
  // An expired invitation is closed (revoked) and replaced, so the open one is always the newest.
  if (open) await w.tx.invitation.update({ where: { id: open.id }, data: { revokedAt: new Date() } });
  const { token, tokenHash, expiresAt } = newToken();
  try {
    const invitation = await w.tx.invitation.create({
      data: { orgId: ctx.orgId, email, role: input.role, invitedById: ctx.actorUserId, tokenHash, expiresAt },
    });
    w.record({ orgId: ctx.orgId, action: "member.invited", targetType: "invitation", targetId: invitation.id, after: { email, role: input.role, expiresAt } });
    return { invitationId: invitation.id, email, role: input.role, token, expiresAt };
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `${email} already has an open invitation`, { field: "email" });
    throw error;
  }
}

/** Open invitations of an organization, newest first: only what the organization typed. */
export async function listInvitations(db: ReadDb, orgId: string) {
  const rows = await db.invitation.findMany({
    where: { orgId, ...OPEN },
    orderBy: { createdAt: "desc" },
    select: { id: true, email: true, role: true, createdAt: true, expiresAt: true, invitedBy: { select: { email: true } } },
  });
  const now = new Date();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    invitedBy: r.invitedBy?.email ?? null,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    expired: r.expiresAt <= now,
  }));
}

async function openInvitationOf(w: AuditedTx, orgId: string, invitationId: string) {
  // Locked, so a revocation and an acceptance of the same invitation cannot both succeed.
  const rows = await w.tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM invitations WHERE id = ${invitationId}::uuid AND org_id = ${orgId}::uuid
      AND accepted_at IS NULL AND revoked_at IS NULL AND declined_at IS NULL FOR UPDATE`;
  if (!rows[0]) throw notFound("Invitation");
  return w.tx.invitation.findUniqueOrThrow({ where: { id: invitationId } });
}

export async function revokeInvitation(w: AuditedTx, ctx: OrgCtx, invitationId: string) {
  const invitation = await openInvitationOf(w, ctx.orgId, invitationId);
  await w.tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: new Date() } });
  w.record({
    orgId: ctx.orgId,
    action: "member.invitation.revoked",
    targetType: "invitation",
    targetId: invitation.id,
    before: { email: invitation.email, role: invitation.role },
  });
  return { invitationId: invitation.id };
}

/** A new link (and a new expiry) for an open invitation; the old link stops working. */
export async function reissueInvitation(w: AuditedTx, ctx: OrgCtx, invitationId: string) {
  const invitation = await openInvitationOf(w, ctx.orgId, invitationId);
  assertMayGrant(ctx, invitation.role);
  const { token, tokenHash, expiresAt } = newToken();
  await w.tx.invitation.update({ where: { id: invitation.id }, data: { tokenHash, expiresAt, invitedById: ctx.actorUserId } });
  w.record({
    orgId: ctx.orgId,
    action: "member.invitation.reissued",
    targetType: "invitation",
    targetId: invitation.id,
    after: { email: invitation.email, role: invitation.role, expiresAt },
  });
  return { invitationId: invitation.id, email: invitation.email, role: invitation.role, token, expiresAt };
}

type Usable = {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  expiresAt: Date;
  org: { name: string; slug: string };
  invitedBy: { name: string; email: string } | null;
};

async function usableInvitation(db: ReadDb | Db, token: string): Promise<Usable | null> {
  const row = await db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      orgId: true,
      email: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      revokedAt: true,
      declinedAt: true,
      org: { select: { name: true, slug: true } },
      invitedBy: { select: { name: true, email: true } },
    },
  });
  if (!row || row.acceptedAt || row.revokedAt || row.declinedAt || row.expiresAt <= new Date()) return null;
  return row;
}

/**
 * What the invitation page shows to whoever holds the link. Nothing in it depends on whether the
 * email has an account, so the inviter learns nothing by opening their own link.
 */
export async function describeInvitation(db: ReadDb, token: string, signedInUserId: string | null) {
  const inv = await usableInvitation(db, token);
  if (!inv) return null;
  let signedIn: { email: string; matches: boolean; alreadyMember: boolean } | null = null;
  if (signedInUserId) {
    const me = await db.user.findUnique({
      where: { id: signedInUserId },
      select: { email: true, memberships: { where: { orgId: inv.orgId }, select: { id: true } } },
    });
    if (me) signedIn = { email: me.email, matches: me.email === inv.email, alreadyMember: me.memberships.length > 0 };
  }
  return {
    email: inv.email,
    role: inv.role,
    organization: { name: inv.org.name, slug: inv.org.slug },
    invitedBy: inv.invitedBy ? inv.invitedBy.name || inv.invitedBy.email : null,
    expiresAt: inv.expiresAt,
    signedIn,
  };
}

function invalidLink(): AppError {
  return new AppError("BAD_REQUEST", "This invitation link is invalid, used, revoked or expired; ask for a new one", { field: "token" });
}

/** Joins the organization: membership, the invitation closed, events in the organization's log. */
async function join(w: AuditedTx, inv: Usable, user: { id: string; email: string }) {
  const claimed = await w.tx.invitation.updateMany({ where: { id: inv.id, ...OPEN }, data: { acceptedAt: new Date(), acceptedById: user.id } });
  if (claimed.count !== 1) throw invalidLink();
  const existing = await w.tx.membership.findUnique({ where: { orgId_userId: { orgId: inv.orgId, userId: user.id } } });
  if (!existing) await w.tx.membership.create({ data: { orgId: inv.orgId, userId: user.id, role: inv.role } });
  w.record({
    orgId: inv.orgId,
    action: "member.invitation.accepted",
    targetType: "invitation",
    targetId: inv.id,
    after: { email: user.email, role: inv.role },
  });
  if (!existing)
    w.record({ orgId: inv.orgId, action: "member.added", targetType: "membership", targetId: user.id, after: { email: user.email, role: inv.role } });
  return { orgSlug: inv.org.slug, role: existing?.role ?? inv.role };
}

/** The signed-in person accepts an invitation addressed to their own email. */
export async function acceptInvitation(user: { id: string; email: string }, token: string, request: RequestMeta) {
  const inv = await usableInvitation(getDb(), token);
  if (!inv) throw invalidLink();
  if (normaliseEmail(user.email) !== inv.email) {
    throw new AppError("FORBIDDEN", `This invitation is for ${inv.email}; you are signed in as ${user.email}. Sign in with that email to accept it.`, {
      field: "token",
    });
  }
  const actor: Actor = { type: "user", id: user.id, label: user.email, role: inv.role, request };
  return runAudited(actor, (w) => join(w, inv, user));
}

/** The signed-in person declines; the organization's log says so (the person chose to tell). */
export async function declineInvitation(user: { id: string; email: string }, token: string, request: RequestMeta) {
  const inv = await usableInvitation(getDb(), token);
  if (!inv) throw invalidLink();
  if (normaliseEmail(user.email) !== inv.email) throw new AppError("FORBIDDEN", `This invitation is for ${inv.email}`, { field: "token" });
  const actor: Actor = { type: "user", id: user.id, label: user.email, role: null, request };
  return runAudited(actor, async (w) => {
    const closed = await w.tx.invitation.updateMany({ where: { id: inv.id, ...OPEN }, data: { declinedAt: new Date() } });
    if (closed.count !== 1) throw invalidLink();
    w.record({ orgId: inv.orgId, action: "member.invitation.declined", targetType: "invitation", targetId: inv.id, after: { email: user.email } });
    return { declined: true };
  });
}

/**
 * A person new to Keel creates their account through the link and joins. Refused, with one
 * message that does not say which, when the email already has an account (its owner signs in to
 * accept) or another organization's open invitation is also waiting for it: then no single
 * organization may hand out the credential, and the person signs up through neither.
 */
export async function createAccountFromInvitation(input: { token: string; name: string; password: string }, request: RequestMeta) {
  // Hashed before anything is looked up, so both answers take the same time.
  const passwordHash = await hashPassword(input.password);
  const inv = await usableInvitation(getDb(), input.token);
  if (!inv) throw invalidLink();
  const actor: Actor = { type: "user", id: null, label: inv.email, role: inv.role, request };
  return runAudited(actor, async (w) => {
    // Serialise sign-ups of one email: the loser finds the winner's account.
    await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`keel.signup:${inv.email}`}))`;
    const taken = await w.tx.user.findUnique({ where: { email: inv.email }, select: { id: true } });
    const elsewhere = await w.tx.invitation.count({ where: { email: inv.email, orgId: { not: inv.orgId }, ...OPEN, expiresAt: { gt: new Date() } } });
    if (taken || elsewhere > 0) {
      throw new AppError(
        "CONFLICT",
        `This link cannot create a new account for ${inv.email}. If you already have a Keel account, sign in with it and open the link again to accept; otherwise ask the person who invited you.`,
        { field: "email" },
      );
    }
    const user = await w.tx.user.create({ data: { email: inv.email, name: input.name.trim() || inv.email, passwordHash } });
    w.record({ orgId: inv.orgId, action: "user.created", targetType: "user", targetId: user.id, after: { email: user.email, name: user.name } });
    const joined = await join(w, inv, user);
    return { email: user.email, ...joined };
  });
}
