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
 * POST whose Origin (or Fetch Metadata) says it came from another site.
 */
export function rejectCrossSite(req: Request): Response | null {
  if (req.method === "GET" || req.method === "HEAD") return null;
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return forbidden();
  const origin = req.headers.get("origin");
  if (origin) {
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    try {
      if (new URL(origin).host !== host) return forbidden();
    } catch {
      return forbidden();
    }
  }
  return null;
}

function forbidden() {
  return Response.json({ error: { message: "Cross-site requests cannot change anything", code: "FORBIDDEN" } }, { status: 403 });
}
