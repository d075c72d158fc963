import "server-only";
// The audited mutation path: the only way Keel changes state. A change and its audit event(s)
// commit in one transaction, or neither does. A mutation that records no event is rolled back
// as a bug, so an audit record cannot be forgotten silently.
import type { Db, Tx } from "../db/client";
import { getDb } from "../db/client";
import type { AuditAction, AuditTargetType } from "../contracts/audit";
import type { Actor } from "./actor";
import pg from "pg";
import { appendAuditEvents, prismaExecutor, type PendingEvent, type SqlExecutor } from "./chain";
import { logConnectionLoss, pgQuery, type Sql } from "../db/sql";
import { connectionSettings, primaryDatabaseUrl } from "../db/connections";
import { toAuditJson } from "./canonical";
import { logger } from "../runtime/log";

const log = logger("audit");

export type AuditRecord = {
  orgId: string;
  projectId?: string | null;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
};

export type AuditedTx = {
  /** The transaction client: every write inside the mutation uses it. */
  tx: Tx;
  actor: Actor;
  /** Records an event; it is appended to the organization's chain before commit. */
  record(event: AuditRecord): void;
  /** Runs after the transaction committed (e.g. dropping cache entries); never on rollback. */
  afterCommit(fn: () => void): void;
  /** Declares, explicitly, that this call changed nothing (an idempotent repeat): no event is needed. */
  unchanged(): void;
};

export class MissingAuditEventError extends Error {
  constructor() {
    super("A mutation completed without recording an audit event; it was rolled back.");
  }
}

/** A step-up decision's event says how its maker authenticated (evidence packs show it). */
function withAuthentication(after: unknown, authentication: Actor["authentication"]): unknown {
  if (!authentication) return after;
  if (after === undefined || after === null) return { authentication };
  if (typeof after === "object" && !Array.isArray(after)) return { ...(after as Record<string, unknown>), authentication };
  return { value: after, authentication };
}

function toPending(actor: Actor, event: AuditRecord, outcome: "success" | "denied"): PendingEvent {
  return {
    orgId: event.orgId,
    projectId: event.projectId ?? null,
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    actorRole: actor.role,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    before: toAuditJson(event.before),
    after: toAuditJson(withAuthentication(event.after, actor.authentication)),
    outcome,
    requestId: actor.request.requestId,
    ip: actor.request.ip,
    userAgent: actor.request.userAgent,
  };
}

export type AuditedOptions = {
  db?: Db;
  /** How long the transaction may run (default 30 s); long, streamed changes (imports) ask for more. */
  timeoutMs?: number;
};

export async function runAudited<T>(actor: Actor, fn: (w: AuditedTx) => Promise<T>, options: AuditedOptions = {}): Promise<T> {
  const db = options.db ?? getDb();
  const committed: (() => void)[] = [];
  const result = await db.$transaction(
    async (tx) => {
      const events: PendingEvent[] = [];
      let declaredUnchanged = false;
      const result = await fn({
        tx,
        actor,
        record: (event) => events.push(toPending(actor, event, "success")),
        afterCommit: (hook) => committed.push(hook),
        unchanged: () => (declaredUnchanged = true),
      });
      if (events.length === 0) {
        if (declaredUnchanged) return result;
        throw new MissingAuditEventError();
      }
      // Appended last: the chain head stays locked only from here to commit.
      await appendAuditEvents(prismaExecutor(tx), events);
      return result;
    },
    { timeout: options.timeoutMs ?? 30_000, maxWait: 10_000 },
  );
  for (const hook of committed) {
    try {
      hook();
    } catch (error) {
      log.error("an after-commit hook failed", { error });
    }
  }
  return result;
}

/** Records a refused attempt at a change, in its own transaction (the change itself never ran). */
export async function recordDenied(actor: Actor, event: AuditRecord, db: Db = getDb()): Promise<void> {
  await db.$transaction(async (tx) => appendAuditEvents(prismaExecutor(tx), [toPending(actor, event, "denied")]));
}

/** The audited path on a dedicated connection, for changes Prisma cannot stream (COPY). */
export type SqlAuditedTx = Omit<AuditedTx, "tx"> & {
  /** The connection, inside the transaction: every write of the change uses it. */
  client: pg.ClientBase;
  /** Parameterised SQL on that connection. */
  sql: SqlExecutor;
};

/**
 * runAudited for streamed bulk changes (dataset imports): the same guarantees (the change and its
 * audit events commit together; a change without an event is rolled back; after-commit hooks run
 * only after COMMIT), on a connection of its own so the change can use COPY.
 */
export async function runAuditedSql<T>(actor: Actor, fn: (w: SqlAuditedTx) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  // One transaction from BEGIN to COMMIT (COPY, temporary tables ON COMMIT DROP and SET LOCAL
  // included), so it runs through PgBouncer in transaction mode too.
  const client = new pg.Client({ ...connectionSettings(primaryDatabaseUrl()), application_name: "keel-bulk" });
  logConnectionLoss(client, "keel-bulk");
  await client.connect();
  const sql: SqlExecutor = {
    query: async <R>(q: Sql) => (await pgQuery(client, q)).rows as R[],
    // pg-boss's own statement text (see enqueueRun).
    external: async <R>(text: string, values: unknown[]) => (await client.query(text, values)).rows as R[],
  };
  const committed: (() => void)[] = [];
  try {
    await client.query("BEGIN");
    // The transaction cannot outlive its budget, whatever the client does. SET takes no
    // parameters; the value is a whole number computed here.
    // eslint-disable-next-line no-restricted-syntax
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1_000, Math.floor(options.timeoutMs ?? 30_000))}`);
    // eslint-disable-next-line no-restricted-syntax
    await client.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1_000, Math.floor(options.timeoutMs ?? 30_000))}`);
    const events: PendingEvent[] = [];
    let declaredUnchanged = false;
    const result = await fn({
      client,
      sql,
      actor,
      record: (event) => events.push(toPending(actor, event, "success")),
      afterCommit: (hook) => committed.push(hook),
      unchanged: () => (declaredUnchanged = true),
    });
    if (events.length === 0 && !declaredUnchanged) throw new MissingAuditEventError();
    if (events.length) await appendAuditEvents(sql, events);
    await client.query("COMMIT");
    for (const hook of committed) {
      try {
        hook();
      } catch (error) {
        log.error("an after-commit hook failed", { error });
      }
    }
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
