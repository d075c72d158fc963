-- CreateEnum
CREATE TYPE "PromptType" AS ENUM ('text', 'chat');

-- CreateEnum
CREATE TYPE "ProviderKind" AS ENUM ('openai_compatible', 'anthropic', 'simulated');

-- CreateTable
CREATE TABLE "prompts" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "PromptType" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "tags" TEXT[],
    "latest_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "prompts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prompt_versions" (
    "id" UUID NOT NULL,
    "prompt_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "template" TEXT,
    "messages" JSONB,
    "variables" TEXT[],
    "config" JSONB NOT NULL,
    "commit_message" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "based_on_version" INTEGER,
    "author_type" "ActorType" NOT NULL,
    "author_id" TEXT,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prompt_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "environments" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "protected" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "environments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prompt_labels" (
    "id" UUID NOT NULL,
    "prompt_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "prompt_labels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prompt_label_events" (
    "id" UUID NOT NULL,
    "prompt_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "from_version" INTEGER,
    "to_version" INTEGER NOT NULL,
    "actor_type" "ActorType" NOT NULL,
    "actor_label" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "prompt_label_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_connections" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ProviderKind" NOT NULL,
    "base_url" TEXT,
    "api_key_encrypted" TEXT,
    "api_key_hint" TEXT,
    "default_model" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_prices" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "input_per_million" DECIMAL(12,6) NOT NULL,
    "output_per_million" DECIMAL(12,6) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "prompts_project_id_name_key" ON "prompts"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "prompt_versions_prompt_id_version_key" ON "prompt_versions"("prompt_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "environments_project_id_name_key" ON "environments"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "prompt_labels_prompt_id_name_key" ON "prompt_labels"("prompt_id", "name");

-- CreateIndex
CREATE INDEX "prompt_label_events_prompt_id_label_at_idx" ON "prompt_label_events"("prompt_id", "label", "at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "provider_connections_project_id_name_key" ON "provider_connections"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "model_prices_project_id_model_key" ON "model_prices"("project_id", "model");

-- AddForeignKey
ALTER TABLE "prompts" ADD CONSTRAINT "prompts_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_versions" ADD CONSTRAINT "prompt_versions_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_labels" ADD CONSTRAINT "prompt_labels_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_label_events" ADD CONSTRAINT "prompt_label_events_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_connections" ADD CONSTRAINT "provider_connections_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written (schema.prisma cannot express it): prompt versions are immutable and the label
-- history is append-only; applications and auditors rely on both never changing.
CREATE FUNCTION "keel_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is immutable', TG_TABLE_NAME
    USING DETAIL = TG_OP || ' on ' || TG_TABLE_NAME || ' was refused';
END;
$$;

CREATE TRIGGER "prompt_versions_immutable"
  BEFORE UPDATE OR DELETE ON "prompt_versions"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

CREATE TRIGGER "prompt_label_events_append_only"
  BEFORE UPDATE OR DELETE ON "prompt_label_events"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

-- Projects created before this migration get the default environments.
INSERT INTO "environments" ("id", "project_id", "name", "description")
SELECT gen_random_uuid(), p."id", e."name", e."description"
FROM "projects" p
CROSS JOIN (VALUES ('development', 'Where changes are tried first'), ('staging', 'Pre-release checks'), ('production', 'What applications serve to users')) AS e("name", "description");

-- ... and the built-in Simulated provider.
INSERT INTO "provider_connections" ("id", "project_id", "name", "kind", "default_model", "updated_at")
SELECT gen_random_uuid(), p."id", 'Simulated', 'simulated', 'simulated-1', now() FROM "projects" p;
