// The session-authenticated HTTP routes (streamed file uploads and downloads that tRPC does not
// serve well), each with the permission it needs. http-routes.ts enforces it; the authorization
// matrix and docs/permissions.md read this table.
import type { OrgPermission, ProjectPermission } from "../contracts/permissions";

export type HttpRouteId =
  | "datasets.import"
  | "datasets.importPreview"
  | "datasets.export"
  | "reviews.export"
  | "deployments.evidence"
  | "audit.export"
  | "audit.manifest"
  | "audit.verifier";

type RouteSpec = {
  method: "GET" | "POST";
  path: string;
  description: string;
  /** A GET that records audit events: refused when it comes from another site (http-context.ts). */
  recordsAudit?: true;
  /** The download is a decision that needs a fresh authentication (server/domain/identity/step-up.ts). */
  stepUp?: true;
} & (
  | { scope?: "project"; permission: ProjectPermission }
  /** Organization-wide routes ({org} only): the organization role decides. */
  | { scope: "org"; permission: OrgPermission }
);

/** Every session HTTP route: method, path (Next route segments) and the permission it needs. */
export const HTTP_ROUTES: Record<HttpRouteId, RouteSpec> = {
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
  "audit.export": {
    scope: "org",
    method: "GET",
    path: "/api/audit/{org}/export",
    permission: "audit:read",
    recordsAudit: true,
    stepUp: true,
    description: "The filtered audit events as a streamed CSV or JSON Lines file (its export id in Keel-Export-Id; audited; needs a fresh authentication)",
  },
  "audit.manifest": {
    scope: "org",
    method: "GET",
    path: "/api/audit/{org}/exports/{id}/manifest",
    permission: "audit:read",
    description: "The signed manifest of a finished export",
  },
  "audit.verifier": {
    scope: "org",
    method: "GET",
    path: "/api/audit/{org}/verifier",
    permission: "audit:read",
    description:
      "keel-verify.mjs: the self-contained offline verifier of audit exports (plain Node, no dependencies; its SHA-256 in Keel-Verifier-Sha256 and in docs/audit-verification.md)",
  },
};
