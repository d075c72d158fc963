import "server-only";
// Changes to a dataset's items. Each call is one new dataset version (or, when it changes
// nothing, no version and no audit event). `addItems` is the one entry point for items coming
// from elsewhere: the form, the playground, and later evaluation results, reviews and traces.
import type { AuditedTx } from "../../audit/mutation";
import { AppError, notFound } from "../../errors";
import { MAX_ITEM_TAGS, type DatasetItemSource } from "../../contracts/datasets";
import { isProblem, prepareItem, type RawItem } from "./content";
import { validatorsFor } from "./schemas";
import { sql } from "../../db/sql";
import { closeRevisions, commitVersion, insertRevisions, LIVE, LIVE_SQL, lockDataset, newItemId, sqlOf, type NewRevision, type ProjectCtx } from "./store";

export type ItemSource = { type: DatasetItemSource; ref?: string | null };

/**
 * Adds items (all or none: the first invalid item refuses the whole call, naming it). `itemIds`
 * gives ids chosen by the caller (UUIDs it checked are unused, e.g. Langfuse's upsert by id);
 * by default each item gets a new one.
 */
export async function addItems(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { datasetId: string; items: RawItem[]; source: ItemSource; message?: string; itemIds?: string[] },
) {
  if (input.items.length === 0) throw new AppError("BAD_REQUEST", "Add at least one item", { field: "items" });
  const ds = await lockDataset(sqlOf(w), ctx, input.datasetId);
  const validators = validatorsFor(ds);
  const rows: NewRevision[] = [];
  input.items.forEach((raw, i) => {
    const item = prepareItem(raw, validators);
    if (isProblem(item)) {
      const which = input.items.length > 1 ? `Item ${i + 1}: ` : "";
      throw new AppError("BAD_REQUEST", `${which}${item.field} ${item.message}`, { field: input.items.length > 1 ? `items.${i}.${item.field}` : item.field });
    }
    rows.push({
      itemId: input.itemIds?.[i] ?? newItemId(),
      position: ds.nextPosition + i,
      item,
      sourceType: input.source.type,
      sourceRef: input.source.ref ?? null,
    });
  });
  await insertRevisions(sqlOf(w), ds.id, ds.nextVersion, rows);
  const version = await commitVersion(sqlOf(w), w.actor, ds, {
    kind: "add",
    message: input.message ?? "",
    added: rows.length,
    nextPosition: ds.nextPosition + rows.length,
    details: { source: input.source.type },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.items.added",
    targetType: "dataset",
    targetId: ds.id,
    after: {
      dataset: ds.name,
      version: version.version,
      count: rows.length,
      source: input.source,
      // Small additions carry their content; large ones are described by count.
      items: rows.length <= 20 ? rows.map((r) => ({ id: r.itemId, input: r.item.input, expected: r.item.expected, tags: r.item.tags })) : undefined,
    },
  });
  return { version: version.version, itemIds: rows.map((r) => r.itemId) };
}

type LiveRevision = {
  item_id: string;
  position: number;
  input: unknown;
  expected: unknown;
  metadata: unknown;
  tags: string[];
  source_type: DatasetItemSource;
  source_ref: string | null;
};

/** Replaces one item's content; a new revision, live from the new version. */
export async function updateItem(w: AuditedTx, ctx: ProjectCtx, input: { datasetId: string; itemId: string; content: RawItem; message?: string }) {
  const ds = await lockDataset(sqlOf(w), ctx, input.datasetId);
  const live = await w.tx.$queryRaw<LiveRevision[]>`
    SELECT item_id::text, position, input, expected, metadata, tags, source_type::text AS source_type, source_ref
    FROM dataset_item_revisions WHERE dataset_id = ${ds.id}::uuid AND item_id = ${input.itemId}::uuid AND valid_to = ${LIVE}`;
  const current = live[0];
  if (!current) throw notFound("Item (it may have been archived)");
  const item = prepareItem(input.content, validatorsFor(ds));
  if (isProblem(item)) throw new AppError("BAD_REQUEST", `${item.field} ${item.message}`, { field: item.field });
  const before = { input: current.input, expected: current.expected ?? null, metadata: current.metadata, tags: current.tags };
  const after = { input: item.input, expected: item.expected, metadata: item.metadata, tags: item.tags };
  if (JSON.stringify(sortKeys(before)) === JSON.stringify(sortKeys(after))) {
    w.unchanged();
    return { version: null, changed: false };
  }
  await closeRevisions(sqlOf(w), ds.id, ds.nextVersion, [current.item_id]);
  await insertRevisions(sqlOf(w), ds.id, ds.nextVersion, [
    { itemId: current.item_id, position: current.position, item, sourceType: current.source_type, sourceRef: current.source_ref },
  ]);
  const version = await commitVersion(sqlOf(w), w.actor, ds, { kind: "edit", message: input.message ?? "", changed: 1 });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.item.updated",
    targetType: "dataset",
    targetId: ds.id,
    before: { dataset: ds.name, item: current.item_id, ...before },
    after: { dataset: ds.name, item: current.item_id, version: version.version, ...after },
  });
  return { version: version.version, changed: true };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Archives items: they leave the new version and stay in the versions before it. */
