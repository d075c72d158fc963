import "server-only";
// Importing a file into a dataset: one new version, all or nothing. Rows are read as they
// arrive (never the whole file in memory), mapped to item fields, validated and written in
// batches inside the change's transaction; if any row has a problem, the report names every
// problem (up to MAX_REPORTED_PROBLEMS, all counted) and the transaction rolls back. Rows whose
// input and expected output equal a live item's (or an earlier row's) are skipped unless asked,
// so importing the same file twice adds nothing the second time.
//
// Modes: append (the above); upsert (rows are matched to live items by a key — the item id, or an
// input or metadata field; matched items with other content get a new revision, equal ones stay,
// the rest are added); replace (the new version holds exactly the file's items: live items equal
// to a row keep their id and place, the others leave the version). Upsert and replace stream the
// rows into a temporary table with COPY first and then apply them with a few set-based statements.
import { from as copyFrom } from "pg-copy-streams";
import type { SqlAuditedTx } from "../../../audit/mutation";
import { AppError } from "../../../errors";
import {
  MAX_REPORTED_PROBLEMS,
  suggestTarget,
  type ColumnMapping,
  type ImportOptions,
  type ImportProblem,
  type ImportReport,
  type ImportResult,
  type MappingTarget,
} from "../../../contracts/datasets";
import { isProblem, prepareItem, type ItemProblem, type PreparedItem, type RawItem } from "../content";
import { validatorsFor } from "../schemas";
import { commitVersion, LIVE_SQL, lockDataset, newItemId, type LockedDataset, type ProjectCtx } from "../store";
import type { SqlExecutor } from "../../../audit/chain";
import { ImportAbort, readRecords, type ReadStats, type SourceRecord } from "./records";
import { raw, sql, type Sql } from "../../../db/sql";

/** An import refused for problems in the file: nothing was written. Carries the report. */
export class ImportFailedError extends AppError {
  constructor(readonly report: ImportReport) {
    super("BAD_REQUEST", report.message);
  }
}

/** How a dataset's CSV files look: written by CSV imports, read by CSV exports. */
export type CsvLayout = { delimiter: string; eol: "\n" | "\r\n"; columns: ColumnMapping };

export type ImportProgress = { bytes: number; rows: number };

const PROGRESS_EVERY_MS = 200;

function parseJsonText(value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof value !== "string") return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Builds the function that turns a record's values into item content. Keys without an explicit
 * target get the suggested one; CSV values are text, so an empty cell means "no value" for the
 * expected output and an empty text for input keys.
 */
export function compileMapping(
  mapping: ColumnMapping | undefined,
  format: ImportOptions["format"],
): (values: Record<string, unknown>) => RawItem | ItemProblem {
  const explicit = new Map<string, MappingTarget>((mapping ?? []).map((m) => [m.column, m.target]));
  const targetOf = (key: string) => {
    let target = explicit.get(key);
    if (target === undefined) {
      target = mapping && format === "csv" ? "ignore" : suggestTarget(key);
      explicit.set(key, target);
    }
    return target;
  };
  // Keys are visited in the order of their targets, so input and metadata objects are built with
  // sorted keys: their JSON is then already canonical and hashing needs no second serialisation.
  // CSV records all share the header's keys: that order is worked out once.
  const byTarget = (a: [string, MappingTarget], b: [string, MappingTarget]) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  let csvPlan: [string, MappingTarget][] | null = null;
  return (values) => {
    const input: Record<string, unknown> = {};
    const metadata: Record<string, unknown> = {};
    let expected: unknown = undefined;
    let tags: string[] = [];
    const plan =
      format === "csv"
        ? (csvPlan ??= Object.keys(values)
            .map((k): [string, MappingTarget] => [k, targetOf(k)])
            .sort(byTarget))
        : Object.keys(values)
            .map((k): [string, MappingTarget] => [k, targetOf(k)])
            .sort(byTarget);
    for (let i = 0; i < plan.length; i++) {
      const [key, target] = plan[i]!;
      const value = values[key];
      if (value === undefined) continue;
      if (target === "ignore") continue;
      if (target === "expected") {
        expected = format === "csv" && value === "" ? undefined : value;
      } else if (target === "expected:json") {
        if (format === "csv" && value === "") continue;
        const parsed = parseJsonText(value);
        if (!parsed.ok) return { field: "expected", message: `(column "${key}") is not valid JSON` };
        expected = parsed.value;
      } else if (target === "tags") {
        if (Array.isArray(value)) tags = tags.concat(value.map(String));
        else if (typeof value === "string")
          tags = tags.concat(
            value
              .split(/[,;]/)
              .map((t) => t.trim())
              .filter(Boolean),
          );
        else if (value !== null) return { field: "tags", message: `(column "${key}") must be a list or text separated by commas` };
      } else if (target === "input" || target === "metadata") {
        if (format === "csv" && value === "") continue;
        const parsed = parseJsonText(value);
        if (!parsed.ok || !isObject(parsed.value)) return { field: target, message: `(column "${key}") must be a JSON object` };
        Object.assign(target === "input" ? input : metadata, parsed.value);
      } else if (target.charCodeAt(0) === 105 /* i */) {
        input[target.slice(6)] = value;
      } else {
        metadata[target.slice(9)] = value;
      }
    }
    return { input, expected, metadata, tags };
  };
}

