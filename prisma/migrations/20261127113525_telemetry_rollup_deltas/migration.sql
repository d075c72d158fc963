-- Telemetry only (outside Prisma's model, so there is nothing for Prisma to generate here).
--
-- Rollup deltas: ingestion appends each batch's counts here (a plain INSERT, in the batch's own
-- transaction) instead of upserting the shared minute/hour rollup rows, which made concurrent
-- batches queue on the same row locks. The worker folds the deltas into the rollups every second
-- in one statement (server/telemetry/store.ts foldRollups); dashboards read the rollups plus the
-- deltas not yet folded, so they are exact at any moment.
CREATE TABLE telemetry.rollup_deltas (
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
    guardrail_flags  BIGINT NOT NULL
);
CREATE INDEX rollup_deltas_project_idx ON telemetry.rollup_deltas (project_id, bucket);

-- The online-evaluation cursor reads generations by ingestion time only.
DROP INDEX telemetry.spans_ingested_idx;
CREATE INDEX spans_generations_ingested_idx ON telemetry.spans (ingested_at) WHERE is_generation;
