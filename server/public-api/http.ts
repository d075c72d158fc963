import "server-only";
// The public REST API's HTTP layer (API-key authenticated), answered by the custom server before
// Next: SDK-facing paths must be fast (see ../shared/STACK.md). Every route declares the scope it
// needs and the registry permission it exercises; there is no way to register one without
// (compileRoutes throws at start-up), and a scope must grant that permission through
// SCOPE_PERMISSIONS, which never reaches person-only permissions.
//
// Errors are `{ error: { code, message, field? } }`; nothing internal (stack, SQL) reaches a
// client. See docs/api.md for the path rules (prompt names may contain `/`).
import type { IncomingMessage, ServerResponse } from "node:http";
import { z, ZodError, type ZodType } from "zod";
import { AppError, isUniqueViolation } from "../errors";
import { PERMISSIONS, SCOPE_PERMISSIONS, type ApiKeyScope, type Permission } from "../contracts/permissions";
import type { Actor } from "../audit/actor";
import type { ApiKeyCache, Principal } from "./key-cache";
import type { CachedBody, PromptCache } from "./prompt-cache";

export const PUBLIC_PREFIX = "/api/public/";

// ---- errors ----------------------------------------------------------------------------------

export const PUBLIC_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
} as const;
export type PublicErrorCode = keyof typeof PUBLIC_ERROR_STATUS;

export const errorResponse = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(PUBLIC_ERROR_STATUS) as [PublicErrorCode, ...PublicErrorCode[]]),
        message: z.string().describe("What went wrong, naming the field when there is one."),
        field: z.string().optional().describe("The request field the problem is about (`name`, `label`, `version`, `messages.0.content`, …)."),
      })
      .strict(),
  })
  .strict();

export class HttpError extends Error {
  constructor(
    readonly code: PublicErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const MAX_BODY_BYTES = 1_048_576;
const JSON_TYPE = "application/json; charset=utf-8";
export const PROMPT_CACHE_CONTROL = "private, max-age=0, must-revalidate";

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": JSON_TYPE, "cache-control": "no-store", "content-length": Buffer.byteLength(payload), ...headers });
  res.end(res.req.method === "HEAD" ? undefined : payload);
}

export function sendError(res: ServerResponse, code: PublicErrorCode, message: string, headers: Record<string, string> = {}, field?: string) {
  sendJson(res, PUBLIC_ERROR_STATUS[code], { error: field ? { code, message, field } : { code, message } }, headers);
}

// ---- credentials -----------------------------------------------------------------------------

/** Bearer <secret>, or Basic base64(publicKey:secret) as the Langfuse SDKs send it. */
export function parseCredentials(header: string | undefined): { secret: string; publicKey?: string } | null {
  if (!header) return null;
  const space = header.indexOf(" ");
  if (space < 0) return null;
  const scheme = header.slice(0, space);
  const value = header.slice(space + 1).trim();
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return { secret: value };
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { publicKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  return null;
}

// ---- routes ----------------------------------------------------------------------------------

export type PublicApiServices = {
  prompts: PromptCache;
  keys: ApiKeyCache;
};

type BaseContext<P, Q, B> = {
  params: P;
  query: Q;
  body: B;
  req: IncomingMessage;
  services: PublicApiServices;
  /** `METHOD /path/{template}`: how audit events name the route. */
  routeId: string;
};
export type AuthedContext<P, Q, B> = BaseContext<P, Q, B> & {
  principal: Principal;
  /** The key as the audit actor of this request. */
  actor: Actor;
};

/** A JSON body, or a pre-serialized one with its ETag (conditional requests answered with 304). */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> } | { status: 200; cached: CachedBody };

export type ResponseDoc = { description: string; schema?: ZodType; headers?: Record<string, string> };

type RouteCommon<P, Q, B> = {
  method: "GET" | "POST" | "PUT";
  /** OpenAPI-style template: /api/public/v1/prompts/{name}/versions */
  path: string;
  /** The one path parameter that may span `/` (prompt names with folders). */
  folderParam?: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** Runs on the parsed JSON before `body` validates it (e.g. 413 for oversized templates). */
  inspectBody?: (raw: unknown) => void;
  responses: Record<number, ResponseDoc>;
  /** Error statuses this route answers besides the common ones (401, 403, 400 for bad input). */
  errors: number[];
};

export type RouteDef<P, Q, B> = RouteCommon<P, Q, B> &
  (
    | { scope: "public"; reason: string; handle(ctx: BaseContext<P, Q, B>): Promise<Reply> | Reply }
    | { scope: "any"; handle(ctx: AuthedContext<P, Q, B>): Promise<Reply> | Reply }
    | { scope: ApiKeyScope; permission: Permission; handle(ctx: AuthedContext<P, Q, B>): Promise<Reply> | Reply }
  );

// Routes are stored type-erased; defineRoute checks each definition against its own schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PublicRoute = RouteDef<any, any, any>;

export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(route: RouteDef<P, Q, B>): PublicRoute {
  return route as PublicRoute;
}

type RouteGroup = { path: string; pattern: RegExp; keys: string[]; specificity: number; byMethod: Map<string, PublicRoute> };

export type CompiledRoutes = { routes: PublicRoute[]; groups: RouteGroup[] };

/** Validates every declaration (scope, permission, path) and builds the matcher. Throws at start-up. */
export function compileRoutes(routes: PublicRoute[]): CompiledRoutes {
  const groups = new Map<string, RouteGroup>();
  for (const route of routes) {
    const id = `${route.method} ${route.path}`;
    if (!route.scope) throw new Error(`Public route ${id} declares no scope`);
    if (route.scope === "public") {
      if (!route.reason) throw new Error(`Public route ${id} is open without a reason`);
    } else if (route.scope !== "any") {
      if (!(route.scope in SCOPE_PERMISSIONS)) throw new Error(`Public route ${id} declares an unknown scope ${route.scope}`);
      if (!SCOPE_PERMISSIONS[route.scope].includes(route.permission)) throw new Error(`Public route ${id}: scope ${route.scope} does not grant ${route.permission}`);
      if ("personOnly" in PERMISSIONS[route.permission]) throw new Error(`Public route ${id} needs ${route.permission}, which only a person may hold`);
    }
    let group = groups.get(route.path);
    if (!group) {
      const keys: string[] = [];
      let specificity = 0;
      const source = route.path
        .split("/")
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment)?.[1];
          if (!param) {
            if (segment) specificity++;
            return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          }
          keys.push(param);
          return param === route.folderParam ? "(.+?)" : "([^/]+)";
        })
        .join("/");
      group = { path: route.path, pattern: new RegExp(`^${source}/?$`), keys, specificity, byMethod: new Map() };
      groups.set(route.path, group);
    }
    if (group.byMethod.has(route.method)) throw new Error(`Public route ${id} is declared twice`);
    group.byMethod.set(route.method, route);
  }
  // Most literal segments first: /prompts/{name}/versions wins over /prompts/{name}.
  return { routes, groups: [...groups.values()].sort((a, b) => b.specificity - a.specificity) };
}

