import "server-only";
// Langfuse compatibility for telemetry: the batch ingestion API its SDKs send traces,
// observations and scores to, the scores API, and the health and project endpoints SDK auth
// checks call. A team moving from Langfuse changes only the base URL and keys (docs/api.md,
// "Langfuse compatibility"). Batches are parsed, mapped and written in the ingestion worker
// threads (server/telemetry/langfuse-ingestion.ts), like OTLP batches.
import { projectWithOrg } from "../domain/orgs/organizations";
import { createRequire } from "node:module";
import { z } from "zod";
import { getDb } from "../db/client";
import { admitBatch, DecompressionError, decompress, OTLP_MAX_BYTES } from "../telemetry/ingest";
import { jsonChecked, name, text } from "../contracts/fields";
import { langfuseScoreId, LangfuseBatchError, ScoreRefused, storeLangfuseScores, toScoreRow } from "../telemetry/langfuse-ingestion";
import { listScores, type ListedScore, type ScoreListFilters } from "../telemetry/queries";
import { uuidv7 } from "../db/uuid";
import { HttpError } from "./errors";
import { readRawBody } from "./input";
import { defineRoute, type PublicRoute } from "./route-table";

const { version: KEEL_VERSION } = createRequire(import.meta.url)("../../package.json") as { version: string };

const ingestionResponse = z.object({
  successes: z.array(z.object({ id: z.string(), status: z.number().int() })).describe("Events stored (status 201)."),
  errors: z
    .array(
      z.object({ id: z.string(), status: z.number().int(), message: z.string().describe("What is wrong, naming the field."), error: z.string().optional() }),
    )
    .describe("Events refused one by one: 400 with the field named, 500 when storing failed (retry the batch)."),
});

const langfuseError = z.object({ message: z.string(), errors: z.array(z.string()).optional() });

const scoreView = z.object({
  id: z.string(),
  traceId: z.string(),
  observationId: z.string().nullable(),
  name: z.string(),
  value: z.number().nullable(),
  stringValue: z.string().nullable(),
  dataType: z.enum(["NUMERIC", "BOOLEAN", "CATEGORICAL"]),
  source: z.enum(["API", "EVAL"]),
  comment: z.string().nullable(),
  environment: z.string(),
  timestamp: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  configId: z.null(),
  queueId: z.null(),
  authorUserId: z.null(),
  sessionId: z.null(),
  datasetRunId: z.null(),
  metadata: z.object({}),
});

function toView(s: ListedScore): z.infer<typeof scoreView> {
  const at = s.createdAt.toISOString();
  const dataType = s.dataType.toUpperCase() as "NUMERIC" | "BOOLEAN" | "CATEGORICAL";
  return {
    id: s.id,
    traceId: s.langfuseTraceId ?? s.traceId,
    observationId: s.spanId === null ? null : (s.langfuseObservationId ?? s.spanId),
    name: s.name,
    value: s.value,
    stringValue: dataType === "BOOLEAN" ? (s.value === 1 ? "True" : "False") : s.stringValue,
    dataType,
    source: s.source === "online_eval" ? "EVAL" : "API",
    comment: s.comment,
    environment: s.environment ?? "default",
    timestamp: at,
    createdAt: at,
    updatedAt: at,
    configId: null,
    queueId: null,
    authorUserId: null,
    sessionId: null,
    datasetRunId: null,
    metadata: {},
  };
}

/**
 * Langfuse's score body (what `langfuse.api.scores.create` sends), with Keel's field types: text
 * that cannot be stored (NUL, unpaired surrogates) is a 400 here. The ingestion path reads the
 * same shape leniently and makes such text storable instead.
 */
const scoreBody = z.object({
  id: text(800).nullish(),
  name: name(200),
  traceId: text(800).nullish(),
  sessionId: text(800).nullish(),
  datasetRunId: text(800).nullish(),
  observationId: text(800).nullish(),
  environment: text(200).nullish(),
  comment: text(5000).nullish(),
  metadata: jsonChecked(z.unknown()).optional(),
  source: text(40).nullish(),
  value: z.union([z.number().finite(), text(1000), z.boolean()], { error: "must be a number or a string" }),
  dataType: z.enum(["NUMERIC", "BOOLEAN", "CATEGORICAL", "TEXT", "CORRECTION"], { error: "must be NUMERIC, BOOLEAN or CATEGORICAL" }).nullish(),
  configId: text(200).nullish(),
  queueId: text(200).nullish(),
});

const list = text(2000).transform((s) =>
  s
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean),
);
const dateTime = text(64).refine((s) => Number.isFinite(Date.parse(s)), { error: "must be an ISO 8601 date-time" });

