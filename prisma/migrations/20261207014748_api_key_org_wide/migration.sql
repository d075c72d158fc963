-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "org_wide" BOOLEAN NOT NULL DEFAULT false;
