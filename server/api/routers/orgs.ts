import "server-only";
import { authedProcedure, createRouter, orgProcedure } from "../trpc";
import { newOrganizationInput, newProjectInput } from "../../contracts/accounts";
import { createOrganization, createProject } from "../../domain/orgs/organizations";
import { permissionsOfRole } from "../../contracts/permissions";

export const orgsRouter = createRouter({
  create: authedProcedure("any signed-in user may create an organization, which they then own")
    .input(newOrganizationInput)
    .mutation(async ({ ctx, input }) => {
      const org = await ctx.audited((w) =>
        createOrganization(w, {
          name: input.organizationName,
          slug: input.organizationSlug,
          ownerId: ctx.user.id,
          projectName: input.projectName,
          projectSlug: input.projectSlug,
        }),
      );
      return { slug: org.slug, name: org.name, projectSlug: input.projectSlug };
    }),
  get: orgProcedure("org:read").query(async ({ ctx }) => ({
    ...ctx.org,
    role: ctx.role,
    permissions: permissionsOfRole(ctx.role),
    projects: await ctx.db.project.findMany({
      where: { orgId: ctx.org.id },
      orderBy: { name: "asc" },
      select: { id: true, slug: true, name: true, createdAt: true },
    }),
  })),
  createProject: orgProcedure("project:create")
    .input(newProjectInput)
    .mutation(async ({ ctx, input }) => {
      const project = await ctx.audited((w) => createProject(w, ctx.org.id, input));
      return { slug: project.slug, name: project.name };
    }),
});
