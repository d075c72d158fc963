import "server-only";
import { z } from "zod";
import { authedProcedure, createRouter, publicProcedure } from "../trpc";
import { password, safeString, text } from "../../contracts/fields";
import { listMyOrganizations } from "../../domain/orgs/organizations";
import { changePassword, describePasswordLink, setPasswordFromLink } from "../../domain/users/passwords";

const token = safeString().min(10, "is not a valid link").max(200, "is not a valid link").regex(/^[\w-]+$/, "is not a valid link");

export const accountRouter = createRouter({
  me: authedProcedure("a signed-in user reads their own profile").query(({ ctx }) => ctx.user),
  organizations: authedProcedure("a signed-in user lists the organizations they belong to").query(({ ctx }) =>
    listMyOrganizations(ctx.db, ctx.user.id),
  ),
  changePassword: authedProcedure("a signed-in user changes their own password")
    .input(z.object({ currentPassword: text(256).min(1, "is required"), newPassword: password }))
    .mutation(({ ctx, input }) => ctx.audited((w) => changePassword(w, ctx.user.id, input))),
  describePasswordLink: publicProcedure("the set-password page checks its one-time link")
    .input(z.object({ token }))
    .query(({ ctx, input }) => describePasswordLink(ctx.db, input.token)),
  setPassword: publicProcedure("a new member chooses a password with their one-time link")
    .input(z.object({ token, password }))
    .mutation(({ ctx, input }) => setPasswordFromLink(input, ctx.request)),
});