const scoresQuery = z.object({
  page: z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" }).min(1, { error: "must be 1 or more" }).max(100_000).default(1),
  limit: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be 1 or more" })
    .max(100, { error: "must be 100 or less" })
    .default(50),
  userId: text(1000).optional(),
  name: text(200).optional(),
  dataType: z.enum(["NUMERIC", "BOOLEAN", "CATEGORICAL"], { error: "must be NUMERIC, BOOLEAN or CATEGORICAL" }).optional(),
  source: z.enum(["API", "EVAL", "ANNOTATION"], { error: "must be API, EVAL or ANNOTATION" }).optional(),
  environment: list.optional(),
  traceTags: list.optional(),
  scoreIds: list.optional(),
  fromTimestamp: dateTime.optional(),
  toTimestamp: dateTime.optional(),
  value: z.coerce.number({ error: "must be a number" }).finite().optional(),
  operator: z.enum(["<", ">", "<=", ">=", "=", "!="], { error: "must be one of < > <= >= = !=" }).optional(),
  configId: text(200).optional(),
  queueId: text(200).optional(),
});

/** The score reads, at Langfuse's v1 path and at the v2 path its current SDKs list scores from. */
function scoreReadRoutes(base: string, listId: string, getId: string): PublicRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: base,
      replica: true,
      operationId: listId,
      summary: `List scores (Langfuse${base.includes("/v2/") ? " v2" : ""})`,
      description:
        "Langfuse's score list: newest first, `page` (from 1) and `limit` (at most 100), filtered by `name`, `userId`, `dataType`, `source`, `environment`, `traceTags`, `scoreIds` (comma-separated), `fromTimestamp`/`toTimestamp` and `value` with `operator`. Trace and observation ids are the ones the scores were sent with.",
      tag: "Langfuse",
      scope: "traces:read",
      permission: "trace:read",
      query: scoresQuery,
      responses: {
        200: {
          description: "A page of scores.",
          schema: z.object({
            data: z.array(scoreView),
            meta: z.object({ page: z.number().int(), limit: z.number().int(), totalItems: z.number().int(), totalPages: z.number().int() }),
          }),
        },
      },
      errors: [],
      async handle({ principal, query }) {
        if (query.configId) throw new HttpError("BAD_REQUEST", "configId: Keel has no score configs, so no score matches a configId", "configId");
        if (query.queueId) throw new HttpError("BAD_REQUEST", "queueId: Keel does not record annotation queues on scores", "queueId");
        if (query.source === "ANNOTATION")
          return { status: 200, body: { data: [], meta: { page: query.page, limit: query.limit, totalItems: 0, totalPages: 0 } } };
        if ((query.value === undefined) !== (query.operator === undefined))
          throw new HttpError("BAD_REQUEST", "value and operator go together", query.value === undefined ? "value" : "operator");
        const filters: ScoreListFilters = {
          page: query.page,
          limit: query.limit,
          ids: query.scoreIds?.map((id) => langfuseScoreId(principal.projectId, id)),
          name: query.name,
          userId: query.userId,
          dataType: query.dataType?.toLowerCase() as ScoreListFilters["dataType"],
          source: query.source === "EVAL" ? "online_eval" : query.source === "API" ? "api" : undefined,
          environments: query.environment,
          traceTags: query.traceTags,
          from: query.fromTimestamp ? new Date(query.fromTimestamp) : undefined,
          to: query.toTimestamp ? new Date(query.toTimestamp) : undefined,
          value: query.value !== undefined && query.operator ? { value: query.value, operator: query.operator } : undefined,
        };
        const { items, total } = await listScores(principal.projectId, filters);
        return {
          status: 200,
          body: { data: items.map(toView), meta: { page: query.page, limit: query.limit, totalItems: total, totalPages: Math.ceil(total / query.limit) } },
        };
      },
    }),
    defineRoute({
      method: "GET",
      path: `${base}/{scoreId}`,
      replica: true,
      operationId: getId,
      summary: `Get a score (Langfuse${base.includes("/v2/") ? " v2" : ""})`,
      tag: "Langfuse",
      scope: "traces:read",
      permission: "trace:read",
      params: z.object({ scoreId: text(800).min(1, { error: "is required" }) }),
      responses: { 200: { description: "The score.", schema: scoreView } },
      errors: [404],
      async handle({ principal, params }) {
        const { items } = await listScores(principal.projectId, { page: 1, limit: 1, ids: [langfuseScoreId(principal.projectId, params.scoreId)] });
        if (!items[0]) throw new HttpError("NOT_FOUND", `No score ${params.scoreId} in this project`, "scoreId");
        return { status: 200, body: toView(items[0]) };
      },
    }),
  ];
}

