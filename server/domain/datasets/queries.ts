import "server-only";
// Reading datasets: lists, versions, items as they were in any version (server-side pages,
// full-text search, tag and source filters), one item's history, diffs between versions, the
// splits (tags) of a version and which prompt variables the items do not provide.
import { readSql, type ReadDb } from "../../db/client";
import { empty, join, raw, sql, type Sql } from "../../db/sql";
import { AppError } from "../../errors";
import type { DatasetItemSource } from "../../contracts/datasets";
import { declarationsFor, missingVariablesMessage, resolveVariables, type VariableDeclarations } from "../../contracts/templates";

/** Live in version $v (the parameter number given). */
const liveAt = (version: number) => sql`valid_from <= ${version} AND valid_to > ${version}`;

export async function datasetByName(db: ReadDb, projectId: string, name: string) {
  const dataset = await db.dataset.findUnique({ where: { projectId_name: { projectId, name } } });
  if (!dataset) throw new AppError("NOT_FOUND", `No dataset named "${name}"`);
  return dataset;
}

/** The version to read: the one asked for (must exist) or the latest. */
export function resolveVersion(dataset: { name: string; latestVersion: number }, version: number | undefined): number {
  if (version === undefined) return dataset.latestVersion;
  if (version > dataset.latestVersion)
    throw new AppError("NOT_FOUND", `"${dataset.name}" has no version ${version} (latest: ${dataset.latestVersion})`, { field: "version" });
  return version;
}

export async function listDatasets(db: ReadDb, projectId: string, input: { search?: string; includeArchived?: boolean }) {
  const datasets = await db.dataset.findMany({
    where: {
      projectId,
      ...(input.includeArchived ? {} : { archivedAt: null }),
      ...(input.search
        ? {
            OR: [{ name: { contains: input.search, mode: "insensitive" as const } }, { description: { contains: input.search, mode: "insensitive" as const } }],
          }
        : {}),
    },
    orderBy: { name: "asc" },
    take: 500,
    select: { id: true, name: true, description: true, latestVersion: true, archivedAt: true, updatedAt: true, createdAt: true },
  });
  const latest = await db.datasetVersion.findMany({
    where: { OR: datasets.filter((d) => d.latestVersion > 0).map((d) => ({ datasetId: d.id, version: d.latestVersion })) },
    select: { datasetId: true, itemCount: true, createdAt: true },
  });
  const byId = new Map(latest.map((v) => [v.datasetId, v]));
  return datasets.map((d) => ({ ...d, itemCount: byId.get(d.id)?.itemCount ?? 0, lastChangeAt: byId.get(d.id)?.createdAt ?? d.createdAt }));
}

export async function getDataset(db: ReadDb, projectId: string, name: string) {
  const dataset = await datasetByName(db, projectId, name);
  const latest =
    dataset.latestVersion > 0
      ? await db.datasetVersion.findUnique({ where: { datasetId_version: { datasetId: dataset.id, version: dataset.latestVersion } } })
      : null;
  return { ...dataset, itemCount: latest?.itemCount ?? 0 };
}

export async function listVersions(db: ReadDb, datasetId: string, input: { before?: number; limit: number }) {
  const versions = await db.datasetVersion.findMany({
    where: { datasetId, ...(input.before ? { version: { lt: input.before } } : {}) },
    orderBy: { version: "desc" },
    take: input.limit + 1,
  });
  return { versions: versions.slice(0, input.limit), hasMore: versions.length > input.limit };
}

