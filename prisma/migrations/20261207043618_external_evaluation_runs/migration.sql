-- CreateEnum
CREATE TYPE "EvaluationRunSource" AS ENUM ('keel', 'external');

-- AlterTable
ALTER TABLE "evaluation_run_items" ADD COLUMN     "observation_id" TEXT,
ADD COLUMN     "trace_id" TEXT;

-- AlterTable
ALTER TABLE "evaluation_runs" ADD COLUMN     "description" TEXT,
ADD COLUMN     "metadata" JSONB,
ADD COLUMN     "name" TEXT,
ADD COLUMN     "source" "EvaluationRunSource" NOT NULL DEFAULT 'keel',
ALTER COLUMN "prompt_version_id" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "evaluation_runs_project_id_name_idx" ON "evaluation_runs"("project_id", "name");

-- Only a run executed outside Keel may lack a prompt version; a run Keel executes always names one.
ALTER TABLE "evaluation_runs" ADD CONSTRAINT "evaluation_runs_prompt_version_source_check"
  CHECK ("source" = 'external' OR "prompt_version_id" IS NOT NULL);
