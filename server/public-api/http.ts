import "server-only";
// The public REST API's HTTP layer (API-key authenticated), answered by the custom server before
// Next: SDK-facing paths must be fast (see ../shared/STACK.md). One dispatcher matches the route,
// authenticates the key, checks the route's permission, validates input and writes the reply;
// a cached key and a cached prompt are answered without awaiting anything.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Actor } from "../audit/actor";
import { PUBLIC_ERROR_STATUS, toHttpError, type PublicErrorCode } from "./errors";
import { parseCredentials, parseInput, queryObject, readJsonBody } from "./input";
import type { Principal } from "./key-cache";
import { requireKeyPermission } from "../rbac/access";
import type { CachedBody } from "./prompt-cache";
import { unsupportedLangfuseEndpoint } from "./langfuse-unsupported";
import { matchRoute, type AuthedContext, type CompiledRoutes, type PublicApiServices, type PublicRoute, type Reply } from "./route-table";
import { getDb } from "../db/client";
import { captureWriteLsn, routeReads } from "../db/replica";
import { logger, logRequestFailure } from "../runtime/log";

type Resolved = { route: PublicRoute; params: unknown; query: unknown };

export const PUBLIC_PREFIX = "/api/public/";

export const JSON_TYPE = "application/json; charset=utf-8";
const log = logger("public-api");
export const PROMPT_CACHE_CONTROL = "private, max-age=0, must-revalidate";

/** Headers as a flat [name, value, name, value, …] list: one writeHead, no per-response header map. */
export type HeaderList = readonly string[];
const NO_HEADERS: HeaderList = [];

function sendJson(res: ServerResponse, base: HeaderList, status: number, body: unknown, extra?: Record<string, string>) {
  const payload = JSON.stringify(body);
  const headers = [...base, "content-type", JSON_TYPE, "cache-control", "no-store", "content-length", String(Buffer.byteLength(payload))];
  if (extra) for (const [name, value] of Object.entries(extra)) headers.push(name, value);
  res.writeHead(status, headers);
  res.end(res.req.method === "HEAD" ? undefined : payload);
}

export function sendError(
  res: ServerResponse,
  code: PublicErrorCode,
  message: string,
  options: { headers?: Record<string, string>; field?: string; base?: HeaderList; requestId?: string } = {},
) {
  const { headers, field, base = NO_HEADERS, requestId } = options;
  const error: Record<string, string> = { code, message };
  if (field) error.field = field;
  if (requestId) error.requestId = requestId;
  sendJson(res, base, PUBLIC_ERROR_STATUS[code], { error }, headers);
}

/** The id the custom server stamped on the request (server/runtime/request-handler.ts). */
export function requestIdOf(req: IncomingMessage): string | undefined {
  const id = req.headers["x-request-id"];
  return typeof id === "string" ? id : undefined;
}

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) tags compared weakly. */
export function etagMatches(header: string, etag: string): boolean {
  if (header === etag) return true;
  for (const candidate of header.split(",")) {
    const tag = candidate.trim();
    if (tag === "*" || tag === etag || (tag.startsWith("W/") && tag.slice(2) === etag)) return true;
  }
  return false;
}

/** A pre-serialized body with its ETag and the 200's headers, built once per cache fill. */
export function withHeaders(payload: Buffer, etag: string): CachedBody {
  // No Vary: Authorization: the body is the same for every key that may read it, the ETag names
  // it, and `private, must-revalidate` sends every reuse back here, where the key is checked.
  const headers = ["content-type", JSON_TYPE, "content-length", String(payload.length), "etag", etag, "cache-control", PROMPT_CACHE_CONTROL];
  return { payload, etag, headers };
}

