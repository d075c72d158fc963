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
import type { PreparedItem } from "./content";

export type ProjectCtx = { orgId: string; projectId: string };

/** validTo of a revision that is still live. */
export const LIVE = 2_147_483_647;

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
export async function lockDataset(sql: SqlExecutor, ctx: ProjectCtx, datasetId: string): Promise<LockedDataset> {
  const rows = await sql.query<{ id: string; name: string; latest_version: number; next_position: number; input_schema: unknown; expected_schema: unknown; archived: boolean; item_count: number | null }>(
    `SELECT d.id::text AS id, d.name, d.latest_version, d.next_position, d.input_schema, d.expected_schema, d.archived_at IS NOT NULL AS archived,
            (SELECT v.item_count FROM dataset_versions v WHERE v.dataset_id = d.id AND v.version = d.latest_version) AS item_count
     FROM datasets d WHERE d.id = $1::uuid AND d.project_id = $2::uuid FOR UPDATE OF d`,
    [datasetId, ctx.projectId],
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
export async function insertRevisions(sql: SqlExecutor, datasetId: string, version: number, rows: readonly NewRevision[]): Promise<void> {
  if (rows.length === 0) return;
  const n = rows.length;
  const cols = { itemIds: new Array<string>(n), positions: new Array<number>(n), inputs: new Array<string>(n), expecteds: new Array<string | null>(n), metadatas: new Array<string>(n), tags: new Array<string>(n), sources: new Array<string>(n), refs: new Array<string | null>(n), hashes: new Array<string>(n) };
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
  await sql.query(
    `INSERT INTO dataset_item_revisions (dataset_id, item_id, position, valid_from, input, expected, metadata, tags, source_type, source_ref, content_hash)
     SELECT $1::uuid, u.item_id, u.position, $2::int, u.input::jsonb, u.expected::jsonb, u.metadata::jsonb,
            string_to_array(u.tags, E'\\x1f'), u.source_type::"DatasetItemSource", u.source_ref, u.hash
     FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS u(item_id, position, input, expected, metadata, tags, source_type, source_ref, hash)`,
    [datasetId, version, cols.itemIds, cols.positions, cols.inputs, cols.expecteds, cols.metadatas, cols.tags, cols.sources, cols.refs, cols.hashes],
  );
}

/** Closes the live revisions of these items at `version`; returns the ids that were live. */
export async function closeRevisions(sql: SqlExecutor, datasetId: string, version: number, itemIds: readonly string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await sql.query<{ item_id: string }>(
    `UPDATE dataset_item_revisions SET valid_to = $2
     WHERE dataset_id = $1::uuid AND item_id = ANY($3::uuid[]) AND valid_to = ${LIVE} RETURNING item_id::text`,
    [datasetId, version, itemIds],
  );
  return rows.map((r) => r.item_id);
}

/** Records the version a change produced and advances the dataset's counters. */
export async function commitVersion(
  sql: SqlExecutor,
  actor: Actor,
  ds: LockedDataset,
  change: { kind: DatasetChangeKind; message: string; added?: number; changed?: number; removed?: number; details?: Record<string, unknown>; nextPosition?: number; csvLayout?: unknown },
): Promise<{ version: number; itemCount: number }> {
  const added = change.added ?? 0;
  const removed = change.removed ?? 0;
  const itemCount = ds.itemCount + added - removed;
  await sql.query(
    `INSERT INTO dataset_versions (id, dataset_id, version, kind, message, item_count, added, changed, removed, details, author_type, author_id, author_label)
     VALUES ($1::uuid, $2::uuid, $3, $4::"DatasetChangeKind", $5, $6, $7, $8, $9, $10::jsonb, $11::"ActorType", $12, $13)`,
    [uuidv7(), ds.id, ds.nextVersion, change.kind, change.message, itemCount, added, change.changed ?? 0, removed, JSON.stringify(change.details ?? {}), actor.type, actor.id, actor.label],
  );
  await sql.query(
    `UPDATE datasets SET latest_version = $2, next_position = $3, updated_at = now()${change.csvLayout !== undefined ? ", csv_columns = $4::jsonb" : ""} WHERE id = $1::uuid`,
    change.csvLayout !== undefined ? [ds.id, ds.nextVersion, change.nextPosition ?? ds.nextPosition, JSON.stringify(change.csvLayout)] : [ds.id, ds.nextVersion, change.nextPosition ?? ds.nextPosition],
  );
  return { version: ds.nextVersion, itemCount };
}
