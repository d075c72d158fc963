-- CreateTable
CREATE TABLE "gateway_rate_limits" (
    "key_id" UUID NOT NULL,
    "tat" DECIMAL(30,18) NOT NULL,

    CONSTRAINT "gateway_rate_limits_pkey" PRIMARY KEY ("key_id")
);

-- Not in Prisma's schema language: the table skips the write-ahead log. Its rows are counters
-- rewritten on every rate-limited gateway call (bookkeeping, not governed state): without WAL a
-- call costs one cheap row update; a crash empties the table (each key gets one full bucket
-- again) and a streaming replica does not carry it (only the primary admits calls).
ALTER TABLE "gateway_rate_limits" SET UNLOGGED;
