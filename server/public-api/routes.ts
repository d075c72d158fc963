import "server-only";
// The public API's route table. Each capability adds its routes here with the scope they need
// and the permission they exercise; the OpenAPI document and docs/permissions.md are generated
// from this table.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { getDb } from "../db/client";
import { projectWithOrg } from "../domain/orgs/organizations";
import { withHeaders } from "./http";
import { compileRoutes, defineRoute, type PublicRoute } from "./route-table";
import { buildOpenApiDocument } from "./openapi";
import type { CachedBody } from "./prompt-cache";
import { promptRoutes } from "./prompt-routes";
import { datasetRoutes } from "./dataset-routes";
import { evaluationRoutes } from "./evaluation-routes";
import { deploymentRoutes } from "./deployment-routes";
import { auditRoutes } from "./audit-routes";
import { telemetryRoutes } from "./telemetry-routes";
import { langfusePromptRoutes } from "./langfuse-prompt-routes";
import { langfuseDatasetRoutes } from "./langfuse-dataset-routes";
import { langfuseIngestionRoutes } from "./langfuse-ingestion-routes";
import { whoamiResponse } from "./schemas";

let openApiBody: CachedBody | undefined;

const routes: PublicRoute[] = [
  defineRoute({
    // SDKs and CI call this to check a key: which project it belongs to and what it may do.
    method: "GET",
    path: "/api/public/v1/whoami",
    operationId: "whoami",
    summary: "Check an API key",
    description: "Which project the key belongs to and which scopes it carries.",
    tag: "Keys",
    scope: "any",
    responses: { 200: { description: "The key's project and scopes.", schema: whoamiResponse } },
    errors: [],
    async handle({ principal }) {
      const project = await projectWithOrg(getDb(), principal.projectId);
      return {
        status: 200,
        body: {
          publicKey: principal.publicKey,
          scopes: principal.scopes,
          project: { slug: project.slug, name: project.name },
          organization: { slug: project.org.slug, name: project.org.name },
        },
      };
    },
  }),
  ...promptRoutes,
  ...datasetRoutes,
  ...evaluationRoutes,
  ...deploymentRoutes,
  ...auditRoutes,
  ...telemetryRoutes,
  ...langfusePromptRoutes,
  ...langfuseDatasetRoutes,
  ...langfuseIngestionRoutes,
  defineRoute({
    method: "GET",
    path: "/api/public/openapi.json",
    operationId: "openapi",
    summary: "This OpenAPI document",
    tag: "Meta",
    scope: "public",
    reason: "the API's description is not secret (the in-app API reference and client generators read it)",
    responses: { 200: { description: "The OpenAPI 3.1 document of this API." } },
    errors: [],
    handle() {
      if (!openApiBody) {
        const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };
        const payload = Buffer.from(JSON.stringify(buildOpenApiDocument(publicRoutes, { version })));
        openApiBody = withHeaders(payload, `"${createHash("sha256").update(payload).digest("base64url").slice(0, 22)}"`);
      }
      return { status: 200, cached: openApiBody };
    },
  }),
];

export const compiledPublicRoutes = compileRoutes(routes);
export const publicRoutes = compiledPublicRoutes.routes;
