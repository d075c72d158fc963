import "server-only";
// The public API's routes. Each capability adds its routes here with the scope they need.
import { compileRoutes, type PublicRoute } from "./http";
import { getDb } from "../db/client";

const routes: PublicRoute[] = [
  {
    // SDKs and CI call this to check a key: which project it belongs to and what it may do.
    method: "GET",
    path: "/api/public/v1/whoami",
    scope: "any",
    async handle({ principal }) {
      const project = await getDb().project.findUniqueOrThrow({
        where: { id: principal.projectId },
        select: { slug: true, name: true, org: { select: { slug: true, name: true } } },
      });
      return { publicKey: principal.publicKey, scopes: principal.scopes, project: { slug: project.slug, name: project.name }, organization: project.org };
    },
  },
];

export const publicRoutes = compileRoutes(routes);