export function matchRoute(compiled: CompiledRoutes, pathname: string): { group: RouteGroup; values: string[] } | null {
  for (const group of compiled.groups) {
    const match = group.pattern.exec(pathname);
    if (match) return { group, values: match.slice(1) as string[] };
  }
  return null;
}

// ---- input -----------------------------------------------------------------------------------

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function describeIssues(error: ZodError, input: { value: unknown } | null): { message: string; field?: string } {
  const parts = error.issues.slice(0, 3).map((issue) => {
    let path = issue.path.map(String);
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      path = [...path, issue.keys[0] ?? ""];
      message = "is not a known field";
    } else if (issue.code === "invalid_type" && input && valueAt(input.value, issue.path) === undefined) {
      message = "is required";
    }
    const field = path.join(".");
    return { field, text: field ? `${field}: ${message}` : message };
  });
  return { message: parts.map((p) => p.text).join("; "), field: parts[0]?.field || undefined };
}

export function parseInput<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, field } = describeIssues(result.error, { value });
  throw new HttpError("BAD_REQUEST", message, field);
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) if (!(key in out)) out[key] = value;
  return out;
}

const tooLarge = (what: string) =>
  new HttpError("PAYLOAD_TOO_LARGE", `${what}; the limit is 1 MiB (${MAX_BODY_BYTES.toLocaleString("en-US")} bytes)`, undefined, { connection: "close" });

/** Reads the body with a size limit (413 before anything is parsed), then parses it as JSON. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers["content-type"];
  if (type && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError("UNSUPPORTED_MEDIA_TYPE", `Send the body as application/json (got ${type.slice(0, 80)})`);
  }
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) throw tooLarge(`The request body is ${declared.toLocaleString("en-US")} bytes`);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        chunks.length = 0;
        reject(tooLarge("The request body is larger than that"));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
  const text = raw.toString("utf8");
  if (!text.trim()) throw new HttpError("BAD_REQUEST", "Send a JSON body");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError("BAD_REQUEST", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

// ---- dispatch --------------------------------------------------------------------------------

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) tags compared weakly. */
export function etagMatches(header: string, etag: string): boolean {
  if (header === etag) return true;
  for (const candidate of header.split(",")) {
    const tag = candidate.trim();
    if (tag === "*" || tag === etag || (tag.startsWith("W/") && tag.slice(2) === etag)) return true;
  }
  return false;
}

