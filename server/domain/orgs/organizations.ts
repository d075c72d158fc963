import "server-only";
// Organizations and projects: creation, and the tenant-scoped lookups every procedure uses.
import type { ReadDb } from "../../db/client";
import { AppError, isUniqueViolation } from "../../errors";
import type { AuditedTx } from "../../audit/mutation";
import { createDefaultEnvironments } from "../prompts/labels";
import { createSimulatedProvider } from "../providers/connections";

export async function createOrganization(w: AuditedTx, input: { name: string; slug: string; ownerId: string; projectName: string; projectSlug: string }) {
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
    w.record({
      orgId,
      projectId: project.id,
      action: "project.created",
      targetType: "project",
      targetId: project.id,
      after: { name: project.name, slug: project.slug },
    });
    await createDefaultEnvironments(w, { orgId, projectId: project.id });
    await createSimulatedProvider(w, { orgId, projectId: project.id });
    return project;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A project with the slug "${input.slug}" already exists`, { field: "slug" });
    throw error;
  }
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

/** The project with its organization and telemetry retention (an API key's project: it exists). */
export function projectWithOrg(db: ReadDb, projectId: string) {
  return db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { id: true, slug: true, name: true, org: { select: { id: true, slug: true, name: true } }, telemetrySettings: { select: { retentionDays: true } } },
  });
}
