// The web process's side of the ingest role: OTLP and Langfuse ingestion arrive at the public URL
// like everything else (exporters and SDKs know one base URL), and a web process that has an
// ingest process (KEEL_INGEST_URL; `npm start` sets it to its ingest socket) streams those
// requests through to it unread: no body is buffered here, the ingest process applies the body
// limits, checks the API key, decodes and writes, and its answer is streamed back. When no ingest
// process answers, the exporter gets 503 with Retry-After (OTLP exporters and the Langfuse SDKs
// retry it), never a batch acknowledged and then lost.
import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { IngestTarget } from "../env";
import { discardRest } from "../public-api/input";
import { encodeStatus } from "../telemetry/otlp/response";

/** The request targets the ingest role answers (with their query strings). */
export const INGESTION_PATHS = ["/api/public/otel/v1/traces", "/api/public/ingestion"] as const;

export function isIngestionTarget(target: string): boolean {
  for (const path of INGESTION_PATHS) {
    if (target.startsWith(path) && (target.length === path.length || target.charCodeAt(path.length) === 63) /* ? */) return true;
  }
  return false;
}

/**
 * Marks a request as forwarded by a web process of this installation, whose client IP and request
 * id the ingest process may then take as given. Derived from KEEL_SECRET, which every process of
 * an installation shares; a client sending its own value is not believed.
 */
export const FORWARD_HEADER = "x-keel-forwarded";

export function forwardToken(secret: string): string {
  return createHash("sha256").update(`keel ingest forwarding\0${secret}`).digest("base64url");
}

export function isForwardedBy(req: IncomingMessage, token: string): boolean {
  const sent = req.headers[FORWARD_HEADER];
  if (sent === undefined) return false;
  delete req.headers[FORWARD_HEADER];
  return typeof sent === "string" && sent.length === token.length && timingSafeEqual(Buffer.from(sent), Buffer.from(token));
}

// Hop-by-hop headers (RFC 9110 7.6.1) and Expect, which this server has already answered.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect"]);

export type IngestForwarder = {
  /** Streams the request to the ingest process and its answer back (target: path and query). */
  forward(req: IncomingMessage, res: ServerResponse, target: string): void;
  close(): void;
};

export function createIngestForwarder(target: IngestTarget, options: { token: string; log: (line: string) => void }): IngestForwarder {
  // Kept-alive connections to the ingest process, closed before its own idle timeout (65 s). Not an
  // outbound call the egress policy governs: the operator's own ingest process (KEEL_INGEST_URL).
  // eslint-disable-next-line no-restricted-properties -- see above
  const agent = new http.Agent({ keepAlive: true, timeout: 30_000 });
  const address = "socketPath" in target ? { socketPath: target.socketPath } : { host: target.host, port: target.port };
  let failures = 0;
  let lastReport = 0;

  /** One line now and then while the ingest process cannot be reached (a restart takes seconds). */
  const report = (error: Error) => {
    failures++;
    const now = Date.now();
    if (now - lastReport < 10_000) return;
    lastReport = now;
    options.log(`the ingest process did not answer (${error.message}); ${failures} ingestion request(s) answered 503 with Retry-After so far`);
  };

  return {
    forward(req, res, path) {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
      headers[FORWARD_HEADER] = options.token;
      // eslint-disable-next-line no-restricted-properties -- this installation's ingest process (above)
      const upstream = http.request({ ...address, agent, method: req.method, path, headers });
      let answered = false;
      upstream.on("response", (answer) => {
        answered = true;
        const out: string[] = [];
        const raw = answer.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      });
      upstream.on("error", (error) => {
        req.unpipe(upstream);
        // Not answered: the batch was not taken (or its answer was lost before it was sent on),
        // so the exporter sends it again.
        if (!answered && !res.headersSent) {
          report(error);
          unavailable(req, res, path);
          return;
        }
        // The ingest process closed the connection after answering (a refused upload past its
        // bound): this client's connection ends too.
        res.destroy();
      });
      // The client went away before the answer was complete: so does the forwarded request.
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    },
    close() {
      agent.destroy();
    },
  };
}

function unavailable(req: IncomingMessage, res: ServerResponse, path: string) {
  const message = "Keel's ingest process is not available right now; retry this batch after the Retry-After delay";
  const otlp = path.startsWith(INGESTION_PATHS[0]);
  const protobuf = otlp && /^application\/(x-)?protobuf/i.test(req.headers["content-type"] ?? "");
  // OTLP answers carry a google.rpc.Status in the request's encoding (14: UNAVAILABLE); Langfuse's SDKs read JSON.
  const body = otlp ? encodeStatus(14, message, protobuf ? "protobuf" : "json") : Buffer.from(JSON.stringify({ message }));
  res.writeHead(503, {
    "content-type": protobuf ? "application/x-protobuf" : "application/json",
    "content-length": body.length,
    "cache-control": "no-store",
    "retry-after": "1",
    "x-request-id": String(req.headers["x-request-id"] ?? ""),
    "x-content-type-options": "nosniff",
  });
  res.end(body);
  discardRest(req);
}
