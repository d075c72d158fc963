import "server-only";
// How dataset changes are written. Every change locks the dataset row (so versions are numbered
// 1..N without gaps, and concurrent changes apply one after the other), writes only the item
// revisions it touches with validFrom = the new version, closes the revisions it replaces with
// validTo = the new version, and then records the version. Nothing is ever copied wholesale.
import type { AuditedTx } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import type { DatasetChangeKind, DatasetItemSource } from "../../contracts/datasets";
import { AppError, notFound } from "../../errors";
import type { PreparedItem } from "./content";

export type ProjectCtx = { orgId: string; projectId: string };

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

/** Locks the dataset for a change to its items; archived datasets are read-only. */
export async function lockDataset(w: AuditedTx, ctx: ProjectCtx, datasetId: string): Promise<LockedDataset> {
  const rows = await w.tx.$queryRaw<
    { id: string; name: string; latest_version: number; next_position: number; input_schema: unknown; expected_schema: unknown; archived: boolean }[]
  >`SELECT id, name, latest_version, next_position, input_schema, expected_schema, archived_at IS NOT NULL AS archived
    FROM datasets WHERE id = ${datasetId}::uuid AND project_id = ${ctx.projectId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw notFound("Dataset");
  if (row.archived) throw new AppError("CONFLICT", `"${row.name}" is archived: restore it before changing its items`);
  const latest = await w.tx.datasetVersion.findUnique({ where: { datasetId_version: { datasetId, version: row.latest_version } }, select: { itemCount: true } });
  return {
    id: row.id,
    name: row.name,
    nextVersion: row.latest_version + 1,
    nextPosition: row.next_position,
    itemCount: latest?.itemCount ?? 0,
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

const TAG_SEPARATOR = "\u001f";

/** Inserts revisions live from `version` on, in one statement (unnest of column arrays). */
export async function insertRevisions(w: AuditedTx, datasetId: string, version: number, rows: readonly NewRevision[]): Promise<void> {
  if (rows.length === 0) return;
  const n = rows.length;
  const itemIds = new Array<string>(n);
  const positions = new Array<number>(n);
  const inputs = new Array<string>(n);
  const expecteds = new Array<string | null>(n);
  const metadatas = new Array<string>(n);
  const tags = new Array<string>(n);
  const sources = new Array<string>(n);
  const refs = new Array<string | null>(n);
  const hashes = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    itemIds[i] = row.itemId;
    positions[i] = row.position;
    inputs[i] = row.item.inputJson;
    expecteds[i] = row.item.expectedJson;
    metadatas[i] = row.item.metadataJson;
    tags[i] = row.item.tags.join(TAG_SEPARATOR);
    sources[i] = row.sourceType;
    refs[i] = row.sourceRef;
    hashes[i] = row.item.contentHash;
  }
  await w.tx.$executeRawUnsafe(
    `INSERT INTO dataset_item_revisions (dataset_id, item_id, position, valid_from, input, expected, metadata, tags, source_type, source_ref, content_hash)
     SELECT $1::uuid, u.item_id, u.position, $2::int, u.input::jsonb, u.expected::jsonb, u.metadata::jsonb,
            string_to_array(u.tags, E'\\x1f'), u.source_type::"DatasetItemSource", u.source_ref, u.hash
     FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS u(item_id, position, input, expected, metadata, tags, source_type, source_ref, hash)`,
    datasetId,
    version,
    itemIds,
    positions,
    inputs,
    expecteds,
    metadatas,
    tags,
    sources,
    refs,
    hashes,
  );
}

/** Closes the live revisions of these items at `version`; returns the ids that were live. */
export async function closeRevisions(w: AuditedTx, datasetId: string, version: number, itemIds: readonly string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await w.tx.$queryRawUnsafe<{ item_id: string }[]>(
    `UPDATE dataset_item_revisions SET valid_to = $2
     WHERE dataset_id = $1::uuid AND item_id = ANY($3::uuid[]) AND valid_to IS NULL RETURNING item_id::text`,
    datasetId,
    version,
    itemIds,
  );
  return rows.map((r) => r.item_id);
}

function author(actor: Actor) {
  return { authorType: actor.type, authorId: actor.id, authorLabel: actor.label };
}

/** Records the version a change produced and advances the dataset's counters. */
export async function commitVersion(
  w: AuditedTx,
  ds: LockedDataset,
  change: { kind: DatasetChangeKind; message: string; added?: number; changed?: number; removed?: number; details?: Record<string, unknown>; nextPosition?: number },
) {
  const added = change.added ?? 0;
  const removed = change.removed ?? 0;
  const version = await w.tx.datasetVersion.create({
    data: {
      datasetId: ds.id,
      version: ds.nextVersion,
      kind: change.kind,
      message: change.message,
      itemCount: ds.itemCount + added - removed,
      added,
      changed: change.changed ?? 0,
      removed,
      details: (change.details ?? {}) as object,
      ...author(w.actor),
    },
  });
  await w.tx.dataset.update({ where: { id: ds.id }, data: { latestVersion: ds.nextVersion, nextPosition: change.nextPosition ?? ds.nextPosition } });
  return version;
}
