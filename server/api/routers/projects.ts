import "server-only";
import { createRouter, projectProcedure } from "../trpc";
import { permissionsOfRole } from "../../contracts/permissions";

export const projectsRouter = createRouter({
  get: projectProcedure("project:read").query(({ ctx }) => ({
    ...ctx.project,
    org: ctx.org,
    role: ctx.role,
    permissions: permissionsOfRole(ctx.role),
  })),
});
