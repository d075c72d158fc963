import "server-only";
// Streaming audit exports. One REPEATABLE READ snapshot on a connection of its own gives the
// export's facts (row count, first and last sequence number, the chain hash at the last event) and
// then the rows themselves, written by PostgreSQL's COPY (CSV, or JSON Lines through the CSV
// writer with delimiter and quote characters JSON never contains) and passed on chunk by chunk:
// memory stays flat whatever the size, the first byte leaves as soon as PostgreSQL sends it, and
// a slow reader slows the COPY instead of filling a buffer. Exporting is audited twice: when the
// rows go out (`audit.exported`, with the filters and the range) and when the manifest is signed
// at the end (`audit.export.signed`, with the file's SHA-256). A reader that goes away leaves the
// first event and no manifest.
import { createHash } from "node:crypto";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { getDb, type ReadDb } from "../../db/client";
import { uuidv7 } from "../../db/uuid";
import { AppError, notFound } from "../../errors";
import { AUDIT_ACTION_GROUPS, AUDIT_ACTION_NAMES } from "../../contracts/audit";
import { auditWhere, type AuditFilter } from "./explore";
import { CSV_COLUMNS, type ExportFilters, type ExportFormat, type ExportManifest } from "../../audit/export-format";
import { ensureSigningKey, signManifest } from "../../audit/signing";
import { logConnectionLoss, pgQuery, sql, type Sql } from "../../db/sql";
import { connectionSettings, primaryDatabaseUrl } from "../../db/connections";
import { readDatabaseUrl, readingFromReplica } from "../../db/replica";

export type ExportRequest = {
  orgId: string;
  format: ExportFormat;
  filters: ExportFilters;
  actor: Actor;
  /**
   * Only this project's events (a project API key): a project filter naming another project is
   * refused, and the manifest names the project. Unset: the whole organization.
   */
  onlyProjectId?: string;
};

/** Resolved filters: the project slug as an id, the action as a list. */
type Resolved = { orgId: string; projectId: string | null; filters: ExportFilters };

async function resolve(orgId: string, filters: ExportFilters, onlyProjectId?: string): Promise<Resolved> {
  let projectId: string | null = null;
  if (filters.project) {
    const project = await getDb().project.findFirst({ where: { orgId, slug: filters.project }, select: { id: true } });
    if (!project) throw new AppError("NOT_FOUND", `This organization has no project "${filters.project}"`, { field: "project" });
    if (onlyProjectId && project.id !== onlyProjectId)
      throw new AppError("FORBIDDEN", "This API key exports only its own project's events", { field: "project" });
    projectId = project.id;
  } else if (onlyProjectId) {
    const project = await getDb().project.findFirst({ where: { orgId, id: onlyProjectId }, select: { slug: true } });
    if (!project) throw notFound("Project");
    projectId = onlyProjectId;
    // The manifest's filters say which project the file covers.
    filters = { ...filters, project: project.slug };
  }
  const group = filters.action?.startsWith("group:") ? filters.action.slice(6) : null;
  if (filters.action && !(group ? group in AUDIT_ACTION_GROUPS : (AUDIT_ACTION_NAMES as readonly string[]).includes(filters.action))) {
    throw new AppError("BAD_REQUEST", `"${filters.action}" is not an audit action or group`, { field: "action" });
  }
  if (filters.from && filters.to && Date.parse(filters.from) >= Date.parse(filters.to))
    throw new AppError("BAD_REQUEST", "from must be before to", { field: "to" });
  return { orgId, projectId, filters };
}

/** The explorer's WHERE clause for a resolved request. */
function whereOf(r: Resolved): Sql {
  const filter: AuditFilter = {
    projectId: r.projectId ?? undefined,
    from: r.filters.from ?? undefined,
    to: r.filters.to ?? undefined,
    action: r.filters.action ?? undefined,
    actor: r.filters.actor ?? undefined,
    targetType: r.filters.targetType ?? undefined,
    targetId: r.filters.targetId ?? undefined,
    outcome: (r.filters.outcome as AuditFilter["outcome"]) ?? undefined,
    q: r.filters.q ?? undefined,
  };
  return auditWhere(r.orgId, filter);
}

/**
 * A WHERE clause with its parameters inlined as escaped literals: COPY takes no parameters (the
 * one place Keel turns a tagged statement back into text). Values are strings or arrays of
 * strings (escapeLiteral handles quotes and backslashes).
 */
function inlined(client: pg.Client, q: Sql): string {
  const literal = (v: unknown): string =>
    Array.isArray(v) ? `ARRAY[${v.map((x) => client.escapeLiteral(String(x))).join(", ")}]::text[]` : client.escapeLiteral(String(v));
  // One pass over the text: a value that itself contains "$1" is never rewritten.
  return q.text.replace(/\$(\d+)/g, (_, n: string) => literal(q.values[Number(n) - 1]));
}

