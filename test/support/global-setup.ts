// Global setup of the `int` project, once per run: a PostgreSQL server (TEST_DATABASE_URL's, or
// the embedded one in .keel/test-pg) and a template database migrated from scratch, which every
// test file clones (test/support/db.ts). The teardown drops the run's databases.
//
// Runs may overlap (several terminals or agents in one checkout): the template and the per-file
// databases carry a per-run name, and when another live run already owns .keel/test-pg (it will
// stop that server when it finishes) this run starts its own in a temporary directory.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

import type { TestProject } from "vitest/node";

import { startEmbeddedPostgres, startTemporaryPostgres, withDatabase, type RunningPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";
import { withClient } from "./db";
// @ts-expect-error: a plain .mjs script (also run by hand), without type declarations
import { ensureClientKit } from "../clients/ensure.mjs";

const EMBEDDED_DATA_DIR = fileURLToPath(new URL("../../.keel/test-pg", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureClientKit();
  const started = performance.now();
  let server: RunningPostgres | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    server = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, database: "postgres", disposable: true });
    if (server.shared) server = await startTemporaryPostgres();
    serverUrl = server.url;
  }
  const ready = performance.now();

  const run = randomBytes(3).toString("hex");
  const prefix = `keel_test_${run}_`;
  const template = `keel_test_template_${run}`;
  try {
    await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
    await migrateDatabase(withDatabase(serverUrl, template));
    // Cloning fails while anyone is connected to the template, so from now on nobody may.
    await withClient(serverUrl, (client) => client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`));
  } catch (error) {
    await dropRunDatabases(serverUrl, prefix, template).catch(() => {});
    await server?.stop();
    throw error;
  }

  if (process.env.KEEL_TEST_TIMINGS) {
    const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
    const source = server ? "embedded" : "TEST_DATABASE_URL";
    console.log(`[int] PostgreSQL ready in ${ms(started, ready)} (${source}), ` + `template migrated in ${ms(ready, performance.now())}`);
  }

  project.provide("keelTestServerUrl", serverUrl);
  project.provide("keelTestDatabasePrefix", prefix);
  project.provide("keelTestTemplate", template);

  return async () => {
    try {
      await dropRunDatabases(serverUrl, prefix, template);
    } finally {
      await server?.stop();
    }
  };
}

async function dropRunDatabases(serverUrl: string, prefix: string, template: string) {
  await withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2", [
      prefix,
      template,
    ]);
    for (const { datname } of rows) {
      // A template cannot be dropped while marked as one.
      if (datname === template) {
        await client.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
      }
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
