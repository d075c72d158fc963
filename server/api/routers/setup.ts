import "server-only";
import { z } from "zod";
import { createRouter, publicProcedure } from "../trpc";
import { createFirstOwner, needsSetup } from "../../domain/orgs/setup";
import { email, password, requiredText, slug } from "../../contracts/fields";

export const firstOwnerInput = z.object({
  name: requiredText(120),
  email,
  password,
  organizationName: requiredText(120),
  organizationSlug: slug,
  projectName: requiredText(120),
  projectSlug: slug,
});

export const setupRouter = createRouter({
  status: publicProcedure("the sign-in page asks whether Keel still needs its first owner").query(async ({ ctx }) => ({
    needsSetup: await needsSetup(ctx.db),
  })),
  createFirstOwner: publicProcedure("creates the first owner of an empty installation; refused once any user exists")
    .input(firstOwnerInput)
    .mutation(({ ctx, input }) => createFirstOwner(input, ctx.request)),
});
