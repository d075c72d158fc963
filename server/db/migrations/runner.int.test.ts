// The start-time migration runner against a real server: it applies prisma/migrations to an empty
// database, two instances starting together apply each migration once, the schema engine reads
// the history it leaves as up to date, and a failing migration leaves nothing half done.
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, inject, it } from "vitest";

import { withClient } from "@/test/support/db";
import { withDatabase } from "../embedded";
import { diagnoseMigrations } from "./engine";
import { readMigrationFiles, runMigrations } from "./runner";

const serverUrl = inject("keelTestServerUrl");
const prefix = inject("keelTestDatabasePrefix");
const migrationsDir = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

async function withEmptyDatabase(fn: (url: string) => Promise<void>) {
  const name = `${prefix}runner_${randomBytes(3).toString("hex")}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  try {
    await fn(withDatabase(serverUrl, name));
  } finally {
    await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

describe("runMigrations", { timeout: 120_000 }, () => {
  it("applies every migration once when two instances start together, in Prisma's bookkeeping", async () => {
    await withEmptyDatabase(async (url) => {
      const all = (await readMigrationFiles()).map((m) => m.name);
      const [a, b] = await Promise.all([runMigrations(url), runMigrations(url)]);
      expect([...a.applied, ...b.applied].sort()).toEqual(all);
      expect(a.applied.length === 0 || b.applied.length === 0).toBe(true);
      expect((await runMigrations(url)).applied).toEqual([]);

      const rows = await withClient(url, (client) =>
        client.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
          `SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`,
        ),
      );
      expect(rows.rows.map((r) => r.migration_name)).toEqual(all);
      expect(rows.rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum) && r.applied_steps_count === 1)).toBe(true);
      // The schema engine (prisma migrate's own logic) agrees: nothing unapplied, edited or failed.
      expect(await diagnoseMigrations(url)).toMatchObject({ upToDate: true, unapplied: [], failed: [], edited: [] });
    });
  });

  it("rolls a failing migration back whole and names it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "keel-migrations-"));
    try {
      await cp(migrationsDir, dir, { recursive: true });
      const broken = path.join(dir, "29991231000000_broken");
      await mkdir(broken);
      await writeFile(path.join(broken, "migration.sql"), `CREATE TABLE "half_done" (id INT);\nSELECT * FROM "no_such_table";\n`);
      await withEmptyDatabase(async (url) => {
        await expect(runMigrations(url, { migrationsDir: dir })).rejects.toThrow(/^migration 29991231000000_broken failed: .*no_such_table/);
        const state = await withClient(url, async (client) => ({
          halfDone: (await client.query(`SELECT to_regclass('public.half_done') AS t`)).rows[0].t,
          recorded: (await client.query(`SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = '29991231000000_broken'`)).rows[0].n,
        }));
        expect(state).toEqual({ halfDone: null, recorded: 0 });
        // The migrations before it stay applied; without it the database is up to date.
        expect((await runMigrations(url)).applied).toEqual([]);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
