// A worker job that throws is one log line with its job id and the error's class, code and last
// line (pg-boss keeps the error on the job and retries it, but reports nothing itself).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EVALUATION_QUEUE, getBoss, stopBoss } from "../queue/boss";
import { startEvaluationWorker, type WorkerHandle } from "../queue/evaluation-worker";

let worker: WorkerHandle | undefined;

beforeAll(() => {
  vi.stubEnv("KEEL_QUEUE_POLL_SECONDS", "0.5");
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await stopBoss();
  vi.unstubAllEnvs();
});

describe("a worker job that fails", () => {
  it("logs exactly one JSON line with the job id, the run and the error, without a stack", async () => {
    vi.stubEnv("KEEL_LOG_FORMAT", "json");
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        return true;
      });
    }
    const boss = await getBoss();
    // A run id that is not a uuid: loading the run fails in Prisma (a multi-line message).
    const jobId = await boss.send(EVALUATION_QUEUE, { runId: "not-a-run-id" }, { retryLimit: 0 });
    worker = await startEvaluationWorker({ log: () => {} });
    for (let i = 0; i < 100 && !lines.some((l) => l.includes('"level":"error"')); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    const errors = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      component: "worker",
      msg: "a slice of run not-a-run-id failed",
      runId: "not-a-run-id",
      jobId,
      error: { name: "PrismaClientKnownRequestError", code: expect.stringMatching(/^P\d{4}$/) },
    });
    const error = errors[0]!.error as { message: string; stack?: string };
    expect(error.stack).toBeUndefined();
    expect(error.message).not.toMatch(/\n|invocation|→/);
  }, 30_000);
});
