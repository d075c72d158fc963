import "server-only";
// Langfuse's dataset endpoints, so `dataset.get(name)` + `item.link(...)` / `runExperiment` of
// `@langfuse/client` (v4, v5) and `getDataset` / `createDatasetItem` of `langfuse` (v3) work
// against Keel. Mapping onto Keel's versioned datasets (docs/api.md has the user-facing rules):
// - every item write is one new dataset version (an upsert that changes nothing makes none), so
//   Keel's history and the versions past runs pinned stay exact; an item is archived (status
//   ARCHIVED) by leaving the next version;
// - item ids are Keel's (UUIDs); an id given on create must be a UUID, unused elsewhere in the project;
// - Keel item inputs are JSON objects: any other input is stored as `{ "input": <value> }` with
//   `keel.wrappedInput: true` in the metadata, and served back unwrapped;
// - sourceTraceId/sourceObservationId are the item's source (type `trace`, ref `trace:observation`);
// - dataset run items record an external run (domain/evaluations/external-runs.ts) shown on
//   Keel's evaluation pages, its results read from the linked traces.
// Writes go through the same domain functions as the web app, audited with the API key as actor.
import { langfuseSpanId, langfuseTraceId } from "../telemetry/langfuse-ids";
import { z } from "zod";
import { getDb, getReadDb, readSql } from "../db/client";
import { runAudited } from "../audit/mutation";
import { jsonChecked, jsonRecord, text } from "../contracts/fields";
import { datasetName } from "../contracts/datasets";
import { createDataset, updateDataset } from "../domain/datasets/datasets";
import { addItems, archiveItems, updateItem, type ItemSource } from "../domain/datasets/items";
import { linkExternalRunItem } from "../domain/evaluations/external-runs";
import { findExternalRunWithItems, listExternalRunsPage } from "../domain/evaluations/external-run-queries";
import { findDatasetByName, listLiveDatasetsPage, versionAt } from "../domain/datasets/pages";
import { HttpError } from "./errors";
import { langfuseMeta, langfusePageQuery } from "./langfuse-prompt-routes";
import { defineRoute, type AuthedContext, type PublicRoute, type Reply } from "./route-table";
import { join, sql } from "../db/sql";
import { LIVE_SQL } from "../domain/datasets/store";

const TAG = "Langfuse compatibility";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Metadata key marking an input stored as `{ input: <value> }` (Keel inputs are objects). */
const WRAPPED = "keel.wrappedInput";

// ---- shapes ----------------------------------------------------------------------------------

const datasetResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    metadata: z.null().describe("Keel datasets carry no metadata."),
    inputSchema: z.unknown(),
    expectedOutputSchema: z.unknown(),
    projectId: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .strict();

const itemResponse = z
  .object({
    id: z.string(),
    status: z.enum(["ACTIVE", "ARCHIVED"]),
    input: z.unknown(),
    expectedOutput: z.unknown(),
    metadata: z.unknown(),
    sourceTraceId: z.string().nullable(),
    sourceObservationId: z.string().nullable(),
    datasetId: z.string(),
    datasetName: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    mediaReferences: z.array(z.never()).describe("Always empty: Keel stores no Langfuse media."),
  })
  .strict();

const runResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    metadata: z.unknown(),
    datasetId: z.string(),
    datasetName: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .strict();

