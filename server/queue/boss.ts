import "server-only";
// The job queue: pg-boss on Keel's own PostgreSQL (schema `pgboss`, created and migrated by
// pg-boss itself). One instance per process, started on first use. Evaluation runs are jobs of
// the `evaluation-run` queue; a job works on its run for a time slice and hands the rest on to a
// new job, so a worker that dies loses at most a slice: its job expires and another worker
// resumes the run (finished items are never redone, see server/domain/evaluations/worker.ts).
import PgBoss from "pg-boss";
import type { SqlExecutor } from "../audit/chain";
import { setting } from "../env";
import { connectionSettings, primaryDatabaseUrl } from "../db/connections";
import { lastLine } from "../db/unavailable";

export const EVALUATION_QUEUE = "evaluation-run";

export type QueueTiming = {
  /** How long one job works on a run before handing on. */
  sliceSeconds: number;
  /** When an active job is considered lost (its worker died): slice + margin. */
  expireInSeconds: number;
  /** How often pg-boss looks for expired jobs. */
  maintenanceIntervalSeconds: number;
  /** How often an idle worker polls for jobs. */
  pollingIntervalSeconds: number;
};

/** KEEL_EVAL_SLICE_SECONDS (30), KEEL_QUEUE_EXPIRE_SECONDS (2 slices + 10), KEEL_QUEUE_MAINTENANCE_SECONDS (15), KEEL_QUEUE_POLL_SECONDS (1). */
export function queueTiming(): QueueTiming {
  const sliceSeconds = setting("KEEL_EVAL_SLICE_SECONDS");
  return {
    sliceSeconds,
    expireInSeconds: Math.ceil(setting("KEEL_QUEUE_EXPIRE_SECONDS") ?? sliceSeconds * 2 + 10),
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
  // pg-boss reports every failed poll and maintenance query with its whole pg client attached; in a
  // database outage that is dozens a second. One line each, the same one at most every 10 s.
  const lastLogged = new Map<string, number>();
  boss.on("error", (error: unknown) => {
    const line = lastLine(error);
    const now = Date.now();
    if (now - (lastLogged.get(line) ?? -Infinity) < 10_000) return;
    if (lastLogged.size > 100) lastLogged.clear();
    lastLogged.set(line, now);
    console.error(`[queue] ${line}`);
  });
  await boss.start();
  if (!(await boss.getQueue(EVALUATION_QUEUE))) {
    try {
      // Stately: at most one queued and one active job per run (singletonKey = run id).
      await boss.createQueue(EVALUATION_QUEUE, {
        name: EVALUATION_QUEUE,
        policy: "stately",
        retryLimit: 1_000,
        retryDelay: 1,
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
      retryDelay: 1,
      ...(sql ? { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await sql.external<unknown>(text, values) }) } } : {}),
    },
  );
}
