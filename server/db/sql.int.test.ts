// The SQL foundations: readSql's statements run READ ONLY (PostgreSQL refuses a write, whatever
// its wording), and every pool starts with the statement timeout.
import { describe, expect, it } from "vitest";
import { getDb, readSql } from "./client";
import { join, sql } from "./sql";
import { telemetryPool } from "../telemetry/store";

describe("readSql", () => {
  it("reads with composed, parameterised fragments", async () => {
    const conditions = [sql`n >= ${2}`, sql`n <= ${4}`, sql`n <> ${"3"}::int`];
    const rows = await readSql<{ n: number }>(getDb(), sql`SELECT n FROM generate_series(1, 5) AS n WHERE ${join(conditions, " AND ")} ORDER BY n`);
    expect(rows.map((r) => r.n)).toEqual([2, 4]);
  });

  it("is refused a write by PostgreSQL itself, even one a keyword check would miss", async () => {
    await expect(readSql(getDb(), sql`WITH gone AS (DELETE FROM audit_chain_heads RETURNING 1) SELECT count(*) FROM gone`)).rejects.toThrow(
      /read-only transaction/,
    );
    // No write keyword at all: a row lock is still refused.
    await expect(readSql(getDb(), sql`SELECT org_id FROM audit_chain_heads FOR UPDATE`)).rejects.toThrow(/read-only transaction/);
  });
});

describe("statement_timeout", () => {
  it("is set on Prisma's pool and the telemetry pool (default 30 s)", async () => {
    const [prisma] = await getDb().$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
    expect(prisma?.statement_timeout).toBe("30s");
    const { rows } = await telemetryPool().query<{ statement_timeout: string }>("SHOW statement_timeout");
    expect(rows[0]?.statement_timeout).toBe("30s");
  });
});
