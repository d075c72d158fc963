// The custom server's request handling: stamps the client IP and request id (never trusting
// client-sent values), answers the public API itself, and hands everything else to Next with a
// per-request Content-Security-Policy nonce.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PUBLIC_PREFIX, sendError } from "../public-api/http";
import { createPublicApi, type PublicApi } from "../public-api/api";

export type HandlerOptions = {
  dev: boolean;
  trustProxy: boolean;
  tls: boolean;
  next: (req: IncomingMessage, res: ServerResponse) => unknown;
  /**
   * The public API instance (its caches and LISTEN client). server/main.ts passes one that
   * listens for other instances' changes; without it, one with in-process invalidation only.
   */
  publicApi?: PublicApi;
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

function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? null;
}

export function createRequestHandler(options: HandlerOptions) {
  const publicApi = options.publicApi ?? createPublicApi();
  return (req: IncomingMessage, res: ServerResponse) => {
    req.headers["x-keel-client-ip"] = clientIp(req, options.trustProxy) ?? "";
    const incomingId = req.headers["x-request-id"];
    if (typeof incomingId !== "string" || !/^[\w.-]{1,128}$/.test(incomingId)) req.headers["x-request-id"] = randomUUID();
    res.setHeader("X-Request-Id", req.headers["x-request-id"] as string);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    if (options.tls) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");

    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://keel.internal");
    } catch {
      return sendError(res, "BAD_REQUEST", "Malformed request URL");
    }
    if (url.pathname.startsWith(PUBLIC_PREFIX)) {
      void publicApi.handle(req, res, url);
      return;
    }

    const nonce = randomBytes(16).toString("base64");
    const csp = contentSecurityPolicy(nonce, options.dev);
    // Next reads the nonce from the request's CSP header and puts it on its own scripts.
    req.headers["content-security-policy"] = csp;
    res.setHeader("Content-Security-Policy", csp);
    void options.next(req, res);
  };
}