const runItemResponse = z
  .object({
    id: z.string(),
    datasetRunId: z.string(),
    datasetRunName: z.string(),
    datasetItemId: z.string(),
    traceId: z.string(),
    observationId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .strict();

const nameParams = z.object({ name: datasetName.describe("The dataset's name.") });
const runName = text(200).trim().min(1, "is required");

const createDatasetBody = z.object({
  name: datasetName,
  description: text(2000).nullable().optional(),
  metadata: jsonChecked(z.unknown()).optional().describe("Refused unless empty: Keel datasets carry no metadata."),
  inputSchema: jsonRecord(1_000).nullable().optional().describe("JSON Schema every item's input must satisfy."),
  expectedOutputSchema: jsonRecord(1_000).nullable().optional().describe("JSON Schema every item's expected output must satisfy."),
});

const createItemBody = z.object({
  datasetName,
  input: jsonChecked(z.unknown())
    .optional()
    .describe("A JSON object feeds prompt variables; any other value is kept as `{ input: <value> }` and served back as sent."),
  expectedOutput: jsonChecked(z.unknown()).optional(),
  metadata: jsonChecked(z.unknown()).optional().describe("A JSON object (or null)."),
  sourceTraceId: text(200).nullable().optional(),
  sourceObservationId: text(200).nullable().optional(),
  id: text(255).nullable().optional().describe("Upsert on this id. Keel item ids are UUIDs: omit it to get one."),
  status: z.enum(["ACTIVE", "ARCHIVED"], { error: "must be ACTIVE or ARCHIVED" }).nullable().optional(),
});

const createRunItemBody = z.object({
  runName: runName.describe("The run (created on its first item; unique per dataset)."),
  runDescription: text(2000).nullable().optional().describe("Sets the run's description."),
  metadata: jsonRecord().nullable().optional().describe("Sets the run's metadata."),
  datasetItemId: text(255),
  traceId: text(200).nullable().optional().describe("The trace the item ran in (required unless observationId names an ingested span)."),
  observationId: text(200).nullable().optional(),
  datasetVersion: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 date-time" })
    .nullable()
    .optional()
    .describe("Accepted; the run is pinned to the dataset's version when its first item is linked."),
  createdAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).nullable().optional(),
});

// ---- helpers ---------------------------------------------------------------------------------

type Dataset = {
  id: string;
  projectId: string;
  name: string;
  description: string;
  inputSchema: unknown;
  expectedSchema: unknown;
  createdAt: Date;
  updatedAt: Date;
};

function toDataset(d: Dataset) {
  return {
    id: d.id,
    name: d.name,
    description: d.description || null,
    metadata: null,
    inputSchema: d.inputSchema ?? null,
    expectedOutputSchema: d.expectedSchema ?? null,
    projectId: d.projectId,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

async function datasetNamed(projectId: string, name: string) {
  const dataset = await findDatasetByName(getReadDb(), projectId, name);
  if (!dataset) throw new HttpError("NOT_FOUND", `No dataset named "${name}"`, "datasetName");
  return dataset;
}

type ItemRow = {
  itemId: string;
  input: Record<string, unknown>;
  expected: unknown;
  metadata: Record<string, unknown>;
  tags: string[];
  sourceType: string;
  sourceRef: string | null;
  createdAt: Date;
  validTo: number | null;
  datasetId: string;
  datasetName: string;
};

const ITEM_SELECT = sql`r.item_id::text AS "itemId", r.input, r.expected, r.metadata, r.tags, r.source_type::text AS "sourceType", r.source_ref AS "sourceRef",
  r.created_at AS "createdAt", NULLIF(r.valid_to, ${LIVE_SQL}) AS "validTo", d.id::text AS "datasetId", d.name AS "datasetName"
  FROM dataset_item_revisions r JOIN datasets d ON d.id = r.dataset_id`;

function toItem(row: ItemRow) {
  const { [WRAPPED]: wrapped, ...metadata } = row.metadata;
  const [traceId, observationId] =
    row.sourceType === "trace" && row.sourceRef ? [row.sourceRef.split(":")[0] || null, row.sourceRef.split(":")[1] || null] : [null, null];
  return {
    id: row.itemId,
    status: row.validTo === null ? ("ACTIVE" as const) : ("ARCHIVED" as const),
    input: wrapped === true ? (row.input.input ?? null) : row.input,
    expectedOutput: row.expected ?? null,
    metadata: Object.keys(metadata).length ? metadata : null,
    sourceTraceId: traceId,
    sourceObservationId: observationId,
    datasetId: row.datasetId,
    datasetName: row.datasetName,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.createdAt.toISOString(),
    mediaReferences: [],
  };
}

/** The item's newest revision anywhere in the project (null: no such item). */
async function findItem(projectId: string, id: string): Promise<ItemRow | null> {
  if (!UUID.test(id)) return null;
  const rows = await readSql<ItemRow>(
    getDb(),
    sql`SELECT ${ITEM_SELECT} WHERE d.project_id = ${projectId}::uuid AND r.item_id = ${id}::uuid ORDER BY r.valid_from DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/** What Keel stores for Langfuse's free-form input and metadata. */
function contentOf(body: z.infer<typeof createItemBody>) {
  const metadata = body.metadata ?? {};
  if (typeof metadata !== "object" || Array.isArray(metadata)) throw new HttpError("BAD_REQUEST", "metadata: must be a JSON object", "metadata");
  const raw = body.input ?? {};
  const isObject = typeof raw === "object" && raw !== null && !Array.isArray(raw);
  return {
    input: isObject ? (raw as Record<string, unknown>) : { input: raw },
    expected: body.expectedOutput === undefined ? null : body.expectedOutput,
    metadata: isObject ? (metadata as Record<string, unknown>) : { ...(metadata as Record<string, unknown>), [WRAPPED]: true },
  };
}

function toRun(
  run: { id: string; name: string | null; number: number; description: string | null; metadata: unknown; createdAt: Date; finishedAt: Date | null },
  dataset: { id: string; name: string },
) {
  return {
    id: run.id,
    name: run.name ?? `#${run.number}`,
    description: run.description,
    metadata: run.metadata ?? null,
    datasetId: dataset.id,
    datasetName: dataset.name,
    createdAt: run.createdAt.toISOString(),
    updatedAt: (run.finishedAt ?? run.createdAt).toISOString(),
  };
}

function toRunItem(
  item: { runId: string; position: number; repetition: number; itemId: string; traceId: string | null; observationId: string | null; finishedAt: Date | null },
  runName: string,
  runCreatedAt: Date,
) {
  const at = (item.finishedAt ?? runCreatedAt).toISOString();
  return {
    id: `${item.runId}:${item.position}:${item.repetition}`,
    datasetRunId: item.runId,
    datasetRunName: runName,
    datasetItemId: item.itemId,
    traceId: item.traceId ?? "",
    observationId: item.observationId,
    createdAt: at,
    updatedAt: at,
  };
}

const pageMeta = (page: number, limit: number, total: number) => ({ page, limit, totalItems: total, totalPages: Math.ceil(total / limit) });

async function upsertDataset({
  principal,
  body,
  actor,
}: AuthedContext<Record<string, never>, Record<string, never>, z.infer<typeof createDatasetBody>>): Promise<Reply> {
  const metadata = body.metadata;
  if (metadata !== undefined && metadata !== null && !(typeof metadata === "object" && Object.keys(metadata).length === 0)) {
    throw new HttpError("BAD_REQUEST", "metadata: Keel datasets carry no metadata; put what it says in the description", "metadata");
  }
  const ctx = { orgId: principal.orgId, projectId: principal.projectId };
  const existing = await findDatasetByName(getDb(), principal.projectId, body.name);
  const dataset = await runAudited(actor, (w) =>
    existing
      ? updateDataset(w, ctx, {
          id: existing.id,
          ...(body.description != null ? { description: body.description } : {}),
          ...(body.inputSchema !== undefined ? { inputSchema: body.inputSchema } : {}),
          ...(body.expectedOutputSchema !== undefined ? { expectedSchema: body.expectedOutputSchema } : {}),
        })
      : createDataset(w, ctx, {
          name: body.name,
          description: body.description ?? undefined,
          inputSchema: body.inputSchema ?? null,
          expectedSchema: body.expectedOutputSchema ?? null,
        }),
  );
  return { status: 200, body: toDataset(dataset) };
}

const createDatasetDoc = {
  tag: TAG,
  scope: "datasets:write" as const,
  permission: "dataset:write" as const,
  body: createDatasetBody,
  responses: { 200: { description: "The dataset.", schema: datasetResponse } },
  errors: [409, 413, 415],
};

// ---- routes ----------------------------------------------------------------------------------

export const langfuseDatasetRoutes: PublicRoute[] = [
  defineRoute({
    method: "GET",
    path: "/api/public/v2/datasets",
    replica: true,
    operationId: "listDatasetsLangfuse",
    summary: "List datasets (Langfuse-compatible)",
    description: "Langfuse's `api.datasets.list`: the project's datasets (archived ones excluded) by name, a page at a time.",
    tag: TAG,
    scope: "datasets:read",
    permission: "dataset:read",
    query: z.object(langfusePageQuery),
    responses: { 200: { description: "A page of datasets.", schema: z.object({ data: z.array(datasetResponse), meta: langfuseMeta }).strict() } },
    errors: [],
    async handle({ principal, query }) {
      const { total, rows } = await listLiveDatasetsPage(getReadDb(), principal.projectId, { skip: (query.page - 1) * query.limit, take: query.limit });
      return { status: 200, body: { data: rows.map(toDataset), meta: pageMeta(query.page, query.limit, total) } };
    },
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/v2/datasets",
    operationId: "createDatasetLangfuse",
    summary: "Create a dataset (Langfuse-compatible)",
    description:
      "Langfuse's `api.datasets.create`: creates the dataset, or (an upsert, as Langfuse does) updates the description and schemas of an existing one. Audited with the API key as the actor. Keel datasets carry no metadata: non-empty `metadata` is refused with 400.",
    ...createDatasetDoc,
    handle: upsertDataset,
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/datasets",
    operationId: "createDatasetLangfuseV1",
    summary: "Create a dataset (Langfuse v1 path)",
    description: "The path the `langfuse` v3 SDK's `createDataset` posts to; the same as `POST /api/public/v2/datasets`.",
    ...createDatasetDoc,
    handle: upsertDataset,
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v2/datasets/{name}",
    replica: true,
    operationId: "getDatasetLangfuse",
    summary: "Fetch a dataset (Langfuse-compatible)",
    description: "Langfuse's `api.datasets.get`, the first call of `dataset.get(name)` / `getDataset(name)`.",
    tag: TAG,
    scope: "datasets:read",
    permission: "dataset:read",
    params: nameParams,
    responses: { 200: { description: "The dataset.", schema: datasetResponse } },
    errors: [404],
    async handle({ principal, params }) {
      return { status: 200, body: toDataset(await datasetNamed(principal.projectId, params.name)) };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/dataset-items",
    replica: true,
    operationId: "listDatasetItemsLangfuse",
    summary: "List dataset items (Langfuse-compatible)",
    description:
      "Langfuse's `api.datasetItems.list`: the items of the latest version of each dataset (or of one, `datasetName`), in their stable order, a page at a time. `version` (a time) reads the dataset version that was the latest then (needs `datasetName`).",
    tag: TAG,
    scope: "datasets:read",
    permission: "dataset:read",
    query: z.object({
      datasetName: datasetName.optional(),
      sourceTraceId: text(200).optional(),
      sourceObservationId: text(200).optional(),
      version: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
      ...langfusePageQuery,
    }),
    responses: { 200: { description: "A page of items.", schema: z.object({ data: z.array(itemResponse), meta: langfuseMeta }).strict() } },
    errors: [404],
    async handle({ principal, query }) {
      const where = [sql`d.project_id = ${principal.projectId}::uuid`, sql`d.archived_at IS NULL`];
      if (query.datasetName) {
        const dataset = await datasetNamed(principal.projectId, query.datasetName);
        where.push(sql`d.id = ${dataset.id}::uuid`);
        if (query.version) {
          const version = await versionAt(getReadDb(), dataset.id, new Date(query.version));
          where.push(sql`r.valid_from <= ${version} AND r.valid_to > ${version}`);
        } else {
          where.push(sql`r.valid_to = ${LIVE_SQL}`);
        }
      } else {
        if (query.version) throw new HttpError("BAD_REQUEST", "version: needs datasetName", "version");
        where.push(sql`r.valid_to = ${LIVE_SQL}`);
      }
      if (query.sourceTraceId) where.push(sql`r.source_type = 'trace' AND split_part(r.source_ref, ':', 1) = ${query.sourceTraceId}`);
      if (query.sourceObservationId) where.push(sql`r.source_type = 'trace' AND split_part(r.source_ref, ':', 2) = ${query.sourceObservationId}`);
      const filter = join(where, " AND ");
      const [rows, count] = await Promise.all([
        readSql<ItemRow>(
          getReadDb(),
          sql`SELECT ${ITEM_SELECT} WHERE ${filter} ORDER BY d.name, r.position LIMIT ${query.limit} OFFSET ${(query.page - 1) * query.limit}`,
        ),
        readSql<{ n: bigint }>(getDb(), sql`SELECT count(*) AS n FROM dataset_item_revisions r JOIN datasets d ON d.id = r.dataset_id WHERE ${filter}`),
      ]);
      return { status: 200, body: { data: rows.map(toItem), meta: pageMeta(query.page, query.limit, Number(count[0]?.n ?? 0)) } };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/dataset-items/{id}",
    replica: true,
    operationId: "getDatasetItemLangfuse",
    summary: "Fetch a dataset item (Langfuse-compatible)",
    description: "Langfuse's `api.datasetItems.get`: the item as it is now (`ARCHIVED` when it left the latest version).",
    tag: TAG,
    scope: "datasets:read",
    permission: "dataset:read",
    params: z.object({ id: text(255).min(1, "is required") }),
    responses: { 200: { description: "The item.", schema: itemResponse } },
    errors: [404],
    async handle({ principal, params }) {
      const row = await findItem(principal.projectId, params.id);
      if (!row) throw new HttpError("NOT_FOUND", `No dataset item ${params.id}`, "id");
      return { status: 200, body: toItem(row) };
    },
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/dataset-items",
    operationId: "createDatasetItemLangfuse",
    summary: "Create or update a dataset item (Langfuse-compatible)",
    description:
      "Langfuse's `api.datasetItems.create` / `createDatasetItem`: adds the item, or (an upsert on `id`) replaces its content, as one new dataset version; `status: ARCHIVED` archives it. An upsert that changes nothing creates no version. Audited with the API key as the actor.",
    tag: TAG,
    scope: "datasets:write",
    permission: "dataset:write",
    body: createItemBody,
    responses: { 200: { description: "The item as it is now.", schema: itemResponse } },
    errors: [404, 409, 413, 415],
    async handle({ principal, body, actor }) {
      const ctx = { orgId: principal.orgId, projectId: principal.projectId };
      const dataset = await datasetNamed(principal.projectId, body.datasetName);
      if (body.id != null && !UUID.test(body.id)) throw new HttpError("BAD_REQUEST", "id: Keel dataset item ids are UUIDs; omit id to get one", "id");
      if (body.sourceObservationId && !body.sourceTraceId)
        throw new HttpError("BAD_REQUEST", "sourceTraceId: is required with sourceObservationId", "sourceTraceId");
      const content = contentOf(body);
      const source: ItemSource = body.sourceTraceId
        ? { type: "trace", ref: `${body.sourceTraceId}:${body.sourceObservationId ?? ""}` }
        : { type: "manual", ref: `api:${principal.publicKey}` };
      const existing = body.id ? await findItem(principal.projectId, body.id) : null;
      if (existing && existing.datasetId !== dataset.id) {
        throw new HttpError("CONFLICT", `id: item ${body.id} belongs to the dataset "${existing.datasetName}"; ids are unique in a project`, "id");
      }
      const archive = body.status === "ARCHIVED";
      let itemId: string;
      if (!existing) {
        const created = await runAudited(actor, async (w) => {
          const added = await addItems(w, ctx, { datasetId: dataset.id, items: [content], source, ...(body.id ? { itemIds: [body.id] } : {}) });
          if (archive) await archiveItems(w, ctx, { datasetId: dataset.id, itemIds: added.itemIds });
          return added.itemIds[0]!;
        });
        itemId = created;
      } else if (existing.validTo !== null) {
        // Archived: Keel does not bring an archived item back (its history stays as it was).
        if (!archive)
          throw new HttpError("CONFLICT", `Item ${existing.itemId} is archived in "${dataset.name}" and cannot be restored; create a new item`, "status");
        const content0 = { input: existing.input, expected: existing.expected ?? null, metadata: existing.metadata };
        if (JSON.stringify(content0) !== JSON.stringify({ ...content, expected: content.expected ?? null })) {
          throw new HttpError("CONFLICT", `Item ${existing.itemId} is archived in "${dataset.name}"; its content cannot change`, "id");
        }
        itemId = existing.itemId;
      } else {
        await runAudited(actor, async (w) => {
          await updateItem(w, ctx, { datasetId: dataset.id, itemId: existing.itemId, content: { ...content, tags: existing.tags } });
          if (archive) await archiveItems(w, ctx, { datasetId: dataset.id, itemIds: [existing.itemId] });
        });
        itemId = existing.itemId;
      }
      const row = await findItem(principal.projectId, itemId);
      if (!row) throw new Error(`Dataset item ${itemId} vanished after saving`);
      return { status: 200, body: toItem(row) };
    },
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/dataset-run-items",
    operationId: "createDatasetRunItemLangfuse",
    summary: "Link a dataset item to a trace in a run (Langfuse-compatible)",
    description:
      "Langfuse's dataset run items (`item.link(...)`, `dataset.runExperiment(...)`): records the item's trace in the run named `runName`, an external (SDK) evaluation run of the item's dataset shown on Keel's evaluation pages (created on its first item and pinned to the dataset's latest version then). Outputs, tokens, cost and scores are read from the linked trace. Audited with the API key as the actor.",
    tag: TAG,
    scope: "evaluations:write",
    permission: "evaluation:write",
    body: createRunItemBody,
    responses: { 200: { description: "The run item.", schema: runItemResponse } },
    errors: [404, 409, 413, 415],
    async handle({ principal, body, actor }) {
      const item = await findItem(principal.projectId, body.datasetItemId);
      if (!item) throw new HttpError("NOT_FOUND", `No dataset item ${body.datasetItemId}`, "datasetItemId");
      let traceId = body.traceId ?? null;
      if (!traceId && body.observationId) {
        // Older SDKs send only the observation: find its trace among the ingested spans.
        const spans = await readSql<{ traceId: string }>(
          getDb(),
          sql`SELECT trace_id AS "traceId" FROM telemetry.spans WHERE project_id = ${principal.projectId}::uuid AND span_id = ${body.observationId} LIMIT 1`,
        );
        traceId = spans[0]?.traceId ?? null;
      }
      if (!traceId) throw new HttpError("BAD_REQUEST", "traceId: is required", "traceId");
      const linked = await runAudited(actor, (w) =>
        linkExternalRunItem(
          w,
          { orgId: principal.orgId, projectId: principal.projectId },
          {
            runName: body.runName,
            description: body.runDescription,
            metadata: body.metadata,
            datasetId: item.datasetId,
            itemId: item.itemId,
            traceId: langfuseTraceId(principal.projectId, traceId),
            observationId: body.observationId ? langfuseSpanId(principal.projectId, body.observationId) : null,
            at: body.createdAt ? new Date(body.createdAt) : undefined,
          },
        ),
      );
      const at = linked.createdAt.toISOString();
      return {
        status: 200,
        body: {
          id: `${linked.runId}:${linked.position}:${linked.repetition}`,
          datasetRunId: linked.runId,
          datasetRunName: linked.name,
          datasetItemId: item.itemId,
          traceId,
          observationId: body.observationId ?? null,
          createdAt: at,
          updatedAt: at,
        },
      };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/datasets/{name}/runs",
    replica: true,
    operationId: "listDatasetRunsLangfuse",
    summary: "List a dataset's runs (Langfuse-compatible)",
    description: "Langfuse's `api.datasets.getRuns`: the dataset's external (SDK) runs, newest first.",
    tag: TAG,
    scope: "evaluations:read",
    permission: "evaluation:read",
    params: nameParams,
    query: z.object(langfusePageQuery),
    responses: { 200: { description: "A page of runs.", schema: z.object({ data: z.array(runResponse), meta: langfuseMeta }).strict() } },
    errors: [404],
    async handle({ principal, params, query }) {
      const dataset = await datasetNamed(principal.projectId, params.name);
      const { total, runs } = await listExternalRunsPage(getReadDb(), principal.projectId, dataset.id, {
        skip: (query.page - 1) * query.limit,
        take: query.limit,
      });
      return { status: 200, body: { data: runs.map((r) => toRun(r, dataset)), meta: pageMeta(query.page, query.limit, total) } };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/datasets/{name}/runs/{runName}",
    replica: true,
    operationId: "getDatasetRunLangfuse",
    summary: "Fetch a dataset run with its items (Langfuse-compatible)",
    description: "Langfuse's `api.datasets.getRun`: the external (SDK) run and every item linked in it.",
    tag: TAG,
    scope: "evaluations:read",
    permission: "evaluation:read",
    params: nameParams.extend({ runName }),
    responses: { 200: { description: "The run and its items.", schema: runResponse.extend({ datasetRunItems: z.array(runItemResponse) }).strict() } },
    errors: [404],
    async handle({ principal, params }) {
      const dataset = await datasetNamed(principal.projectId, params.name);
      const run = await findExternalRunWithItems(getReadDb(), principal.projectId, dataset.id, params.runName);
      if (!run) throw new HttpError("NOT_FOUND", `"${dataset.name}" has no run named "${params.runName}"`, "runName");
      return { status: 200, body: { ...toRun(run, dataset), datasetRunItems: run.items.map((i) => toRunItem(i, params.runName, run.createdAt)) } };
    },
  }),
];
