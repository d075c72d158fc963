import "server-only";
// The Prisma client, created lazily from DATABASE_URL (the start script sets it before the app
// loads; tests point it at a per-file database).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { poolSettings, type Sql } from "./sql";

export type Db = InstanceType<typeof PrismaClient>;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { keelDb?: Db };

export function getDb(): Db {
  if (!globalForDb.keelDb) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    globalForDb.keelDb = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 10, ...poolSettings() }) });
  }
  return globalForDb.keelDb;
}

/** Methods a query procedure may call: reads only. Writes go through the audited mutation path. */
type ReadMethods = "findMany" | "findFirst" | "findUnique" | "findFirstOrThrow" | "findUniqueOrThrow" | "count" | "aggregate" | "groupBy";
type ModelNames = {
  [K in keyof Db]: Db[K] extends { findMany: (...args: never[]) => unknown } ? K : never;
}[keyof Db];
export type ReadDb = { [K in ModelNames]: Pick<Db[K], Extract<ReadMethods, keyof Db[K]>> };

const globalForReadDb = globalThis as unknown as { keelReadDb?: Db; keelReadDbUrl?: string };

/**
 * A small pool whose sessions are `default_transaction_read_only=on` (set in the startup packet):
 * every statement on it runs in a read-only transaction, so PostgreSQL itself refuses a write, at
 * no extra round trip. Chosen over BEGIN / SET TRANSACTION READ ONLY / COMMIT around each read,
 * which quadruples the round trips of every dashboard and list query.
 */
function readOnlyDb(): Db {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  if (!globalForReadDb.keelReadDb || globalForReadDb.keelReadDbUrl !== connectionString) {
    void globalForReadDb.keelReadDb?.$disconnect().catch(() => undefined);
    globalForReadDb.keelReadDb = new PrismaClient({
      adapter: new PrismaPg({ connectionString, max: 5, options: "-c default_transaction_read_only=on", ...poolSettings() }),
    });
    globalForReadDb.keelReadDbUrl = connectionString;
  }
  return globalForReadDb.keelReadDb;
}

/** Closes the read-only pool (shutdown, the CLI's exit). */
export async function closeReadOnlyDb(): Promise<void> {
  const db = globalForReadDb.keelReadDb;
  globalForReadDb.keelReadDb = undefined;
  await db?.$disconnect();
}

/**
 * Raw SQL for query procedures (full-text search, version snapshots, diffs), as a tagged `sql`
 * template, on the read-only pool above: a write is refused by PostgreSQL (no keyword list to
 * outwit). Given a transaction client (no `$transaction`), the statement joins the caller's
 * transaction instead, so it sees that transaction's own changes.
 */
export async function readSql<T>(db: ReadDb, q: Sql): Promise<T[]> {
  const client = db as unknown as Db;
  const target = typeof client.$transaction === "function" ? readOnlyDb() : (client as unknown as Tx);
  return target.$queryRaw<T[]>(q);
}