function describeRow(record: SourceRecord): string {
  return record.line !== null ? `Row ${record.row} (line ${record.line})` : `Row ${record.row}`;
}

const COPY_SQL = `COPY dataset_item_revisions (dataset_id, item_id, position, valid_from, input, expected, metadata, tags, source_type, source_ref, content_hash) FROM STDIN`;

const STAGE = "keel_import_stage";
/** The staging table's name in SQL (a constant). */
const STAGE_SQL = raw(STAGE);
const STAGE_COPY_SQL = `COPY ${STAGE} (row_no, line, key, item_id, input, expected, metadata, tags, content_hash) FROM STDIN`;

/** The text an upsert key is compared as: text as is, numbers and booleans as written; anything else has none. */
function keyText(value: unknown): string | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** The same text, from a live item (SQL): `key` is id, input.<field> or metadata.<field>; $2 is the field. */
function liveKeySql(key: string): Sql {
  if (key === "id") return sql`l.item_id::text`;
  // The column comes from this fixed pair, never from the key's text.
  const column = raw(key.startsWith("input.") ? "l.input" : "l.metadata");
  const field = key.slice(key.indexOf(".") + 1);
  return sql`(CASE jsonb_typeof(${column} -> ${field}::text) WHEN 'string' THEN ${column} ->> ${field}::text WHEN 'number' THEN (${column} -> ${field}::text)::text WHEN 'boolean' THEN (${column} -> ${field}::text)::text END)`;
}

/** A value in COPY's text format: backslashes doubled, tabs and line breaks escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : value;
}

/** JSON text never holds raw tabs or line breaks (JSON escapes them), only backslashes to double. */
function copyJson(json: string): string {
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}

/** An item's input, expected, metadata and tags columns in COPY's text format (tags are validated names: no quoting needed). */
function itemColumns(item: PreparedItem): string {
  const tags = item.tags.length ? `{${item.tags.map((t) => `"${t}"`).join(",")}}` : "{}";
  return `${copyJson(item.inputJson)}\t${item.expectedJson === null ? "\\N" : copyJson(item.expectedJson)}\t${copyJson(item.metadataJson)}\t${tags}`;
}

