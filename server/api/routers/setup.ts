import "server-only";
import { createRouter, publicProcedure } from "../trpc";
import { createFirstOwner, needsSetup } from "../../domain/orgs/setup";
import { firstOwnerInput } from "../../contracts/accounts";

export const setupRouter = createRouter({
  status: publicProcedure("the sign-in page asks whether Keel still needs its first owner").query(async ({ ctx }) => ({
    needsSetup: await needsSetup(ctx.db),
  })),
  createFirstOwner: publicProcedure("creates the first owner of an empty installation; refused once any user exists")
    .input(firstOwnerInput)
    .mutation(({ ctx, input }) => createFirstOwner(input, ctx.request)),
});
