import "server-only";
// Datasets over the public API, for applications and CI: list datasets, read the items of a
// version a page at a time, add items as JSON, import a file (streamed, all or nothing) and
// export a version (streamed). Changes go through the same domain functions as the web app, on
// the audited path with the API key as the actor.
import { z } from "zod";
import { getDb, getReadDb } from "../db/client";
import { runAudited, runAuditedSql } from "../audit/mutation";
import { searchText } from "../contracts/fields";
import { DATASET_ITEM_SOURCES, EXPORT_FORMATS, IMPORT_MODES, MAX_ITEMS_PER_ADD, changeMessage, datasetName, itemContent, itemTag } from "../contracts/datasets";
import { addItems } from "../domain/datasets/items";
import { browseItems, datasetByName, getDataset, listDatasets } from "../domain/datasets/queries";
import { exportVersion } from "../domain/datasets/export";
import { importItems, ImportFailedError } from "../domain/datasets/import/import";
import { importMaxBytes, importOptionsFrom } from "../domain/datasets/import/options";
import { formatBytes } from "../domain/datasets/import/records";
import { HttpError } from "./errors";
import { discardRest } from "./input";
import { defineRoute, type PublicRoute } from "./route-table";
import { versionQuery } from "./schemas";

const nameParams = z.object({ name: datasetName.describe("The dataset's name.") });

const datasetSummary = z
  .object({
    name: z.string(),
    description: z.string(),
    latestVersion: z.number().int().describe("The newest version (0: no items were ever added)."),
    itemCount: z.number().int().describe("Items in the latest version."),
    archived: z.boolean(),
    updatedAt: z.string().describe("ISO 8601."),
  })
  .strict();

const itemResponse = z
  .object({
    id: z.string().describe("The item's id, stable across its revisions."),
    input: z.record(z.string(), z.unknown()).describe("Keys feed prompt variables."),
    expected: z.unknown().describe("Text, any JSON value, or null."),
    metadata: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()).describe("Splits such as `test` or `regression`."),
    source: z.object({ type: z.enum(DATASET_ITEM_SOURCES), ref: z.string().nullable() }).strict(),
  })
  .strict();

const importResult = z
  .object({
    result: z
      .object({
        version: z.number().int().nullable().describe("The version the import created; null when the file changed nothing."),
        mode: z.enum(IMPORT_MODES),
        rows: z.number().int(),
        added: z.number().int(),
        updated: z.number().int().describe("upsert: items whose content the file changed."),
        unchanged: z.number().int().describe("upsert and replace: items the file matched with the same content."),
        removed: z.number().int().describe("replace: items the file does not hold (they stay in earlier versions)."),
        duplicatesSkipped: z.number().int(),
        bytes: z.number().int(),
        sha256: z.string(),
      })
      .strict(),
  })
  .strict();

const importFailure = z
  .object({
    error: z.object({ code: z.enum(["IMPORT_FAILED", "PAYLOAD_TOO_LARGE"]), message: z.string() }).strict(),
    report: z
      .object({
        ok: z.literal(false),
        message: z.string(),
        rowsRead: z.number().int(),
        problemCount: z.number().int().describe("All problems found; `problems` lists the first 100."),
        problems: z.array(
          z
            .object({
              row: z.number().int().nullable(),
              line: z.number().int().nullable(),
              field: z.string().optional(),
              message: z.string(),
              code: z.literal("FILE_TOO_LARGE").optional(),
            })
            .strict(),
        ),
      })
      .strict(),
  })
  .strict();

const IMPORT_TIMEOUT_MS = 30 * 60 * 1000;

