import "server-only";
// Building the tRPC context from an HTTP request, and refusing cross-site state changes.
import { createContext, type Context } from "./trpc";
import { requestMetaFromHeaders } from "../auth/request-meta";
import { userFromSessionToken } from "../auth/session";
import { sessionCookieName } from "../auth/options";

function readCookie(header: string | null, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export async function createRequestContext(req: Request): Promise<Context> {
  const user = await userFromSessionToken(readCookie(req.headers.get("cookie"), sessionCookieName()));
  return createContext(user, requestMetaFromHeaders(req.headers));
}

/**
 * SameSite=Lax already keeps the session cookie off cross-site POSTs; this also refuses any
 * POST whose Origin (or Fetch Metadata) says it came from another site. SameSite=Lax still sends
 * the cookie with a top-level cross-site GET (a link on another site), so a GET that records
 * audit events (an export) passes `{ reads: true }`: then a cross-site Sec-Fetch-Site, or an
 * Origin or Referer of another origin, is refused too, before anything is recorded. The host
 * compared with is X-Forwarded-Host, which the custom server keeps only from a trusted proxy
 * (KEEL_TRUST_PROXY), else Host.
 */
export function rejectCrossSite(req: Request, options: { reads?: boolean } = {}): Response | null {
  const reading = req.method === "GET" || req.method === "HEAD";
  if (reading && !options.reads) return null;
  const message = reading ? "Cross-site links cannot start this; open it from Keel itself" : "Cross-site requests cannot change anything";
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return forbidden(message);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  for (const header of reading ? ["origin", "referer"] : ["origin"]) {
    const value = req.headers.get(header);
    // "null" is the Origin of sandboxed and privacy-sensitive contexts: never this site.
    if (!value) continue;
    try {
      if (new URL(value).host !== host) return forbidden(message);
    } catch {
      return forbidden(message);
    }
  }
  return null;
}

function forbidden(message: string) {
  return Response.json({ error: { message, code: "FORBIDDEN" } }, { status: 403 });
}
