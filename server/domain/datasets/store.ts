import "server-only";
// How dataset changes are written. Every change locks the dataset row (so versions are numbered
// 1..N without gaps, and concurrent changes apply one after the other), writes only the item
// revisions it touches with validFrom = the new version, closes the revisions it replaces by
// setting their validTo to the new version, and then records the version. Nothing is ever copied
// wholesale. The functions take a SqlExecutor, so the Prisma transaction of ordinary changes and
// the raw connection of a COPY import run the very same statements.
import type { AuditedTx } from "../../audit/mutation";
import { prismaExecutor, type SqlExecutor } from "../../audit/chain";
import type { Actor } from "../../audit/actor";
import type { DatasetChangeKind, DatasetItemSource } from "../../contracts/datasets";
import { AppError, notFound } from "../../errors";
import { uuidv7 } from "../../db/uuid";
import { empty, raw, sql } from "../../db/sql";
import type { PreparedItem } from "./content";

export type ProjectCtx = { orgId: string; projectId: string };

/** validTo of a revision that is still live. */
export const LIVE = 2_147_483_647;
/** LIVE as a literal in SQL (a constant, so partial indexes on valid_to = LIVE stay usable). */
export const LIVE_SQL = raw(String(LIVE));

export type LockedDataset = {
  id: string;
  name: string;
  /** The version this change will create. */
  nextVersion: number;
  nextPosition: number;
  /** Live items before this change. */
  itemCount: number;
  inputSchema: unknown;
  expectedSchema: unknown;
};

export const sqlOf = (w: AuditedTx): SqlExecutor => prismaExecutor(w.tx);

/** Locks the dataset for a change to its items; archived datasets are read-only. */
export async function lockDataset(db: SqlExecutor, ctx: ProjectCtx, datasetId: string): Promise<LockedDataset> {
  const rows = await db.query<{
    id: string;
    name: string;
    latest_version: number;
    next_position: number;
    input_schema: unknown;
    expected_schema: unknown;
    archived: boolean;
    item_count: number | null;
  }>(
    sql`SELECT d.id::text AS id, d.name, d.latest_version, d.next_position, d.input_schema, d.expected_schema, d.archived_at IS NOT NULL AS archived,
            (SELECT v.item_count FROM dataset_versions v WHERE v.dataset_id = d.id AND v.version = d.latest_version) AS item_count
     FROM datasets d WHERE d.id = ${datasetId}::uuid AND d.project_id = ${ctx.projectId}::uuid FOR UPDATE OF d`,
  );
  const row = rows[0];
  if (!row) throw notFound("Dataset");
  if (row.archived) throw new AppError("CONFLICT", `"${row.name}" is archived: restore it before changing its items`);
  return {
    id: row.id,
    name: row.name,
    nextVersion: row.latest_version + 1,
    nextPosition: row.next_position,
    itemCount: row.item_count ?? 0,
    inputSchema: row.input_schema,
    expectedSchema: row.expected_schema,
  };
}

export type NewRevision = {
  itemId: string;
  position: number;
  item: PreparedItem;
  sourceType: DatasetItemSource;
  sourceRef: string | null;
};

/** A new item id: UUIDv7, so new items land at the end of the item index. */
export const newItemId = () => uuidv7();

const TAG_SEPARATOR = "\u001f";

/** Inserts revisions live from `version` on, in one statement (unnest of column arrays). */
export async function insertRevisions(db: SqlExecutor, datasetId: string, version: number, rows: readonly NewRevision[]): Promise<void> {
  if (rows.length === 0) return;
  const n = rows.length;
  const cols = {
    itemIds: new Array<string>(n),
    positions: new Array<number>(n),
    inputs: new Array<string>(n),
    expecteds: new Array<string | null>(n),
    metadatas: new Array<string>(n),
    tags: new Array<string>(n),
    sources: new Array<string>(n),
    refs: new Array<string | null>(n),
    hashes: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    cols.itemIds[i] = row.itemId;
    cols.positions[i] = row.position;
    cols.inputs[i] = row.item.inputJson;
    cols.expecteds[i] = row.item.expectedJson;
    cols.metadatas[i] = row.item.metadataJson;
    cols.tags[i] = row.item.tags.join(TAG_SEPARATOR);
    cols.sources[i] = row.sourceType;
    cols.refs[i] = row.sourceRef;
    cols.hashes[i] = row.item.contentHash;
  }
  await db.query(
    sql`INSERT INTO dataset_item_revisions (dataset_id, item_id, position, valid_from, input, expected, metadata, tags, source_type, source_ref, content_hash)
     SELECT ${datasetId}::uuid, u.item_id, u.position, ${version}::int, u.input::jsonb, u.expected::jsonb, u.metadata::jsonb,
            string_to_array(u.tags, E'\\x1f'), u.source_type::"DatasetItemSource", u.source_ref, u.hash
     FROM unnest(${cols.itemIds}::uuid[], ${cols.positions}::int[], ${cols.inputs}::text[], ${cols.expecteds}::text[], ${cols.metadatas}::text[], ${cols.tags}::text[], ${cols.sources}::text[], ${cols.refs}::text[], ${cols.hashes}::text[])
       AS u(item_id, position, input, expected, metadata, tags, source_type, source_ref, hash)`,
  );
}

/** Closes the live revisions of these items at `version`; returns the ids that were live. */
export async function closeRevisions(db: SqlExecutor, datasetId: string, version: number, itemIds: readonly string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await db.query<{ item_id: string }>(
    sql`UPDATE dataset_item_revisions SET valid_to = ${version}
     WHERE dataset_id = ${datasetId}::uuid AND item_id = ANY(${itemIds}::uuid[]) AND valid_to = ${LIVE_SQL} RETURNING item_id::text`,
  );
  return rows.map((r) => r.item_id);
}

/** Records the version a change produced and advances the dataset's counters. */
export async function commitVersion(
  db: SqlExecutor,
  actor: Actor,
  ds: LockedDataset,
  change: {
    kind: DatasetChangeKind;
    message: string;
    added?: number;
    changed?: number;
    removed?: number;
    details?: Record<string, unknown>;
    nextPosition?: number;
    csvLayout?: unknown;
  },
): Promise<{ version: number; itemCount: number }> {
  const added = change.added ?? 0;
  const removed = change.removed ?? 0;
  const itemCount = ds.itemCount + added - removed;
  await db.query(
    sql`INSERT INTO dataset_versions (id, dataset_id, version, kind, message, item_count, added, changed, removed, details, author_type, author_id, author_label)
     VALUES (${uuidv7()}::uuid, ${ds.id}::uuid, ${ds.nextVersion}, ${change.kind}::"DatasetChangeKind", ${change.message}, ${itemCount}, ${added}, ${change.changed ?? 0}, ${removed}, ${JSON.stringify(change.details ?? {})}::jsonb, ${actor.type}::"ActorType", ${actor.id}, ${actor.label})`,
  );
  const csvColumns = change.csvLayout !== undefined ? sql`, csv_columns = ${JSON.stringify(change.csvLayout)}::jsonb` : empty;
  await db.query(
    sql`UPDATE datasets SET latest_version = ${ds.nextVersion}, next_position = ${change.nextPosition ?? ds.nextPosition}, updated_at = now()${csvColumns} WHERE id = ${ds.id}::uuid`,
  );
  return { version: ds.nextVersion, itemCount };
}
