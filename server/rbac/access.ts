import "server-only";
// The one access resolver. Every entry point asks it who may do what: the tRPC ladder
// (server/api/trpc.ts), the session HTTP routes (server/api/http-routes.ts), the public API
// (server/public-api/http.ts) and the gateway (server/gateway/). People reach an organization
// through their membership (looked up by user and slug, so a non-member finds nothing, whatever
// the slug: "not found", never "forbidden") and a project through its organization, with the
// project role override applied. API keys carry the permissions their scopes grant. A refusal is
// a value, not an exception, so each entry point answers it in its own wire format; a denied
// state change is audited here, the same way for all of them.
import type { Actor } from "../audit/actor";
import { recordDenied } from "../audit/mutation";
import { PERMISSIONS, roleHasPermission, SCOPE_PERMISSIONS, type ApiKeyScope, type Permission, type Role } from "../contracts/permissions";
import type { Db, ReadDb } from "../db/client";
import type { ApiKeyPrincipal } from "../domain/api-keys/api-keys";

/** The organization as access checks see it, with its identity policy (docs/identity.md). */
export type OrgRef = {
  id: string;
  slug: string;
  name: string;
  requireSso: boolean;
  mfaRequirement: string;
  mfaRoles: Role[];
  stepUpMinutes: number;
  sessionIdleMinutes: number | null;
  sessionAbsoluteHours: number | null;
};
export type ProjectRef = { id: string; slug: string; name: string };

/** A person's access to an organization: their membership role. */
export type OrgAccess = { org: OrgRef; project?: undefined; role: Role };
/** A person's access to a project: the project role override, else the organization role. */
export type ProjectAccess = { org: OrgRef; project: ProjectRef; role: Role };
export type Access = OrgAccess | ProjectAccess;

export type AccessRefusal = { refused: "not_found"; message: string } | { refused: "forbidden"; message: string; permission: Permission };

export function isRefusal(value: Access | AccessRefusal): value is AccessRefusal {
  return "refused" in value;
}

const ORG_REF = {
  id: true,
  slug: true,
  name: true,
  requireSso: true,
  mfaRequirement: true,
  mfaRoles: true,
  stepUpMinutes: true,
  sessionIdleMinutes: true,
  sessionAbsoluteHours: true,
} as const;

export async function resolveOrgAccess(db: Db | ReadDb, userId: string, orgSlug: string): Promise<OrgAccess | AccessRefusal> {
  const m = await db.membership.findFirst({
    where: { userId, org: { slug: orgSlug } },
    select: { role: true, org: { select: ORG_REF } },
  });
  return m ? { org: m.org, role: m.role } : { refused: "not_found", message: "Organization not found" };
}

export async function resolveProjectAccess(db: Db | ReadDb, userId: string, orgSlug: string, projectSlug: string): Promise<ProjectAccess | AccessRefusal> {
  const notFound: AccessRefusal = { refused: "not_found", message: "Project not found" };
  const access = await resolveOrgAccess(db, userId, orgSlug);
  if (isRefusal(access)) return notFound;
  const project = await db.project.findFirst({
    where: { orgId: access.org.id, slug: projectSlug },
    select: { id: true, slug: true, name: true, projectRoles: { where: { userId }, select: { role: true } } },
  });
  if (!project) return notFound;
  const { projectRoles, ...rest } = project;
  return { org: access.org, project: rest, role: projectRoles[0]?.role ?? access.role };
}

/** Null when the role grants the permission, else the refusal to answer with. */
export function requirePermission(access: Access, permission: Permission): AccessRefusal | null {
  return roleHasPermission(access.role, permission)
    ? null
    : { refused: "forbidden", message: `Your role (${access.role}) does not allow ${permission}`, permission };
}

/** An API key acting in its one project (public API and gateway alike). */
export type KeyPrincipal = ApiKeyPrincipal & {
  /** Registry permissions the key's scopes grant (never person-only ones). */
  permissions: ReadonlySet<Permission>;
};

export function permissionsOfScopes(scopes: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const scope of scopes) {
    for (const permission of SCOPE_PERMISSIONS[scope as ApiKeyScope] ?? []) {
      // Defence in depth: the registry never maps a scope to a person-only permission.
      if (!("personOnly" in PERMISSIONS[permission])) granted.add(permission);
    }
  }
  return granted;
}

/** The scope check shared by the public API and the gateway: `scope` names what the key lacks. */
export function requireKeyPermission(principal: Pick<KeyPrincipal, "permissions">, permission: Permission, scope: string): AccessRefusal | null {
  return principal.permissions.has(permission) ? null : { refused: "forbidden", message: `This API key lacks the ${scope} scope`, permission };
}

/**
 * Records a refused state change as an `access.denied` event of the organization (and project).
 * `targetId` names what was attempted: the procedure path or route id.
 */
export function recordAccessDenied(
  actor: Actor,
  scope: { orgId: string; projectId?: string | null },
  targetId: string,
  after: Record<string, unknown>,
): Promise<void> {
  return recordDenied(actor, { orgId: scope.orgId, projectId: scope.projectId ?? null, action: "access.denied", targetType: "procedure", targetId, after });
}
