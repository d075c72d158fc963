import "server-only";
// Exporting one version of a dataset as CSV or JSON Lines, streamed: items are read in pages by
// position and written as they come, so memory stays flat and the first bytes leave at once. A
// CSV export uses the column layout of the dataset's last CSV import (names, order, delimiter,
// line ending), so the rows of a file exported from the version that import created match the
// imported rows byte for byte; keys the layout does not cover get columns of their own.
import { stringify } from "csv-stringify/sync";
import { readSql, type ReadDb } from "../../db/client";
import type { ColumnMapping, ExportFormat } from "../../contracts/datasets";
import { inputKeys, resolveVersion, type ItemRow } from "./queries";
import type { CsvLayout } from "./import/import";
import { sql } from "../../db/sql";

const PAGE = 1_000;

type ExportItem = Pick<ItemRow, "itemId" | "position" | "input" | "expected" | "metadata" | "tags" | "sourceType" | "sourceRef">;

async function* pages(db: ReadDb, datasetId: string, version: number): AsyncGenerator<ExportItem[]> {
  let after = 0;
  for (;;) {
    const rows = await readSql<ExportItem>(
      db,
      sql`SELECT item_id::text AS "itemId", position, input, expected, metadata, tags, source_type::text AS "sourceType", source_ref AS "sourceRef"
       FROM dataset_item_revisions
       WHERE dataset_id = ${datasetId}::uuid AND valid_from <= ${version} AND valid_to > ${version} AND position > ${after}
       ORDER BY position LIMIT ${PAGE}`,
    );
    if (rows.length) yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.position;
  }
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function valueFor(item: ExportItem, target: string): string {
  switch (target) {
    case "expected":
    case "expected:json":
      return cell(item.expected);
    case "tags":
      return item.tags.join(",");
    case "input":
      return JSON.stringify(item.input);
    case "metadata":
      return Object.keys(item.metadata).length ? JSON.stringify(item.metadata) : "";
    default: {
      const dot = target.indexOf(".");
      const source = target.slice(0, dot) === "input" ? item.input : item.metadata;
      return cell(source[target.slice(dot + 1)]);
    }
  }
}

/** The CSV columns for a version: the import layout, plus columns for anything it misses. */
async function csvColumnsFor(db: ReadDb, dataset: { id: string; csvColumns: unknown }, version: number): Promise<{ layout: CsvLayout }> {
  const stored = dataset.csvColumns as CsvLayout | null;
  const columns: ColumnMapping = stored?.columns.filter((c) => c.target !== "ignore") ?? [];
  const covered = new Set(columns.map((c) => c.target));
  const names = new Set(columns.map((c) => c.column));
  const add = (column: string, target: ColumnMapping[number]["target"]) => {
    let name = column;
    for (let i = 2; names.has(name); i++) name = `${column}_${i}`;
    names.add(name);
    columns.push({ column: name, target });
  };
  if (!covered.has("input")) {
    for (const key of await inputKeys(db, dataset.id, version)) {
      if (!covered.has(`input.${key}` as never)) add(key, `input.${key}` as never);
    }
  }
  const [flags] = await readSql<{ expected: boolean; tags: boolean; metadata: boolean }>(
    db,
    sql`SELECT bool_or(expected IS NOT NULL) AS expected, bool_or(cardinality(tags) > 0) AS tags, bool_or(metadata <> '{}'::jsonb) AS metadata
     FROM dataset_item_revisions WHERE dataset_id = ${dataset.id}::uuid AND valid_from <= ${version} AND valid_to > ${version}`,
  );
  if (flags?.expected && !covered.has("expected") && !covered.has("expected:json")) add("expected", "expected");
  if (flags?.tags && !covered.has("tags")) add("tags", "tags");
  if (flags?.metadata && !covered.has("metadata") && ![...covered].some((t) => t.startsWith("metadata."))) add("metadata", "metadata");
  return { layout: { delimiter: stored?.delimiter ?? ",", eol: stored?.eol ?? "\n", columns } };
}

export type DatasetExport = { fileName: string; contentType: string; chunks: AsyncGenerator<string> };

export async function exportVersion(
  db: ReadDb,
  dataset: { id: string; name: string; latestVersion: number; csvColumns: unknown },
  input: { version: number; format: ExportFormat },
): Promise<DatasetExport> {
  const version = resolveVersion(dataset, input.version);
  const fileName = `${dataset.name}-v${version}.${input.format}`;
  if (input.format === "jsonl") {
    return {
      fileName,
      contentType: "application/x-ndjson; charset=utf-8",
      chunks: (async function* () {
        for await (const page of pages(db, dataset.id, version)) {
          yield (
            page
              .map((item) =>
                JSON.stringify({
                  id: item.itemId,
                  input: item.input,
                  expected: item.expected ?? null,
                  metadata: item.metadata,
                  tags: item.tags,
                  source: { type: item.sourceType, ref: item.sourceRef },
                }),
              )
              .join("\n") + "\n"
          );
        }
      })(),
    };
  }
  const { layout } = await csvColumnsFor(db, dataset, version);
  const options = { delimiter: layout.delimiter, record_delimiter: layout.eol === "\r\n" ? ("windows" as const) : ("unix" as const) };
  return {
    fileName,
    contentType: "text/csv; charset=utf-8",
    chunks: (async function* () {
      yield stringify([layout.columns.map((c) => c.column)], options);
      for await (const page of pages(db, dataset.id, version)) {
        yield stringify(
          page.map((item) => layout.columns.map((c) => valueFor(item, c.target))),
          options,
        );
      }
    })(),
  };
}
