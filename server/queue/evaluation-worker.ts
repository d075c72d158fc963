import "server-only";
// The evaluation worker: takes `evaluation-run` jobs and works on each run for a time slice,
// then hands the rest on to a new job. Runs as `npm start`'s worker process and as
// `npx keel worker`; any number of workers on any number of machines share the queue. A worker
// also runs the deployment sweeper (expiries, wait timers, freeze ends), the webhook dispatcher and
// the audit checkpointer, and the telemetry upkeep (online evaluation, retention); all are safe to run in several processes at once.
//
// Jobs are fetched, completed and failed here rather than through pg-boss's `work()`: its loop
// completes and fails jobs without awaiting the result, so a database restart during a slice
// ended the process with an unhandled rejection, and it cuts a handler off at the job's expiry,
// which here measures a worker's silence (see boss.ts), not the length of its work.
import { processRun, type ProcessOutcome } from "../domain/evaluations/worker";
import { EVALUATION_QUEUE, enqueueRun, extendJob, getBoss, queueTiming, type HeldJob, type QueueTiming } from "./boss";
import { startDeploymentSweeper } from "../domain/deployments/sweep";
import { startWebhookDispatcher } from "../domain/deployments/webhooks";
import { startCheckpointer } from "../domain/audit/checkpoints";
import { startTelemetryUpkeep } from "../domain/observability/upkeep";
import { isDatabaseUnavailable } from "../db/unavailable";
import { workerRuns } from "../runtime/capacity";
import type PgBoss from "pg-boss";
import { logger, repeatLimited, shapeError, withLogContext, type Logger } from "../runtime/log";

const workerLog = logger("worker");

export type WorkerHandle = { stop(): Promise<void> };

type RunJob = { runId: string };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

export async function startEvaluationWorker(options: { log?: (line: string) => void } = {}): Promise<WorkerHandle> {
  const log = options.log ?? ((line: string) => workerLog.info(line));
  // One line per distinct problem, the same one at most every 10 s (an outage repeats them every second).
  const problem = repeatLimited(workerLog);
  const boss = await getBoss();
  const timing = queueTiming();
  const controller = new AbortController();
  const context: LoopContext = { boss, timing, signal: controller.signal, log, problem, idle: new Set() };

  const loops = Array.from({ length: workerRuns() }, () => workLoop(context));
  // Each poll: look for lost jobs (a worker silent past its job's expiry), then let the idle slots
  // fetch, so a job this check retried is taken at once. pg-boss's own maintenance would notice
  // only every KEEL_QUEUE_MAINTENANCE_SECONDS, or twice that.
  const ticking = repeat(timing.pollingIntervalSeconds * 1000, controller.signal, async () => {
    await boss.expire().catch((error: unknown) => problem.warn("checking for lost jobs failed", { error }));
    for (const wake of context.idle) wake();
  });

  const sweeper = startDeploymentSweeper();
  const dispatcher = startWebhookDispatcher();
  const checkpointer = startCheckpointer();
  const telemetry = startTelemetryUpkeep();
  log(`listening for evaluation runs (${loops.length} at a time); sweeping deployments and sending webhooks`);
  return {
    async stop() {
      controller.abort();
      await Promise.all([...loops, ticking]);
      await Promise.all([sweeper.stop(), dispatcher.stop(), checkpointer.stop(), telemetry.stop()]);
    },
  };
}

type LoopContext = {
  boss: PgBoss;
  timing: QueueTiming;
  /** Aborted when this worker stops. */
  signal: AbortSignal;
  log: (line: string) => void;
  problem: Logger;
  /** Wakes the slots waiting for the next poll. */
  idle: Set<() => void>;
};

/** Runs `fn` every `ms` (never two at once) until the signal; resolves once the last one ended. */
async function repeat(ms: number, signal: AbortSignal, fn: () => Promise<unknown>): Promise<void> {
  while (!signal.aborted) {
    await sleep(ms, signal);
    if (!signal.aborted) await fn();
  }
}

