import "server-only";
import { z } from "zod";
import { createRouter, orgProcedure } from "../trpc";
import { requiredText, slug } from "../../contracts/fields";
import { createProject } from "../../domain/orgs/organizations";
import { permissionsOfRole } from "../../contracts/permissions";

export const orgsRouter = createRouter({
  get: orgProcedure("org:read").query(async ({ ctx }) => ({
    ...ctx.org,
    role: ctx.role,
    permissions: permissionsOfRole(ctx.role),
    projects: await ctx.db.project.findMany({ where: { orgId: ctx.org.id }, orderBy: { name: "asc" }, select: { id: true, slug: true, name: true, createdAt: true } }),
  })),
  createProject: orgProcedure("project:create")
    .input(z.object({ name: requiredText(120), slug }))
    .mutation(async ({ ctx, input }) => {
      const project = await ctx.audited((w) => createProject(w, ctx.org.id, input));
      return { slug: project.slug, name: project.name };
    }),
});
