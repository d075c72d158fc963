// The worker role (`npx keel worker`, and `npm start`'s worker process): evaluation runs, online
// evaluation, the deployment sweeper, webhooks, audit checkpoints, rollup folding and retention
// (server/queue/evaluation-worker.ts). Any number may run against one database.
import { bootstrap } from "../bootstrap";
import { logger, routeConsoleThroughLog } from "../log";
import { closeConnections, untilStopped } from "./lifecycle";

const roleLog = logger("worker");
function log(line: string) {
  roleLog.info(line);
}

/** Runs a worker until it is told to stop. */
export async function runWorkerRole(options: { supervised: boolean }): Promise<void> {
  // A long-running role: libraries' console output is log lines too (JSON in json mode).
  routeConsoleThroughLog("worker");
  const stopped = untilStopped(options.supervised);
  // Under `npm start` the supervisor has migrated and said what start-up had to say.
  const runtime = await bootstrap({ migrate: !options.supervised, log: options.supervised ? () => {} : log, stopsOnSignals: true });
  try {
    const { startEvaluationWorker } = await import("../../queue/evaluation-worker");
    const worker = await startEvaluationWorker({ log });
    await stopped;
    log("stopping …");
    await worker.stop();
  } finally {
    await closeConnections();
    await runtime.stop();
  }
}
