// The ingest process's request handling: only the ingestion paths, through the public API's
// dispatcher (key, scope, body limits, decode, write), with the client IP and request id stamped
// by the web process that forwarded the request, or here for requests straight from a load balancer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TrustProxy } from "../../env";
import type { PublicApi } from "../../public-api/api";
import { sendError } from "../../public-api/http";
import { INGESTION_PATHS, isForwardedBy, isIngestionTarget } from "../ingest-forward";
import { compileTrust, identifyRequest } from "../request-handler";

export function createIngestHandler(options: { publicApi: PublicApi; trustProxy: TrustProxy; tls: boolean; forwardToken: string }) {
  const trust = compileTrust(options.trustProxy);
  const headers = ["X-Content-Type-Options", "nosniff"];
  if (options.tls) headers.push("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return (req: IncomingMessage, res: ServerResponse) => {
    // A web process stamped the client's IP and the request id already (as it believes them).
    const requestId = isForwardedBy(req, options.forwardToken) ? String(req.headers["x-request-id"]) : identifyRequest(req, trust);
    const base = ["X-Request-Id", requestId, ...headers];
    const target = req.url ?? "/";
    if (!isIngestionTarget(target)) {
      return sendError(
        res,
        "NOT_FOUND",
        `This is a Keel ingest process: it answers POST ${INGESTION_PATHS.join(" and POST ")}; the rest of the API is on the web processes`,
        {
          base,
        },
      );
    }
    void options.publicApi.handle(req, res, target, base);
  };
}
