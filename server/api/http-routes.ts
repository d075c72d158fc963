import "server-only";
// The session-authenticated HTTP endpoints that tRPC cannot serve well: file uploads and
// downloads streamed in both directions (dataset import, preview and export). They climb the
// same ladder as procedures: the route declares its permission here (the authorization matrix
// and docs/permissions.md read HTTP_ROUTES), membership is looked up by (user, slug), denied
// state changes are recorded, cross-site POSTs are refused, and changes go through the audited
// path. Errors are JSON `{ error: { code, message, field? } }` with the matching status.
import type { Actor } from "../audit/actor";
import { runAuditedSql, type SqlAuditedTx } from "../audit/mutation";
import type { Role } from "../contracts/permissions";
import { slug } from "../contracts/fields";
import { getDb, getReadDb, type ReadDb } from "../db/client";
import { captureWriteLsn, routeReads } from "../db/replica";
import { checkSecondFactorRequirement } from "../domain/identity/requirement";
import { isRefusal, type OrgRef, recordAccessDenied, requirePermission, resolveOrgAccess, resolveProjectAccess } from "../rbac/access";
import { AppError, HTTP_STATUS } from "../errors";
import { auditedFor } from "./trpc";
import { requireFreshAuthentication } from "../domain/identity/step-up";
import { createRequestContext, readAfterCookie, rejectCrossSite } from "./http-context";
import type { Context } from "./trpc";
import { HTTP_ROUTES, type HttpRouteId } from "./http-route-table";

export { HTTP_ROUTES, type HttpRouteId };
import type { SessionUser } from "../auth/session";
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable";
import { logger, logRequestFailure } from "../runtime/log";

const log = logger("http");

export type ProjectHttpContext = {
  req: Request;
  params: Record<string, string>;
  db: ReadDb;
  user: SessionUser;
  org: OrgRef;
  project: { id: string; slug: string; name: string };
  role: Role;
  actor: Actor;
  audited: ReturnType<typeof auditedFor>;
  /** The audited path on a connection of its own, for streamed bulk changes (COPY). */
  auditedSql: <R>(fn: (w: SqlAuditedTx) => Promise<R>, options?: { timeoutMs?: number }) => Promise<R>;
};

