import "server-only";
// Bulk edits of the items' input fields: add a field with a default value, rename a field, drop a
// field — on every live item or on a selection. Each call is one new dataset version (kind
// "bulk") and one audit event describing the operation and its counts, in one transaction: a
// single item the change would break (its JSON Schema, size or key limits) refuses the whole
// call, naming the item. A call that would change nothing makes no version and no event.
// Items are read and rewritten a page at a time (by position), never all at once.
import type { AuditedTx } from "../../audit/mutation";
import { AppError } from "../../errors";
import { readSql, type ReadDb } from "../../db/client";
import { sql } from "../../db/sql";
import { MAX_BULK_EDIT_ITEMS, type BulkEditResult, type BulkFieldOperation } from "../../contracts/datasets";
import { isProblem, prepareItem } from "./content";
import { validatorsFor } from "./schemas";
import { resolveVersion } from "./queries";
import { closeRevisions, commitVersion, insertRevisions, LIVE_SQL, lockDataset, sqlOf, type NewRevision, type ProjectCtx } from "./store";
import type { DatasetItemSource } from "../../contracts/datasets";

const PAGE = 2_000;

type LiveRow = {
  item_id: string;
  position: number;
  input: Record<string, unknown>;
  expected: unknown;
  metadata: unknown;
  tags: string[];
  source_type: DatasetItemSource;
  source_ref: string | null;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The new input of one item, or null when the operation leaves it as it is. */
function applyOperation(op: BulkFieldOperation, input: Record<string, unknown>): Record<string, unknown> | null {
  switch (op.op) {
    case "addField":
      if (Object.hasOwn(input, op.field) && (!op.overwrite || JSON.stringify(input[op.field]) === JSON.stringify(op.value))) return null;
      return { ...input, [op.field]: op.value };
    case "renameField": {
      if (!Object.hasOwn(input, op.from)) return null;
      // Keeps the key's place among the others.
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [k === op.from ? op.to : k, v]));
    }
    case "dropField": {
      if (!Object.hasOwn(input, op.field)) return null;
      const next = { ...input };
      delete next[op.field];
      return next;
    }
  }
}

function describe(op: BulkFieldOperation) {
  switch (op.op) {
    case "addField": {
      const json = JSON.stringify(op.value) ?? "null";
      return { operation: op.op, field: op.field, overwrite: op.overwrite, value: json.length <= 1_000 ? op.value : undefined, valueBytes: json.length };
    }
    case "renameField":
      return { operation: op.op, from: op.from, to: op.to };
    case "dropField":
      return { operation: op.op, field: op.field };
  }
}

