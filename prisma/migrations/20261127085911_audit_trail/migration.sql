-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "audit_retention_years" INTEGER NOT NULL DEFAULT 7;

-- CreateTable
CREATE TABLE "audit_signing_keys" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "public_key" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "private_key_encrypted" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_signing_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_exports" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "filters" JSONB NOT NULL,
    "row_count" INTEGER NOT NULL,
    "first_seq" BIGINT,
    "last_seq" BIGINT,
    "sha256" TEXT NOT NULL,
    "chain_hash" TEXT,
    "exporter_type" "ActorType" NOT NULL,
    "exporter_label" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_exports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "sink" TEXT,
    "sink_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_verifications" (
    "org_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "checked_seq" BIGINT NOT NULL DEFAULT 0,
    "target_seq" BIGINT NOT NULL DEFAULT 0,
    "last_hash" TEXT,
    "message" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "started_by" TEXT NOT NULL,

    CONSTRAINT "audit_verifications_pkey" PRIMARY KEY ("org_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_signing_keys_org_id_key" ON "audit_signing_keys"("org_id");

-- CreateIndex
CREATE INDEX "audit_exports_org_id_created_at_idx" ON "audit_exports"("org_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "audit_checkpoints_org_id_seq_key" ON "audit_checkpoints"("org_id", "seq");

-- AddForeignKey
ALTER TABLE "audit_signing_keys" ADD CONSTRAINT "audit_signing_keys_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_exports" ADD CONSTRAINT "audit_exports_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_verifications" ADD CONSTRAINT "audit_verifications_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---- What Prisma cannot express ---------------------------------------------------------------

-- Exports and checkpoints are records an auditor relies on: never changed, never deleted.
CREATE TRIGGER "audit_exports_immutable"
  BEFORE UPDATE OR DELETE ON "audit_exports"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

CREATE TRIGGER "audit_checkpoints_immutable"
  BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

-- Full-text search over what changed (the explorer's search box): the words of the before and
-- after snapshots (the organization filter applies on top).
CREATE INDEX "audit_events_search" ON "audit_events" USING GIN (
  to_tsvector('simple', coalesce("before"::text, '') || ' ' || coalesce("after"::text, ''))
);

-- The explorer's actor filter (the beginning of an email or key id, any case), newest first.
CREATE INDEX "audit_events_actor_prefix" ON "audit_events" ("org_id", lower("actor_label") text_pattern_ops, "seq" DESC);
