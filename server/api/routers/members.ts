import "server-only";
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createRouter, orgProcedure } from "../trpc";
import { id, slug } from "../../contracts/fields";
import { inviteMemberInput, memberRole as role } from "../../contracts/accounts";
import { changeMemberRole, listMembers, regeneratePasswordLink, removeMember, setProjectRole } from "../../domain/members/members";
import { revokeMemberSessions } from "../../domain/users/sessions";
import { inviteMember, listInvitations, reissueInvitation, revokeInvitation } from "../../domain/members/invitations";

export const membersRouter = createRouter({
  list: orgProcedure("member:read")
    .input(z.object({ projectSlug: slug.optional() }))
    .query(async ({ ctx, input }) => {
      const project = input.projectSlug
        ? await ctx.db.project.findFirst({ where: { orgId: ctx.org.id, slug: input.projectSlug }, select: { id: true } })
        : null;
      if (input.projectSlug && !project) throw new TRPCError({ code: "NOT_FOUND", message: "Project not found" });
      return listMembers(ctx.db, ctx.org.id, project?.id);
    }),
  invitations: orgProcedure("member:read").query(({ ctx }) => listInvitations(ctx.db, ctx.org.id)),
  invite: orgProcedure("member:create")
    .input(inviteMemberInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => inviteMember(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input))),
  reissueInvitation: orgProcedure("member:create")
    .input(z.object({ invitationId: id }))
    .mutation(({ ctx, input }) =>
      ctx.audited((w) => reissueInvitation(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input.invitationId)),
    ),
  revokeInvitation: orgProcedure("member:create")
    .input(z.object({ invitationId: id }))
    .mutation(({ ctx, input }) =>
      ctx.audited((w) => revokeInvitation(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input.invitationId)),
    ),
  regeneratePasswordLink: orgProcedure("member:create")
    .input(z.object({ userId: id }))
    .mutation(({ ctx, input }) =>
      ctx.audited((w) => regeneratePasswordLink(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input.userId)),
    ),
  /** Signs a member out everywhere (every live session of theirs). */
  revokeSessions: orgProcedure("member:update")
    .input(z.object({ userId: id }))
    .mutation(({ ctx, input }) =>
      ctx.audited((w) => revokeMemberSessions(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input.userId)),
    ),
  changeRole: orgProcedure("member:update", { stepUp: true })
    .input(z.object({ userId: id, role }))
    .mutation(({ ctx, input }) => ctx.audited((w) => changeMemberRole(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input))),
  setProjectRole: orgProcedure("member:update", { stepUp: true })
    .input(z.object({ projectSlug: slug, userId: id, role: role.nullable() }))
    .mutation(async ({ ctx, input }) => {
      const project = await ctx.db.project.findFirst({ where: { orgId: ctx.org.id, slug: input.projectSlug }, select: { id: true } });
      if (!project) throw new TRPCError({ code: "NOT_FOUND", message: "Project not found" });
      return ctx.audited((w) =>
        setProjectRole(
          w,
          { orgId: ctx.org.id, projectId: project.id, actorRole: ctx.role, actorUserId: ctx.user.id },
          { userId: input.userId, role: input.role },
        ),
      );
    }),
  remove: orgProcedure("member:delete")
    .input(z.object({ userId: id }))
    .mutation(({ ctx, input }) => ctx.audited((w) => removeMember(w, { orgId: ctx.org.id, actorRole: ctx.role, actorUserId: ctx.user.id }, input))),
});