async function sendStream(req: IncomingMessage, res: ServerResponse, base: HeaderList, reply: Extract<Reply, { stream: unknown }>) {
  const headers = [...base, "cache-control", "no-store"];
  for (const [name, value] of Object.entries(reply.headers)) headers.push(name, value);
  res.writeHead(reply.status, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // pipeline: backpressure from a slow client, and the source is closed when the client leaves.
  await pipeline(Readable.from(reply.stream), res).catch((error: unknown) => {
    if ((error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE")
      log.error(`${req.method} ${req.url?.split("?")[0]}: the streamed reply failed`, { requestId: requestIdOf(req), error });
  });
}

function sendReply(req: IncomingMessage, res: ServerResponse, base: HeaderList, reply: Reply): void | Promise<void> {
  if ("stream" in reply) return sendStream(req, res, base, reply);
  if ("raw" in reply) {
    const headers = [...base, "cache-control", "no-store", "content-length", String(reply.raw.length)];
    for (const [name, value] of Object.entries(reply.headers)) headers.push(name, value);
    res.writeHead(reply.status, headers);
    res.end(reply.raw);
    return;
  }
  if (!("cached" in reply)) return sendJson(res, base, reply.status, reply.body, reply.headers);
  const { payload, etag } = reply.cached;
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) {
    res.writeHead(304, base.concat("etag", etag, "cache-control", PROMPT_CACHE_CONTROL));
    res.end();
    return;
  }
  res.writeHead(200, base.concat(reply.cached.headers ?? withHeaders(payload, etag).headers!));
  res.end(req.method === "HEAD" ? undefined : payload);
}

/**
 * Answers one request. `target` is the request target (path and query, not decoded); `base` the
 * headers every response carries (request id, security headers), written with the response.
 */
export type Dispatch = (req: IncomingMessage, res: ServerResponse, target: string, base?: HeaderList) => Promise<void>;

export function createDispatcher(
  compiled: CompiledRoutes,
  services: PublicApiServices,
  hooks: { recordDenied(actor: Actor, principal: Principal, routeId: string, after: Record<string, unknown>): Promise<void> },
): Dispatch {
  const routeIds = new Map(compiled.routes.map((r) => [r, `${r.method} ${r.path}`]));
  const writes = new KeyWrites();
  // GET targets that resolved fine (route, parsed path and query values), by raw target: SDKs
  // fetch the same few URLs over and over, and parsing is pure. One lookup replaces matching and
  // validating on the hot path. Bounded; failures are never kept.
  const resolvedGets = new Map<string, Resolved>();
  // The hot path (a cached key and a cached prompt) never awaits: nothing below awaits a value
  // that is already there.
  return async (req, res, target, base = NO_HEADERS) => {
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    let resolved = method === "GET" ? resolvedGets.get(target) : undefined;
    let route: PublicRoute;
    let matched: ReturnType<typeof matchRoute> = null;
    if (resolved) {
      route = resolved.route;
    } else {
      const q = target.indexOf("?");
      const pathname = q < 0 ? target : target.slice(0, q);
      matched = matchRoute(compiled, pathname);
      if (!matched) {
        const unsupported = unsupportedLangfuseEndpoint(method, pathname);
        return unsupported ? sendError(res, "NOT_IMPLEMENTED", unsupported, { base }) : sendError(res, "NOT_FOUND", `No API route ${pathname}`, { base });
      }
      const { group } = matched;
      const found = group.byMethod.get(method);
      if (!found) {
        const allow = [...group.byMethod.keys()].flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])).join(", ");
        return sendError(res, "BAD_REQUEST", `Method ${req.method} is not allowed here (allowed: ${allow})`, { base, headers: { allow } });
      }
      route = found;
    }
    const routeId = routeIds.get(route)!;
    try {
      let principal: Principal | null = null;
      if (route.scope !== "public") {
        const credentials = parseCredentials(req.headers.authorization);
        if (!credentials) {
          return sendError(res, "UNAUTHORIZED", "Send an API key: Authorization: Bearer sk-keel-… or Basic base64(pk-keel-…:sk-keel-…)", {
            base,
            headers: { "www-authenticate": 'Bearer realm="keel"' },
          });
        }
        const authenticated = services.keys.authenticate(credentials.secret, credentials.publicKey);
        principal = authenticated instanceof Promise ? await authenticated : authenticated;
        if (!principal) return sendError(res, "UNAUTHORIZED", "Invalid or revoked API key", { base });
        if (route.scope !== "any") {
          const denied = requireKeyPermission(principal, route.permission, route.scope);
          if (denied) {
            if (route.method !== "GET")
              await hooks.recordDenied(actorOf(principal, req), principal, routeId, { reason: denied.message, permission: route.permission });
            return sendError(res, "FORBIDDEN", denied.message, { base });
          }
        }
      }
      if (!resolved) {
        const rawParams = decodeParams(matched!);
        const q = target.indexOf("?");
        resolved = {
          route,
          params: route.params ? parseInput(route.params, rawParams) : rawParams,
          query: route.query ? parseInput(route.query, queryObject(q < 0 ? "" : target.slice(q + 1))) : {},
        };
        if (method === "GET") {
          if (resolvedGets.size >= 1_000) resolvedGets.clear();
          resolvedGets.set(target, resolved);
        }
      }
      const { params, query } = resolved;
      let body: unknown;
      if (route.body) {
        const raw = await readJsonBody(req);
        route.inspectBody?.(raw);
        body = parseInput(route.body, raw);
      }
      const ctx = new RequestContext(params, query, body, req, services, routeId, principal);
      const handle = () => route.handle(ctx as AuthedContext<unknown, unknown, unknown>);
      const reply = route.replica && principal ? await routeReads(writes.since(principal.keyId), async () => handle()) : handle();
      const ready = reply instanceof Promise ? await reply : reply;
      // A change (not telemetry, which is read as it arrives) leaves the key's WAL position before
      // the answer goes out, so the key's next read cannot reach a replica that lacks it.
      if (principal && (route.method !== "GET" || route.recordsAudit) && route.scope !== "traces:ingest" && ready.status < 400) {
        const lsn = await captureWriteLsn(getDb());
        if (lsn) writes.note(principal.keyId, lsn);
      }
      const sent = sendReply(req, res, base, ready);
      if (sent) await sent;
    } catch (error) {
      const known = toHttpError(error);
      const requestId = requestIdOf(req);
      if (res.headersSent) {
        log.error(`${routeId} failed after responding`, { route: routeId, requestId, error });
        return;
      }
      const status = known ? PUBLIC_ERROR_STATUS[known.code] : 500;
      // One line per failure that is ours (a 5xx), with the id the client also gets back.
      if (status >= 500 && status !== 501) logRequestFailure(log, { route: routeId, status, requestId, error });
      if (known)
        return sendError(res, known.code, known.message, {
          base,
          headers: known.headers,
          field: known.field,
          requestId: status >= 500 ? requestId : undefined,
        });
      return sendError(res, "INTERNAL", "Something went wrong on our side. The error was logged.", { base, requestId });
    }
  };
}

