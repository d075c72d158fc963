import "server-only";
// Importing a file into a dataset: one new version, all or nothing. Rows are read as they
// arrive (never the whole file in memory), mapped to item fields, validated and written in
// batches inside the change's transaction; if any row has a problem, the report names every
// problem (up to MAX_REPORTED_PROBLEMS, all counted) and the transaction rolls back. Rows whose
// input and expected output equal a live item's (or an earlier row's) are skipped unless asked,
// so importing the same file twice adds nothing the second time.
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
import { isProblem, prepareItem, type ItemProblem, type RawItem } from "../content";
import { validatorsFor } from "../schemas";
import { commitVersion, LIVE, lockDataset, newItemId, type ProjectCtx } from "../store";
import { ImportAbort, readRecords, type ReadStats, type SourceRecord } from "./records";

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
export function compileMapping(mapping: ColumnMapping | undefined, format: ImportOptions["format"]): (values: Record<string, unknown>) => RawItem | ItemProblem {
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
        ? (csvPlan ??= Object.keys(values).map((k): [string, MappingTarget] => [k, targetOf(k)]).sort(byTarget))
        : Object.keys(values).map((k): [string, MappingTarget] => [k, targetOf(k)]).sort(byTarget);
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
        else if (typeof value === "string") tags = tags.concat(value.split(/[,;]/).map((t) => t.trim()).filter(Boolean));
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

/** A value in COPY's text format: backslashes doubled, tabs and line breaks escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : value;
}

/** JSON text never holds raw tabs or line breaks (JSON escapes them), only backslashes to double. */
function copyJson(json: string): string {
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
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
  const ds = await lockDataset(w.sql, ctx, input.datasetId);
  const validators = validatorsFor(ds);

  // Content hashes of the live items: rows equal to one of them are duplicates.
  const known = new Set<string>();
  if (!options.allowDuplicates && ds.itemCount > 0) {
    const rows = await w.sql.query<{ content_hash: string }>(`SELECT content_hash FROM dataset_item_revisions WHERE dataset_id = $1::uuid AND valid_to = ${LIVE}`, [ds.id]);
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
  const copy = w.client.query(copyFrom(COPY_SQL));
  const copyDone = new Promise<void>((resolve, reject) => {
    copy.on("finish", resolve);
    copy.on("error", reject);
  });
  const sourceRef = copyText(`v${ds.nextVersion}`);
  const rowPrefix = `${ds.id}\t`;
  const rowVersion = `\t${ds.nextVersion}\t`;
  let pending = "";
  const flush = async () => {
    if (!pending) return;
    const ok = copy.write(pending);
    pending = "";
    if (!ok) await new Promise<void>((resolve, reject) => {
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
      const raw = map(record.values);
      const item = isProblem(raw) ? raw : prepareItem(extraTags.length ? { ...raw, tags: [...((raw.tags as string[]) ?? []), ...extraTags] } : raw, validators);
      if (isProblem(item)) {
        onProblem({ row: record.row, line: record.line, field: item.field, message: `${describeRow(record)}: ${item.field} ${item.message}` });
        continue;
      }
      if (!options.allowDuplicates) {
        if (known.has(item.contentHash)) {
          duplicates++;
          continue;
        }
        known.add(item.contentHash);
      }
      if (problemCount > 0) continue; // keep reading to report every problem, but write nothing more
      pending +=
        rowPrefix +
        newItemId() +
        "\t" +
        position++ +
        rowVersion +
        copyJson(item.inputJson) +
        "\t" +
        (item.expectedJson === null ? "\\N" : copyJson(item.expectedJson)) +
        "\t" +
        copyJson(item.metadataJson) +
        "\t" +
        (item.tags.length ? `{${item.tags.map((t) => `"${t}"`).join(",")}}` : "{}") +
        "\timport\t" +
        sourceRef +
        "\t" +
        item.contentHash +
        "\n";
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
      copy.destroy(error as Error);
      throw error;
    }
    onProblem(error.problem);
  }
  input.onProgress?.({ bytes: stats.bytes, rows: stats.rows });
  if (problemCount === 0) await flush();
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
    throw new ImportFailedError({ ok: false, message: "Nothing was imported: the file has no rows", rowsRead: 0, problemCount: 1, problems: [{ row: null, line: null, message: "The file has no rows" }] });
  }

  const result: ImportResult = { version: null, rows: stats.rows, added, duplicatesSkipped: duplicates, bytes: stats.bytes, sha256: stats.sha256 };
  if (added === 0) {
    // Every row is already in the dataset: importing the same file again changes nothing.
    w.unchanged();
    return result;
  }
  const details = { fileName: options.fileName, format: options.format, bytes: stats.bytes, sha256: stats.sha256, rows: stats.rows, duplicatesSkipped: duplicates };
  // CSV exports reuse this layout, so a file exported from this version matches the file imported.
  const csvLayout: CsvLayout | undefined =
    options.format === "csv"
      ? {
          delimiter: reader.csv?.delimiter ?? ",",
          eol: reader.csv?.eol ?? "\n",
          columns: reader.columns.map((column) => ({ column, target: options.mapping?.find((m) => m.column === column)?.target ?? suggestTarget(column) })),
        }
      : undefined;
  const version = await commitVersion(w.sql, w.actor, ds, { kind: "import", message: options.message, added, nextPosition: position, details, csvLayout });
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
