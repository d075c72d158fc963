import "server-only";
// The evaluation worker: takes `evaluation-run` jobs and works on each run for a time slice,
// then hands the rest on to a new job. Starts inside `npm start` (unless KEEL_WORKER=0) and as
// `npx keel worker`; any number of workers on any number of machines share the queue. A worker
// also runs the deployment sweeper (expiries, wait timers, freeze ends), the webhook dispatcher and
// the audit checkpointer, and the telemetry upkeep (online evaluation, retention); all are safe to run in several processes at once.
import { processRun } from "../domain/evaluations/worker";
import { EVALUATION_QUEUE, enqueueRun, getBoss, queueTiming } from "./boss";
import { startDeploymentSweeper } from "../domain/deployments/sweep";
import { startWebhookDispatcher } from "../domain/deployments/webhooks";
import { startCheckpointer } from "../domain/audit/checkpoints";
import { startTelemetryUpkeep } from "../domain/observability/upkeep";
import { setting } from "../env";
import { logger, withLogContext } from "../runtime/log";

const workerLog = logger("worker");

export type WorkerHandle = { stop(): Promise<void> };

/** KEEL_WORKER_RUNS (default 2): runs one process works on at the same time. */
function runsPerProcess(): number {
  return setting("KEEL_WORKER_RUNS");
}

export async function startEvaluationWorker(options: { log?: (line: string) => void } = {}): Promise<WorkerHandle> {
  const log = options.log ?? ((line: string) => workerLog.info(line));
  const boss = await getBoss();
  const timing = queueTiming();
  const controller = new AbortController();
  const ids: string[] = [];
  for (let i = 0; i < runsPerProcess(); i++) {
    ids.push(
      await boss.work<{ runId: string }>(EVALUATION_QUEUE, { batchSize: 1, pollingIntervalSeconds: timing.pollingIntervalSeconds }, async ([job]) => {
        if (!job) return;
        const { runId } = job.data;
        // Lines logged while the job works carry its id; a failure is one line (pg-boss keeps the
        // error on the job and retries it, but says nothing).
        await withLogContext({ jobId: job.id }, async () => {
          try {
            const outcome = await processRun(runId, { deadline: Date.now() + timing.sliceSeconds * 1000, signal: controller.signal, log });
            if (outcome !== "continue") return;
            // Stopping: fail the job so the queue retries it on a worker that is still running.
            if (controller.signal.aborted) throw new Error("This worker is stopping; the run continues on another one");
            // The slice is over but items remain: the next job (maybe on another worker) goes on.
            await enqueueRun(runId);
          } catch (error) {
            if (!controller.signal.aborted) workerLog.error(`evaluation run ${runId}: the job failed`, { runId, error });
            throw error;
          }
        });
      }),
    );
  }
  const sweeper = startDeploymentSweeper();
  const dispatcher = startWebhookDispatcher();
  const checkpointer = startCheckpointer();
  const telemetry = startTelemetryUpkeep();
  log(`listening for evaluation runs (${ids.length} at a time); sweeping deployments and sending webhooks`);
  return {
    async stop() {
      controller.abort();
      for (const id of ids) await boss.offWork({ id }).catch(() => undefined);
      await Promise.all([sweeper.stop(), dispatcher.stop(), checkpointer.stop(), telemetry.stop()]);
    },
  };
}
