import "server-only";
// Building the tRPC context from an HTTP request, and refusing cross-site state changes.
import { createContext, type Context } from "./trpc";
import { requestMetaFromHeaders } from "../auth/request-meta";
import { userFromSessionToken } from "../auth/session";
import { secureCookies, sessionCookieName } from "../auth/cookies";
import { parseLsn } from "../db/replica";

function readCookie(header: string | null, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export async function createRequestContext(req: Request): Promise<Context> {
  const cookies = req.headers.get("cookie");
  const user = await userFromSessionToken(readCookie(cookies, sessionCookieName()));
  return createContext(user, requestMetaFromHeaders(req.headers), readAfterOf(cookies));
}

/**
 * The browser's read-your-writes mark: the WAL position after its last change (server/db/replica.ts),
 * kept long enough for any healthy replica to replay it; a replica further behind than that is
 * read from again once the mark expires.
 */
const READ_AFTER_COOKIE = "keel.read-after";
const READ_AFTER_SECONDS = 600;

/** The mark a request brings (null: none, or not a WAL position). */
export function readAfterOf(cookieHeader: string | null): string | null {
  const value = readCookie(cookieHeader, READ_AFTER_COOKIE) ?? null;
  return parseLsn(value) === null ? null : value;
}

/** The Set-Cookie header value remembering a change at `lsn` for this browser. */
export function readAfterCookie(lsn: string): string {
  return `${READ_AFTER_COOKIE}=${encodeURIComponent(lsn)}; Path=/; Max-Age=${READ_AFTER_SECONDS}; HttpOnly; SameSite=Lax${secureCookies() ? "; Secure" : ""}`;
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
