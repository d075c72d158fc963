// Guards the migration workflow: prisma/migrations must produce exactly what schema.prisma
// describes (else someone forgot `npm run db:migrate:new`), a migrated database must not differ
// from schema.prisma, and the hand-written triggers keep audit_events append-only.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { createTestDatabase, useTestDatabase, withClient } from "@/test/support/db";

import { detectLiveDrift, diagnoseMigrations, generateMigrationSql } from "./engine";

const serverUrl = inject("keelTestServerUrl");
const schemaFile = fileURLToPath(new URL("../../../prisma/schema.prisma", import.meta.url));

// Each case replays every migration into a scratch database through the schema engine (WebAssembly):
// seconds alone, longer when the machine's two cores are busy with other test files.
describe("prisma/migrations and schema.prisma", { timeout: 120_000 }, () => {
  it("agree (else run `npm run db:migrate:new -- <name>`)", async () => {
    const { upToDate, sql } = await generateMigrationSql({ serverUrl });
    expect(upToDate, `schema.prisma is ahead of prisma/migrations; missing SQL:\n${sql}`).toBe(true);
  });

  it("disagree once schema.prisma gains a field no migration adds", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "keel-schema-"));
    try {
      const schemaPath = path.join(dir, "schema.prisma");
      const schema = await readFile(schemaFile, "utf8");
      const changed = schema.replace(/(model User \{\n)/, "$1  nickname String?\n");
      expect(changed).not.toBe(schema);
      await writeFile(schemaPath, changed);

      const result = await generateMigrationSql({ serverUrl, schemaPath });
      expect(result.upToDate).toBe(false);
      expect(result.sql).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"nickname" TEXT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the migrated test database", () => {
  it("is this file's database, with every migration applied", async () => {
    const db = await useTestDatabase();
    expect(process.env.DATABASE_URL).toBe(db.url);
    const diagnosis = await diagnoseMigrations(db.url);
    expect(diagnosis).toMatchObject({ upToDate: true, unapplied: [], failed: [], edited: [] });
  });

  it("has not drifted from schema.prisma (the audit triggers do not count)", async () => {
    const { url } = await useTestDatabase();
    const triggers = await withClient(url, (client) =>
      client.query("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"),
    );
    expect(triggers.rowCount).toBe(2);
    expect(await detectLiveDrift(url)).toEqual({ drifted: false, sql: "" });
  });

  it("reports drift when someone changes the database by hand", async () => {
    const db = await createTestDatabase();
    try {
      await withClient(db.url, (client) => client.query(`ALTER TABLE "users" ADD COLUMN "nickname" TEXT; CREATE INDEX "users_name" ON "users"("name")`));
      const drift = await detectLiveDrift(db.url);
      expect(drift.drifted).toBe(true);
      expect(drift.sql).toContain(`DROP COLUMN "nickname"`);
      expect(drift.sql).toContain(`DROP INDEX "users_name"`);
    } finally {
      await db.drop();
    }
  });
});

describe("audit_events", () => {
  let client: pg.Client;
  let orgId: string;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: (await useTestDatabase()).url });
    await client.connect();
    const org = await client.query<{ id: string }>(
      `INSERT INTO organizations (id, slug, name) VALUES (gen_random_uuid(), $1, 'Append-only')
       RETURNING id`,
      [`append-only-${Date.now()}`],
    );
    orgId = org.rows[0]!.id;
    await client.query(
      `INSERT INTO audit_events
         (id, org_id, seq, created_at, actor_type, actor_label, action, target_type, outcome,
          prev_hash, hash)
       VALUES (gen_random_uuid(), $1, 1, now(), 'system', 'test', 'org.create', 'organization',
               'success', '', 'h1')`,
      [orgId],
    );
  });
  afterAll(() => client?.end());

  it.each([
    ["UPDATE", `UPDATE audit_events SET action = 'tampered' WHERE org_id = $1`],
    ["DELETE", `DELETE FROM audit_events WHERE org_id = $1`],
    ["TRUNCATE", `TRUNCATE audit_events`],
  ])("refuses %s", async (_op, sql) => {
    const params = sql.includes("$1") ? [orgId] : [];
    await expect(client.query(sql, params)).rejects.toThrow("audit_events is append-only");
    const rows = await client.query("SELECT action FROM audit_events WHERE org_id = $1", [orgId]);
    expect(rows.rows).toEqual([{ action: "org.create" }]);
  });

  it("still accepts INSERT", async () => {
    await client.query(
      `INSERT INTO audit_events
         (id, org_id, seq, created_at, actor_type, actor_label, action, target_type, outcome,
          prev_hash, hash)
       VALUES (gen_random_uuid(), $1, 2, now(), 'system', 'test', 'org.rename', 'organization',
               'success', 'h1', 'h2')`,
      [orgId],
    );
    const count = await client.query("SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1", [orgId]);
    expect(count.rows[0]).toEqual({ n: 2 });
  });
});
