import "server-only";
// The tRPC ladder: public -> authenticated -> organization -> project. Every builder declares
// what it needs (`orgProcedure("member:update")`), the declaration lands in the procedure's meta,
// and `createRouter` refuses to register a procedure without one. The authorization matrix test
// reads the same meta. Query procedures get a read-only database handle (the replica's, when one
// is configured and has replayed the caller's last change: server/db/replica.ts); mutations change
// state only through `ctx.audited`, which writes the change and its audit event in one transaction.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Db, ReadDb } from "../db/client";
import { getDb, getReadDb } from "../db/client";
import { captureWriteLsn, routeReads } from "../db/replica";
import type { Actor, RequestMeta } from "../audit/actor";
import { runAudited, type AuditedOptions, type AuditedTx } from "../audit/mutation";
import { AppError, isUniqueViolation } from "../errors";
import { toTRPCError } from "./errors";
import type { OrgPermission, ProjectPermission, Role } from "../contracts/permissions";
import { slug } from "../contracts/fields";
import type { SessionUser } from "../auth/session";
import { isRefusal, recordAccessDenied, requirePermission, resolveOrgAccess, resolveProjectAccess } from "../rbac/access";
import { checkSecondFactorRequirement } from "../domain/identity/requirement";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable";
import { currentRequestId, logger, logRequestFailure, wasLogged } from "../runtime/log";
import { requireFreshAuthentication, type FreshAuthentication } from "../domain/identity/step-up";

const log = logger("trpc");

/** Per request. Procedures read through ctx.db (read-only) and change state through ctx.audited. */
export type Context = {
  user: SessionUser | null;
  request: RequestMeta;
  /**
   * Read-your-writes with a replica: the WAL position of this session's last change as the
   * request brought it (the read-after cookie), and the one a mutation of this request left (the
   * HTTP layer sets the cookie from it). Queries read from the replica only once it has replayed
   * the newer of the two.
   */
  consistency: { readAfter: string | null; wrote: string | null };
};

export type AccessDeclaration =
  | { kind: "public"; reason: string }
  | { kind: "authenticated"; reason: string }
  | { kind: "org"; permission: OrgPermission; stepUp?: true }
  | { kind: "project"; permission: ProjectPermission; stepUp?: true };

/**
 * What a procedure asks beyond its permission. `stepUp`: the decision needs a fresh authentication
 * (server/domain/identity/step-up.ts); its audit events record how the person authenticated.
 */
export type ProcedureOptions = { stepUp?: true };

export type Meta = { access?: AccessDeclaration };

export function createContext(user: SessionUser | null, request: RequestMeta, readAfter: string | null = null): Context {
  return { user, request, consistency: { readAfter, wrote: null } };
}

function firstIssueMessage(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error, ctx }) {
      const zod = error.cause instanceof ZodError ? error.cause : null;
      // On a 5xx, the id of the request, which the failure's log line carries too (quotable).
      const requestId = (ctx?.request.requestId ?? currentRequestId()) || undefined;
      // A context that could not be built (the session lookup) fails before the middleware maps it.
      if (error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(error.cause)) {
        return {
          ...shape,
          message: DATABASE_UNAVAILABLE_MESSAGE,
          data: { code: "SERVICE_UNAVAILABLE" as const, httpStatus: 503, path: shape.data.path, field: undefined, reason: undefined, requestId },
        };
      }
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      const field = error.cause instanceof AppError ? error.cause.field : zod?.issues[0]?.path.join(".");
      const reason = error.cause instanceof AppError ? error.cause.reason : undefined;
      return {
        ...shape,
        message: internal ? "Something went wrong on our side. The error was logged." : zod ? firstIssueMessage(zod) : shape.message,
        // Never a stack trace, never SQL.
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          field: field || undefined,
          reason,
          requestId: shape.data.httpStatus >= 500 ? requestId : undefined,
        },
      };
    },
  });

const PG_DATA_EXCEPTION = /^22/;

