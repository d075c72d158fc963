import "server-only";
// The route table's types and matcher. A route declares the scope it needs and the registry
// permission it exercises; compileRoutes refuses, at start-up, a route without a scope, a scope
// that does not grant the permission (SCOPE_PERMISSIONS) and a person-only permission. Prompt
// names span `/`: a route's `folderParam` matches several segments, and the most specific route
// (most literal segments) wins, so `/prompts/{name}/versions` takes a path ending in a raw
// `/versions` (docs/api.md has the rules).
import type { IncomingMessage } from "node:http";
import type { ZodType } from "zod";
import { PERMISSIONS, SCOPE_PERMISSIONS, type ApiKeyScope, type Permission } from "../contracts/permissions";
import type { Actor } from "../audit/actor";
import type { ApiKeyCache, Principal } from "./key-cache";
import type { CachedBody, PromptCache } from "./prompt-cache";
import type { Ingest, IngestLangfuse } from "../telemetry/ingest-pool";

export type PublicApiServices = {
  prompts: PromptCache;
  keys: ApiKeyCache;
  /** Decodes and writes an OTLP batch (in a worker thread unless KEEL_INGEST_THREADS=0). */
  ingest: Ingest;
  /** Maps and writes a Langfuse ingestion batch (in the same worker threads). */
  ingestLangfuse: IngestLangfuse;
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
export type Reply =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: 200; cached: CachedBody }
  /** A body already encoded (OTLP protobuf replies): written as is with these headers. */
  | { status: number; raw: Buffer; headers: Record<string, string> }
  /** A streamed body (exports): written with backpressure, stopped when the client goes away. */
  | { status: number; stream: AsyncIterable<string | Uint8Array>; headers: Record<string, string> };

export type ResponseDoc = {
  description: string;
  schema?: ZodType;
  headers?: Record<string, string>;
  /** Non-JSON bodies (exports). */ contentTypes?: string[];
};

type RouteCommon<P, Q, B> = {
  method: "GET" | "POST" | "PUT" | "PATCH";
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
  /** The handler reads the request body itself, streamed (file imports); documented with these types. */
  rawBody?: { contentTypes: string[]; description: string };
  /** Runs on the parsed JSON before `body` validates it (e.g. 413 for oversized templates). */
  inspectBody?: (raw: unknown) => void;
  responses: Record<number, ResponseDoc>;
  /** Error statuses this route answers besides the common ones (401, 403, 400 for bad input). */
  errors: number[];
  /**
   * A GET whose handler reads through getReadDb(), readSql or the telemetry store's readPool():
   * answered from the replica (KEEL_READ_DATABASE_URL) once it has replayed the key's last change
   * (server/db/replica.ts). Not for prompt fetches: their cache must fill from the primary, or a
   * change heard through NOTIFY could be refilled from a replica that has not replayed it yet.
   */
  replica?: true;
  /** A GET that records an audit event (an export): like a change, it leaves the key's WAL position. */
  recordsAudit?: true;
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
      if (!SCOPE_PERMISSIONS[route.scope].includes(route.permission))
        throw new Error(`Public route ${id}: scope ${route.scope} does not grant ${route.permission}`);
      if ("personOnly" in PERMISSIONS[route.permission]) throw new Error(`Public route ${id} needs ${route.permission}, which only a person may hold`);
    }
    if ((route.replica || route.recordsAudit) && route.method !== "GET")
      throw new Error(`Public route ${id}: only a GET reads from the replica or records as it reads`);
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
