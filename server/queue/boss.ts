import "server-only";
// The job queue: pg-boss on Keel's own PostgreSQL (schema `pgboss`, created and migrated by
// pg-boss itself). One instance per process, started on first use. Evaluation runs are jobs of
// the `evaluation-run` queue; a job works on its run for a time slice and hands the rest on to a
// new job. While it works, its worker keeps the job alive with a heartbeat (pg-boss 10 has none of
// its own), so a job's expiry measures how long its worker has been silent, not how long a slice
// takes: a worker that dies is noticed KEEL_QUEUE_EXPIRE_SECONDS after its last heartbeat, its
// job is retried and another worker resumes the run (finished items are never redone, see
// server/domain/evaluations/worker.ts).
import PgBoss from "pg-boss";
import type { SqlExecutor } from "../audit/chain";
import { setting } from "../env";
import { getDb } from "../db/client";
import { sql } from "../db/sql";
import { connectionSettings, primaryDatabaseUrl } from "../db/connections";
import { logger, repeatLimited } from "../runtime/log";

// pg-boss reports every failed poll and maintenance query with its whole pg client attached; in a
// database outage that is dozens a second. One line each, the same one at most every 10 s.
const log = repeatLimited(logger("queue"));

export const EVALUATION_QUEUE = "evaluation-run";

export type QueueTiming = {
  /** How long one job works on a run before handing on (in-flight calls finish after it). */
  sliceSeconds: number;
  /** How long an active job may go without its worker's heartbeat before it counts as lost and is retried. */
  expireInSeconds: number;
  /** How often a working job's heartbeat extends its expiry: three beats to an expiry, so one late or failed beat loses nothing. */
  heartbeatSeconds: number;
  /** How often pg-boss archives finished jobs (and expires lost ones; workers also check every poll). */
  maintenanceIntervalSeconds: number;
  /** How often an idle worker polls for jobs, and every worker checks for lost ones. */
  pollingIntervalSeconds: number;
};

/**
 * KEEL_EVAL_SLICE_SECONDS (30), KEEL_QUEUE_EXPIRE_SECONDS (10), KEEL_QUEUE_MAINTENANCE_SECONDS
 * (15), KEEL_QUEUE_POLL_SECONDS (1). A killed worker's run resumes at most expiry + a poll (whose
 * lost-job check retries the job, which its fetch then takes) after its last heartbeat: 11 s
 * with the defaults.
 */
export function queueTiming(): QueueTiming {
  const expireInSeconds = Math.max(1, Math.ceil(setting("KEEL_QUEUE_EXPIRE_SECONDS")));
  return {
    sliceSeconds: setting("KEEL_EVAL_SLICE_SECONDS"),
    expireInSeconds,
    heartbeatSeconds: expireInSeconds / 3,
    maintenanceIntervalSeconds: Math.max(1, Math.round(setting("KEEL_QUEUE_MAINTENANCE_SECONDS"))),
    pollingIntervalSeconds: Math.max(0.5, setting("KEEL_QUEUE_POLL_SECONDS")),
  };
}

const globalForBoss = globalThis as unknown as { keelBoss?: Promise<PgBoss> };

async function startBoss(): Promise<PgBoss> {
  const timing = queueTiming();
  // On DATABASE_URL even through PgBouncer in transaction mode: pg-boss sends each transaction as
  // one query (BEGIN … COMMIT), takes only transaction-scoped advisory locks and never LISTENs.
  const boss = new PgBoss({
    ...connectionSettings(primaryDatabaseUrl()),
    schema: "pgboss",
    application_name: "keel-queue",
    max: 4,
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: timing.maintenanceIntervalSeconds,
  });
  boss.on("error", (error: unknown) => log.error("pg-boss reported an error", { error }));
  await boss.start();
  if (!(await boss.getQueue(EVALUATION_QUEUE))) {
    try {
      // Stately: at most one queued and one active job per run (singletonKey = run id).
      await boss.createQueue(EVALUATION_QUEUE, {
        name: EVALUATION_QUEUE,
        policy: "stately",
        retryLimit: 1_000,
        retryDelay: 0,
        expireInSeconds: timing.expireInSeconds,
      });
    } catch (error) {
      // Another process created it first.
      if (!(await boss.getQueue(EVALUATION_QUEUE))) throw error;
    }
  }
  return boss;
}

export function getBoss(): Promise<PgBoss> {
  globalForBoss.keelBoss ??= startBoss().catch((error: unknown) => {
    globalForBoss.keelBoss = undefined;
    throw error;
  });
  return globalForBoss.keelBoss;
}

export async function stopBoss(): Promise<void> {
  const pending = globalForBoss.keelBoss;
  globalForBoss.keelBoss = undefined;
  if (pending) await (await pending).stop({ graceful: true, timeout: 5_000, wait: true });
}

/**
 * Queues work on a run. With `sql`, the job is written in the caller's transaction: it exists
 * exactly when the run does.
 */
export async function enqueueRun(runId: string, sql?: SqlExecutor): Promise<void> {
  const boss = await getBoss();
  const timing = queueTiming();
  await boss.send(
    EVALUATION_QUEUE,
    { runId },
    {
      singletonKey: runId,
      expireInSeconds: timing.expireInSeconds,
      retryLimit: 1_000,
      retryDelay: 0,
      ...(sql ? { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await sql.external<unknown>(text, values) }) } } : {}),
    },
  );
}

/** An active job as a worker holds it: the id and which activation (a retried job keeps its id). */
export type HeldJob = { id: string; retryCount: number };

/**
 * The heartbeat of a job being worked on: it expires `expireInSeconds` from now instead of from
 * when it started. False when the job is no longer this activation's (it expired and was retried,
 * maybe on another worker, or it was cancelled): the worker then leaves it alone. pg-boss 10 has
 * no heartbeat, so this writes its `job` table directly (expiry is `started_on + expire_in`,
 * see failJobsByTimeout in pg-boss's plans.js); boss.int.test.ts checks that pg-boss honours it.
 */
export async function extendJob(job: HeldJob, expireInSeconds: number): Promise<boolean> {
  const updated = await getDb().$executeRaw(
    sql`UPDATE pgboss.job SET expire_in = (now() - started_on) + make_interval(secs => ${expireInSeconds})
     WHERE name = ${EVALUATION_QUEUE} AND id = ${job.id}::uuid AND state = 'active' AND retry_count = ${job.retryCount}`,
  );
  return updated === 1;
}