export function jsonError(
  status: number,
  code: string,
  message: string,
  field?: string,
  headers: Record<string, string> = {},
  requestId?: string | null,
  reason?: string,
): Response {
  const error: Record<string, string> = { code, message };
  if (field) error.field = field;
  if (reason) error.reason = reason;
  if (requestId) error.requestId = requestId;
  return Response.json({ error }, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** A failed route's answer; a 5xx is logged in one line with the request id, which the body carries too. */
export function errorResponse(error: unknown, routeId: string, req: Request): Response {
  if (error instanceof AppError && error.code !== "INTERNAL") {
    return jsonError(HTTP_STATUS[error.code], error.code, error.message, error.field, {}, null, error.reason);
  }
  const requestId = req.headers.get("x-request-id");
  if (isDatabaseUnavailable(error)) {
    logRequestFailure(log, { route: routeId, status: 503, requestId, error });
    return jsonError(503, "UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, undefined, { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) }, requestId);
  }
  logRequestFailure(log, { route: routeId, status: 500, requestId, error });
  return jsonError(500, "INTERNAL", "Something went wrong on our side. The error was logged.", undefined, {}, requestId);
}

type RouteParams = { params: Promise<Record<string, string>> };

/**
 * A download reads where server/db/replica.ts decides (`db` is the replica's client when it has
 * replayed this browser's last change); a successful upload, or a download that records an audit
 * event (an export), leaves its WAL position in the read-after cookie, as a tRPC mutation does.
 */
async function withReadRouting(req: Request, context: Context, recordsAudit: boolean, run: (db: ReadDb) => Promise<Response>): Promise<Response> {
  const reading = req.method === "GET" || req.method === "HEAD";
  const response = reading ? await routeReads(context.consistency.readAfter, () => run(getReadDb())) : await run(getDb());
  const wrote = response.ok && (!reading || recordsAudit) ? await captureWriteLsn(getDb()) : null;
  if (wrote) response.headers.append("set-cookie", readAfterCookie(wrote));
  return response;
}

/** A Next route handler for a project-scoped HTTP route, with the route's declared permission. */
export function projectRoute(routeId: HttpRouteId, handler: (ctx: ProjectHttpContext) => Promise<Response>) {
  const route = HTTP_ROUTES[routeId];
  return async (req: Request, { params }: RouteParams): Promise<Response> => {
    const refused = rejectCrossSite(req, { reads: route.recordsAudit });
    if (refused) return refused;
    if (req.method !== route.method && !(route.method === "GET" && req.method === "HEAD")) {
      return jsonError(405, "METHOD_NOT_ALLOWED", `Use ${route.method} for this endpoint`);
    }
    try {
      const values = await params;
      const org = slug.safeParse(values.org);
      const project = slug.safeParse(values.project);
      if (!org.success || !project.success) return jsonError(404, "NOT_FOUND", "Project not found");
      const context = await createRequestContext(req);
      const user = context.user;
      if (!user) return jsonError(401, "UNAUTHORIZED", "Sign in to continue");
      const access = await resolveProjectAccess(getDb(), user.id, org.data, project.data);
      if (isRefusal(access)) return jsonError(404, "NOT_FOUND", access.message);
      const actor: Actor = { type: "user", id: user.id, label: user.email, role: access.role, request: context.request };
      const noSecondFactor = checkSecondFactorRequirement(access.org, access.role, user.authentication);
      if (noSecondFactor) {
        if (route.method !== "GET")
          await recordAccessDenied(actor, { orgId: access.org.id, projectId: access.project.id }, routeId, { reason: noSecondFactor.message });
        throw noSecondFactor;
      }
      const denied = requirePermission(access, route.permission);
      if (denied) {
        if (route.method !== "GET")
          await recordAccessDenied(actor, { orgId: access.org.id, projectId: access.project.id }, routeId, { permission: route.permission });
        return jsonError(403, "FORBIDDEN", denied.message);
      }
      if (route.stepUp) actor.authentication = await requireFreshAuthentication(getDb(), user, access.org);
      return await withReadRouting(req, context, route.recordsAudit === true, (db) =>
        handler({
          req,
          params: values,
          db,
          user,
          org: access.org,
          project: access.project,
          role: access.role,
          actor,
          audited: auditedFor(actor, routeId, { orgId: access.org.id, projectId: access.project.id }),
          auditedSql: (fn, options) => runAuditedSql(actor, fn, options),
        }),
      );
    } catch (error) {
      return errorResponse(error, routeId, req);
    }
  };
}

export type OrgHttpContext = Omit<ProjectHttpContext, "project" | "auditedSql">;

/** A Next route handler for an organization-wide HTTP route (the organization role decides). */
export function orgRoute(routeId: HttpRouteId, handler: (ctx: OrgHttpContext) => Promise<Response>) {
  const route = HTTP_ROUTES[routeId];
  return async (req: Request, { params }: RouteParams): Promise<Response> => {
    const refused = rejectCrossSite(req, { reads: route.recordsAudit });
    if (refused) return refused;
    if (req.method !== route.method && !(route.method === "GET" && req.method === "HEAD")) {
      return jsonError(405, "METHOD_NOT_ALLOWED", `Use ${route.method} for this endpoint`);
    }
    try {
      const values = await params;
      const org = slug.safeParse(values.org);
      if (!org.success) return jsonError(404, "NOT_FOUND", "Organization not found");
      const context = await createRequestContext(req);
      const user = context.user;
      if (!user) return jsonError(401, "UNAUTHORIZED", "Sign in to continue");
      const access = await resolveOrgAccess(getDb(), user.id, org.data);
      if (isRefusal(access)) return jsonError(404, "NOT_FOUND", access.message);
      const actor: Actor = { type: "user", id: user.id, label: user.email, role: access.role, request: context.request };
      const noSecondFactor = checkSecondFactorRequirement(access.org, access.role, user.authentication);
      if (noSecondFactor) {
        if (route.method !== "GET") await recordAccessDenied(actor, { orgId: access.org.id }, routeId, { reason: noSecondFactor.message });
        throw noSecondFactor;
      }
      const denied = requirePermission(access, route.permission);
      if (denied) {
        if (route.method !== "GET") await recordAccessDenied(actor, { orgId: access.org.id }, routeId, { permission: route.permission });
        return jsonError(403, "FORBIDDEN", denied.message);
      }
      if (route.stepUp) actor.authentication = await requireFreshAuthentication(getDb(), user, access.org);
      return await withReadRouting(req, context, route.recordsAudit === true, (db) =>
        handler({ req, params: values, db, user, org: access.org, role: access.role, actor, audited: auditedFor(actor, routeId, { orgId: access.org.id }) }),
      );
    } catch (error) {
      return errorResponse(error, routeId, req);
    }
  };
}
