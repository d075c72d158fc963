// Applies prisma/migrations at start (and for `keel migrate` and the test template) with plain
// SQL over `pg`, instead of loading the WebAssembly schema engine (./engine.ts, kept for
// `db:migrate:new` and the drift checks). The bookkeeping is Prisma's own `_prisma_migrations`
// table, same columns, same checksum (SHA-256 hex of migration.sql), same advisory lock key, so
// `prisma migrate` tooling, ./engine.ts's diagnoseMigrations and this runner read one history.
// Differences from the engine, on purpose: each migration runs in its own transaction (a failed
// one leaves neither half its changes nor a "failed" row behind, so fixing it and starting again
// is enough); a row the engine recorded as failed still stops everything, as before.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
// Type only: loading ./engine.ts would load the engine this module exists to avoid.
import type { MigrationPaths } from "./engine";

const defaultMigrationsDir = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

// Prisma's key for pg_advisory_lock while it migrates: the engine and this runner exclude each other.
const PRISMA_ADVISORY_LOCK = 72707369;

// Prisma's DDL for the table (PostgreSQL flavour), so tooling that creates or reads it agrees.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type MigrationFile = { name: string; sql: string; checksum: string };

/** prisma/migrations/<name>/migration.sql in name order (the timestamp prefix orders them). */
export async function readMigrationFiles(paths: MigrationPaths = {}): Promise<MigrationFile[]> {
  const baseDir = paths.migrationsDir ?? defaultMigrationsDir;
  const entries = await readdir(baseDir, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(baseDir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/** Applies the pending migrations in order; returns the names just applied. */
export async function runMigrations(databaseUrl: string, options: MigrationPaths = {}): Promise<{ applied: string[] }> {
  const migrations = await readMigrationFiles(options);
  const client = new pg.Client({ connectionString: databaseUrl });
  // A lost connection fails the statement being awaited; without a listener its 'error' event would end the process.
  client.on("error", () => {});
  await client.connect();
  try {
    // Session-level: held across the per-migration transactions; a second instance starting at
    // the same time waits here, then finds everything applied.
    // eslint-disable-next-line no-restricted-syntax -- a fixed statement with its own values; the runner stays free of the Prisma client (sql.ts) so it runs before anything else loads
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
        `SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
      if (failed) {
        throw new Error(
          `migration ${failed.migration_name} failed in an earlier run and is recorded as failed in _prisma_migrations; ` +
            `fix the database by hand, then mark it rolled back, before new migrations can be applied`,
        );
      }
      const done = new Set(rows.filter((row) => row.finished_at !== null).map((row) => row.migration_name));
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.name)) continue;
        await applyOne(client, migration);
        applied.push(migration.name);
      }
      return { applied };
    } finally {
      // eslint-disable-next-line no-restricted-syntax -- a fixed statement with its own values; the runner stays free of the Prisma client (sql.ts) so it runs before anything else loads
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile) {
  await client.query("BEGIN");
  try {
    const id = randomUUID();
    // eslint-disable-next-line no-restricted-syntax -- a fixed statement with its own values; the runner stays free of the Prisma client (sql.ts) so it runs before anything else loads
    await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`, [
      id,
      migration.checksum,
      migration.name,
    ]);
    // A simple-protocol query: the file's statements run as one script, as `prisma migrate` runs them.
    await client.query(migration.sql);
    // eslint-disable-next-line no-restricted-syntax -- a fixed statement with its own values; the runner stays free of the Prisma client (sql.ts) so it runs before anything else loads
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${migration.name} failed: ${reason}`);
  }
}
