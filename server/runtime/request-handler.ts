// The custom server's request handling: stamps the client IP and request id (never trusting
// client-sent values), answers the public API itself, limits the bodies of tRPC and the session
// routes, and hands everything else to Next with a per-request Content-Security-Policy nonce.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import proxyAddr from "proxy-addr";
import type { TrustProxy } from "../env";
import { PUBLIC_PREFIX, sendError } from "../public-api/http";
import { createPublicApi, type PublicApi } from "../public-api/api";
import { GATEWAY_PREFIX } from "../gateway/gateway";
import { enforceBodyLimit, hasSessionBodyLimit } from "./body-limit";
import { withLogContext } from "./log";
import { isIngestionTarget, type IngestForwarder } from "./ingest-forward";

export type HandlerOptions = {
  dev: boolean;
  /** KEEL_TRUST_PROXY: false, a hop count, or the proxies' addresses/CIDR ranges. */
  trustProxy: TrustProxy;
  tls: boolean;
  next: (req: IncomingMessage, res: ServerResponse) => unknown;
  /**
   * The public API instance (its caches and LISTEN client). The web role passes one that listens
   * for other instances' changes; without it, one with in-process invalidation only.
   */
  publicApi?: PublicApi;
  /** Where OTLP and Langfuse ingestion go instead of this process's public API: an ingest process. */
  ingest?: IngestForwarder;
};

export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

export type Trust = (addr: string, hop: number) => boolean;

/** proxy-addr's trust function for KEEL_TRUST_PROXY (null: no proxy is trusted). */
export function compileTrust(trustProxy: TrustProxy): Trust | null {
  if (trustProxy === false) return null;
  if (typeof trustProxy === "number") return (_addr, hop) => hop < trustProxy;
  return proxyAddr.compile(trustProxy);
}

/**
 * The client's address: the socket's, or behind trusted proxies the right-most X-Forwarded-For
 * entry that a trusted proxy did not add (proxy-addr). The left-most entry is whatever the client
 * wrote, so it is never taken. X-Forwarded-Host is dropped unless the peer is a trusted proxy,
 * so the same-origin check (and Next, which fills it from Host) never sees a client's own.
 */
function clientIp(req: IncomingMessage, trust: Trust | null): string | null {
  const peer = req.socket.remoteAddress;
  if (!trust || !peer || !trust(peer, 0)) delete req.headers["x-forwarded-host"];
  const addr = trust && peer ? proxyAddr(req, trust) : peer;
  return addr?.replace(/^::ffff:/, "") || null;
}

/**
 * Stamps the client IP (`x-keel-client-ip`) and a request id on the request, never trusting what
 * the client sent (an id of its own is kept when it is a plain token), and returns the id.
 */
export function identifyRequest(req: IncomingMessage, trust: Trust | null): string {
  req.headers["x-keel-client-ip"] = clientIp(req, trust) ?? "";
  const incomingId = req.headers["x-request-id"];
  const requestId = typeof incomingId === "string" && /^[\w.-]{1,128}$/.test(incomingId) ? incomingId : randomUUID();
  req.headers["x-request-id"] = requestId;
  return requestId;
}

export function createRequestHandler(options: HandlerOptions) {
  const publicApi = options.publicApi ?? createPublicApi();
  const ingest = options.ingest;
  const trust = compileTrust(options.trustProxy);
  // Every response header costs measurable time on the hot path (about 0.7 µs each here), so the
  // public API's JSON gets only those that matter to it: Referrer-Policy is for documents.
  const apiHeaders = ["X-Content-Type-Options", "nosniff"];
  if (options.tls) apiHeaders.push("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  const securityHeaders = [...apiHeaders, "Referrer-Policy", "strict-origin-when-cross-origin"];
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = identifyRequest(req, trust);

    // The public API (the SDK-facing hot path) writes these headers with its one writeHead, and
    // takes the raw request target: no URL object, no per-response header map.
    const target = req.url ?? "/";
    if (target.startsWith(PUBLIC_PREFIX)) {
      if (ingest && isIngestionTarget(target)) return ingest.forward(req, res, target);
      void publicApi.handle(req, res, target, ["X-Request-Id", requestId, ...apiHeaders]);
      return;
    }
    if (target.startsWith(GATEWAY_PREFIX)) {
      void publicApi.gateway.handle(req, res, target, ["X-Request-Id", requestId, ...apiHeaders]);
      return;
    }

    res.setHeader("X-Request-Id", requestId);
    for (let i = 0; i < securityHeaders.length; i += 2) res.setHeader(securityHeaders[i]!, securityHeaders[i + 1]!);
    let url: URL;
    try {
      url = new URL(target, "http://keel.internal");
    } catch {
      return sendError(res, "BAD_REQUEST", "Malformed request URL");
    }
    // Absolute-form targets and dot segments are resolved here, so they reach the public API too.
    if (url.pathname.startsWith(PUBLIC_PREFIX)) {
      if (ingest && isIngestionTarget(url.pathname + url.search)) return ingest.forward(req, res, url.pathname + url.search);
      void publicApi.handle(req, res, url.pathname + url.search, []);
      return;
    }
    if (url.pathname.startsWith(GATEWAY_PREFIX)) {
      void publicApi.gateway.handle(req, res, url.pathname + url.search, []);
      return;
    }
    // Before Next reads the body or authentication runs (an unauthenticated 50 MB POST to tRPC
    // would otherwise be parsed in full).
    if (hasSessionBodyLimit(url.pathname) && !enforceBodyLimit(req, res)) return;

    const nonce = randomBytes(16).toString("base64");
    const csp = contentSecurityPolicy(nonce, options.dev);
    // Next reads the nonce from the request's CSP header and puts it on its own scripts.
    req.headers["content-security-policy"] = csp;
    res.setHeader("Content-Security-Policy", csp);
    // Lines logged while Next answers (route handlers, procedures, pages) carry the request id.
    // Only here: the public API and the gateway pass it explicitly, and an AsyncLocalStorage
    // store costs every promise of their hot path (Next runs its own stores anyway).
    void withLogContext({ requestId, route: `${req.method} ${url.pathname}` }, () => options.next(req, res));
  };
}
