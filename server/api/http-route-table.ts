// The session-authenticated HTTP routes (streamed file uploads and downloads that tRPC does not
// serve well), each with the permission it needs. http-routes.ts enforces it; the authorization
// matrix and docs/permissions.md read this table.
import type { ProjectPermission } from "../contracts/permissions";

export type HttpRouteId = "datasets.import" | "datasets.importPreview" | "datasets.export" | "reviews.export" | "deployments.evidence";

/** Every session HTTP route: method, path (Next route segments) and the permission it needs. */
export const HTTP_ROUTES: Record<HttpRouteId, { method: "GET" | "POST"; path: string; permission: ProjectPermission; description: string }> = {
  "datasets.import": {
    method: "POST",
    path: "/api/datasets/{org}/{project}/{dataset}/import",
    permission: "dataset:write",
    description: "Streamed import of a CSV, JSON Lines or JSON file (one new version, all or nothing)",
  },
  "datasets.importPreview": {
    method: "POST",
    path: "/api/datasets/{org}/{project}/{dataset}/import/preview",
    permission: "dataset:write",
    description: "The first rows of a file as the mapping would import them (writes nothing)",
  },
  "datasets.export": {
    method: "GET",
    path: "/api/datasets/{org}/{project}/{dataset}/export",
    permission: "dataset:read",
    description: "Streamed CSV or JSON Lines export of one version",
  },
  "reviews.export": {
    method: "GET",
    path: "/api/reviews/{org}/{project}/{queue}/export",
    permission: "review:read",
    description: "A review queue's grades (one row per review, with each item's final grade) as CSV or JSON Lines",
  },
  "deployments.evidence": {
    method: "GET",
    path: "/api/deployments/{org}/{project}/{number}/evidence",
    permission: "deployment:read",
    description: "A deployment request's evidence pack as JSON or as a printable HTML page, with content hashes and audit sequence numbers",
  },
};
