import "server-only";
// Whether an error means the database could not be reached or dropped the connection (a restart,
// a failover, a network cut, a full pool), as opposed to a bug or a bad query. Such a request is
// answered 503 with Retry-After on every surface (tRPC, the session HTTP routes, the public API,
// OTLP and the gateway): clients and OpenTelemetry exporters retry a 503, not a 500.
//
// The shapes come from pg (a PostgreSQL error code, a socket errno, its own messages for a lost
// connection), pg-pool (its connect timeout) and Prisma 7 with the pg adapter (P1001 and friends
// on model queries; P2010 with `meta.driverAdapterError.cause` on raw ones). Causes are followed.

/** Seconds a client is asked to wait before retrying (Retry-After). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable at the moment; retry in a few seconds";

/** PostgreSQL: connection exceptions (08…), admin/crash shutdown and "cannot connect now" (57P01–57P03), too many connections. */
const PG_CODE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Prisma: cannot reach, timed out, operations timed out, server closed the connection, no pool connection in time. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Prisma's driver adapter error kinds that mean the connection, not the query. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTCONN"]);
const MESSAGES = /Connection terminated|is not queryable|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection/i;

/**
 * A database that could not be reached, reported where only a message travels (an ingestion
 * worker thread's failure, re-created on the main thread), so it still answers 503.
 */
export class DatabaseUnavailableError extends Error {}

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof DatabaseUnavailableError) return true;
    // An outbound HTTP call that failed (fetch, or server/net/egress.ts, which throws fetch's
    // TypeError) is about a provider or a webhook target, not the database: its socket errors
    // must not read as an outage.
    if (e instanceof TypeError && (e as Error).message === "fetch failed") continue;
    const { code, originalCode, kind, message, cause, meta } = e as Record<string, unknown>;
    if (typeof code === "string" && (PG_CODE.test(code) || PRISMA_CODES.has(code) || ERRNO.has(code))) return true;
    if (typeof originalCode === "string" && PG_CODE.test(originalCode)) return true;
    if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    queue.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return false;
}
