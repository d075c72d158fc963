import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { jsonChecked } from "../../contracts/fields";
import { environmentInput, labelName } from "../../contracts/prompts";
import { createEnvironment, setEnvironmentProtection } from "../../domain/prompts/labels";
import { getPolicy, setPolicy } from "../../domain/deployments/policy";
import { listEnvironments } from "../../domain/prompts/queries";

export const environmentsRouter = createRouter({
  list: projectProcedure("prompt:read").query(({ ctx }) => listEnvironments(ctx.db, ctx.project.id)),
  create: projectProcedure("environment:manage")
    .input(environmentInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createEnvironment(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  setProtected: projectProcedure("environment:manage", { stepUp: true })
    .input(z.object({ name: labelName, protected: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setEnvironmentProtection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  policy: projectProcedure("deployment:read")
    .input(z.object({ name: labelName }))
    .query(({ ctx, input }) => getPolicy(ctx.db, ctx.project.id, input.name)),
  /** The policy is validated in the domain (it names the field of the first problem). */
  setPolicy: projectProcedure("environment:manage", { stepUp: true })
    .input(z.object({ name: labelName, policy: jsonChecked(z.unknown()) }))
    .mutation(({ ctx, input }) =>
      ctx.audited((w) => setPolicy(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { environment: input.name, policy: input.policy as never })),
    ),
});
