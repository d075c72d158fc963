import "server-only";
// Organization membership: changing roles (organization-wide and per project), removing people,
// and the narrow case in which an organization may hand out a set-password link. People join
// through invitations (./invitations.ts); only the operator's CLI adds them directly. Rules:
// nobody grants a role above their own, and an organization always keeps at least one owner.
import type { ReadDb } from "../../db/client";
import { AppError, notFound } from "../../errors";
import type { AuditedTx } from "../../audit/mutation";
import { canGrantRole, type Role } from "../../contracts/permissions";
import { normaliseEmail } from "../users/email";
import { createPasswordLink } from "../users/passwords";

type OrgCtx = { orgId: string; actorRole: Role; actorUserId: string };

export async function listMembers(db: ReadDb, orgId: string, projectId?: string) {
  const rows = await db.membership.findMany({
    where: { orgId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      role: true,
      createdAt: true,
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          lastSignedInAt: true,
          projectRoles: projectId ? { where: { projectId }, select: { role: true } } : false,
        },
      },
    },
  });
  return rows.map((m) => ({
    userId: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    projectRole: (m.user.projectRoles as { role: Role }[] | undefined)?.[0]?.role ?? null,
    // Never signed in: the account may not be in its owner's hands yet.
    neverSignedIn: m.user.lastSignedInAt === null,
    joinedAt: m.createdAt,
  }));
}

function assertMayGrant(ctx: OrgCtx, role: Role) {
  if (!canGrantRole(ctx.actorRole, role)) {
    throw new AppError("FORBIDDEN", `Only an owner can grant the ${role} role`, { field: "role" });
  }
}

async function membershipOf(w: AuditedTx, orgId: string, userId: string) {
  const m = await w.tx.membership.findUnique({ where: { orgId_userId: { orgId, userId } }, include: { user: { select: { email: true } } } });
  if (!m) throw notFound("Member");
  return m;
}

async function assertNotLastOwner(w: AuditedTx, orgId: string, userId: string) {
  // Lock the owners' rows so two concurrent demotions cannot both pass this check.
  const owners = await w.tx.$queryRaw<{ user_id: string }[]>`
    SELECT user_id FROM memberships WHERE org_id = ${orgId}::uuid AND role = 'owner' FOR UPDATE`;
  if (owners.length === 1 && owners[0]?.user_id === userId) {
    throw new AppError("CONFLICT", "An organization needs at least one owner; make someone else owner first");
  }
}

/**
 * The operator's direct add (`npx keel user create`): the operator owns the instance and its
 * credentials, so a new account may get a set-password link here. The web app invites instead.
 */
export async function addMemberAsOperator(w: AuditedTx, orgId: string, input: { email: string; name: string; role: Role }) {
  const email = normaliseEmail(input.email);
  let user = await w.tx.user.findUnique({ where: { email } });
  const isNewUser = !user;
  if (!user) {
    user = await w.tx.user.create({ data: { email, name: input.name.trim() || email } });
    w.record({ orgId, action: "user.created", targetType: "user", targetId: user.id, after: { email, name: user.name } });
  } else if (await w.tx.membership.findUnique({ where: { orgId_userId: { orgId, userId: user.id } } })) {
    throw new AppError("CONFLICT", `${email} is already a member`, { field: "email" });
  }
  const membership = await w.tx.membership.create({ data: { orgId, userId: user.id, role: input.role } });
  w.record({ orgId, action: "member.added", targetType: "membership", targetId: user.id, after: { email, role: input.role } });
  const passwordToken = isNewUser ? await createPasswordLink(w, user.id, orgId) : null;
  return { userId: user.id, email, role: membership.role, passwordToken };
}

/**
 * A new set-password link for a member. Credentials belong to the person: an organization may
 * issue one only while it is the person's sole organization, no other organization's invitation
 * is waiting for them, and they have never signed in (the account is not yet in their hands).
 * Otherwise the person resets it themselves or the operator does (`npx keel user create`).
 */
