import "server-only";
// Organizations and projects: creation, and the tenant-scoped lookups every procedure uses.
import type { Db, ReadDb } from "../../db/client";
import { AppError, isUniqueViolation } from "../../errors";
import type { AuditedTx } from "../../audit/mutation";
import type { Role } from "../../contracts/permissions";
import { createDefaultEnvironments } from "../prompts/labels";
import { createSimulatedProvider } from "../providers/connections";

export async function createOrganization(
  w: AuditedTx,
  input: { name: string; slug: string; ownerId: string; projectName: string; projectSlug: string },
) {
  if (await w.tx.organization.findUnique({ where: { slug: input.slug } })) {
    throw new AppError("CONFLICT", `The organization slug "${input.slug}" is taken`, { field: "organizationSlug" });
  }
  const org = await w.tx.organization.create({ data: { name: input.name.trim(), slug: input.slug } });
  await w.tx.membership.create({ data: { orgId: org.id, userId: input.ownerId, role: "owner" } });
  w.record({ orgId: org.id, action: "org.created", targetType: "organization", targetId: org.id, after: { name: org.name, slug: org.slug } });
  w.record({ orgId: org.id, action: "member.added", targetType: "membership", targetId: input.ownerId, after: { userId: input.ownerId, role: "owner" } });
  await createProject(w, org.id, { name: input.projectName, slug: input.projectSlug });
  return org;
}

export async function createProject(w: AuditedTx, orgId: string, input: { name: string; slug: string }) {
  try {
    const project = await w.tx.project.create({ data: { orgId, name: input.name.trim(), slug: input.slug } });
    w.record({ orgId, projectId: project.id, action: "project.created", targetType: "project", targetId: project.id, after: { name: project.name, slug: project.slug } });
    await createDefaultEnvironments(w, { orgId, projectId: project.id });
    await createSimulatedProvider(w, { orgId, projectId: project.id });
    return project;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A project with the slug "${input.slug}" already exists`, { field: "slug" });
    throw error;
  }
}

export type OrgAccess = { org: { id: string; slug: string; name: string }; role: Role };
export type ProjectAccess = OrgAccess & { project: { id: string; slug: string; name: string }; projectRole: Role };

/** The caller's membership in an organization by slug; a non-member finds nothing. */
export async function findOrgAccess(db: Db | ReadDb, userId: string, orgSlug: string): Promise<OrgAccess | null> {
  const m = await db.membership.findFirst({
    where: { userId, org: { slug: orgSlug } },
    select: { role: true, org: { select: { id: true, slug: true, name: true } } },
  });
  return m ? { org: m.org, role: m.role } : null;
}

/** The project inside the caller's organization, with the project role override applied. */
export async function findProjectAccess(db: Db | ReadDb, userId: string, orgSlug: string, projectSlug: string): Promise<ProjectAccess | null> {
  const access = await findOrgAccess(db, userId, orgSlug);
  if (!access) return null;
  const project = await db.project.findFirst({
    where: { orgId: access.org.id, slug: projectSlug },
    select: { id: true, slug: true, name: true, projectRoles: { where: { userId }, select: { role: true } } },
  });
  if (!project) return null;
  const { projectRoles, ...rest } = project;
  return { ...access, project: rest, projectRole: projectRoles[0]?.role ?? access.role };
}

export async function listMyOrganizations(db: ReadDb, userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { org: { name: "asc" } },
    select: {
      role: true,
      org: { select: { id: true, slug: true, name: true, projects: { select: { slug: true, name: true }, orderBy: { name: "asc" } } } },
    },
  });
  return memberships.map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role, projects: m.org.projects }));
}