export const datasetRoutes: PublicRoute[] = [
  defineRoute({
    method: "GET",
    path: "/api/public/v1/datasets",
    replica: true,
    operationId: "listDatasets",
    summary: "List datasets",
    tag: "Datasets",
    scope: "datasets:read",
    permission: "dataset:read",
    responses: { 200: { description: "The project's datasets (archived ones excluded).", schema: z.object({ data: z.array(datasetSummary) }).strict() } },
    errors: [],
    async handle({ principal }) {
      const datasets = await listDatasets(getReadDb(), principal.projectId, {});
      return {
        status: 200,
        body: {
          data: datasets.map((d) => ({
            name: d.name,
            description: d.description,
            latestVersion: d.latestVersion,
            itemCount: d.itemCount,
            archived: d.archivedAt !== null,
            updatedAt: d.lastChangeAt.toISOString(),
          })),
        },
      };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v1/datasets/{name}/items",
    replica: true,
    operationId: "listDatasetItems",
    summary: "Read the items of a version",
    description: "A page of the items of one version (default: the latest), in their stable order. Pin `version` to read the same items every time.",
    tag: "Datasets",
    scope: "datasets:read",
    permission: "dataset:read",
    params: nameParams,
    query: z.object({
      version: versionQuery.optional().describe("The version to read (default: the latest)."),
      page: z.coerce
        .number({ error: "must be a whole number" })
        .int("must be a whole number")
        .min(1, "must be 1 or more")
        .max(1_000_000)
        .default(1)
        .describe("1-based page number."),
      pageSize: z.coerce
        .number({ error: "must be a whole number" })
        .int("must be a whole number")
        .min(1, "must be 1 or more")
        .max(500, "must be at most 500")
        .default(100),
      tag: itemTag.optional().describe("Only items with this tag (split)."),
      search: searchText(200).optional().describe("Only items whose input or expected output contains every word (case-insensitive)."),
    }),
    responses: {
      200: {
        description: "A page of items.",
        schema: z
          .object({ version: z.number().int(), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), data: z.array(itemResponse) })
          .strict(),
      },
    },
    errors: [404],
    async handle({ principal, params, query }) {
      const dataset = await datasetByName(getReadDb(), principal.projectId, params.name);
      const page = await browseItems(getReadDb(), dataset, {
        version: query.version,
        page: query.page,
        pageSize: query.pageSize,
        tag: query.tag,
        search: query.search,
      });
      return {
        status: 200,
        body: {
          version: page.version,
          total: page.total,
          page: page.page,
          pageSize: page.pageSize,
          data: page.items.map((i) => ({
            id: i.itemId,
            input: i.input,
            expected: i.expected ?? null,
            metadata: i.metadata,
            tags: i.tags,
            source: { type: i.sourceType, ref: i.sourceRef },
          })),
        },
      };
    },
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/v1/datasets/{name}/items",
    operationId: "addDatasetItems",
    summary: "Add items",
    description: `Adds up to ${MAX_ITEMS_PER_ADD} items as one new version (all or none: the first invalid item is named). Import a file for more. Audited with the API key as the actor.`,
    tag: "Datasets",
    scope: "datasets:write",
    permission: "dataset:write",
    params: nameParams,
    body: z.object({
      items: z.array(itemContent).min(1, "add at least one item").max(MAX_ITEMS_PER_ADD, `may add at most ${MAX_ITEMS_PER_ADD} items; import a file for more`),
      message: changeMessage,
    }),
    responses: {
      201: {
        description: "The version created and the new items' ids.",
        schema: z.object({ version: z.number().int(), itemIds: z.array(z.string()) }).strict(),
      },
    },
    errors: [404, 409, 413],
    async handle({ principal, params, body, actor }) {
      const dataset = await datasetByName(getDb(), principal.projectId, params.name);
      const result = await runAudited(actor, (w) =>
        addItems(
          w,
          { orgId: principal.orgId, projectId: principal.projectId },
          { datasetId: dataset.id, items: body.items, message: body.message, source: { type: "manual", ref: `api:${principal.publicKey}` } },
        ),
      );
      return { status: 201, body: result };
    },
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/v1/datasets/{name}/import",
    operationId: "importDatasetFile",
    summary: "Import a file",
    description:
      "Streams a CSV, JSON Lines or JSON-array file into the dataset as one new version: all or nothing. Query: `format` (csv|jsonl|json), `mapping` (JSON `[{column, target}]`, default: suggested from column names), `delimiter`, `tags` (comma-separated, added to every item), `message`, `fileName`, `allowDuplicates=1` (default: rows equal to an existing item are skipped, so importing the same file twice adds nothing), `mode` (`append`, the default; `upsert` with `key` = `id` (an `id` column holding item ids), `input.<field>` or `metadata.<field>`: a row matching a live item replaces its content, other rows are added; `replace`: the new version holds exactly the file's items, items equal to a row keep their id). A file with problems answers 400 with a report naming each row and line; nothing is written. Audited with the API key as the actor.",
    tag: "Datasets",
    scope: "datasets:write",
    permission: "dataset:write",
    params: nameParams,
    rawBody: { contentTypes: ["text/csv", "application/x-ndjson", "application/json", "application/octet-stream"], description: "The file, as is (UTF-8)." },
    responses: {
      200: { description: "Imported (or nothing new to import).", schema: importResult },
      400: { description: "The file has problems; nothing was imported. The report names each row and line.", schema: importFailure },
    },
    errors: [404, 409, 413],
    async handle({ principal, params, req, actor }) {
      const dataset = await datasetByName(getDb(), principal.projectId, params.name);
      const options = importOptionsFrom(new URL(req.url ?? "/", "http://keel.internal"));
      const maxBytes = importMaxBytes();
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discardRest(req);
        throw new HttpError("PAYLOAD_TOO_LARGE", `The file is ${formatBytes(declared)}; the limit is ${formatBytes(maxBytes)}`);
      }
      try {
        const result = await runAuditedSql(
          actor,
          (w) => importItems(w, { orgId: principal.orgId, projectId: principal.projectId }, { datasetId: dataset.id, body: req, options, maxBytes }),
          { timeoutMs: IMPORT_TIMEOUT_MS },
        );
        return { status: 200, body: { result } };
      } catch (error) {
        if (!(error instanceof ImportFailedError)) throw error;
        const tooBig = error.report.problems.some((p) => p.code === "FILE_TOO_LARGE");
        if (tooBig) discardRest(req);
        return {
          status: tooBig ? 413 : 400,
          body: { error: { code: tooBig ? "PAYLOAD_TOO_LARGE" : "IMPORT_FAILED", message: error.message }, report: error.report },
        };
      }
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v1/datasets/{name}/export",
    replica: true,
    operationId: "exportDataset",
    summary: "Export a version",
    description:
      "Streams one version (default: the latest) as CSV (the columns of the dataset's last CSV import, so rows match the imported file) or JSON Lines (one item per line with id, input, expected, metadata, tags, source).",
    tag: "Datasets",
    scope: "datasets:read",
    permission: "dataset:read",
    params: nameParams,
    query: z.object({
      version: versionQuery.optional().describe("The version to export (default: the latest)."),
      format: z.enum(EXPORT_FORMATS, { error: "must be csv or jsonl" }).default("csv"),
    }),
    responses: {
      200: {
        description: "The file.",
        contentTypes: ["text/csv", "application/x-ndjson"],
        headers: { "Content-Disposition": "attachment; filename=<name>-v<version>.<format>" },
      },
    },
    errors: [404],
    async handle({ principal, params, query }) {
      const dataset = await getDataset(getReadDb(), principal.projectId, params.name);
      const version = query.version ?? dataset.latestVersion;
      if (version === 0) throw new HttpError("NOT_FOUND", `"${dataset.name}" has no versions yet`);
      const file = await exportVersion(getReadDb(), dataset, { version, format: query.format });
      return {
        status: 200,
        stream: file.chunks,
        headers: {
          "content-type": file.contentType,
          "content-disposition": `attachment; filename="${file.fileName.replace(/[^\w.-]/g, "_")}"`,
          "x-keel-dataset-version": String(version),
        },
      };
    },
  }),
];
