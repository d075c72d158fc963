import "server-only";
// Every session HTTP route's handler, by route id: app/api route files export these, and the
// authorization matrix calls each of them for every role.
import { orgRoute, projectRoute, type HttpRouteId } from "./http-routes";
import { handleExport, handleImport, handlePreview } from "./dataset-http";
import { handleReviewExport } from "./review-http";
import { handleEvidenceExport } from "./deployment-http";
import { handleAuditExport, handleAuditManifest, handleAuditVerifier } from "./audit-http";

export const httpHandlers: Record<HttpRouteId, ReturnType<typeof projectRoute>> = {
  "audit.export": orgRoute("audit.export", handleAuditExport),
  "audit.manifest": orgRoute("audit.manifest", handleAuditManifest),
  "audit.verifier": orgRoute("audit.verifier", handleAuditVerifier),
  "datasets.import": projectRoute("datasets.import", handleImport),
  "datasets.importPreview": projectRoute("datasets.importPreview", handlePreview),
  "datasets.export": projectRoute("datasets.export", handleExport),
  "reviews.export": projectRoute("reviews.export", handleReviewExport),
  "deployments.evidence": projectRoute("deployments.evidence", handleEvidenceExport),
};