/**
 * Each key's last change on this instance (its WAL position), for read-your-writes on the replica.
 * In-process: a key's next request reaching another instance reads from the replica at once (a
 * browser carries its mark in a cookie instead). Bounded; a mark older than ten minutes is gone.
 */
class KeyWrites {
  private readonly marks = new Map<string, { lsn: string; at: number }>();

  note(keyId: string, lsn: string) {
    this.marks.delete(keyId);
    if (this.marks.size >= 10_000) this.marks.delete(this.marks.keys().next().value!);
    this.marks.set(keyId, { lsn, at: Date.now() });
  }

  since(keyId: string): string | null {
    const mark = this.marks.get(keyId);
    return mark && Date.now() - mark.at < 600_000 ? mark.lsn : null;
  }
}

/** What a handler gets; a class, so the lazy `actor` getter is not re-created per request. */
class RequestContext {
  constructor(
    readonly params: unknown,
    readonly query: unknown,
    readonly body: unknown,
    readonly req: IncomingMessage,
    readonly services: PublicApiServices,
    readonly routeId: string,
    readonly principal: Principal | null,
  ) {}

  get actor(): Actor {
    return actorOf(this.principal!, this.req);
  }
}

function decodeParams(matched: { group: { keys: string[] }; values: string[] }): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < matched.group.keys.length; i++) params[matched.group.keys[i]!] = decodeURIComponent(matched.values[i]!);
  return params;
}

function actorOf(principal: Principal, req: IncomingMessage): Actor {
  const requestId = req.headers["x-request-id"];
  const ip = req.headers["x-keel-client-ip"];
  return {
    type: "api_key",
    id: principal.keyId,
    label: principal.publicKey,
    role: null,
    request: {
      requestId: typeof requestId === "string" ? requestId : null,
      ip: typeof ip === "string" && ip ? ip : null,
      userAgent: req.headers["user-agent"]?.slice(0, 512) ?? null,
    },
  };
}
