import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { text } from "../../contracts/fields";
import { labelName } from "../../contracts/prompts";
import { createEnvironment, setEnvironmentProtection } from "../../domain/prompts/labels";
import { listEnvironments } from "../../domain/prompts/queries";

export const environmentsRouter = createRouter({
  list: projectProcedure("prompt:read").query(({ ctx }) => listEnvironments(ctx.db, ctx.project.id)),
  create: projectProcedure("environment:manage")
    .input(z.object({ name: labelName, description: text(300).default(""), protected: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.audited((w) => createEnvironment(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  setProtected: projectProcedure("environment:manage")
    .input(z.object({ name: labelName, protected: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setEnvironmentProtection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});