export async function archiveItems(w: AuditedTx, ctx: ProjectCtx, input: { datasetId: string; itemIds: string[]; message?: string }) {
  const ds = await lockDataset(sqlOf(w), ctx, input.datasetId);
  const closed = await closeRevisions(sqlOf(w), ds.id, ds.nextVersion, [...new Set(input.itemIds)]);
  if (closed.length === 0) {
    w.unchanged();
    return { version: null, archived: 0 };
  }
  const version = await commitVersion(sqlOf(w), w.actor, ds, { kind: "archive", message: input.message ?? "", removed: closed.length });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.items.archived",
    targetType: "dataset",
    targetId: ds.id,
    after: { dataset: ds.name, version: version.version, count: closed.length, items: closed.slice(0, 100) },
  });
  return { version: version.version, archived: closed.length };
}

/** Adds and removes tags on items (e.g. moving them into the `test` split). */
export async function tagItems(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { datasetId: string; itemIds: string[]; add: string[]; remove: string[]; message?: string },
) {
  if (input.add.length === 0 && input.remove.length === 0) throw new AppError("BAD_REQUEST", "Name a tag to add or remove", { field: "add" });
  const ds = await lockDataset(sqlOf(w), ctx, input.datasetId);
  const v = ds.nextVersion;
  // Replace each live revision whose tags would change with a copy carrying the new tags.
  const rows = await w.tx.$queryRaw<{ item_id: string; tag_count: number }[]>(
    sql`WITH old AS (
       UPDATE dataset_item_revisions SET valid_to = ${v}::int
       WHERE dataset_id = ${ds.id}::uuid AND item_id = ANY(${[...new Set(input.itemIds)]}::uuid[]) AND valid_to = ${LIVE_SQL}
         AND NOT (tags @> ${input.add}::text[] AND NOT tags && ${input.remove}::text[])
       RETURNING *
     )
     INSERT INTO dataset_item_revisions (dataset_id, item_id, position, valid_from, input, expected, metadata, tags, source_type, source_ref, content_hash)
     SELECT dataset_id, item_id, position, ${v}::int, input, expected, metadata,
            ARRAY(SELECT t FROM unnest(old.tags || ${input.add}::text[]) WITH ORDINALITY AS x(t, i)
                  WHERE t <> ALL(${input.remove}::text[]) GROUP BY t ORDER BY min(i)),
            source_type, source_ref, content_hash
     FROM old
     RETURNING item_id::text, cardinality(tags) AS tag_count`,
  );
  if (rows.some((r) => r.tag_count > MAX_ITEM_TAGS)) throw new AppError("BAD_REQUEST", `An item may have at most ${MAX_ITEM_TAGS} tags`, { field: "add" });
  if (rows.length === 0) {
    w.unchanged();
    return { version: null, changed: 0 };
  }
  const version = await commitVersion(sqlOf(w), w.actor, ds, { kind: "tag", message: input.message ?? "", changed: rows.length });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.items.tagged",
    targetType: "dataset",
    targetId: ds.id,
    after: {
      dataset: ds.name,
      version: version.version,
      count: rows.length,
      add: input.add,
      remove: input.remove,
      items: rows.slice(0, 100).map((r) => r.item_id),
    },
  });
  return { version: version.version, changed: rows.length };
}
