// A lost database connection fails the work that was using it, and nothing else. Terminating a
// backend is what a PostgreSQL restart does to every connection: the server says
// "terminating connection due to administrator command" and closes it. A pg client that is not
// running a query then emits 'error', and an unlistened 'error' event ends the Node process (the
// dataset import and the ingest path did, in fault injection). Vitest fails the run on such an
// uncaught error, so these tests fail without the listeners.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { runAuditedSql } from "../audit/mutation";
import { systemActor } from "../audit/actor";
import { exclusively } from "../telemetry/store";
import { sql } from "./sql";

async function terminate(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()",
      [applicationName],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await admin.end();
  }
}

/** Lets the client's socket see the server's goodbye before the next statement is sent. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("a lost database connection", () => {
  it("fails the bulk change using it (a dataset import's transaction)", async () => {
    const attempt = runAuditedSql(systemActor("test"), async ({ sql: run }) => {
      await run.query(sql`CREATE TEMP TABLE lost_connection_probe (n int)`);
      expect(await terminate("keel-bulk")).toBe(1);
      await settle();
      await run.query(sql`SELECT 1`);
    });
    await expect(attempt).rejects.toThrow(/terminat|Connection terminated|not queryable/i);
  });

  it("fails the telemetry work holding a pooled connection, and the pool lends a working one next", async () => {
    const attempt = exclusively("connection-loss-test", async () => {
      expect(await terminate("keel-telemetry")).toBeGreaterThanOrEqual(1);
      await settle();
      return "done";
    });
    await expect(attempt).rejects.toThrow(/terminat|Connection terminated|not queryable/i);
    await expect(exclusively("connection-loss-test", async () => "again")).resolves.toBe("again");
  });
});
