import "server-only";
// Organization membership: adding people (with a one-time set-password link for new users),
// changing roles (organization-wide and per project), and removing them. Rules: nobody grants a
// role above their own, and an organization always keeps at least one owner.
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
          passwordHash: true,
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
    // A member added by link who has not chosen a password yet.
    pending: m.user.passwordHash === null,
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

export async function addMember(w: AuditedTx, ctx: OrgCtx, input: { email: string; name: string; role: Role }) {
  assertMayGrant(ctx, input.role);
  const email = normaliseEmail(input.email);
  let user = await w.tx.user.findUnique({ where: { email } });
  const isNewUser = !user;
  if (!user) {
    user = await w.tx.user.create({ data: { email, name: input.name.trim() || email } });
    w.record({ orgId: ctx.orgId, action: "user.created", targetType: "user", targetId: user.id, after: { email, name: user.name } });
  } else if (await w.tx.membership.findUnique({ where: { orgId_userId: { orgId: ctx.orgId, userId: user.id } } })) {
    throw new AppError("CONFLICT", `${email} is already a member`, { field: "email" });
  }
  const membership = await w.tx.membership.create({ data: { orgId: ctx.orgId, userId: user.id, role: input.role } });
  w.record({ orgId: ctx.orgId, action: "member.added", targetType: "membership", targetId: user.id, after: { email, role: input.role } });
  // Existing users already have a password; new ones get a one-time link to choose theirs.
  const passwordToken = isNewUser ? await createPasswordLink(w, user.id, ctx.orgId) : null;
  return { userId: user.id, email, role: membership.role, passwordToken };
}

export async function regeneratePasswordLink(w: AuditedTx, ctx: OrgCtx, userId: string) {
  const m = await membershipOf(w, ctx.orgId, userId);
  const user = await w.tx.user.findUniqueOrThrow({ where: { id: userId } });
  if (user.passwordHash) throw new AppError("CONFLICT", `${m.user.email} has already set a password`);
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
  w.record({ orgId: ctx.orgId, action: "member.role.changed", targetType: "membership", targetId: input.userId, before: { email: m.user.email, role: m.role }, after: { email: m.user.email, role: input.role } });
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
