-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "break_glass" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "mfa_requirement" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "mfa_roles" "Role"[] DEFAULT ARRAY[]::"Role"[],
ADD COLUMN     "require_sso" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "session_absolute_hours" INTEGER,
ADD COLUMN     "session_idle_minutes" INTEGER,
ADD COLUMN     "step_up_minutes" INTEGER NOT NULL DEFAULT 10;

-- AlterTable
ALTER TABLE "user_sessions" ADD COLUMN     "factor" TEXT,
ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'password',
ADD COLUMN     "sso_connection_id" UUID,
ADD COLUMN     "verified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "verified_method" TEXT NOT NULL DEFAULT 'password';

-- CreateTable
CREATE TABLE "user_totp" (
    "user_id" UUID NOT NULL,
    "secret_encrypted" TEXT NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "last_step" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_totp_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "user_passkeys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "credential_id" TEXT NOT NULL,
    "public_key" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "user_passkeys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_recovery_codes" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_recovery_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webauthn_challenges" (
    "id" UUID NOT NULL,
    "user_id" UUID,
    "purpose" TEXT NOT NULL,
    "challenge" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webauthn_challenges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sso_connections" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret_encrypted" TEXT NOT NULL,
    "client_secret_hint" TEXT NOT NULL,
    "allowed_domains" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "jit_role" "Role",
    "groups_claim" TEXT,
    "role_mapping" JSONB NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sso_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_sso_identities" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "connection_id" UUID,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "user_sso_identities_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "user_passkeys_credential_id_key" ON "user_passkeys"("credential_id");

-- CreateIndex
CREATE INDEX "user_passkeys_user_id_idx" ON "user_passkeys"("user_id");

-- CreateIndex
CREATE INDEX "user_recovery_codes_user_id_idx" ON "user_recovery_codes"("user_id");

-- CreateIndex
CREATE INDEX "webauthn_challenges_expires_at_idx" ON "webauthn_challenges"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "sso_connections_org_id_key" ON "sso_connections"("org_id");

-- CreateIndex
CREATE INDEX "user_sso_identities_user_id_idx" ON "user_sso_identities"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_sso_identities_issuer_subject_key" ON "user_sso_identities"("issuer", "subject");

-- AddForeignKey
ALTER TABLE "user_totp" ADD CONSTRAINT "user_totp_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_passkeys" ADD CONSTRAINT "user_passkeys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_recovery_codes" ADD CONSTRAINT "user_recovery_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sso_connections" ADD CONSTRAINT "sso_connections_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_sso_identities" ADD CONSTRAINT "user_sso_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_sso_identities" ADD CONSTRAINT "user_sso_identities_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "sso_connections"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- What Prisma cannot express: the identity policy's allowed values, checked by the database too.
ALTER TABLE "organizations"
  ADD CONSTRAINT "organizations_mfa_requirement_check" CHECK ("mfa_requirement" IN ('none', 'all', 'roles')),
  ADD CONSTRAINT "organizations_step_up_minutes_check" CHECK ("step_up_minutes" BETWEEN 1 AND 1440),
  ADD CONSTRAINT "organizations_session_idle_minutes_check" CHECK ("session_idle_minutes" IS NULL OR "session_idle_minutes" BETWEEN 5 AND 43200),
  ADD CONSTRAINT "organizations_session_absolute_hours_check" CHECK ("session_absolute_hours" IS NULL OR "session_absolute_hours" BETWEEN 1 AND 8760);
ALTER TABLE "user_sessions"
  ADD CONSTRAINT "user_sessions_method_check" CHECK ("method" IN ('password', 'sso')),
  ADD CONSTRAINT "user_sessions_verified_method_check" CHECK ("verified_method" IN ('password', 'totp', 'passkey', 'recovery_code', 'sso'));
-- Sessions that existed before this migration were password sign-ins; their fresh authentication
-- is the sign-in itself.
UPDATE "user_sessions" SET "verified_at" = "created_at";
