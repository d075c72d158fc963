-- CreateEnum
CREATE TYPE "GuardrailStage" AS ENUM ('input', 'output', 'both');

-- CreateEnum
CREATE TYPE "GuardrailAction" AS ENUM ('block', 'flag');

-- CreateEnum
CREATE TYPE "TraceRuleKind" AS ENUM ('negative_feedback', 'score_below', 'random_sample');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "monthly_quota" INTEGER,
ADD COLUMN     "rate_limit_per_minute" INTEGER;

-- CreateTable
CREATE TABLE "telemetry_settings" (
    "project_id" UUID NOT NULL,
    "retention_days" INTEGER NOT NULL DEFAULT 30,
    "gateway_connection_id" UUID,
    "fallback_connection_id" UUID,
    "fallback_model" TEXT,
    "gateway_timeout_ms" INTEGER NOT NULL DEFAULT 30000,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "telemetry_settings_pkey" PRIMARY KEY ("project_id")
);

-- CreateTable
CREATE TABLE "guardrails" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL,
    "stage" "GuardrailStage" NOT NULL,
    "action" "GuardrailAction" NOT NULL,
    "config" JSONB NOT NULL,
    "prompt_name" TEXT,
    "environment" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "guardrails_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "online_evaluators" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "evaluator_id" UUID NOT NULL,
    "prompt_name" TEXT,
    "environment" TEXT,
    "sample_rate" DOUBLE PRECISION NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "online_evaluators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trace_rules" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "TraceRuleKind" NOT NULL,
    "queue_id" UUID NOT NULL,
    "score_name" TEXT,
    "threshold" DOUBLE PRECISION,
    "sample_rate" DOUBLE PRECISION,
    "prompt_name" TEXT,
    "environment" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trace_rules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "guardrails_project_id_name_key" ON "guardrails"("project_id", "name");

-- CreateIndex
CREATE INDEX "online_evaluators_project_id_idx" ON "online_evaluators"("project_id");

-- CreateIndex
CREATE UNIQUE INDEX "trace_rules_project_id_name_key" ON "trace_rules"("project_id", "name");

-- AddForeignKey
ALTER TABLE "telemetry_settings" ADD CONSTRAINT "telemetry_settings_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "telemetry_settings" ADD CONSTRAINT "telemetry_settings_gateway_connection_id_fkey" FOREIGN KEY ("gateway_connection_id") REFERENCES "provider_connections"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "telemetry_settings" ADD CONSTRAINT "telemetry_settings_fallback_connection_id_fkey" FOREIGN KEY ("fallback_connection_id") REFERENCES "provider_connections"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "guardrails" ADD CONSTRAINT "guardrails_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "online_evaluators" ADD CONSTRAINT "online_evaluators_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "online_evaluators" ADD CONSTRAINT "online_evaluators_evaluator_id_fkey" FOREIGN KEY ("evaluator_id") REFERENCES "evaluators"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trace_rules" ADD CONSTRAINT "trace_rules_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trace_rules" ADD CONSTRAINT "trace_rules_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "review_queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Production telemetry: data, not governed state. It lives in its own schema, outside Prisma's
-- model (Prisma manages only `public`), and is written and read only by server/telemetry/store.ts,
-- the one module to replace when traces move to a column store (docs/architecture.md).
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS telemetry;

-- Spans, partitioned by day on start_time. Partitions are created on demand by the write path
-- (telemetry.ensure_span_partition) and dropped by the retention sweep. The primary key makes a
-- retried batch idempotent: a span is (trace id, span id) and keeps its start time.
CREATE TABLE telemetry.spans (
    project_id     UUID NOT NULL,
    trace_id       TEXT NOT NULL,
    span_id        TEXT NOT NULL,
    parent_span_id TEXT,
    name           TEXT NOT NULL,
    kind           SMALLINT NOT NULL DEFAULT 0,
    start_time     TIMESTAMPTZ NOT NULL,
    end_time       TIMESTAMPTZ NOT NULL,
    duration_ms    DOUBLE PRECISION NOT NULL,
    status_code    SMALLINT NOT NULL DEFAULT 0,
    status_message TEXT,
    service_name   TEXT,
    is_generation  BOOLEAN NOT NULL DEFAULT false,
    model          TEXT,
    provider       TEXT,
    input_tokens   INTEGER,
    output_tokens  INTEGER,
    cost_usd       DOUBLE PRECISION,
    prompt_name    TEXT,
    prompt_version INTEGER,
    environment    TEXT,
    user_id        TEXT,
    session_id     TEXT,
    input          TEXT,
    output         TEXT,
    attributes     JSONB NOT NULL DEFAULT '{}',
    events         JSONB,
    -- otel | gateway
    source         TEXT NOT NULL DEFAULT 'otel',
    -- Guardrail violations recorded by the gateway: [{ rule, kind, stage, action, detail }].
    guardrails     JSONB,
    ingested_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (project_id, trace_id, span_id, start_time)
) PARTITION BY RANGE (start_time);

