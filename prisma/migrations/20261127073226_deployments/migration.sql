-- CreateEnum
CREATE TYPE "DeploymentState" AS ENUM ('pending', 'approved', 'deployed', 'rejected', 'cancelled', 'expired', 'superseded');

-- CreateEnum
CREATE TYPE "DeploymentKind" AS ENUM ('promote', 'rollback');

-- CreateEnum
CREATE TYPE "RollbackPolicy" AS ENUM ('normal', 'fast');

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('pending', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "environment_policies" (
    "environment_id" UUID NOT NULL,
    "approval_rules" JSONB NOT NULL,
    "separation_of_duties" BOOLEAN NOT NULL DEFAULT true,
    "gate" JSONB,
    "expiry_hours" INTEGER NOT NULL DEFAULT 168,
    "wait_minutes" INTEGER NOT NULL DEFAULT 0,
    "freeze_windows" JSONB NOT NULL DEFAULT '[]',
    "rollback_policy" "RollbackPolicy" NOT NULL DEFAULT 'fast',
    "edited_by_id" UUID,
    "edited_by_label" TEXT NOT NULL,
    "edited_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "environment_policies_pkey" PRIMARY KEY ("environment_id")
);

-- CreateTable
CREATE TABLE "deployment_requests" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "prompt_id" UUID NOT NULL,
    "prompt_version_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL,
    "environment_id" UUID NOT NULL,
    "kind" "DeploymentKind" NOT NULL,
    "justification" TEXT NOT NULL,
    "state" "DeploymentState" NOT NULL DEFAULT 'pending',
    "from_version" INTEGER,
    "requested_by_type" "ActorType" NOT NULL,
    "requested_by_id" TEXT,
    "requested_by_label" TEXT NOT NULL,
    "policy_snapshot" JSONB NOT NULL,
    "gate_result" JSONB,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "approved_at" TIMESTAMPTZ(3),
    "deployable_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "ended_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_approvals" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "approver_id" UUID NOT NULL,
    "approver_label" TEXT NOT NULL,
    "approver_role" "Role" NOT NULL,
    "approved" BOOLEAN NOT NULL,
    "comment" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "prompt_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "kind" "DeploymentKind" NOT NULL,
    "version" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL,
    "from_version" INTEGER,
    "evidence" JSONB NOT NULL,
    "freeze_override" JSONB,
    "deployed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "events" TEXT[],
    "secret_encrypted" TEXT NOT NULL,
    "secret_hint" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "log" JSONB NOT NULL DEFAULT '[]',
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status_code" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deployment_requests_project_id_state_idx" ON "deployment_requests"("project_id", "state");

-- CreateIndex
CREATE INDEX "deployment_requests_environment_id_prompt_id_idx" ON "deployment_requests"("environment_id", "prompt_id");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_requests_project_id_number_key" ON "deployment_requests"("project_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_approvals_request_id_approver_id_key" ON "deployment_approvals"("request_id", "approver_id");

-- CreateIndex
CREATE UNIQUE INDEX "deployments_request_id_key" ON "deployments"("request_id");

-- CreateIndex
CREATE INDEX "deployments_project_id_deployed_at_idx" ON "deployments"("project_id", "deployed_at" DESC);

-- CreateIndex
CREATE INDEX "deployments_prompt_id_environment_id_deployed_at_idx" ON "deployments"("prompt_id", "environment_id", "deployed_at" DESC);

-- CreateIndex
CREATE INDEX "webhooks_project_id_idx" ON "webhooks"("project_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_created_at_idx" ON "webhook_deliveries"("webhook_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "environment_policies" ADD CONSTRAINT "environment_policies_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_requests" ADD CONSTRAINT "deployment_requests_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_requests" ADD CONSTRAINT "deployment_requests_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_requests" ADD CONSTRAINT "deployment_requests_prompt_version_id_fkey" FOREIGN KEY ("prompt_version_id") REFERENCES "prompt_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_requests" ADD CONSTRAINT "deployment_requests_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_approvals" ADD CONSTRAINT "deployment_approvals_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "deployment_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "deployment_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---- What Prisma cannot express ---------------------------------------------------------------

-- At most one open (pending or approved) request per prompt and environment: a second request
-- for the same version is refused, a request for another version supersedes the open one first.
CREATE UNIQUE INDEX "deployment_requests_one_open" ON "deployment_requests" ("environment_id", "prompt_id") WHERE "state" IN ('pending', 'approved');

-- Decisions and deployments are facts: never changed, never deleted.
CREATE TRIGGER "deployment_approvals_immutable"
  BEFORE UPDATE OR DELETE ON "deployment_approvals"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

CREATE TRIGGER "deployments_immutable"
  BEFORE UPDATE OR DELETE ON "deployments"
  FOR EACH ROW EXECUTE FUNCTION "keel_refuse_change"();

-- Webhook deliveries still to send, oldest first (the dispatcher's scan).
CREATE INDEX "webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending';

-- Environments protected before this migration get the default rules (one approval from an
-- owner, admin or approver; separation of duties on), as newly protected ones do.
INSERT INTO "environment_policies" ("environment_id", "approval_rules", "separation_of_duties", "expiry_hours", "edited_by_label", "edited_at")
SELECT "id", '[{"name": "Approval", "required": 1, "users": [], "roles": ["owner", "admin", "approver"]}]'::jsonb, true, 168, 'migration', now()
FROM "environments" WHERE "protected";