export async function regeneratePasswordLink(w: AuditedTx, ctx: OrgCtx, userId: string) {
  const m = await membershipOf(w, ctx.orgId, userId);
  // Lock the user row: a concurrent invitation acceptance elsewhere waits for this decision.
  await w.tx.$queryRaw`SELECT id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  const user = await w.tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, lastSignedInAt: true } });
  const refusal = new AppError("FORBIDDEN", `${m.user.email} has signed in before or belongs to another organization too: only they can change their password`);
  if (user.lastSignedInAt) throw refusal;
  const otherMemberships = await w.tx.membership.count({ where: { userId, orgId: { not: ctx.orgId } } });
  const otherInvitations = await w.tx.invitation.count({
    where: { email: user.email, orgId: { not: ctx.orgId }, acceptedAt: null, revokedAt: null, declinedAt: null, expiresAt: { gt: new Date() } },
  });
  if (otherMemberships > 0 || otherInvitations > 0) throw refusal;
  return { passwordToken: await createPasswordLink(w, userId, ctx.orgId) };
}

export async function changeMemberRole(w: AuditedTx, ctx: OrgCtx, input: { userId: string; role: Role }) {
  const m = await membershipOf(w, ctx.orgId, input.userId);
  assertMayGrant(ctx, input.role);
  if (m.role === "owner" && ctx.actorRole !== "owner") throw new AppError("FORBIDDEN", "Only an owner can change an owner's role");
  if (m.role === input.role) {
    w.unchanged();
    return { userId: input.userId, role: m.role };
  }
  if (m.role === "owner") await assertNotLastOwner(w, ctx.orgId, input.userId);
  await w.tx.membership.update({ where: { id: m.id }, data: { role: input.role } });
  w.record({
    orgId: ctx.orgId,
    action: "member.role.changed",
    targetType: "membership",
    targetId: input.userId,
    before: { email: m.user.email, role: m.role },
    after: { email: m.user.email, role: input.role },
  });
  return { userId: input.userId, role: input.role };
}

/** Sets or clears (role null) a member's role override in one project. */
export async function setProjectRole(w: AuditedTx, ctx: OrgCtx & { projectId: string }, input: { userId: string; role: Role | null }) {
  const m = await membershipOf(w, ctx.orgId, input.userId);
  if (input.role) assertMayGrant(ctx, input.role);
  if (m.role === "owner" && ctx.actorRole !== "owner") throw new AppError("FORBIDDEN", "Only an owner can change an owner's access");
  const existing = await w.tx.projectRole.findUnique({ where: { projectId_userId: { projectId: ctx.projectId, userId: input.userId } } });
  if (input.role === null) {
    if (existing) await w.tx.projectRole.delete({ where: { id: existing.id } });
  } else {
    await w.tx.projectRole.upsert({
      where: { projectId_userId: { projectId: ctx.projectId, userId: input.userId } },
      create: { projectId: ctx.projectId, userId: input.userId, role: input.role },
      update: { role: input.role },
    });
  }
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "member.project_role.changed",
    targetType: "membership",
    targetId: input.userId,
    before: { email: m.user.email, projectRole: existing?.role ?? null },
    after: { email: m.user.email, projectRole: input.role },
  });
  return { userId: input.userId, projectRole: input.role };
}

export async function removeMember(w: AuditedTx, ctx: OrgCtx, input: { userId: string }) {
  const m = await membershipOf(w, ctx.orgId, input.userId);
  if (m.role === "owner") {
    if (ctx.actorRole !== "owner") throw new AppError("FORBIDDEN", "Only an owner can remove an owner");
    await assertNotLastOwner(w, ctx.orgId, input.userId);
  }
  await w.tx.projectRole.deleteMany({ where: { userId: input.userId, project: { orgId: ctx.orgId } } });
  await w.tx.membership.delete({ where: { id: m.id } });
  w.record({ orgId: ctx.orgId, action: "member.removed", targetType: "membership", targetId: input.userId, before: { email: m.user.email, role: m.role } });
  return { userId: input.userId };
}
