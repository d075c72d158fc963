import "server-only";
// The Prisma client, created lazily from DATABASE_URL (the start script sets it before the app
// loads; tests point it at a per-file database).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Db = InstanceType<typeof PrismaClient>;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { keelDb?: Db };

export function getDb(): Db {
  if (!globalForDb.keelDb) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    globalForDb.keelDb = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 10 }) });
  }
  return globalForDb.keelDb;
}

/** Methods a query procedure may call: reads only. Writes go through the audited mutation path. */
type ReadMethods = "findMany" | "findFirst" | "findUnique" | "findFirstOrThrow" | "findUniqueOrThrow" | "count" | "aggregate" | "groupBy";
type ModelNames = {
  [K in keyof Db]: Db[K] extends { findMany: (...args: never[]) => unknown } ? K : never;
}[keyof Db];
export type ReadDb = { [K in ModelNames]: Pick<Db[K], Extract<ReadMethods, keyof Db[K]>> };

const WRITE_WORDS = /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|ALTER|DROP|CREATE|GRANT|REVOKE|COPY|CALL|DO|LOCK|VACUUM|SET)\b/i;

/**
 * Raw SQL for query procedures (full-text search, version snapshots, diffs): a single SELECT,
 * parameterised ($1, $2, ...). Anything that could write is refused before it reaches the database.
 */
export function readSql<T>(db: ReadDb, sql: string, ...values: unknown[]): Promise<T[]> {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql) || WRITE_WORDS.test(sql.replace(/'(?:[^']|'')*'/g, "''"))) {
    throw new Error("readSql runs read-only SELECT statements only");
  }
  return (db as unknown as Db).$queryRawUnsafe<T[]>(sql, ...values);
}
