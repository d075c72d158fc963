import "server-only";
// Reading the audit log: newest first, keyset-paginated on the per-organization sequence number
// (stays fast however long the log grows), with filters matching the indexes on audit_events.
import { readSql, type ReadDb } from "../../db/client";
import { actionsOfGroup, type AuditActionGroup } from "../../contracts/audit";
import { empty, join, sql, type Sql } from "../../db/sql";

export type AuditFilter = {
  actor?: string;
  /** An action name, or "group:<name>" for a group of actions. */
  action?: string;
  targetType?: string;
  targetId?: string;
  projectId?: string;
  outcome?: "success" | "denied";
  from?: string;
  to?: string;
  /** Words in the before/after snapshots (full-text, the audit_events_search index). */
  q?: string;
};

/** The WHERE condition for the filters, always scoped to the organization. */
export function auditWhere(orgId: string, filter: AuditFilter): Sql {
  const parts = [sql`e.org_id = ${orgId}::uuid`];
  if (filter.projectId) parts.push(sql`e.project_id = ${filter.projectId}::uuid`);
  if (filter.from) parts.push(sql`e.created_at >= ${filter.from}::timestamptz`);
  if (filter.to) parts.push(sql`e.created_at < ${filter.to}::timestamptz`);
  if (filter.action) {
    const actions = filter.action.startsWith("group:") ? actionsOfGroup(filter.action.slice(6) as AuditActionGroup) : [filter.action];
    parts.push(sql`e.action = ANY(${actions}::text[])`);
  }
  // The actor filter matches the beginning of the email / key id snapshot (case-insensitive), so
  // it works for removed users too and uses the audit_events_actor_prefix index.
  if (filter.actor) parts.push(sql`lower(e.actor_label) LIKE ${`${filter.actor.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (filter.targetType) parts.push(sql`e.target_type = ${filter.targetType}`);
  if (filter.targetId) parts.push(sql`e.target_id = ${filter.targetId}`);
  if (filter.outcome) parts.push(sql`e.outcome = ${filter.outcome}::"AuditOutcome"`);
  if (filter.q)
    parts.push(sql`to_tsvector('simple', coalesce(e.before::text, '') || ' ' || coalesce(e.after::text, '')) @@ plainto_tsquery('simple', ${filter.q})`);
  return join(parts, " AND ");
}

type ListRow = {
  id: string;
  seq: bigint;
  created_at: Date;
  actor_type: string;
  actor_label: string;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: "success" | "denied";
  project_slug: string | null;
  project_name: string | null;
};

export async function listAuditEvents(db: ReadDb, orgId: string, filter: AuditFilter, page: { cursor?: bigint; limit: number }) {
  const where = auditWhere(orgId, filter);
  const keyset = page.cursor !== undefined ? sql` AND e.seq < ${page.cursor}` : empty;
  // Newest first on (org_id, seq): a keyset page costs the same on page 1 and page 10,000.
  const rows = await readSql<ListRow>(
    db,
    sql`SELECT e.id, e.seq, e.created_at, e.actor_type, e.actor_label, e.actor_role, e.action, e.target_type, e.target_id, e.outcome, p.slug AS project_slug, p.name AS project_name
     FROM audit_events e LEFT JOIN projects p ON p.id = e.project_id
     WHERE ${where}${keyset}
     ORDER BY e.seq DESC LIMIT ${page.limit + 1}`,
  );
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map((r) => ({
    id: r.id,
    seq: r.seq,
    createdAt: r.created_at,
    actorType: r.actor_type,
    actorLabel: r.actor_label,
    actorRole: r.actor_role,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    project: r.project_slug ? { slug: r.project_slug, name: r.project_name! } : null,
  }));
  return { items, nextCursor: hasMore ? items[items.length - 1]!.seq : null };
}

export async function getAuditEvent(db: ReadDb, orgId: string, seq: bigint) {
  return db.auditEvent.findFirst({
    where: { orgId, seq },
    include: { project: { select: { slug: true, name: true } } },
  });
}