-- Generations by time (online evaluation, rules); the primary key serves a trace's spans.
CREATE INDEX spans_generations_idx ON telemetry.spans (project_id, start_time DESC) WHERE is_generation;
CREATE INDEX spans_ingested_idx ON telemetry.spans (ingested_at);

CREATE FUNCTION telemetry.ensure_span_partition(day DATE) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  child TEXT := 'spans_' || to_char(day, 'YYYYMMDD');
BEGIN
  -- One creator at a time: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
  PERFORM pg_advisory_xact_lock(hashtext('telemetry.spans.partition'));
  IF to_regclass('telemetry.' || child) IS NULL THEN
    EXECUTE format('CREATE TABLE telemetry.%I PARTITION OF telemetry.spans FOR VALUES FROM (%L) TO (%L)',
      child, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
  END IF;
END $$;

-- Latency histograms are fixed log buckets (bucket 0: under 1 ms; bucket i: [1.25^(i-1), 1.25^i) ms,
-- 64 buckets); rollups add them element-wise.
CREATE FUNCTION telemetry.hist_add(a INTEGER[], b INTEGER[]) RETURNS INTEGER[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE
    (SELECT array_agg(COALESCE(x, 0) + COALESCE(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)) END
$$;
CREATE AGGREGATE telemetry.hist_sum(INTEGER[]) (SFUNC = telemetry.hist_add, STYPE = INTEGER[], PARALLEL = SAFE);

-- Generation rollups per minute and per hour, per prompt/version/model/environment ('' and 0 for none),
-- updated in the same transaction as the spans they count (only spans actually inserted).
CREATE TABLE telemetry.rollups_minute (
    project_id       UUID NOT NULL,
    bucket           TIMESTAMPTZ NOT NULL,
    prompt_name      TEXT NOT NULL,
    prompt_version   INTEGER NOT NULL,
    model            TEXT NOT NULL,
    environment      TEXT NOT NULL,
    generations      BIGINT NOT NULL,
    errors           BIGINT NOT NULL,
    input_tokens     BIGINT NOT NULL,
    output_tokens    BIGINT NOT NULL,
    cost_usd         DOUBLE PRECISION NOT NULL,
    latency_sum_ms   DOUBLE PRECISION NOT NULL,
    latency_hist     INTEGER[] NOT NULL,
    guardrail_blocks BIGINT NOT NULL,
    guardrail_flags  BIGINT NOT NULL,
    PRIMARY KEY (project_id, bucket, prompt_name, prompt_version, model, environment)
);
CREATE TABLE telemetry.rollups_hour (LIKE telemetry.rollups_minute INCLUDING ALL);

-- One row per trace, grown as its spans arrive (in any order, over several batches): the trace
-- list and its filters read this, not the spans.
CREATE TABLE telemetry.traces (
    project_id     UUID NOT NULL,
    trace_id       TEXT NOT NULL,
    start_time     TIMESTAMPTZ NOT NULL,
    end_time       TIMESTAMPTZ NOT NULL,
    root_name      TEXT,
    spans          INTEGER NOT NULL,
    generations    INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    input_tokens   BIGINT NOT NULL,
    output_tokens  BIGINT NOT NULL,
    cost_usd       DOUBLE PRECISION NOT NULL,
    prompt_name    TEXT,
    prompt_version INTEGER,
    model          TEXT,
    environment    TEXT,
    user_id        TEXT,
    session_id     TEXT,
    service_name   TEXT,
    source         TEXT NOT NULL,
    PRIMARY KEY (project_id, trace_id)
);
CREATE INDEX traces_time_idx ON telemetry.traces (project_id, start_time DESC);

-- Scores: user feedback (public API), online evaluators and review grades on traces.
CREATE TABLE telemetry.scores (
    id             UUID PRIMARY KEY,
    project_id     UUID NOT NULL,
    trace_id       TEXT NOT NULL,
    span_id        TEXT,
    name           TEXT NOT NULL,
    -- api | online_eval
    source         TEXT NOT NULL,
    -- numeric | boolean | categorical
    data_type      TEXT NOT NULL,
    value          DOUBLE PRECISION,
    string_value   TEXT,
    comment        TEXT,
    -- Copied from the scored generation so the dashboards can slice quality like everything else.
    prompt_name    TEXT,
    prompt_version INTEGER,
    model          TEXT,
    environment    TEXT,
    evaluator_id   UUID,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX scores_project_time_idx ON telemetry.scores (project_id, created_at);
CREATE INDEX scores_trace_idx ON telemetry.scores (project_id, trace_id);

-- Gateway requests per API key per month, for quotas (written with the gateway's trace batches).
CREATE TABLE telemetry.key_usage (
    key_id   UUID NOT NULL,
    month    DATE NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (key_id, month)
);

-- Which traces a rule already sent to its queue (a trace is sent once per rule), and the
-- worker's progress through newly ingested spans per online evaluator / rule.
CREATE TABLE telemetry.rule_hits (
    rule_id  UUID NOT NULL,
    trace_id TEXT NOT NULL,
    PRIMARY KEY (rule_id, trace_id)
);
CREATE TABLE telemetry.cursors (
    name     TEXT PRIMARY KEY,
    position TIMESTAMPTZ NOT NULL
);
