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

/**
 * Raw SQL for query procedures (full-text search, version snapshots, diffs), as a tagged `sql`
 * template. It runs in a READ ONLY transaction, so PostgreSQL itself refuses any write (no keyword
 * list to outwit). That costs BEGIN/SET/COMMIT round trips, acceptable for these dashboard reads;
 * hot paths (the public prompt API, ingestion) do not come through here. Given a transaction
 * client (no `$transaction`), the statement joins the caller's transaction as it stands.
 */
export async function readSql<T>(db: ReadDb, q: Sql): Promise<T[]>;
/**
 * @deprecated Text with numbered placeholders: only server/api/review-http.ts still calls this
 * (its SQL is being moved into the review domain on another branch); convert it to `sql` there
 * and delete this overload. It runs in the same READ ONLY transaction.
 */
export async function readSql<T>(db: ReadDb, text: string, ...values: unknown[]): Promise<T[]>;
export async function readSql<T>(db: ReadDb, q: Sql | string, ...values: unknown[]): Promise<T[]> {
  const client = db as unknown as Db;
  const run = (tx: Tx) => (typeof q === "string" ? tx.$queryRawUnsafe<T[]>(q, ...values) : tx.$queryRaw<T[]>(q));
  if (typeof client.$transaction !== "function") return run(client as unknown as Tx);
  return client.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION READ ONLY`;
      return run(tx);
    },
    // The statement timeout bounds the work; the transaction only needs a little more.
    { timeout: poolSettings().statement_timeout + 5_000 },
  );
}