const CREATED_AT = `to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The COPY query: CSV columns, or one compact JSON object per event (row_to_json). */
function exportQuery(format: ExportFormat, where: string): string {
  const columns = `e.seq::text AS "seq", ${CREATED_AT} AS "createdAt", e.org_id AS "orgId", e.project_id AS "projectId", e.actor_type AS "actorType", e.actor_id AS "actorId",
    e.actor_label AS "actorLabel", e.actor_role AS "actorRole", e.action AS "action", e.target_type AS "targetType", e.target_id AS "targetId", e.outcome AS "outcome",
    e.request_id AS "requestId", e.ip AS "ip", e.user_agent AS "userAgent"`;
  if (format === "csv") {
    return `SELECT ${columns}, coalesce(e.before::text, 'null'), coalesce(e.after::text, 'null'), e.prev_hash, e.hash FROM audit_events e WHERE ${where} ORDER BY e.seq`;
  }
  // The inner ORDER BY fixes the order: the outer query only projects each row.
  return `SELECT row_to_json(x)::text FROM (SELECT ${columns}, coalesce(e.before, 'null'::jsonb) AS "before", coalesce(e.after, 'null'::jsonb) AS "after",
    e.prev_hash AS "prevHash", e.hash AS "hash" FROM audit_events e WHERE ${where} ORDER BY e.seq) x`;
}

// JSON text never contains these control characters (JSON escapes them), so PostgreSQL's CSV
// writer passes each line through untouched: no quoting, no escaping.
const COPY_OPTIONS: Record<ExportFormat, string> = {
  csv: "FORMAT csv, HEADER false",
  jsonl: "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'",
};

export type AuditExportStream = {
  exportId: string;
  contentType: string;
  fileName: string;
  rowCount: number;
  /** The file, chunk by chunk; when it ends, the manifest is signed and stored. */
  body: AsyncIterable<Buffer>;
  /** Resolves once the body was read to the end, with the signed manifest. */
  manifest: Promise<ExportManifest>;
};

export async function startAuditExport(req: ExportRequest): Promise<AuditExportStream> {
  const org = await getDb().organization.findUnique({ where: { id: req.orgId }, select: { id: true, slug: true } });
  if (!org) throw notFound("Organization");
  const resolved = await resolve(req.orgId, req.filters, req.onlyProjectId);
  // The rows stream from the replica when the request was routed there (server/db/replica.ts): a
  // REPEATABLE READ snapshot and COPY work on a hot standby. The event and the manifest are written
  // on the primary (runAudited); the manifest is read back from there too.
  const { connectionString } = connectionSettings((readingFromReplica() && readDatabaseUrl()) || primaryDatabaseUrl());
  // No statement_timeout here (unlike every pool): the export is one COPY streaming the whole log,
  // which may rightly take minutes; it ends when the download does.
  const client = new pg.Client({ connectionString, application_name: "keel-audit-export" });
  logConnectionLoss(client, "keel-audit-export");
  await client.connect();
  let facts: { n: number; first: string | null; last: string | null; hash: string | null };
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const unfiltered = Object.values(resolved.filters).every((v) => v === null) && !resolved.projectId;
    if (unfiltered) {
      // The whole chain: sequence numbers are gap-free from 1, so the head in this same snapshot
      // gives the facts at once (the first byte does not wait for a count of millions of rows).
      const { rows } = await pgQuery<{ last: string; hash: string }>(
        client,
        sql`SELECT last_seq::text AS last, last_hash AS hash FROM audit_chain_heads WHERE org_id = ${req.orgId}::uuid`,
      );
      const head = rows[0];
      facts =
        head && head.last !== "0" ? { n: Number(head.last), first: "1", last: head.last, hash: head.hash } : { n: 0, first: null, last: null, hash: null };
    } else {
      const { rows } = await pgQuery<{ n: number; first: string | null; last: string | null }>(
        client,
        sql`SELECT count(*)::int AS n, min(e.seq)::text AS first, max(e.seq)::text AS last FROM audit_events e WHERE ${whereOf(resolved)}`,
      );
      const head = rows[0]!;
      const hash = head.last
        ? (await pgQuery<{ hash: string }>(client, sql`SELECT hash FROM audit_events WHERE org_id = ${req.orgId}::uuid AND seq = ${head.last}::bigint`))
            .rows[0]!.hash
        : null;
      facts = { ...head, hash };
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  const exportId = uuidv7();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
  const fileName = `audit-${org.slug}-${stamp}.${req.format}`;
  const f = resolved.filters;
  const contiguous = !resolved.projectId && !f.action && !f.actor && !f.targetType && !f.targetId && !f.outcome && !f.q;
  const filtersRecord = { ...f };
  // The rows are about to leave: that is audited before the first byte.
  try {
    await runAudited(req.actor, async (w) => {
      // The signing key exists before the first byte leaves (a missing encryption key fails now).
      await ensureSigningKey(w, req.orgId);
      w.record({
        orgId: req.orgId,
        projectId: resolved.projectId,
        action: "audit.exported",
        targetType: "organization",
        targetId: req.orgId,
        after: { exportId, format: req.format, filters: filtersRecord, rowCount: facts.n, firstSeq: facts.first, lastSeq: facts.last },
      });
    });
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }

  const hash = createHash("sha256");
  let resolveManifest!: (m: ExportManifest) => void;
  let rejectManifest!: (e: unknown) => void;
  const manifest = new Promise<ExportManifest>((res, rej) => {
    resolveManifest = res;
    rejectManifest = rej;
  });
  manifest.catch(() => undefined);
  const format = req.format;

  async function* body(): AsyncGenerator<Buffer> {
    let finished = false;
    try {
      if (format === "csv") {
        const header = Buffer.from(`${CSV_COLUMNS.join(",")}\n`);
        hash.update(header);
        yield header;
      }
      const stream = client.query(copyTo(`COPY (${exportQuery(format, inlined(client, whereOf(resolved)))}) TO STDOUT WITH (${COPY_OPTIONS[format]})`));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        yield chunk;
      }
      await client.query("COMMIT");
      finished = true;
    } catch (error) {
      rejectManifest(error);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
      if (!finished) rejectManifest(new AppError("CONFLICT", "The export was not read to the end; no manifest was signed"));
    }
    const fileSha256 = hash.digest("hex");
    const signed = await runAudited(req.actor, async (w) => {
      const unsigned: Omit<ExportManifest, "signature" | "publicKeyId"> = {
        kind: "keel.audit-export",
        formatVersion: 1,
        exportId,
        organization: { id: org!.id, slug: org!.slug },
        format,
        filters: filtersRecord,
        contiguous,
        rowCount: facts.n,
        firstSeq: facts.first,
        lastSeq: facts.last,
        fileSha256,
        chainHash: facts.hash,
        exportedAt: new Date().toISOString(),
        exporter: { type: req.actor.type, label: req.actor.label },
        signatureAlgorithm: "Ed25519",
      };
      const m = await signManifest(w, req.orgId, unsigned);
      await w.tx.auditExport.create({
        data: {
          id: exportId,
          orgId: req.orgId,
          format,
          fileName,
          filters: filtersRecord,
          rowCount: facts.n,
          firstSeq: facts.first === null ? null : BigInt(facts.first),
          lastSeq: facts.last === null ? null : BigInt(facts.last),
          sha256: fileSha256,
          chainHash: facts.hash,
          exporterType: req.actor.type,
          exporterLabel: req.actor.label,
          manifest: JSON.parse(JSON.stringify(m)) as object,
        },
      });
      w.record({
        orgId: req.orgId,
        action: "audit.export.signed",
        targetType: "organization",
        targetId: req.orgId,
        after: { exportId, fileSha256, rowCount: facts.n, publicKeyId: m.publicKeyId },
      });
      return m;
    });
    resolveManifest(signed);
  }

  return {
    exportId,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    fileName,
    rowCount: facts.n,
    body: body(),
    manifest,
  };
}

/** A finished export's manifest; with `onlyProjectId`, only of an export of that project's events. */
export async function getExportManifest(orgId: string, exportId: string, onlyProjectId?: string): Promise<{ manifest: ExportManifest; fileName: string }> {
  const row = await getDb().auditExport.findFirst({ where: { id: exportId, orgId }, select: { manifest: true, fileName: true, filters: true } });
  const project = row && onlyProjectId ? await getDb().project.findFirst({ where: { id: onlyProjectId, orgId }, select: { slug: true } }) : null;
  if (row && onlyProjectId && (!project || (row.filters as { project?: string | null } | null)?.project !== project.slug)) {
    throw new AppError("NOT_FOUND", "No finished export of this key's project with this id (a manifest exists once the file was read to the end)");
  }
  if (!row) throw new AppError("NOT_FOUND", "No finished export with this id in this organization (a manifest exists once the file was read to the end)");
  return { manifest: row.manifest as unknown as ExportManifest, fileName: row.fileName };
}

export async function listExports(db: ReadDb, orgId: string, limit = 50) {
  return db.auditExport.findMany({
    where: { orgId },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
      id: true,
      format: true,
      fileName: true,
      filters: true,
      rowCount: true,
      firstSeq: true,
      lastSeq: true,
      sha256: true,
      exporterLabel: true,
      createdAt: true,
    },
  });
}
