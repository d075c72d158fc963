-- AlterTable
ALTER TABLE "prompt_versions" ADD COLUMN     "variable_details" JSONB NOT NULL DEFAULT '{}';
