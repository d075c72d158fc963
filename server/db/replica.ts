import "server-only";
// Reads from a streaming replica (KEEL_READ_DATABASE_URL), with read-your-writes.
//
// A request that only reads (a tRPC query, a session GET route, a public GET route that says so)
// runs inside `routeReads`, which decides once where its reads go: the replica, unless the person
// or key behind it changed something the replica has not replayed yet. Each change remembers the
// primary's WAL position after its commit (`pg_current_wal_flush_lsn()`, captured by the caller
// after a mutation: a cookie for people, an in-process mark for API keys); a later read goes to the
// replica only once the replica's `pg_last_wal_replay_lsn()` has passed that position, else to the
// primary. Chosen over a "wrote within N seconds" timer: it is exact whatever the lag (a replica
// seconds behind is not read from too early, one milliseconds behind is used at once), and it costs
// one replica round trip per read request only while a writer's mark is ahead of the last replay
// position this process saw (replay positions only grow, so one look answers every older mark).
//
// Writes never go to the replica: only getReadDb(), readSql and the telemetry store's readPool()
// consult the decision, and only inside routeReads; the audited path, Prisma's primary client and
// every pool that writes open on DATABASE_URL. A standby refuses writes itself, too.
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { setting } from "../env";
import { connectionSettings } from "./connections";
import type { Db } from "./client";
import { pgQuery, sql } from "./sql";
import { logger, repeatLimited } from "../runtime/log";

const log = repeatLimited(logger("db"));

type Route = { replica: boolean };
const storage = new AsyncLocalStorage<Route>();

/** The replica's URL, or null when none is configured. */
export function readDatabaseUrl(): string | null {
  return setting("KEEL_READ_DATABASE_URL") ?? null;
}

/** True inside routeReads when this request's reads go to the replica. */
export function readingFromReplica(): boolean {
  return storage.getStore()?.replica === true;
}

/** A WAL position as PostgreSQL prints it (`16/B374D848`). */
const LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i;

export function parseLsn(text: string | null | undefined): bigint | null {
  const m = text ? LSN.exec(text) : null;
  return m ? (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`) : null;
}

/** A mark that keeps reads on the primary for its whole life: what a write whose position could not be read leaves. */
export const UNKNOWN_WRITE_LSN = "FFFFFFFF/FFFFFFFF";

/**
 * Runs `fn` with its reads on the replica, unless `readAfter` (the WAL position of the caller's
 * last write) is ahead of what the replica has replayed. Without a replica: just runs it.
 */
export async function routeReads<T>(readAfter: string | null, fn: () => Promise<T>): Promise<T> {
  if (!readDatabaseUrl()) return fn();
  const mark = parseLsn(readAfter);
  const replica = mark === null || (await replicaHasReplayed(mark));
  return storage.run({ replica }, fn);
}

/**
 * The primary's WAL position now, to remember after a commit (null without a replica: nothing to
 * catch up with). Flushed, not merely written: a replica can reach it. A failure to read it gives
 * UNKNOWN_WRITE_LSN, so that caller's reads stay on the primary rather than risk missing its write.
 */
export async function captureWriteLsn(primary: Db): Promise<string | null> {
  if (!readDatabaseUrl()) return null;
  try {
    const rows = await primary.$queryRaw<{ lsn: string }[]>(sql`SELECT pg_current_wal_flush_lsn()::text AS lsn`);
    return rows[0]?.lsn ?? UNKNOWN_WRITE_LSN;
  } catch {
    return UNKNOWN_WRITE_LSN;
  }
}

// ----- the replica's replay position --------------------------------------------------------

const globalForReplica = globalThis as unknown as {
  keelReplicaPool?: pg.Pool;
  keelReplicaPoolUrl?: string;
  keelReplayed?: { lsn: bigint; probing: Promise<bigint | null> | null };
};

/** The replica's pg pool (read-only sessions where PostgreSQL is reached directly; a standby is read-only anyway). */
export function replicaPool(): pg.Pool {
  const url = readDatabaseUrl();
  if (!url) throw new Error("KEEL_READ_DATABASE_URL is not set");
  if (!globalForReplica.keelReplicaPool || globalForReplica.keelReplicaPoolUrl !== url) {
    void globalForReplica.keelReplicaPool?.end().catch(() => undefined);
    globalForReplica.keelReplicaPool = new pg.Pool({
      ...connectionSettings(url, { readOnly: true }),
      max: setting("KEEL_TELEMETRY_POOL"),
      application_name: "keel-replica",
    });
    globalForReplica.keelReplicaPool.on("error", (error) => log.warn("an idle replica connection failed", { error }));
    globalForReplica.keelReplicaPoolUrl = url;
    globalForReplica.keelReplayed = { lsn: 0n, probing: null };
  }
  return globalForReplica.keelReplicaPool;
}

export async function closeReplicaPool(): Promise<void> {
  const pool = globalForReplica.keelReplicaPool;
  globalForReplica.keelReplicaPool = undefined;
  await pool?.end();
}

/** Whether the replica has replayed up to `mark`: from the last position seen, else one look (shared by concurrent callers). */
async function replicaHasReplayed(mark: bigint): Promise<boolean> {
  const pool = replicaPool();
  const seen = globalForReplica.keelReplayed!;
  if (seen.lsn >= mark) return true;
  seen.probing ??= probe(pool).finally(() => (seen.probing = null));
  const replayed = await seen.probing;
  // null: not a standby (pg_last_wal_replay_lsn() is NULL on a primary): it has everything.
  if (replayed === null) return true;
  if (replayed > seen.lsn) seen.lsn = replayed;
  return replayed >= mark;
}

async function probe(pool: pg.Pool): Promise<bigint | null> {
  try {
    const { rows } = await pgQuery<{ lsn: string | null }>(pool, sql`SELECT pg_last_wal_replay_lsn()::text AS lsn`);
    return parseLsn(rows[0]?.lsn);
  } catch {
    // An unreachable replica: the primary answers (-1 is behind every mark).
    return -1n;
  }
}
