// Per-file databases for integration tests. The global setup migrates a template database
// (keel_test_template_<run>) once per run; each test file then gets `CREATE DATABASE <unique>
// TEMPLATE <it>`, a file-level copy that takes tens of milliseconds instead of re-running the
// migrations. int-setup.ts creates the file's database before the file loads and points
// DATABASE_URL at it.
import { randomBytes } from "node:crypto";

import pg from "pg";
import { inject } from "vitest";

import { withDatabase } from "../../server/db/embedded";

declare module "vitest" {
  // Module augmentation needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    /** A database URL on the PostgreSQL server the int tests use (for admin statements). */
    keelTestServerUrl: string;
    /** Name prefix of this run's databases; the global teardown drops whatever is left. */
    keelTestDatabasePrefix: string;
    /** This run's migrated template database. */
    keelTestTemplate: string;
  }
}

export type TestDatabase = {
  name: string;
  url: string;
  /** Drops the database, disconnecting anyone still connected. */
  drop(): Promise<void>;
};

/** A fresh, fully migrated database (a clone of the template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject("keelTestServerUrl");
  const template = inject("keelTestTemplate");
  const name = `${inject("keelTestDatabasePrefix")}${randomBytes(4).toString("hex")}`;
  await withClient(serverUrl, async (client) => {
    // Cloning fails while anything is connected to the template (55006); the template refuses
    // connections, so this only covers a clone racing the global setup's last disconnect.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      (dropped ??= withClient(serverUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}

let fileDatabase: Promise<TestDatabase> | undefined;

/**
 * This test file's database: the one DATABASE_URL points at (int-setup.ts creates it before the
 * file loads). Safe to call from any hook or test; every call in a file returns the same one.
 */
export function useTestDatabase(): Promise<TestDatabase> {
  return thisFilesDatabase();
}

/** useTestDatabase() under a name React's hook lint rule leaves alone (for top-level use). */
export function thisFilesDatabase(): Promise<TestDatabase> {
  fileDatabase ??= createTestDatabase();
  return fileDatabase;
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
