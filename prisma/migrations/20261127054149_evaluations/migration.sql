-- CreateEnum
CREATE TYPE "EvaluationRunStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "EvaluationItemStatus" AS ENUM ('pending', 'running', 'done', 'error');

-- CreateTable
CREATE TABLE "evaluators" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "latest_version" INTEGER NOT NULL DEFAULT 0,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "evaluators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluator_versions" (
    "id" UUID NOT NULL,
    "evaluator_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "commit_message" TEXT NOT NULL DEFAULT '',
    "content_hash" TEXT NOT NULL,
    "author_type" "ActorType" NOT NULL,
    "author_id" TEXT,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluator_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluation_runs" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "prompt_version_id" UUID NOT NULL,
    "dataset_version_id" UUID NOT NULL,
    "tag" TEXT,
    "provider_id" UUID,
    "model" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "repetitions" INTEGER NOT NULL DEFAULT 1,
    "concurrency" INTEGER NOT NULL DEFAULT 8,
    "status" "EvaluationRunStatus" NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "items_total" INTEGER NOT NULL DEFAULT 0,
    "summary" JSONB,
    "created_by_type" "ActorType" NOT NULL,
    "created_by_id" TEXT,
    "created_by_label" TEXT NOT NULL,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "evaluation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluation_run_evaluators" (
    "run_id" UUID NOT NULL,
    "evaluator_version_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "evaluation_run_evaluators_pkey" PRIMARY KEY ("run_id","evaluator_version_id")
);

-- CreateTable
CREATE TABLE "evaluation_run_items" (
    "run_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "repetition" INTEGER NOT NULL,
    "item_id" UUID NOT NULL,
    "status" "EvaluationItemStatus" NOT NULL DEFAULT 'pending',
    "lease_until" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "rendered" JSONB,
    "output" TEXT,
    "latency_ms" INTEGER,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cost_usd" DECIMAL(14,8),
    "error" TEXT,
    "scores" JSONB,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "evaluation_run_items_pkey" PRIMARY KEY ("run_id","position","repetition")
);

-- CreateIndex
CREATE UNIQUE INDEX "evaluators_project_id_name_key" ON "evaluators"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "evaluator_versions_evaluator_id_version_key" ON "evaluator_versions"("evaluator_id", "version");

-- CreateIndex
CREATE INDEX "evaluation_runs_project_id_created_at_idx" ON "evaluation_runs"("project_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "evaluation_runs_prompt_version_id_idx" ON "evaluation_runs"("prompt_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "evaluation_runs_project_id_number_key" ON "evaluation_runs"("project_id", "number");

-- CreateIndex
CREATE INDEX "evaluation_run_items_run_id_status_idx" ON "evaluation_run_items"("run_id", "status");

-- AddForeignKey
ALTER TABLE "evaluators" ADD CONSTRAINT "evaluators_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluator_versions" ADD CONSTRAINT "evaluator_versions_evaluator_id_fkey" FOREIGN KEY ("evaluator_id") REFERENCES "evaluators"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation_runs" ADD CONSTRAINT "evaluation_runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation_runs" ADD CONSTRAINT "evaluation_runs_prompt_version_id_fkey" FOREIGN KEY ("prompt_version_id") REFERENCES "prompt_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation_runs" ADD CONSTRAINT "evaluation_runs_dataset_version_id_fkey" FOREIGN KEY ("dataset_version_id") REFERENCES "dataset_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation_run_evaluators" ADD CONSTRAINT "evaluation_run_evaluators_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "evaluation_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation_run_evaluators" ADD CONSTRAINT "evaluation_run_evaluators_evaluator_version_id_fkey" FOREIGN KEY ("evaluator_version_id") REFERENCES "evaluator_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation_run_items" ADD CONSTRAINT "evaluation_run_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "evaluation_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---- Hand-written: what schema.prisma cannot express -----------------------------------------

CREATE TRIGGER "evaluator_versions_immutable"
  BEFORE UPDATE OR DELETE ON "evaluator_versions"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

CREATE TRIGGER "evaluation_run_evaluators_immutable"
  BEFORE UPDATE OR DELETE ON "evaluation_run_evaluators"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

-- Workers look for claimable items of a run: pending ones, and running ones whose lease ran out.
CREATE INDEX "evaluation_run_items_claimable" ON "evaluation_run_items" ("run_id", "position") WHERE "status" IN ('pending', 'running');

-- The scope `evaluations:run` became `evaluations:read` + `evaluations:write`; keys keep what they could do.
UPDATE "api_keys" SET "scopes" = array_replace("scopes", 'evaluations:run', 'evaluations:write') WHERE 'evaluations:run' = ANY ("scopes");
