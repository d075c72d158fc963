import "server-only";
import { z } from "zod";
import { authedProcedure, createRouter, publicProcedure } from "../trpc";
import { id } from "../../contracts/fields";
import { changePasswordInput, invitationAccountInput, linkToken as token, setPasswordInput } from "../../contracts/accounts";
import { listMyOrganizations } from "../../domain/orgs/organizations";
import { changePassword, describePasswordLink, setPasswordFromLink } from "../../domain/users/passwords";
import { listSessions, revokeSessions } from "../../domain/users/sessions";
import { acceptInvitation, createAccountFromInvitation, declineInvitation, describeInvitation } from "../../domain/members/invitations";

export const accountRouter = createRouter({
  me: authedProcedure("a signed-in user reads their own profile").query(({ ctx }) => ctx.user),
  organizations: authedProcedure("a signed-in user lists the organizations they belong to").query(({ ctx }) => listMyOrganizations(ctx.db, ctx.user.id)),
  changePassword: authedProcedure("a signed-in user changes their own password")
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => changePassword(w, ctx.user.id, input))),
  describePasswordLink: publicProcedure("the set-password page checks its one-time link")
    .input(z.object({ token }))
    .query(({ ctx, input }) => describePasswordLink(ctx.db, input.token)),
  setPassword: publicProcedure("a new member chooses a password with their one-time link")
    .input(setPasswordInput)
    .mutation(({ ctx, input }) => setPasswordFromLink(input, ctx.request)),
  sessions: authedProcedure("a signed-in user lists their own sessions").query(({ ctx }) => listSessions(ctx.db, ctx.user.id, ctx.user.sessionId ?? null)),
  revokeSession: authedProcedure("a signed-in user ends one of their own sessions")
    .input(z.object({ sessionId: id }))
    .mutation(({ ctx, input }) => ctx.audited((w) => revokeSessions(w, ctx.user.id, { sessionId: input.sessionId }))),
  revokeOtherSessions: authedProcedure("a signed-in user ends all their other sessions").mutation(({ ctx }) =>
    ctx.audited((w) => revokeSessions(w, ctx.user.id, { allExcept: ctx.user.sessionId ?? null })),
  ),
  invitation: publicProcedure("the invitation page shows the invitation its link names (to whoever holds the link)")
    .input(z.object({ token }))
    .query(({ ctx, input }) => describeInvitation(ctx.db, input.token, ctx.user?.id ?? null)),
  acceptInvitation: authedProcedure("a signed-in user accepts an invitation addressed to their own email")
    .input(z.object({ token }))
    .mutation(({ ctx, input }) => acceptInvitation(ctx.user, input.token, ctx.request)),
  declineInvitation: authedProcedure("a signed-in user declines an invitation addressed to their own email")
    .input(z.object({ token }))
    .mutation(({ ctx, input }) => declineInvitation(ctx.user, input.token, ctx.request)),
  createAccountFromInvitation: publicProcedure("a person new to Keel creates their account through an invitation's link")
    .input(invitationAccountInput)
    .mutation(({ ctx, input }) => createAccountFromInvitation(input, ctx.request)),
});
