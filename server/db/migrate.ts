// Brings a database up to date with prisma/migrations: used when the app starts, by
// `keel migrate`, and by the test global setup. Creates the database first when the server
// has none by that name, if `createDatabase` (start-up passes KEEL_CREATE_DATABASE for an
// external server, so a mistyped name is an error rather than a new empty instance).
// Plain SQL (./migrations/runner.ts): the schema engine is only loaded to write migrations and to
// check drift.
import { ensureDatabase } from "./embedded";
import { runMigrations } from "./migrations/runner";

/** Anything with an `info` method: console, pino, the app's logger. */
export type MigrationLogger = { info(message: string): void };

export async function migrateDatabase(
  databaseUrl: string,
  options: { logger?: MigrationLogger; createDatabase?: boolean; connectTimeoutMs?: number } = {},
): Promise<{ applied: string[] }> {
  const { logger } = options;
  await ensureDatabase(databaseUrl, { create: options.createDatabase ?? true, connectTimeoutMs: options.connectTimeoutMs });
  const { applied } = await runMigrations(databaseUrl);
  for (const name of applied) logger?.info(`applied migration ${name}`);
  if (applied.length === 0) logger?.info("database schema is up to date");
  return { applied };
}