/** The words of a search (at most 12); each must appear in an item. */
export function searchWords(search: string): string[] {
  return search.match(/[^\s"]+/gu)?.slice(0, 12) ?? [];
}

export type ItemRow = {
  itemId: string;
  revisionId: string;
  position: number;
  validFrom: number;
  validTo: number | null;
  input: Record<string, unknown>;
  expected: unknown;
  metadata: Record<string, unknown>;
  tags: string[];
  sourceType: DatasetItemSource;
  sourceRef: string | null;
  createdAt: Date;
};

const ITEM_COLUMNS =
  raw(`item_id::text AS "itemId", item_id::text || ':' || valid_from AS "revisionId", position, valid_from AS "validFrom", NULLIF(valid_to, 2147483647) AS "validTo",
  input, expected, metadata, tags, source_type::text AS "sourceType", source_ref AS "sourceRef", created_at AS "createdAt"`);

export async function browseItems(
  db: ReadDb,
  dataset: { id: string; name: string; latestVersion: number },
  input: { version?: number; page: number; pageSize: number; search?: string; tag?: string; source?: DatasetItemSource },
) {
  const version = resolveVersion(dataset, input.version);
  const conditions: Sql[] = [sql`dataset_id = ${dataset.id}::uuid`, liveAt(version)];
  // Every word must appear in the input or expected output (case-insensitive). A scan of the
  // version's rows: imports stay fast without a full-text index (about 0.4 s at 100k items).
  for (const word of searchWords(input.search ?? "")) {
    conditions.push(sql`(input::text || ' ' || coalesce(expected::text, '')) ILIKE ${`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  }
  if (input.tag) conditions.push(sql`tags @> ${[input.tag]}::text[]`);
  if (input.source) conditions.push(sql`source_type = ${input.source}::"DatasetItemSource"`);
  const filtered = conditions.length > 2;
  const where = join(conditions, " AND ");
  const offset = (input.page - 1) * input.pageSize;
  const [items, total] = await Promise.all([
    version === 0
      ? Promise.resolve([] as ItemRow[])
      : filtered
        ? readSql<ItemRow>(
            db,
            sql`SELECT ${ITEM_COLUMNS} FROM dataset_item_revisions WHERE ${where} ORDER BY position LIMIT ${input.pageSize} OFFSET ${offset}`,
          )
        : // Unfiltered pages skip rows inside the primary key alone (an index-only scan: it holds
          // every column the version test reads), then fetch just the page's rows.
          readSql<ItemRow>(
            db,
            sql`WITH page AS (
               SELECT position, valid_to, valid_from FROM dataset_item_revisions
               WHERE dataset_id = ${dataset.id}::uuid AND ${liveAt(version)} ORDER BY position LIMIT ${input.pageSize} OFFSET ${offset}
             )
             SELECT ${ITEM_COLUMNS} FROM page JOIN dataset_item_revisions r USING (position, valid_to, valid_from)
             WHERE r.dataset_id = ${dataset.id}::uuid ORDER BY position`,
          ),
    version === 0
      ? Promise.resolve(0)
      : filtered
        ? readSql<{ n: bigint }>(db, sql`SELECT count(*) AS n FROM dataset_item_revisions WHERE ${where}`).then((r) => Number(r[0]?.n ?? 0))
        : db.datasetVersion
            .findUnique({ where: { datasetId_version: { datasetId: dataset.id, version } }, select: { itemCount: true } })
            .then((v) => v?.itemCount ?? 0),
  ]);
  return { version, items, total, page: input.page, pageSize: input.pageSize };
}

/** One item as it is in `version` (default: latest), with every revision it has had. */
export async function getItem(db: ReadDb, dataset: { id: string; name: string; latestVersion: number }, itemId: string, version?: number) {
  const revisions = await readSql<ItemRow>(
    db,
    sql`SELECT ${ITEM_COLUMNS} FROM dataset_item_revisions WHERE item_id = ${itemId}::uuid AND dataset_id = ${dataset.id}::uuid ORDER BY valid_from DESC`,
  );
  if (revisions.length === 0) throw new AppError("NOT_FOUND", "Item not found");
  const at = resolveVersion(dataset, version);
  const current = revisions.find((r) => r.validFrom <= at && (r.validTo === null || r.validTo > at)) ?? null;
  return { itemId, version: at, current, revisions };
}

export type DiffEntry = {
  itemId: string;
  position: number;
  kind: "added" | "removed" | "changed";
  before: Pick<ItemRow, "input" | "expected" | "metadata" | "tags"> | null;
  after: Pick<ItemRow, "input" | "expected" | "metadata" | "tags"> | null;
};

const diffCte = (datasetId: string, from: number, to: number) => sql`
  WITH a AS (
    SELECT item_id, position, valid_from, input, expected, metadata, tags, content_hash FROM dataset_item_revisions
    WHERE dataset_id = ${datasetId}::uuid AND valid_from <= ${from} AND valid_to > ${from} AND valid_to <= ${to}
  ), b AS (
    SELECT item_id, position, valid_from, input, expected, metadata, tags, content_hash FROM dataset_item_revisions
    WHERE dataset_id = ${datasetId}::uuid AND valid_from > ${from} AND valid_from <= ${to} AND valid_to > ${to}
  ), d AS (
    SELECT coalesce(a.item_id, b.item_id) AS item_id, coalesce(a.position, b.position) AS position,
      CASE WHEN a.item_id IS NULL THEN 'added' WHEN b.item_id IS NULL THEN 'removed' ELSE 'changed' END AS kind,
      a.input AS a_input, a.expected AS a_expected, a.metadata AS a_metadata, a.tags AS a_tags,
      b.input AS b_input, b.expected AS b_expected, b.metadata AS b_metadata, b.tags AS b_tags
    FROM a FULL JOIN b ON a.item_id = b.item_id
    WHERE a.item_id IS NULL OR b.item_id IS NULL OR a.content_hash <> b.content_hash OR a.metadata <> b.metadata OR a.tags <> b.tags
  )`;

/** What changed from version `from` to version `to`: added, removed and changed items. */
export async function diffVersions(
  db: ReadDb,
  dataset: { id: string; name: string; latestVersion: number },
  input: { from: number; to: number; page: number; pageSize: number; kind?: DiffEntry["kind"] },
) {
  resolveVersion(dataset, input.from);
  resolveVersion(dataset, input.to);
  if (input.from >= input.to) throw new AppError("BAD_REQUEST", "Compare an older version (from) with a newer one (to)", { field: "from" });
  const kindFilter = input.kind ? sql`WHERE kind = ${input.kind}` : empty;
  const cte = diffCte(dataset.id, input.from, input.to);
  const [rows, counts] = await Promise.all([
    readSql<{
      item_id: string;
      position: number;
      kind: DiffEntry["kind"];
      a_input: Record<string, unknown> | null;
      a_expected: unknown;
      a_metadata: Record<string, unknown> | null;
      a_tags: string[] | null;
      b_input: Record<string, unknown> | null;
      b_expected: unknown;
      b_metadata: Record<string, unknown> | null;
      b_tags: string[] | null;
    }>(db, sql`${cte} SELECT * FROM d ${kindFilter} ORDER BY position LIMIT ${input.pageSize} OFFSET ${(input.page - 1) * input.pageSize}`),
    readSql<{ kind: DiffEntry["kind"]; n: bigint }>(db, sql`${cte} SELECT kind, count(*) AS n FROM d GROUP BY kind`),
  ]);
  const summary = { added: 0, removed: 0, changed: 0 };
  for (const c of counts) summary[c.kind] = Number(c.n);
  const entries: DiffEntry[] = rows.map((r) => ({
    itemId: r.item_id,
    position: r.position,
    kind: r.kind,
    before: r.kind === "added" ? null : { input: r.a_input ?? {}, expected: r.a_expected ?? null, metadata: r.a_metadata ?? {}, tags: r.a_tags ?? [] },
    after: r.kind === "removed" ? null : { input: r.b_input ?? {}, expected: r.b_expected ?? null, metadata: r.b_metadata ?? {}, tags: r.b_tags ?? [] },
  }));
  const total = input.kind ? summary[input.kind] : summary.added + summary.removed + summary.changed;
  return { from: input.from, to: input.to, summary, entries, total, page: input.page, pageSize: input.pageSize };
}

/** The splits of a version: each tag with its number of items. */
export async function versionTags(db: ReadDb, dataset: { id: string; name: string; latestVersion: number }, version?: number) {
  const at = resolveVersion(dataset, version);
  if (at === 0) return [];
  const rows = await readSql<{ tag: string; n: bigint }>(
    db,
    sql`SELECT t AS tag, count(*) AS n FROM dataset_item_revisions, unnest(tags) AS t
     WHERE dataset_id = ${dataset.id}::uuid AND ${liveAt(at)} GROUP BY t ORDER BY count(*) DESC, t LIMIT 200`,
  );
  return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
}

/**
 * The pre-run check: what an evaluation of this dataset version with this prompt version would do
 * to each item, by the one rendering rule (contracts/templates.ts renderPrompt): for each
 * variable, how many items lack it (and whether the version's default covers them), and the
 * items that will fail with "Missing variables: …". Items are grouped by which variables their
 * input has, and each group is judged by resolveVariables itself, so this cannot disagree with
 * the worker.
 */
export async function variableCoverage(
  db: ReadDb,
  dataset: { id: string; name: string; latestVersion: number },
  variables: string[],
  declarations: VariableDeclarations,
  version?: number,
) {
  const at = resolveVersion(dataset, version);
  const declared = declarationsFor(variables, declarations);
  const rows =
    at === 0 || variables.length === 0
      ? []
      : await readSql<{ present: boolean[]; n: bigint; example: string }>(
          db,
          sql`SELECT (SELECT array_agg(r.input ? v.name ORDER BY v.ord) FROM unnest(${variables}::text[]) WITH ORDINALITY AS v(name, ord)) AS present,
                  count(*) AS n, (array_agg(r.item_id::text ORDER BY r.position))[1] AS example
           FROM dataset_item_revisions r
           WHERE r.dataset_id = ${dataset.id}::uuid AND r.valid_from <= ${at} AND r.valid_to > ${at}
           GROUP BY 1`,
        );
  const perVariable = new Map(variables.map((name) => [name, { missing: 0, example: null as string | null }]));
  const failures = new Map<string, { error: string; missing: string[]; items: number; example: string }>();
  let total = 0;
  let failing = 0;
  let usingDefaults = 0;
  for (const row of rows) {
    const n = Number(row.n);
    total += n;
    // The item's input as the worker sees it: only which keys are there matters to the rule.
    const values = Object.fromEntries(variables.filter((_, i) => row.present[i]).map((name) => [name, ""]));
    const resolution = resolveVariables(variables, declared, values);
    variables.forEach((name, i) => {
      if (row.present[i]) return;
      const v = perVariable.get(name)!;
      v.missing += n;
      v.example ??= row.example;
    });
    if (resolution.missing.length) {
      failing += n;
      const error = missingVariablesMessage(resolution.missing);
      const f = failures.get(error) ?? { error, missing: resolution.missing, items: 0, example: row.example };
      f.items += n;
      failures.set(error, f);
    } else if (resolution.defaulted.length) usingDefaults += n;
  }
  return {
    version: at,
    total,
    /** Items that will fail (no value and no default for some variable). */
    failing,
    /** Items that render only thanks to a declared default. */
    usingDefaults,
    /** The failures by message, most items first ("Missing variables: tone"). */
    failures: [...failures.values()].sort((a, b) => b.items - a.items || a.error.localeCompare(b.error)),
    variables: variables.map((name) => {
      const v = perVariable.get(name)!;
      return { name, missing: v.missing, example: v.example, default: declared[name]!.default, description: declared[name]!.description };
    }),
  };
}

/** Keys the items of a version use in their input (for the CSV export's columns and the UI). */
export async function inputKeys(db: ReadDb, datasetId: string, version: number): Promise<string[]> {
  const rows = await readSql<{ key: string }>(
    db,
    sql`SELECT key FROM (
       SELECT k AS key, min(position) AS first FROM dataset_item_revisions, jsonb_object_keys(input) AS k
       WHERE dataset_id = ${datasetId}::uuid AND ${liveAt(version)} GROUP BY k
     ) keys ORDER BY first, key LIMIT 500`,
  );
  return rows.map((r) => r.key);
}