function sendReply(req: IncomingMessage, res: ServerResponse, reply: Reply) {
  if (!("cached" in reply)) return sendJson(res, reply.status, reply.body, reply.headers);
  const { payload, etag } = reply.cached;
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) {
    res.writeHead(304, { etag, "cache-control": PROMPT_CACHE_CONTROL, vary: "Authorization" });
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": JSON_TYPE, "content-length": payload.length, etag, "cache-control": PROMPT_CACHE_CONTROL, vary: "Authorization" });
  res.end(req.method === "HEAD" ? undefined : payload);
}

const PG_DATA_EXCEPTION = /^22/;

/** Known failures become 4xx with a clear message; anything else is logged and answered as a bare 500. */
function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof AppError) return error.code === "INTERNAL" ? null : new HttpError(error.code, error.message, error.field);
  if (error instanceof ZodError) {
    const { message, field } = describeIssues(error, null);
    return new HttpError("BAD_REQUEST", message, field);
  }
  if (error instanceof URIError) return new HttpError("BAD_REQUEST", "The path is not valid percent-encoding");
  if (isUniqueViolation(error)) return new HttpError("CONFLICT", "That already exists");
  const pgCode = (error as { cause?: { originalCode?: string } } | undefined)?.cause?.originalCode;
  if (pgCode && PG_DATA_EXCEPTION.test(pgCode)) return new HttpError("BAD_REQUEST", "A value in the request is not acceptable");
  return null;
}

export type Dispatch = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function createDispatcher(
  compiled: CompiledRoutes,
  services: PublicApiServices,
  hooks: { recordDenied(actor: Actor, principal: Principal, routeId: string, after: Record<string, unknown>): Promise<void> },
): Dispatch {
  return async (req, res, url) => {
    const match = matchRoute(compiled, url.pathname);
    if (!match) return sendError(res, "NOT_FOUND", `No API route ${url.pathname}`);
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const route = match.group.byMethod.get(method);
    if (!route) {
      const allow = [...match.group.byMethod.keys()].flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])).join(", ");
      return sendError(res, "BAD_REQUEST", `Method ${req.method} is not allowed here (allowed: ${allow})`, { allow });
    }
    const routeId = `${route.method} ${route.path}`;
    try {
      let authed: { principal: Principal; actor: Actor } | null = null;
      if (route.scope !== "public") {
        const credentials = parseCredentials(req.headers.authorization);
        if (!credentials) {
          return sendError(res, "UNAUTHORIZED", "Send an API key: Authorization: Bearer sk-keel-… or Basic base64(pk-keel-…:sk-keel-…)", { "www-authenticate": 'Bearer realm="keel"' });
        }
        const principal = await services.keys.authenticate(credentials.secret, credentials.publicKey);
        if (!principal) return sendError(res, "UNAUTHORIZED", "Invalid or revoked API key");
        authed = { principal, actor: actorOf(principal, req) };
        if (route.scope !== "any" && !principal.permissions.has(route.permission)) {
          const reason = `This API key lacks the ${route.scope} scope`;
          if (route.method !== "GET") await hooks.recordDenied(authed.actor, principal, routeId, { reason, permission: route.permission });
          return sendError(res, "FORBIDDEN", reason);
        }
      }
      const params: Record<string, string> = {};
      match.group.keys.forEach((key, i) => (params[key] = decodeURIComponent(match.values[i]!)));
      const ctx = {
        params: route.params ? parseInput(route.params, params) : params,
        query: route.query ? parseInput(route.query, firstValues(url.searchParams)) : {},
        body: undefined as unknown,
        req,
        services,
        routeId,
        ...authed,
      };
      if (route.body) {
        const raw = await readJsonBody(req);
        route.inspectBody?.(raw);
        ctx.body = parseInput(route.body, raw);
      }
      sendReply(req, res, await route.handle(ctx as AuthedContext<unknown, unknown, unknown>));
    } catch (error) {
      const known = toHttpError(error);
      if (res.headersSent) {
        console.error(`[public-api] ${req.method} ${url.pathname} failed after responding:`, error);
        return;
      }
      if (known) return sendError(res, known.code, known.message, known.headers, known.field);
      console.error(`[public-api] ${req.method} ${url.pathname} failed:`, error);
      return sendError(res, "INTERNAL", "Something went wrong on our side. The error was logged.");
    }
  };
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
