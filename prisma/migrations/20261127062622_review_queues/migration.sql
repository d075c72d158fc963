-- CreateEnum
CREATE TYPE "ReviewAssignmentStatus" AS ENUM ('leased', 'submitted', 'skipped');

-- CreateTable
CREATE TABLE "review_queues" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "guidelines" TEXT NOT NULL DEFAULT '',
    "rubric" JSONB NOT NULL,
    "reviews_per_item" INTEGER NOT NULL,
    "blind" BOOLEAN NOT NULL DEFAULT true,
    "show_auto_scores" BOOLEAN NOT NULL DEFAULT false,
    "lease_seconds" INTEGER NOT NULL DEFAULT 600,
    "next_position" INTEGER NOT NULL DEFAULT 1,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "review_queues_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "review_queue_reviewers" (
    "queue_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_queue_reviewers_pkey" PRIMARY KEY ("queue_id","user_id")
);

-- CreateTable
CREATE TABLE "review_items" (
    "id" UUID NOT NULL,
    "queue_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "source_type" TEXT NOT NULL,
    "source_ref" JSONB NOT NULL,
    "input" JSONB NOT NULL,
    "expected" JSONB,
    "output" TEXT,
    "auto_scores" JSONB,
    "gold_grade" JSONB,
    "final_grade" JSONB,
    "final_source" TEXT,
    "finalized_at" TIMESTAMPTZ(3),
    "finalized_by_id" UUID,
    "adjudication_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "review_assignments" (
    "id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "reviewer_id" UUID NOT NULL,
    "status" "ReviewAssignmentStatus" NOT NULL,
    "lease_until" TIMESTAMPTZ(3),
    "grade" JSONB,
    "draft" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submitted_at" TIMESTAMPTZ(3),
    "revised_at" TIMESTAMPTZ(3),
    "seconds" INTEGER,

    CONSTRAINT "review_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "review_queues_project_id_name_key" ON "review_queues"("project_id", "name");

-- CreateIndex
CREATE INDEX "review_items_queue_id_finalized_at_idx" ON "review_items"("queue_id", "finalized_at");

-- CreateIndex
CREATE UNIQUE INDEX "review_items_queue_id_position_key" ON "review_items"("queue_id", "position");

-- CreateIndex
CREATE INDEX "review_assignments_reviewer_id_status_idx" ON "review_assignments"("reviewer_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "review_assignments_item_id_reviewer_id_key" ON "review_assignments"("item_id", "reviewer_id");

-- AddForeignKey
ALTER TABLE "review_queues" ADD CONSTRAINT "review_queues_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_queue_reviewers" ADD CONSTRAINT "review_queue_reviewers_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "review_queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_queue_reviewers" ADD CONSTRAINT "review_queue_reviewers_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "review_queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "review_items"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