export async function importItems(
  w: SqlAuditedTx,
  ctx: ProjectCtx,
  input: {
    datasetId: string;
    body: AsyncIterable<Uint8Array>;
    options: ImportOptions;
    maxBytes: number;
    onProgress?: (progress: ImportProgress) => void;
  },
): Promise<ImportResult> {
  const { options } = input;
  const mode = options.mode ?? "append";
  const key = mode === "upsert" ? options.key : undefined;
  if (mode === "upsert" && !key) throw new AppError("BAD_REQUEST", "key is required to upsert (id, input.<field> or metadata.<field>)", { field: "key" });
  const ds = await lockDataset(w.sql, ctx, input.datasetId);
  const validators = validatorsFor(ds);
  const staged = mode !== "append";
  if (staged)
    await w.sql.query(
      sql`CREATE TEMP TABLE ${STAGE_SQL} (row_no int, line int, key text, item_id uuid, input jsonb, expected jsonb, metadata jsonb, tags text[], content_hash text) ON COMMIT DROP`,
    );

  // Content hashes of the live items: rows equal to one of them are duplicates (append only; a
  // replace skips rows equal to an earlier row; an upsert goes by its key).
  const known = new Set<string>();
  if (mode === "append" && !options.allowDuplicates && ds.itemCount > 0) {
    const rows = await w.sql.query<{ content_hash: string }>(
      sql`SELECT content_hash FROM dataset_item_revisions WHERE dataset_id = ${ds.id}::uuid AND valid_to = ${LIVE_SQL}`,
    );
    for (const r of rows) known.add(r.content_hash);
  }

  const problems: ImportProblem[] = [];
  let problemCount = 0;
  const onProblem = (problem: ImportProblem) => {
    problemCount++;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(problem);
  };

  const stats: ReadStats = { bytes: 0, sha256: "", rows: 0 };
  const reader = readRecords(input.body, { format: options.format, delimiter: options.delimiter, maxBytes: input.maxBytes, stats, onProblem });
  const map = compileMapping(options.mapping, options.format);
  const extraTags = options.tags;

  // Rows stream into the table with COPY as they are read, in this transaction: a problem
  // anywhere rolls all of them back.
  const copy = w.client.query(copyFrom(staged ? STAGE_COPY_SQL : COPY_SQL));
  // The connection can fail while rows are still arriving (a database restart): the failure is
  // kept and raised where the import next touches the COPY (writing to a failed COPY stream
  // throws on its missing connection), and the promise counts as handled until then.
  let copyError = null as Error | null;
  const copyDone = new Promise<void>((resolve, reject) => {
    copy.on("finish", resolve);
    copy.on("error", (error: Error) => {
      copyError ??= error;
      reject(error);
    });
  });
  copyDone.catch(() => undefined);
  const copyFailed = () => {
    if (copyError) throw copyError;
  };
  const sourceRef = copyText(`v${ds.nextVersion}`);
  const rowPrefix = `${ds.id}\t`;
  const rowVersion = `\t${ds.nextVersion}\t`;
  let pending = "";
  const flush = async () => {
    copyFailed();
    if (!pending) return;
    const ok = copy.write(pending);
    pending = "";
    if (!ok)
      await new Promise<void>((resolve, reject) => {
        copy.once("drain", resolve);
        copy.once("error", reject);
      });
  };

  let position = ds.nextPosition;
  let added = 0;
  let duplicates = 0;
  let lastProgress = 0;
  try {
    for await (const record of reader.records) {
      copyFailed();
      const raw = map(record.values);
      const item = isProblem(raw) ? raw : prepareItem(extraTags.length ? { ...raw, tags: [...((raw.tags as string[]) ?? []), ...extraTags] } : raw, validators);
      if (isProblem(item)) {
        onProblem({ row: record.row, line: record.line, field: item.field, message: `${describeRow(record)}: ${item.field} ${item.message}` });
        continue;
      }
      let keyValue: string | null = null;
      if (key) {
        const source = key === "id" ? record.values.id : key.startsWith("input.") ? item.input[key.slice(6)] : item.metadata[key.slice(9)];
        keyValue = keyText(source);
        if (keyValue === null) {
          const what = source === undefined || source === "" || source === null ? "has no value for the key" : "has a key that is not text or a number:";
          onProblem({ row: record.row, line: record.line, field: key, message: `${describeRow(record)}: ${what} ${key}` });
          continue;
        }
      } else if (!options.allowDuplicates) {
        if (known.has(item.contentHash)) {
          duplicates++;
          continue;
        }
        known.add(item.contentHash);
      }
      if (problemCount > 0) continue; // keep reading to report every problem, but write nothing more
      if (staged) {
        pending +=
          record.row +
          "\t" +
          (record.line ?? "\\N") +
          "\t" +
          (keyValue === null ? "\\N" : copyText(keyValue)) +
          "\t" +
          newItemId() +
          "\t" +
          itemColumns(item) +
          "\t" +
          item.contentHash +
          "\n";
        added++;
        if (pending.length >= 256 * 1024) await flush();
        continue;
      }
      pending += rowPrefix + newItemId() + "\t" + position++ + rowVersion + itemColumns(item) + "\timport\t" + sourceRef + "\t" + item.contentHash + "\n";
      added++;
      if (pending.length >= 256 * 1024) await flush();
      if (input.onProgress) {
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          input.onProgress({ bytes: stats.bytes, rows: stats.rows });
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ImportAbort)) {
      if (!copyError) copy.destroy(error as Error);
      throw error;
    }
    onProblem(error.problem);
  }
  input.onProgress?.({ bytes: stats.bytes, rows: stats.rows });
  if (problemCount === 0) await flush();
  copyFailed();
  copy.end();
  await copyDone;

  if (problemCount > 0) {
    // Parser problems can arrive out of order (a broken quote is found at the end); report by line.
    problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
    const first = problems[0]!;
    throw new ImportFailedError({
      ok: false,
      message: problemCount === 1 ? `Nothing was imported: ${first.message}` : `Nothing was imported: ${problemCount} problems, the first: ${first.message}`,
      rowsRead: stats.rows,
      problemCount,
      problems,
    });
  }
  if (stats.rows === 0) {
    throw new ImportFailedError({
      ok: false,
      message: "Nothing was imported: the file has no rows",
      rowsRead: 0,
      problemCount: 1,
      problems: [{ row: null, line: null, message: "The file has no rows" }],
    });
  }

  let updated = 0;
  let unchanged = 0;
  let removed = 0;
  if (staged) {
    const applied = await applyStaged(w.sql, ds, { mode, key, sourceRef: `v${ds.nextVersion}`, rowsRead: stats.rows });
    ({ added, updated, unchanged, removed } = applied);
    position = ds.nextPosition + added;
  }
  const result: ImportResult = {
    version: null,
    mode,
    rows: stats.rows,
    added,
    updated,
    unchanged,
    removed,
    duplicatesSkipped: duplicates,
    bytes: stats.bytes,
    sha256: stats.sha256,
  };
  if (added + updated + removed === 0) {
    // Every row is already in the dataset: importing the same file again changes nothing.
    w.unchanged();
    return result;
  }
  const details = {
    fileName: options.fileName,
    format: options.format,
    bytes: stats.bytes,
    sha256: stats.sha256,
    rows: stats.rows,
    duplicatesSkipped: duplicates,
    ...(mode !== "append" ? { mode, key, updated, unchanged, removed } : {}),
  };
  // CSV exports reuse this layout, so a file exported from this version matches the file imported.
  const csvLayout: CsvLayout | undefined =
    options.format === "csv"
      ? {
          delimiter: reader.csv?.delimiter ?? ",",
          eol: reader.csv?.eol ?? "\n",
          columns: reader.columns.map((column) => ({ column, target: options.mapping?.find((m) => m.column === column)?.target ?? suggestTarget(column) })),
        }
      : undefined;
  const version = await commitVersion(w.sql, w.actor, ds, {
    kind: "import",
    message: options.message,
    added,
    changed: updated,
    removed,
    nextPosition: position,
    details,
    csvLayout,
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.items.imported",
    targetType: "dataset",
    targetId: ds.id,
    after: { dataset: ds.name, version: version.version, added, tags: extraTags, ...details },
  });
  return { ...result, version: version.version };
}

