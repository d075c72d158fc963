import "server-only";
// The Prisma client, created lazily from DATABASE_URL (the start script sets it before the app
// loads; tests point it at a per-file database).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { connectionSettings, primaryDatabaseUrl, statementTimeoutMs, throughPgBouncer } from "./connections";
import { closeReplicaPool, readDatabaseUrl, readingFromReplica } from "./replica";
import { sql, type Sql } from "./sql";

export type Db = InstanceType<typeof PrismaClient>;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { keelDb?: Db };

export function getDb(): Db {
  if (!globalForDb.keelDb) {
    globalForDb.keelDb = new PrismaClient({ adapter: new PrismaPg({ ...connectionSettings(primaryDatabaseUrl()), max: 10 }) });
  }
  return globalForDb.keelDb;
}

/** Methods a query procedure may call: reads only. Writes go through the audited mutation path. */
type ReadMethods = "findMany" | "findFirst" | "findUnique" | "findFirstOrThrow" | "findUniqueOrThrow" | "count" | "aggregate" | "groupBy";
type ModelNames = {
  [K in keyof Db]: Db[K] extends { findMany: (...args: never[]) => unknown } ? K : never;
}[keyof Db];
export type ReadDb = { [K in ModelNames]: Pick<Db[K], Extract<ReadMethods, keyof Db[K]>> };

const globalForReadDb = globalThis as unknown as { keelReadDb?: Db; keelReadDbUrl?: string; keelReplicaDb?: Db; keelReplicaDbUrl?: string };

/**
 * The client a read-only request reads through: the replica's when routeReads sent this request
 * there (server/db/replica.ts), else the primary's. Only for reads: its type may allow writes, but
 * a standby refuses them and the audited path never takes this client.
 */
export function getReadDb(): Db {
  return readingFromReplica() ? replicaDb().db : getDb();
}

/** Prisma on KEEL_READ_DATABASE_URL (read-only sessions where PostgreSQL is reached directly). */
function replicaDb(): { db: Db; url: string } {
  const url = readDatabaseUrl();
  if (!url) throw new Error("KEEL_READ_DATABASE_URL is not set");
  if (!globalForReadDb.keelReplicaDb || globalForReadDb.keelReplicaDbUrl !== url) {
    void globalForReadDb.keelReplicaDb?.$disconnect().catch(() => undefined);
    globalForReadDb.keelReplicaDb = new PrismaClient({ adapter: new PrismaPg({ ...connectionSettings(url, { readOnly: true }), max: 10 }) });
    globalForReadDb.keelReplicaDbUrl = url;
  }
  return { db: globalForReadDb.keelReplicaDb, url };
}

/**
 * A small pool whose sessions are `default_transaction_read_only=on` (set in the startup packet):
 * every statement on it runs in a read-only transaction, so PostgreSQL itself refuses a write, at
 * no extra round trip. Chosen over BEGIN / SET TRANSACTION READ ONLY / COMMIT around each read,
 * which quadruples the round trips of every dashboard and list query — except through PgBouncer,
 * which carries no session settings: there readSql pays for that transaction (see below).
 */
function readOnlyDb(): { db: Db; url: string } {
  const url = primaryDatabaseUrl();
  if (!globalForReadDb.keelReadDb || globalForReadDb.keelReadDbUrl !== url) {
    void globalForReadDb.keelReadDb?.$disconnect().catch(() => undefined);
    globalForReadDb.keelReadDb = new PrismaClient({ adapter: new PrismaPg({ ...connectionSettings(url, { readOnly: true }), max: 5 }) });
    globalForReadDb.keelReadDbUrl = url;
  }
  return { db: globalForReadDb.keelReadDb, url };
}

/** Closes the read-only pools, the primary's and the replica's (shutdown, the CLI's exit). */
export async function closeReadOnlyDb(): Promise<void> {
  const dbs = [globalForReadDb.keelReadDb, globalForReadDb.keelReplicaDb];
  globalForReadDb.keelReadDb = globalForReadDb.keelReplicaDb = undefined;
  await Promise.all(dbs.map((db) => db?.$disconnect()));
  await closeReplicaPool();
}

/**
 * Raw SQL for query procedures (full-text search, version snapshots, diffs), as a tagged `sql`
 * template, on the read-only pool above (or the replica's, when routeReads chose it): a write is
 * refused by PostgreSQL (no keyword list to outwit). Given a transaction client (no
 * `$transaction`), the statement joins the caller's transaction instead, so it sees that
 * transaction's own changes.
 */
export async function readSql<T>(db: ReadDb, q: Sql): Promise<T[]> {
  const client = db as unknown as Db;
  if (typeof client.$transaction !== "function") return (client as unknown as Tx).$queryRaw<T[]>(q);
  const { db: reader, url } = readingFromReplica() ? replicaDb() : readOnlyDb();
  if (!throughPgBouncer(url)) return reader.$queryRaw<T[]>(q);
  // Through PgBouncer the session settings are not ours to set: the statement runs in a
  // transaction made read-only (and given Keel's statement timeout) before it starts.
  const [, rows] = await reader.$transaction([
    reader.$queryRaw(sql`SELECT set_config('transaction_read_only', 'on', true), set_config('statement_timeout', ${String(statementTimeoutMs())}, true)`),
    reader.$queryRaw<T[]>(q),
  ]);
  return rows;
}
