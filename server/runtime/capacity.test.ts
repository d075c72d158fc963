// Role concurrency follows the cores a process gets, unless a setting says otherwise.
import { afterEach, describe, expect, it } from "vitest";
import { ingestThreads, workerRuns } from "./capacity";

const saved = { ...process.env };
afterEach(() => {
  for (const name of ["KEEL_INGEST_THREADS", "KEEL_INGEST_PROCESSES", "KEEL_WORKER_RUNS"]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("role concurrency", () => {
  it("gives an ingest process every core but one (shared by its siblings, 1 to 8) and a web process one thread", () => {
    delete process.env.KEEL_INGEST_THREADS;
    delete process.env.KEEL_INGEST_PROCESSES;
    expect([1, 2, 4, 8, 32].map((cores) => ingestThreads("ingest", cores))).toEqual([1, 1, 3, 7, 8]);
    expect(ingestThreads("web", 32)).toBe(1);
    process.env.KEEL_INGEST_PROCESSES = "2";
    expect([2, 4, 9].map((cores) => ingestThreads("ingest", cores))).toEqual([1, 1, 4]);
  });

  it("works on one run per core in a worker, at least 2 and at most 16", () => {
    delete process.env.KEEL_WORKER_RUNS;
    expect([1, 2, 6, 64].map((cores) => workerRuns(cores))).toEqual([2, 2, 6, 16]);
  });

  it("keeps the settings as overrides", () => {
    process.env.KEEL_INGEST_THREADS = "0";
    process.env.KEEL_WORKER_RUNS = "5";
    expect(ingestThreads("ingest", 16)).toBe(0);
    expect(ingestThreads("web", 16)).toBe(0);
    expect(workerRuns(64)).toBe(5);
  });
});
