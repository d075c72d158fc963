import "server-only";
// The public REST API for applications (API-key authenticated), answered by the custom server
// before Next: SDK-facing paths must be fast (see ../shared/STACK.md). Every route declares the
// scope it needs; there is no way to register one without.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getDb } from "../db/client";
import { AppError, HTTP_STATUS } from "../errors";
import { authenticateApiKey, type ApiKeyPrincipal } from "../domain/api-keys/api-keys";
import type { ApiKeyScope } from "../contracts/permissions";
import type { AppErrorCode } from "../contracts/errors";

export type PublicRouteContext = {
  principal: ApiKeyPrincipal;
  params: Record<string, string>;
  query: URLSearchParams;
  req: IncomingMessage;
};

export type PublicRoute = {
  method: "GET" | "POST";
  /** Path pattern with `:name` segments, e.g. /api/public/v1/prompts/:name */
  path: string;
  scope: ApiKeyScope | "any";
  handle(ctx: PublicRouteContext): Promise<unknown>;
};

type CompiledRoute = PublicRoute & { pattern: RegExp; keys: string[] };

export const PUBLIC_PREFIX = "/api/public/";

export function compileRoutes(routes: PublicRoute[]): CompiledRoute[] {
  return routes.map((route) => {
    if (!route.scope) throw new Error(`Public route ${route.method} ${route.path} declares no scope`);
    const keys: string[] = [];
    const pattern = new RegExp(
      "^" + route.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_, key: string) => (keys.push(key), "([^/]+)")) + "/?$",
    );
    return { ...route, pattern, keys };
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(payload), ...headers });
  res.end(res.req.method === "HEAD" ? undefined : payload);
}

export function sendError(res: ServerResponse, code: AppErrorCode, message: string, headers: Record<string, string> = {}) {
  sendJson(res, HTTP_STATUS[code], { error: { code, message } }, headers);
}

/** Bearer <secret>, or Basic base64(publicKey:secret) as the Langfuse SDKs send it. */
export function parseCredentials(header: string | undefined): { secret: string; publicKey?: string } | null {
  if (!header) return null;
  const [scheme, value] = header.split(" ", 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme!)) return { secret: value.trim() };
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { publicKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  return null;
}

export async function handlePublicApi(routes: CompiledRoute[], req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method === "HEAD" ? "GET" : req.method;
  const candidates = routes.filter((r) => r.pattern.test(url.pathname));
  if (candidates.length === 0) return sendError(res, "NOT_FOUND", `No API route ${url.pathname}`);
  const route = candidates.find((r) => r.method === method);
  if (!route) return sendError(res, "BAD_REQUEST", `Method ${req.method} is not allowed here`, { allow: candidates.map((r) => r.method).join(", ") });

  const credentials = parseCredentials(req.headers.authorization);
  if (!credentials) return sendError(res, "UNAUTHORIZED", "Send an API key: Authorization: Bearer sk-keel-… or Basic base64(pk-keel-…:sk-keel-…)", { "www-authenticate": 'Bearer realm="keel"' });
  try {
    const principal = await authenticateApiKey(getDb(), credentials.secret, credentials.publicKey);
    if (!principal) return sendError(res, "UNAUTHORIZED", "Invalid or revoked API key");
    if (route.scope !== "any" && !principal.scopes.includes(route.scope)) {
      return sendError(res, "FORBIDDEN", `This API key lacks the ${route.scope} scope`);
    }
    const match = route.pattern.exec(url.pathname)!;
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1]!)));
    sendJson(res, 200, await route.handle({ principal, params, query: url.searchParams, req }));
  } catch (error) {
    if (error instanceof AppError && error.code !== "INTERNAL") return sendError(res, error.code, error.message);
    if (error instanceof URIError) return sendError(res, "BAD_REQUEST", "The path is not valid percent-encoding");
    console.error(`[public-api] ${req.method} ${url.pathname} failed:`, error);
    return sendError(res, "INTERNAL", "Something went wrong on our side. The error was logged.");
  }
}
