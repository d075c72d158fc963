// How Keel opens its connections, straight to PostgreSQL or through PgBouncer (`pgbouncer=true`).
import { describe, expect, it } from "vitest";
import { connectionSettings, throughPgBouncer } from "./connections";

describe("connection settings", () => {
  it("send statement_timeout (and read-only sessions) in the startup packet straight to PostgreSQL", () => {
    const url = "postgresql://keel:secret@db:5432/keel?sslmode=disable";
    expect(throughPgBouncer(url)).toBe(false);
    expect(connectionSettings(url)).toEqual({ connectionString: url, statement_timeout: 30_000 });
    expect(connectionSettings(url, { readOnly: true })).toEqual({
      connectionString: url,
      statement_timeout: 30_000,
      options: "-c default_transaction_read_only=on",
    });
  });

  it("send no startup parameters through PgBouncer, which refuses them, and drop Keel's own parameter from the URL", () => {
    const url = "postgresql://keel:secret@pgbouncer:6432/keel?pgbouncer=true&sslmode=disable";
    expect(throughPgBouncer(url)).toBe(true);
    expect(connectionSettings(url, { readOnly: true })).toEqual({ connectionString: "postgresql://keel:secret@pgbouncer:6432/keel?sslmode=disable" });
    expect(throughPgBouncer("postgresql://keel@db/keel?pgbouncer=false")).toBe(false);
  });
});
