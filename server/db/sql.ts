import "server-only";
// SQL beyond Prisma's query API, written once: every statement Keel writes by hand is a tagged
// template (`sql\`... ${value}\``), so a placeholder is numbered by the template, never by hand,
// and the same object runs on Prisma (`$queryRaw(q)`) and on a pg client (`pgQuery(client, q)`).
// Dynamic parts are fragments (`join(conditions, " AND ")`, `empty`); identifiers may only come
// through `raw` from a fixed allow-list next to the query.
import type pg from "pg";
import { Prisma } from "./generated/client";
import { logger, repeatLimited } from "../runtime/log";

const log = repeatLimited(logger("db"));

export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const join = Prisma.join;
export const raw = Prisma.raw;
export const empty = Prisma.empty;

/** Runs a tagged statement on a pg client or pool (`$1..$n` text and its values). */
export async function pgQuery<R extends pg.QueryResultRow = Record<string, unknown>>(client: pg.ClientBase | pg.Pool, q: Sql): Promise<pg.QueryResult<R>> {
  return client.query<R>({ text: q.text, values: q.values });
}

/**
 * A pg client whose connection is lost (PostgreSQL restarted, the backend terminated, the network
 * cut) emits 'error', and an 'error' event nobody listens to ends the Node process. Every client
 * Keel opens itself listens from the start: the loss is logged in one line and the query in flight
 * fails on its own (its request answers 503, see server/db/unavailable.ts).
 */
export function logConnectionLoss(client: pg.ClientBase, name: string): void {
  let logged = false;
  const listener = (error: Error) => {
    if (logged) return;
    logged = true;
    log.warn(`${name} connection lost`, { error });
  };
  client.on("error", listener);
}

/**
 * A client checked out of a pg.Pool, listening for a lost connection while it is out (the pool
 * listens only while a client is idle). Its `release()` hands a client whose connection was lost
 * back as broken, so the pool closes it instead of lending it again.
 */
export async function checkOut(pool: pg.Pool, name: string): Promise<pg.PoolClient> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onLoss = (error: Error) => {
    if (lost) return;
    lost = error;
    log.warn(`${name} connection lost`, { error });
  };
  client.on("error", onLoss);
  const release = client.release;
  client.release = (broken?: Error | boolean) => {
    client.removeListener("error", onLoss);
    return release(broken ?? lost);
  };
  return client;
}