export const langfuseIngestionRoutes: PublicRoute[] = [
  defineRoute({
    method: "POST",
    path: "/api/public/ingestion",
    operationId: "langfuseIngestion",
    summary: "Send a Langfuse ingestion batch",
    description:
      "Langfuse's batch event API, as the `langfuse` v3 JS SDK, the Python SDK v2 and the score manager of `@langfuse/client` v4/v5 send it: `{ batch: [{ id, type, timestamp, body }], metadata? }` with trace-create, span-create/-update, generation-create/-update, event-create (and agent/tool/chain/retriever/evaluator/embedding/guardrail-create), score-create, sdk-log (accepted, not stored), and the legacy observation-create/-update. Traces become root spans, observations spans (generations carry model, usage, cost, prompt link and level), scores Keel scores. Answers 207 with every event's outcome; idempotent by event: a retried batch changes nothing. Langfuse ids are kept as `langfuse.trace.id` / `langfuse.observation.id`.",
    tag: "Langfuse",
    scope: "traces:ingest",
    permission: "trace:ingest",
    rawBody: { contentTypes: ["application/json"], description: "A Langfuse ingestion batch: `{ batch: [{ id, type, timestamp, body }] }`." },
    responses: {
      207: { description: "Every event's outcome.", schema: ingestionResponse },
      400: { description: "The body is not an ingestion batch.", schema: langfuseError },
    },
    errors: [413, 503],
    async handle({ req, principal, services }) {
      const release = admitBatch();
      if (!release) {
        req.resume();
        return {
          status: 503,
          body: { message: "Keel is ingesting at capacity; retry this batch after the Retry-After delay" },
          headers: { "retry-after": "1" },
        };
      }
      try {
        let body: Buffer;
        try {
          const raw = await readRawBody(req, OTLP_MAX_BYTES, (what) => new HttpError("PAYLOAD_TOO_LARGE", `${what}; the limit is ${OTLP_MAX_BYTES} bytes`));
          body = await decompress(raw, req.headers["content-encoding"]);
        } catch (error) {
          if (error instanceof DecompressionError) throw new HttpError(error.tooLarge ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", error.message);
          throw error;
        }
        const result = await services.ingestLangfuse(principal.projectId, body);
        return { status: 207, body: result };
      } catch (error) {
        if (error instanceof LangfuseBatchError) return { status: 400, body: { message: error.message, errors: error.details } };
        throw error;
      } finally {
        release();
      }
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/public/scores",
    operationId: "langfuseCreateScore",
    summary: "Create a score (Langfuse)",
    description:
      "Langfuse's `POST /api/public/scores`: a NUMERIC, BOOLEAN or CATEGORICAL score (`dataType` may be left out: inferred from `value`) on a trace or one of its observations. Scores may arrive before their trace: they are kept, and get the generation's prompt, model and environment when it arrives. Send your own `id` to make retries safe. Session and dataset-run scores, score configs and metadata are not stored.",
    tag: "Langfuse",
    scope: "traces:ingest",
    permission: "trace:ingest",
    body: scoreBody,
    responses: { 200: { description: "Stored (or already stored under this id).", schema: z.object({ id: z.string() }) } },
    errors: [],
    async handle({ principal, body }) {
      let row;
      try {
        row = toScoreRow(principal.projectId, body, uuidv7());
      } catch (error) {
        if (error instanceof ScoreRefused) throw new HttpError("BAD_REQUEST", error.message, error.message.split(":")[0]);
        throw error;
      }
      await storeLangfuseScores(principal.projectId, [row]);
      return { status: 200, body: { id: body.id || row.id } };
    },
  }),
  ...scoreReadRoutes("/api/public/scores", "langfuseListScores", "langfuseGetScore"),
  ...scoreReadRoutes("/api/public/v2/scores", "langfuseListScoresV2", "langfuseGetScoreV2"),
  defineRoute({
    method: "GET",
    path: "/api/public/health",
    operationId: "langfuseHealth",
    summary: "Health check (Langfuse)",
    description: 'What Langfuse SDKs and uptime checks call: `{ status: "OK", version }`.',
    tag: "Langfuse",
    scope: "public",
    reason: "a health check says nothing about any project (SDKs and load balancers call it without a key)",
    responses: { 200: { description: "Keel is up.", schema: z.object({ status: z.literal("OK"), version: z.string() }) } },
    errors: [],
    handle() {
      return { status: 200, body: { status: "OK", version: KEEL_VERSION } };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/public/projects",
    operationId: "langfuseProjects",
    summary: "The key's project (Langfuse)",
    description: "What Langfuse SDK auth checks call: the key's project in Langfuse's shape, `{ data: [{ id, name, organization, metadata }] }`.",
    tag: "Langfuse",
    scope: "any",
    responses: {
      200: {
        description: "The key's project.",
        schema: z.object({
          data: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              organization: z.object({ id: z.string(), name: z.string() }),
              metadata: z.object({}),
              retentionDays: z.number().int().optional(),
            }),
          ),
        }),
      },
    },
    errors: [],
    async handle({ principal }) {
      const project = await projectWithOrg(getDb(), principal.projectId);
      const retentionDays = project.telemetrySettings?.retentionDays;
      return {
        status: 200,
        body: {
          data: [
            {
              id: project.id,
              name: project.name,
              organization: { id: project.org.id, name: project.org.name },
              metadata: {},
              ...(retentionDays ? { retentionDays } : {}),
            },
          ],
        },
      };
    },
  }),
];