/** One of this process's run slots: fetch a job, work on its run, again. */
async function workLoop(ctx: LoopContext): Promise<void> {
  while (!ctx.signal.aborted) {
    // pg-boss's fetch answers [] when the database cannot be reached; the next poll tries again.
    const [job] = await ctx.boss.fetch<RunJob>(EVALUATION_QUEUE, { batchSize: 1, includeMetadata: true });
    if (!job) {
      await nextPoll(ctx);
      continue;
    }
    // Lines logged while the job works carry its id.
    await withLogContext({ jobId: job.id }, () => workOnJob(ctx, job, { id: job.id, retryCount: job.retryCount }));
  }
}

/** Resolves at the next poll (after its check for lost jobs), or when the worker stops. */
function nextPoll(ctx: LoopContext): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ctx.idle.delete(done);
      ctx.signal.removeEventListener("abort", done);
      resolve();
    };
    if (ctx.signal.aborted) return resolve();
    ctx.idle.add(done);
    ctx.signal.addEventListener("abort", done, { once: true });
  });
}

async function workOnJob(ctx: LoopContext, job: PgBoss.Job<RunJob>, held: HeldJob): Promise<void> {
  const { runId } = job.data;
  // Lost: the heartbeat found the job retried (this worker was silent past its expiry, e.g. cut
  // off from the database); whoever has it now carries on, so this worker stops touching it.
  const lost = new AbortController();
  const signal = AbortSignal.any([ctx.signal, lost.signal]);
  const heartbeat = setInterval(() => {
    extendJob(held, ctx.timing.expireInSeconds).then(
      (mine) => mine || lost.abort(),
      (error: unknown) => ctx.problem.warn("a job heartbeat failed", { error }),
    );
  }, ctx.timing.heartbeatSeconds * 1000);
  // Completing or failing the job is retried while the database is away, up to the expiry a
  // heartbeat gave the job (a job left active holds its run back until it expires); once only
  // when this worker is stopping, so a database outage does not hold the stop up.
  const settle = (fn: () => Promise<unknown>) => whileUnavailable(fn, { signal, until: Date.now() + ctx.timing.expireInSeconds * 1000 - 1_000 });
  try {
    const outcome = await workOnRun(ctx, runId, signal);
    if (lost.signal.aborted) return;
    if (outcome === "continue") {
      // Stopping: fail the job so the queue retries it on a worker that is still running.
      if (ctx.signal.aborted) throw new Error("This worker is stopping; the run continues on another one");
      // The slice is over but items remain: the next job (maybe on another worker) goes on.
      await settle(() => enqueueRun(runId));
    }
    await settle(() => ctx.boss.complete(EVALUATION_QUEUE, job.id));
  } catch (error) {
    if (lost.signal.aborted) return;
    // One line per failed job (pg-boss keeps the error on the job and retries it, but says nothing).
    if (!ctx.signal.aborted) workerLog.error(`a slice of run ${runId} failed`, { runId, error });
    // Unreachable database: the job expires and is retried once it is back.
    await settle(() => ctx.boss.fail(EVALUATION_QUEUE, job.id, { message: shapeError(error).message })).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * One slice of a run. A database that goes away (a restart, a failover) fails the statements in
 * flight; the slice waits for it and goes on, keeping its job (and its heartbeat), rather than
 * leaving the run to an expiry.
 */
async function workOnRun(ctx: LoopContext, runId: string, signal: AbortSignal): Promise<ProcessOutcome> {
  const deadline = Date.now() + ctx.timing.sliceSeconds * 1000;
  for (;;) {
    try {
      return await processRun(runId, { deadline, signal, log: ctx.log });
    } catch (error) {
      if (!isDatabaseUnavailable(error) || signal.aborted) throw error;
      ctx.problem.warn(`the database is unavailable; run ${runId} goes on when it is back`, { error });
      await sleep(1_000, signal);
    }
  }
}

/** Runs `fn`, again every half second while it fails because the database is unavailable, until `until`. */
async function whileUnavailable<T>(fn: () => Promise<T>, options: { signal: AbortSignal; until: number }): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || options.signal.aborted || Date.now() >= options.until) throw error;
      await sleep(500, options.signal);
    }
  }
}