export async function bulkEditItems(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { datasetId: string; operation: BulkFieldOperation; itemIds?: string[]; message?: string },
): Promise<BulkEditResult> {
  const op = input.operation;
  const ds = await lockDataset(sqlOf(w), ctx, input.datasetId);
  const selection = input.itemIds ? [...new Set(input.itemIds)] : null;
  // An empty list means every item.
  const scope = sql`AND (cardinality(${selection ?? []}::uuid[]) = 0 OR item_id = ANY(${selection ?? []}::uuid[]))`;
  const probe = op.op === "renameField" ? [op.from, op.to] : [op.field, op.field];
  const [counts] = await w.tx.$queryRaw<{ total: bigint; has_a: bigint; has_b: bigint; has_b_anywhere: bigint }[]>(
    sql`SELECT count(*) FILTER (WHERE TRUE ${scope}) AS total,
            count(*) FILTER (WHERE input ? ${probe[0]}::text ${scope}) AS has_a,
            count(*) FILTER (WHERE input ? ${probe[1]}::text ${scope}) AS has_b,
            count(*) FILTER (WHERE input ? ${probe[1]}::text) AS has_b_anywhere
     FROM dataset_item_revisions WHERE dataset_id = ${ds.id}::uuid AND valid_to = ${LIVE_SQL}`,
  );
  const total = Number(counts!.total);
  const hasA = Number(counts!.has_a);
  if (selection && total < selection.length) {
    throw new AppError(
      "BAD_REQUEST",
      `${plural(selection.length - total, "selected item is", "selected items are")} not in the latest version of "${ds.name}" (archived or unknown); reload and select again`,
      { field: "itemIds" },
    );
  }
  if (total === 0) throw new AppError("BAD_REQUEST", `"${ds.name}" has no items to edit`);
  if (total > MAX_BULK_EDIT_ITEMS) {
    throw new AppError(
      "BAD_REQUEST",
      `A bulk edit changes at most ${MAX_BULK_EDIT_ITEMS.toLocaleString("en-US")} items and "${ds.name}" has ${total.toLocaleString("en-US")}: export it, edit the file and import it with "Replace"`,
    );
  }
  const where = selection ? "the selected items" : `"${ds.name}"`;
  if (op.op === "renameField") {
    if (op.from === op.to) throw new AppError("BAD_REQUEST", "The new name is the same as the old one", { field: "to" });
    if (hasA === 0) throw new AppError("BAD_REQUEST", `No item of ${where} has a field "${op.from}"`, { field: "from" });
    // Renaming onto a field that exists anywhere would mix two meanings under one name.
    const clash = Number(counts!.has_b_anywhere);
    if (clash > 0)
      throw new AppError("BAD_REQUEST", `${plural(clash, "item already has", "items already have")} a field "${op.to}": drop or rename it first`, {
        field: "to",
      });
  }
  if (op.op === "dropField" && hasA === 0) throw new AppError("BAD_REQUEST", `No item of ${where} has a field "${op.field}"`, { field: "field" });

  const validators = validatorsFor(ds);
  let changed = 0;
  let after = 0;
  for (;;) {
    const page = await w.tx.$queryRaw<LiveRow[]>(
      sql`SELECT item_id::text, position, input, expected, metadata, tags, source_type::text AS source_type, source_ref
       FROM dataset_item_revisions WHERE dataset_id = ${ds.id}::uuid AND valid_to = ${LIVE_SQL} AND position > ${after} ${scope}
       ORDER BY position LIMIT ${PAGE}`,
    );
    const rows: NewRevision[] = [];
    for (const row of page) {
      const nextInput = applyOperation(op, row.input);
      if (!nextInput) continue;
      const item = prepareItem({ input: nextInput, expected: row.expected ?? undefined, metadata: row.metadata, tags: row.tags }, validators);
      if (isProblem(item)) {
        throw new AppError("BAD_REQUEST", `Item #${row.position} (${row.item_id}) would break: ${item.field} ${item.message}; nothing was changed`, {
          field: op.op === "renameField" ? "to" : "field",
        });
      }
      rows.push({ itemId: row.item_id, position: row.position, item, sourceType: row.source_type, sourceRef: row.source_ref });
    }
    await closeRevisions(
      sqlOf(w),
      ds.id,
      ds.nextVersion,
      rows.map((r) => r.itemId),
    );
    await insertRevisions(sqlOf(w), ds.id, ds.nextVersion, rows);
    changed += rows.length;
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const scopeName = selection ? "selection" : "all";
  if (changed === 0) {
    // e.g. adding a field every item already has: nothing to version.
    w.unchanged();
    return { version: null, changed: 0, unchanged: total, scope: scopeName };
  }
  const details = { ...describe(op), scope: scopeName, inScope: total, unchanged: total - changed };
  const version = await commitVersion(sqlOf(w), w.actor, ds, { kind: "bulk", message: input.message ?? "", changed, details });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.items.bulk_edited",
    targetType: "dataset",
    targetId: ds.id,
    after: { dataset: ds.name, version: version.version, ...details, changed, items: selection ? selection.slice(0, 100) : undefined },
  });
  return { version: version.version, changed, unchanged: total - changed, scope: scopeName };
}

/** The input fields of a version's items, each with how many items have it (what bulk edit dialogs preview). */
export async function fieldCounts(db: ReadDb, dataset: { id: string; name: string; latestVersion: number }, version?: number) {
  const at = resolveVersion(dataset, version);
  if (at === 0) return { version: 0, total: 0, fields: [] as { name: string; count: number }[] };
  const [rows, totals] = await Promise.all([
    readSql<{ key: string; n: bigint }>(
      db,
      sql`SELECT k AS key, count(*) AS n FROM dataset_item_revisions, jsonb_object_keys(input) AS k
       WHERE dataset_id = ${dataset.id}::uuid AND valid_from <= ${at} AND valid_to > ${at} GROUP BY k ORDER BY min(position), k LIMIT 500`,
    ),
    readSql<{ n: bigint }>(
      db,
      sql`SELECT count(*) AS n FROM dataset_item_revisions WHERE dataset_id = ${dataset.id}::uuid AND valid_from <= ${at} AND valid_to > ${at}`,
    ),
  ]);
  return { version: at, total: Number(totals[0]?.n ?? 0), fields: rows.map((r) => ({ name: r.key, count: Number(r.n) })) };
}