/**
 * Applies the staged rows of an upsert or replace (see the header). Problems found only now (a
 * key repeated in the file, a key matching several items) refuse the whole import.
 */
async function applyStaged(db: SqlExecutor, ds: LockedDataset, input: { mode: "upsert" | "replace"; key?: string; sourceRef: string; rowsRead: number }) {
  const v = ds.nextVersion;
  const liveFilter = sql`l.dataset_id = ${ds.id}::uuid AND l.valid_to = ${LIVE_SQL}`;
  if (input.mode === "upsert") {
    const key = input.key!;
    const problems: ImportProblem[] = [];
    const repeated = await db.query<{ key: string; rows: number[]; lines: (number | null)[] }>(
      sql`SELECT key, array_agg(row_no ORDER BY row_no) AS rows, array_agg(line ORDER BY row_no) AS lines FROM ${STAGE_SQL} GROUP BY key HAVING count(*) > 1 ORDER BY min(row_no) LIMIT ${MAX_REPORTED_PROBLEMS}`,
    );
    for (const r of repeated) {
      problems.push({
        row: r.rows[1]!,
        line: r.lines[1] ?? null,
        field: key,
        message: `Row ${r.rows[1]}: ${key} "${r.key.slice(0, 80)}" repeats row ${r.rows[0]}; each key may appear once`,
      });
    }
    const ambiguous = await db.query<{ row_no: number; line: number | null; key: string; n: string }>(
      sql`SELECT s.row_no, s.line, s.key, count(*) AS n FROM ${STAGE_SQL} s JOIN dataset_item_revisions l ON ${liveFilter} AND ${liveKeySql(key)} = s.key
       GROUP BY s.row_no, s.line, s.key HAVING count(*) > 1 ORDER BY s.row_no LIMIT ${MAX_REPORTED_PROBLEMS}`,
    );
    for (const r of ambiguous) {
      problems.push({
        row: r.row_no,
        line: r.line,
        field: key,
        message: `Row ${r.row_no}: ${key} "${r.key.slice(0, 80)}" matches ${r.n} items of the dataset; a key must name one item`,
      });
    }
    if (problems.length) {
      const first = problems[0]!;
      throw new ImportFailedError({
        ok: false,
        message:
          problems.length === 1 ? `Nothing was imported: ${first.message}` : `Nothing was imported: ${problems.length} problems, the first: ${first.message}`,
        rowsRead: input.rowsRead,
        problemCount: problems.length,
        problems,
      });
    }
    await db.query(
      sql`CREATE TEMP TABLE keel_import_match ON COMMIT DROP AS
       SELECT s.row_no, l.item_id AS live_id, l.position, l.source_type, l.source_ref,
              (l.input = s.input AND l.expected IS NOT DISTINCT FROM s.expected AND l.metadata = s.metadata AND l.tags = s.tags) AS same
       FROM ${STAGE_SQL} s JOIN dataset_item_revisions l ON ${liveFilter} AND ${liveKeySql(key)} = s.key`,
    );
  } else {
    // Replace: a row equal to a live item (content, metadata and tags) keeps that item; pairs are
    // made one to one, in order, so repeated rows match repeated items.
    await db.query(
      sql`CREATE TEMP TABLE keel_import_match ON COMMIT DROP AS
       WITH l AS (SELECT item_id, position, source_type, source_ref, content_hash, metadata, tags,
                         row_number() OVER (PARTITION BY content_hash, metadata, tags ORDER BY position) AS rn
                  FROM dataset_item_revisions l WHERE ${liveFilter}),
            s AS (SELECT row_no, content_hash, metadata, tags, row_number() OVER (PARTITION BY content_hash, metadata, tags ORDER BY row_no) AS rn FROM ${STAGE_SQL})
       SELECT s.row_no, l.item_id AS live_id, l.position, l.source_type, l.source_ref, TRUE AS same
       FROM s JOIN l ON l.content_hash = s.content_hash AND l.metadata = s.metadata AND l.tags = s.tags AND l.rn = s.rn`,
    );
  }
  const [{ n: unchanged }] = (await db.query<{ n: string }>(sql`SELECT count(*) AS n FROM keel_import_match WHERE same`)) as [{ n: string }];
  // Close what leaves or changes: the matched items whose content differs (upsert), or every
  // live item no row kept (replace).
  const closed = await db.query<{ item_id: string }>(
    input.mode === "upsert"
      ? sql`UPDATE dataset_item_revisions SET valid_to = ${v}::int WHERE dataset_id = ${ds.id}::uuid AND valid_to = ${LIVE_SQL}
           AND item_id IN (SELECT live_id FROM keel_import_match WHERE NOT same) RETURNING item_id::text`
      : sql`UPDATE dataset_item_revisions SET valid_to = ${v}::int WHERE dataset_id = ${ds.id}::uuid AND valid_to = ${LIVE_SQL}
           AND item_id NOT IN (SELECT live_id FROM keel_import_match) RETURNING item_id::text`,
  );
  const columns = raw(`(dataset_id, item_id, position, valid_from, input, expected, metadata, tags, source_type, source_ref, content_hash)`);
  let updated = 0;
  if (input.mode === "upsert") {
    // A new revision of the same item, in its place, keeping where it came from.
    await db.query(
      sql`INSERT INTO dataset_item_revisions ${columns}
       SELECT ${ds.id}::uuid, m.live_id, m.position, ${v}::int, s.input, s.expected, s.metadata, s.tags, m.source_type, m.source_ref, s.content_hash
       FROM keel_import_match m JOIN ${STAGE_SQL} s USING (row_no) WHERE NOT m.same`,
    );
    updated = closed.length;
  }
  const inserted = await db.query<{ item_id: string }>(
    sql`INSERT INTO dataset_item_revisions ${columns}
     SELECT ${ds.id}::uuid, s.item_id, ${ds.nextPosition}::int + row_number() OVER (ORDER BY s.row_no) - 1, ${v}::int, s.input, s.expected, s.metadata, s.tags, 'import'::"DatasetItemSource", ${input.sourceRef}::text, s.content_hash
     FROM ${STAGE_SQL} s WHERE NOT EXISTS (SELECT 1 FROM keel_import_match m WHERE m.row_no = s.row_no)
     RETURNING item_id::text`,
  );
  return { added: inserted.length, updated, unchanged: Number(unchanged), removed: input.mode === "replace" ? closed.length : 0 };
}
