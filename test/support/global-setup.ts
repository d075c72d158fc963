// Global setup of the `int` project, once per run: a PostgreSQL server (TEST_DATABASE_URL's, or
// the embedded one in .keel/test-pg), and `keel_test_template` migrated from scratch, which
// every test file clones (test/support/db.ts).
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

import type { TestProject } from "vitest/node";

import { startEmbeddedPostgres, withDatabase, type RunningPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";
import { TEMPLATE_DATABASE, withClient } from "./db";

const EMBEDDED_DATA_DIR = fileURLToPath(new URL("../../.keel/test-pg", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  let server: RunningPostgres | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    server = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, database: "postgres" });
    serverUrl = server.url;
  }
  const ready = performance.now();
  // Unique per run, so the teardown only sweeps this run's databases.
  const prefix = `keel_test_${randomBytes(3).toString("hex")}_`;

  try {
    await dropTemplate(serverUrl);
    await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`));
    await migrateDatabase(withDatabase(serverUrl, TEMPLATE_DATABASE));
    // Nobody may connect to the template from now on: a connection would make cloning fail.
    await withClient(serverUrl, (client) =>
      client.query(`ALTER DATABASE "${TEMPLATE_DATABASE}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
    );
  } catch (error) {
    await server?.stop();
    throw error;
  }

  if (process.env.KEEL_TEST_TIMINGS) {
    const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
    console.log(
      `[int] PostgreSQL ready in ${ms(started, ready)} (${server ? "embedded" : "TEST_DATABASE_URL"}),` +
        ` template migrated in ${ms(ready, performance.now())}`,
    );
  }

  project.provide("keelTestServerUrl", serverUrl);
  project.provide("keelTestDatabasePrefix", prefix);

  return async () => {
    try {
      await dropDatabases(serverUrl, prefix);
    } finally {
      await server?.stop();
    }
  };
}

/** A template cannot be dropped while marked as one. */
async function dropTemplate(serverUrl: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE_DATABASE]);
    if (!rowCount) return;
    await client.query(`ALTER DATABASE "${TEMPLATE_DATABASE}" WITH IS_TEMPLATE false`);
    await client.query(`DROP DATABASE "${TEMPLATE_DATABASE}" WITH (FORCE)`);
  });
}

async function dropDatabases(serverUrl: string, prefix: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
