-- CreateEnum
CREATE TYPE "DatasetItemSource" AS ENUM ('manual', 'import', 'playground', 'evaluation', 'review', 'trace');

-- CreateEnum
CREATE TYPE "DatasetChangeKind" AS ENUM ('add', 'edit', 'archive', 'tag', 'import');

-- CreateTable
CREATE TABLE "datasets" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "input_schema" JSONB,
    "expected_schema" JSONB,
    "latest_version" INTEGER NOT NULL DEFAULT 0,
    "next_position" INTEGER NOT NULL DEFAULT 1,
    "csv_columns" JSONB,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_versions" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "DatasetChangeKind" NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "item_count" INTEGER NOT NULL,
    "added" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "removed" INTEGER NOT NULL DEFAULT 0,
    "details" JSONB NOT NULL DEFAULT '{}',
    "author_type" "ActorType" NOT NULL,
    "author_id" TEXT,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_item_revisions" (
    "dataset_id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "valid_from" INTEGER NOT NULL,
    "valid_to" INTEGER NOT NULL DEFAULT 2147483647,
    "input" JSONB NOT NULL,
    "expected" JSONB,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "source_type" "DatasetItemSource" NOT NULL,
    "source_ref" TEXT,
    "content_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_item_revisions_pkey" PRIMARY KEY ("dataset_id","position","valid_to","valid_from")
);

-- CreateIndex
CREATE UNIQUE INDEX "datasets_project_id_name_key" ON "datasets"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_versions_dataset_id_version_key" ON "dataset_versions"("dataset_id", "version");

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_versions" ADD CONSTRAINT "dataset_versions_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---- Hand-written: what schema.prisma cannot express -----------------------------------------

-- At most one live revision per item; also how an item is found by id.
CREATE UNIQUE INDEX "dataset_item_revisions_live_item" ON "dataset_item_revisions" ("item_id") WHERE "valid_to" = 2147483647;

-- Deleting dataset history is refused, except inside a purge of a whole dataset
-- (set_config('keel.purge', 'dataset:<id>', true)), which the domain does for unused datasets only.
CREATE FUNCTION "keel_dataset_history_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  probe "dataset_item_revisions"%ROWTYPE;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('keel.purge', true) = 'dataset:' || OLD."dataset_id" THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is immutable', TG_TABLE_NAME USING DETAIL = 'DELETE on ' || TG_TABLE_NAME || ' was refused';
  END IF;
  -- UPDATE: only a live item revision's valid_to may be lowered to the version that replaced it, once.
  IF TG_TABLE_NAME = 'dataset_item_revisions' THEN
    IF OLD."valid_to" = 2147483647 AND NEW."valid_to" > OLD."valid_from" AND NEW."valid_to" < 2147483647 THEN
      probe := NEW;
      probe."valid_to" := OLD."valid_to";
      IF probe IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
      END IF;
    END IF;
  END IF;
  RAISE EXCEPTION '% is immutable', TG_TABLE_NAME USING DETAIL = 'UPDATE on ' || TG_TABLE_NAME || ' was refused';
END;
$$;

CREATE TRIGGER "dataset_item_revisions_immutable"
  BEFORE UPDATE OR DELETE ON "dataset_item_revisions"
  FOR EACH ROW EXECUTE FUNCTION "keel_dataset_history_guard"();

CREATE TRIGGER "dataset_versions_immutable"
  BEFORE UPDATE OR DELETE ON "dataset_versions"
  FOR EACH ROW EXECUTE FUNCTION "keel_dataset_history_guard"();
