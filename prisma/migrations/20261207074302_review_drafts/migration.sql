-- AlterTable
ALTER TABLE "review_assignments" DROP COLUMN "draft";

-- CreateTable
CREATE TABLE "review_drafts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_drafts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "review_drafts_item_id_idx" ON "review_drafts"("item_id");

-- CreateIndex
CREATE UNIQUE INDEX "review_drafts_user_id_item_id_key" ON "review_drafts"("user_id", "item_id");

-- AddForeignKey
ALTER TABLE "review_drafts" ADD CONSTRAINT "review_drafts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_drafts" ADD CONSTRAINT "review_drafts_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "review_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A draft is a form's values, not a document: bounded (the procedure refuses more with a 400).
ALTER TABLE "review_drafts" ADD CONSTRAINT "review_drafts_payload_size" CHECK (octet_length("payload"::text) <= 65536);
