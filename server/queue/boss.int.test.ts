// The job heartbeat (extendJob) against pg-boss itself: pg-boss 10 has no heartbeat, so Keel
// extends an active job's expiry in pgboss.job. If a pg-boss upgrade changed how expiry is
// computed, lost workers would be noticed late or live ones taken over: this file would fail.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVALUATION_QUEUE, enqueueRun, extendJob, getBoss, stopBoss } from "./boss";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  process.env.KEEL_QUEUE_EXPIRE_SECONDS = "1";
});
afterAll(async () => {
  delete process.env.KEEL_QUEUE_EXPIRE_SECONDS;
  await stopBoss();
});

async function fetchJobs(runIds: string[]) {
  const boss = await getBoss();
  const jobs = await boss.fetch<{ runId: string }>(EVALUATION_QUEUE, { batchSize: 10, includeMetadata: true });
  return runIds.map((runId) => {
    const job = jobs.find((j) => j.data.runId === runId);
    if (!job) throw new Error(`no job for ${runId}`);
    return job;
  });
}

describe("a job's heartbeat", () => {
  it("keeps a working job from expiring, while a silent one expires and is retried; a retried job is no longer the old activation's", async () => {
    const boss = await getBoss();
    const [beating, silent] = [randomUUID(), randomUUID()];
    await enqueueRun(beating);
    await enqueueRun(silent);
    const [a, b] = await fetchJobs([beating, silent]);
    expect(await extendJob({ id: a!.id, retryCount: a!.retryCount }, 30)).toBe(true);

    await sleep(1_500); // past both jobs' 1 s expiry
    await boss.expire();
    expect((await boss.getJobById(EVALUATION_QUEUE, a!.id))?.state).toBe("active");
    expect((await boss.getJobById(EVALUATION_QUEUE, b!.id))?.state).toBe("retry");

    // The old activation's heartbeat finds the job gone from it, before and after it is retried.
    expect(await extendJob({ id: b!.id, retryCount: b!.retryCount }, 30)).toBe(false);
    const [again] = await fetchJobs([silent]);
    expect(again!.id).toBe(b!.id);
    expect(await extendJob({ id: b!.id, retryCount: b!.retryCount }, 30)).toBe(false);
    expect(await extendJob({ id: again!.id, retryCount: again!.retryCount }, 30)).toBe(true);

    await boss.complete(EVALUATION_QUEUE, [a!.id, again!.id]);
  });
});
