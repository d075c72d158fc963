import "server-only";
// Reading the audit log: newest first, keyset-paginated on the per-organization sequence number
// (stays fast however long the log grows), with filters matching the indexes on audit_events.
import type { ReadDb } from "../../db/client";
import type { Prisma } from "../../db/generated/client";

export type AuditFilter = {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  projectId?: string;
  outcome?: "success" | "denied";
};

export async function listAuditEvents(db: ReadDb, orgId: string, filter: AuditFilter, page: { cursor?: bigint; limit: number }) {
  const where: Prisma.AuditEventWhereInput = {
    orgId,
    ...(filter.projectId ? { projectId: filter.projectId } : {}),
    ...(filter.action ? { action: filter.action.endsWith(".") ? { startsWith: filter.action } : filter.action } : {}),
    ...(filter.targetType ? { targetType: filter.targetType } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    // The actor filter matches the email / key id snapshot, so it works for removed users too.
    ...(filter.actor ? { actorLabel: { contains: filter.actor, mode: "insensitive" } } : {}),
    ...(page.cursor !== undefined ? { seq: { lt: page.cursor } } : {}),
  };
  const rows = await db.auditEvent.findMany({
    where,
    orderBy: { seq: "desc" },
    take: page.limit + 1,
    select: {
      id: true, seq: true, createdAt: true, actorType: true, actorLabel: true, actorRole: true,
      action: true, targetType: true, targetId: true, outcome: true, project: { select: { slug: true, name: true } },
    },
  });
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: hasMore ? items[items.length - 1]!.seq : null };
}

export async function getAuditEvent(db: ReadDb, orgId: string, seq: bigint) {
  return db.auditEvent.findFirst({
    where: { orgId, seq },
    include: { project: { select: { slug: true, name: true } } },
  });
}
