import "server-only";
// Request id, client IP and user agent for audit events. The custom server (server/main.ts)
// sets x-keel-client-ip from the socket (or X-Forwarded-For behind a trusted proxy) and
// overwrites whatever a client sent, and sets x-request-id when the request has none.
import { randomUUID } from "node:crypto";
import type { RequestMeta } from "../audit/actor";

export function requestMetaFromHeaders(headers: Headers): RequestMeta {
  const requestId = headers.get("x-request-id");
  return {
    requestId: requestId && /^[\w.-]{1,128}$/.test(requestId) ? requestId : randomUUID(),
    ip: headers.get("x-keel-client-ip"),
    userAgent: headers.get("user-agent")?.slice(0, 512) ?? null,
  };
}