/** Turns domain errors into their tRPC codes and logs what is genuinely internal, in one line. */
const errorMapping = t.middleware(async ({ next, path, ctx }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (result.error.code !== "INTERNAL_SERVER_ERROR") return result;
  if (cause instanceof AppError) throw toTRPCError(cause);
  if (isUniqueViolation(cause)) throw new TRPCError({ code: "CONFLICT", message: "That already exists" });
  const pgCode = (cause as { cause?: { originalCode?: string } } | undefined)?.cause?.originalCode;
  if (pgCode && PG_DATA_EXCEPTION.test(pgCode)) throw new TRPCError({ code: "BAD_REQUEST", message: "A value in the request is not acceptable" });
  const requestId = ctx.request.requestId;
  if (isDatabaseUnavailable(cause)) {
    logRequestFailure(log, { route: path, status: 503, requestId, error: cause });
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE, cause });
  }
  logRequestFailure(log, { route: path, status: 500, requestId, error: cause ?? result.error });
  return result;
});

/**
 * The fetch adapter's onError: logs a failure no procedure middleware saw (the context, i.e. the
 * session lookup, could not be built), once; what the middleware logged is not logged again.
 */
export function logUnseenFailure(error: TRPCError, path: string | undefined, requestId: string | null) {
  if (wasLogged(error)) return;
  const unavailable = error.code === "SERVICE_UNAVAILABLE" || isDatabaseUnavailable(error.cause);
  if (!unavailable && error.code !== "INTERNAL_SERVER_ERROR") return;
  logRequestFailure(log, { route: path ?? "(unknown procedure)", status: unavailable ? 503 : 500, requestId, error: error.cause ?? error });
}

/** Queries read where server/db/replica.ts decides; a mutation that succeeded leaves its WAL position. */
const readRouting = t.middleware(async ({ ctx, type, next }) => {
  if (type === "query") return routeReads(ctx.consistency.wrote ?? ctx.consistency.readAfter, () => next());
  const result = await next();
  if (result.ok) ctx.consistency.wrote = (await captureWriteLsn(getDb())) ?? ctx.consistency.wrote;
  return result;
});

const base = t.procedure.use(errorMapping).use(readRouting);

/** Registers routers; refuses any procedure that did not come from a declaring builder. */
export function createRouter<T extends Parameters<typeof t.router>[0]>(procedures: T) {
  const router = t.router(procedures);
  for (const [path, procedure] of Object.entries(router._def.procedures as Record<string, { _def: { meta?: Meta } }>)) {
    if (!procedure._def.meta?.access) {
      throw new Error(`Procedure "${path}" has no access declaration: build it with publicProcedure, authedProcedure, orgProcedure or projectProcedure`);
    }
  }
  return router;
}

export const createCallerFactory = t.createCallerFactory;

/** A read-only view of the database for procedures. */
const readDb = (db: Db): ReadDb => db;

function userActor(user: SessionUser, role: Role | null, request: RequestMeta, authentication?: FreshAuthentication): Actor {
  return { type: "user", id: user.id, label: user.email, role, request, ...(authentication ? { authentication } : {}) };
}

/**
 * The audited mutation path for a procedure. A change the domain refuses as FORBIDDEN (e.g. moving
 * a protected label) is a refused attempt at a change, so it is recorded as a denied event too.
 */
export function auditedFor(actor: Actor, path: string, scope: { orgId: string; projectId?: string }) {
  return async <R>(fn: (w: AuditedTx) => Promise<R>, options?: Pick<AuditedOptions, "timeoutMs">): Promise<R> => {
    try {
      return await runAudited(actor, fn, options);
    } catch (error) {
      if (error instanceof AppError && error.code === "FORBIDDEN") {
        await recordAccessDenied(actor, scope, path, { reason: error.message });
      }
      throw error;
    }
  };
}

// ---- public ---------------------------------------------------------------------------------

/** Open to anyone; the reason is documented in docs/permissions.md. */
export function publicProcedure(reason: string) {
  return base.meta({ access: { kind: "public", reason } }).use(({ ctx, next }) => next({ ctx: { db: readDb(getReadDb()), request: ctx.request } }));
}

