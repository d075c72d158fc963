// Which PostgreSQL connection each kind of work uses, and how Keel opens it.
//
// DATABASE_URL serves requests, jobs and writes. It may go through PgBouncer in transaction mode
// (`?pgbouncer=true` on the URL, the name Prisma's own documentation uses): PgBouncer lends a
// server connection to a client for one transaction at a time, so a few server connections serve
// many Keel processes. Everything Keel runs there fits in one transaction or one statement
// (Prisma's and pg's statements are unnamed, so PgBouncer 1.18 needs no prepared-statement
// support; advisory locks are transaction-scoped, temporary tables ON COMMIT DROP, settings SET
// LOCAL, COPY inside its transaction; pg-boss sends BEGIN … COMMIT in one query and never LISTENs).
//
// What needs a whole session uses KEEL_LISTEN_DATABASE_URL (default: DATABASE_URL), PostgreSQL
// itself or PgBouncer in session mode: LISTEN (a notification goes to the session that listens)
// and migrations (a session advisory lock held across their transactions).
//
// PgBouncer refuses startup parameters it does not track (`statement_timeout`, `options`), so on a
// `pgbouncer=true` URL Keel sends none: statement_timeout then comes from the role
// (`ALTER ROLE keel SET statement_timeout = '30s'`), and the read-only pool opens a READ ONLY
// transaction around each statement instead of setting its sessions read-only.
import { pgbouncerParam, setting } from "../env";

/** `?pgbouncer=true`: the URL reaches PostgreSQL through PgBouncer. */
export function throughPgBouncer(url: string): boolean {
  return pgbouncerParam(url) === "true";
}

/** Requests, jobs and writes. */
export function primaryDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  return url;
}

/** Work that holds a session: LISTEN and migrations. */
export function sessionDatabaseUrl(): string {
  return setting("KEEL_LISTEN_DATABASE_URL") ?? primaryDatabaseUrl();
}

export type ConnectionSettings = { connectionString: string; statement_timeout?: number; options?: string };

/**
 * What a pool or client of Keel's own is opened with: the URL (without Keel's `pgbouncer`
 * parameter) and, straight to PostgreSQL, `statement_timeout` in the startup packet (no round
 * trip: a runaway query is cancelled by the server) and `readOnly` sessions. Through PgBouncer,
 * neither (see the top of this file).
 */
export function connectionSettings(url: string, options: { readOnly?: boolean } = {}): ConnectionSettings {
  const connectionString = withoutKeelParams(url);
  if (throughPgBouncer(url)) return { connectionString };
  return {
    connectionString,
    statement_timeout: statementTimeoutMs(),
    ...(options.readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
  };
}

/** KEEL_DB_STATEMENT_TIMEOUT_SECONDS in milliseconds. */
export function statementTimeoutMs(): number {
  return Math.round(setting("KEEL_DB_STATEMENT_TIMEOUT_SECONDS") * 1000);
}

function withoutKeelParams(url: string): string {
  if (pgbouncerParam(url) === undefined) return url;
  const parsed = new URL(url);
  parsed.searchParams.delete("pgbouncer");
  return parsed.toString();
}
