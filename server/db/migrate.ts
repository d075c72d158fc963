// Brings a database up to date with prisma/migrations: used when the app starts, by
// `keel migrate`, and by the test global setup. Creates the database first when the server
// has none by that name (the embedded server's default database is created on start anyway).
// Plain SQL (./migrations/runner.ts): the schema engine is only loaded to write migrations and to
// check drift.
import { ensureDatabase } from "./embedded";
import { runMigrations } from "./migrations/runner";

/** Anything with an `info` method: console, pino, the app's logger. */
export type MigrationLogger = { info(message: string): void };

export async function migrateDatabase(databaseUrl: string, options: { logger?: MigrationLogger } = {}): Promise<{ applied: string[] }> {
  const { logger } = options;
  await ensureDatabase(databaseUrl);
  const { applied } = await runMigrations(databaseUrl);
  for (const name of applied) logger?.info(`applied migration ${name}`);
  if (applied.length === 0) logger?.info("database schema is up to date");
  return { applied };
}