// ---- signed in, acting on oneself -----------------------------------------------------------

export function authedProcedure(reason: string) {
  return base.meta({ access: { kind: "authenticated", reason } }).use(({ ctx, next }) => {
    const user = ctx.user;
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
    const actor = userActor(user, null, ctx.request);
    return next({
      ctx: { db: readDb(getReadDb()), user, actor, audited: <R>(fn: (w: AuditedTx) => Promise<R>) => runAudited(actor, fn) },
    });
  });
}

// ---- organization ---------------------------------------------------------------------------

export const orgScope = z.object({ orgSlug: slug });
export const projectScope = orgScope.extend({ projectSlug: slug });

export function orgProcedure(permission: OrgPermission, options: ProcedureOptions = {}) {
  return base
    .meta({ access: { kind: "org", permission, ...options } })
    .input(orgScope)
    .use(async ({ ctx, input, next, type, path }) => {
      const user = ctx.user;
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
      // Membership is looked up by (user, slug): a non-member finds nothing, whatever the slug.
      const access = await resolveOrgAccess(getDb(), user.id, input.orgSlug);
      if (isRefusal(access)) throw new TRPCError({ code: "NOT_FOUND", message: access.message });
      const noSecondFactor = checkSecondFactorRequirement(access.org, access.role, user.authentication);
      if (noSecondFactor) {
        if (type === "mutation")
          await recordAccessDenied(userActor(user, access.role, ctx.request), { orgId: access.org.id }, path, { reason: noSecondFactor.message });
        throw toTRPCError(noSecondFactor);
      }
      const denied = requirePermission(access, permission);
      if (denied) {
        if (type === "mutation") await recordAccessDenied(userActor(user, access.role, ctx.request), { orgId: access.org.id }, path, { permission });
        throw new TRPCError({ code: "FORBIDDEN", message: denied.message });
      }
      const authentication = options.stepUp ? await requireFreshAuthentication(getDb(), user, access.org) : undefined;
      const actor = userActor(user, access.role, ctx.request, authentication);
      return next({
        ctx: {
          db: readDb(getReadDb()),
          user,
          org: access.org,
          role: access.role,
          actor,
          audited: auditedFor(actor, path, { orgId: access.org.id }),
        },
      });
    });
}

// ---- project --------------------------------------------------------------------------------

export function projectProcedure(permission: ProjectPermission, options: ProcedureOptions = {}) {
  return base
    .meta({ access: { kind: "project", permission, ...options } })
    .input(projectScope)
    .use(async ({ ctx, input, next, type, path }) => {
      const user = ctx.user;
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
      const access = await resolveProjectAccess(getDb(), user.id, input.orgSlug, input.projectSlug);
      if (isRefusal(access)) throw new TRPCError({ code: "NOT_FOUND", message: access.message });
      const noSecondFactor = checkSecondFactorRequirement(access.org, access.role, user.authentication);
      if (noSecondFactor) {
        const refused = userActor(user, access.role, ctx.request);
        if (type === "mutation")
          await recordAccessDenied(refused, { orgId: access.org.id, projectId: access.project.id }, path, { reason: noSecondFactor.message });
        throw toTRPCError(noSecondFactor);
      }
      const denied = requirePermission(access, permission);
      if (denied) {
        const refused = userActor(user, access.role, ctx.request);
        if (type === "mutation") await recordAccessDenied(refused, { orgId: access.org.id, projectId: access.project.id }, path, { permission });
        throw new TRPCError({ code: "FORBIDDEN", message: denied.message });
      }
      const authentication = options.stepUp ? await requireFreshAuthentication(getDb(), user, access.org) : undefined;
      const actor = userActor(user, access.role, ctx.request, authentication);
      return next({
        ctx: {
          db: readDb(getReadDb()),
          user,
          org: access.org,
          project: access.project,
          role: access.role,
          actor,
          audited: auditedFor(actor, path, { orgId: access.org.id, projectId: access.project.id }),
        },
      });
    });
}
