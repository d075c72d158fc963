// How much a role takes on at once when the operator has not said: derived from the cores this
// process may run on (os.availableParallelism() follows CPU affinity, e.g. `taskset`), so a bigger
// machine gets more ingestion threads and evaluation runs without configuration. The settings
// (KEEL_INGEST_THREADS, KEEL_WORKER_RUNS) stay overrides.
import os from "node:os";
import { setting } from "../env";

export function cores(): number {
  return os.availableParallelism();
}

/**
 * Ingestion worker threads of one process. A web process that ingests itself keeps one (its
 * cores are for answering requests); an ingest process takes every core but one (left to web and
 * PostgreSQL), shared among KEEL_INGEST_PROCESSES, at least one and at most 8 (beyond that
 * PostgreSQL's writes are the limit, not decoding).
 */
export function ingestThreads(role: "web" | "ingest", available = cores()): number {
  const configured = setting("KEEL_INGEST_THREADS");
  if (configured !== undefined) return configured;
  if (role === "web") return 1;
  return Math.max(1, Math.min(8, Math.floor((available - 1) / setting("KEEL_INGEST_PROCESSES"))));
}

/**
 * Evaluation runs one worker process works on at once: one per core, at least 2 and at most 16.
 * A run's calls wait on providers most of the time (KEEL_EVAL_PROVIDER_CONCURRENCY bounds them per
 * provider), but its evaluators and judges' parsing run on this process's one thread.
 */
export function workerRuns(available = cores()): number {
  return setting("KEEL_WORKER_RUNS") ?? Math.max(2, Math.min(16, available));
}
