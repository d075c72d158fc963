// A worker SIGKILLed mid-run, with the shipped timings (no test overrides): its run resumes on a
// new worker within the 15 s, not after two slices and a maintenance interval (85–120 s
// before heartbeats). The job expires 10 s after the dead worker's last heartbeat; a worker's next
// poll (1 s) retries and takes it; the dead worker's claimed items are free again within their
// 10 s lease. Every item is stored exactly once.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { pollUntil, spawnKeelWorker, workerListening } from "@/test/support/processes";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { queueTiming, stopBoss } from "./boss";

const ITEMS = 60;
let t: TestOrg;
let fake: FakeProviderServer;
let providerId: string;
const children = new Set<ChildProcess>();
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

/** `npx keel worker` with this file's database; resolves once it listens for runs. */
function startWorker(): Promise<ChildProcess> {
  return workerListening(spawnKeelWorker({ KEEL_SECRET: "worker-kill-test-secret".padEnd(40, "x") }, children));
}

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number) => pollUntil(what, fn, timeoutMs, 100);

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  t = await createTestOrg();
  fake = await startFakeOpenAI();
  providerId = (
    await callerFor(t.users.admin).providers.create({
      ...scope(),
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  const editor = callerFor(t.users.editor);
  await editor.prompts.create({
    ...scope(),
    name: "qa",
    content: { type: "text", template: "{{question}}", config: { providerId, model: "gpt-4o-mini" } },
    commitMessage: "v1",
  });
  await editor.datasets.create({ ...scope(), name: "qa" });
  await editor.datasets.addItems({
    ...scope(),
    name: "qa",
    items: Array.from({ length: ITEMS }, (_, i) => ({ input: { question: `Question ${i + 1}` }, expected: `Echo: Question ${i + 1}` })),
  });
  await editor.evaluators.create({ ...scope(), name: "exact", config: { kind: "exact_match" } });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const child of children) child.kill("SIGKILL");
  await fake.close();
  await stopBoss();
});

describe("a worker SIGKILLed mid-run, default timings", () => {
  it("resumes on a new worker within 15 s of the kill (counted from when a worker exists to take it) and stores every item once", async () => {
    const timing = queueTiming();
    expect(timing).toMatchObject({ expireInSeconds: 10, pollingIntervalSeconds: 1 });

    fake.setLatency(300); // slow answers: the run is mid-flight when the worker dies
    const run = await callerFor(t.users.editor).runs.create({
      ...scope(),
      prompt: { name: "qa" },
      dataset: { name: "qa" },
      evaluators: ["exact"],
      providerId,
      concurrency: 4,
    });
    const first = await startWorker();
    const done = () => getDb().evaluationRunItem.count({ where: { runId: run.id, status: "done" } });
    await waitFor("10 finished items", async () => (await done()) >= 10, 60_000);

    first.kill("SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => first.once("exit", r));
    const before = await getDb().evaluationRunItem.findMany({
      where: { runId: run.id, status: "done" },
      select: { position: true, finishedAt: true, output: true },
    });
    expect(before.length).toBeLessThan(ITEMS);

    await startWorker();
    const readyAfter = Date.now() - killedAt;
    const resumed = await waitFor(
      "the first item finished after the kill",
      () => getDb().evaluationRunItem.findFirst({ where: { runId: run.id, finishedAt: { gt: new Date(killedAt) } }, orderBy: { finishedAt: "asc" } }),
      60_000,
    );
    const gap = resumed.finishedAt!.getTime() - killedAt;
    const finished = await waitFor(
      "the run to complete",
      async () => {
        const r = await getDb().evaluationRun.findUniqueOrThrow({ where: { id: run.id } });
        return r.status === "completed" ? r : null;
      },
      60_000,
    );
    const completedAfter = finished.finishedAt!.getTime() - killedAt;
    console.log(
      `[worker-kill] new worker ready ${(readyAfter / 1000).toFixed(1)} s after the kill; first item finished ${(gap / 1000).toFixed(1)} s after it; ` +
        `run completed ${(completedAfter / 1000).toFixed(1)} s after it`,
    );

    // The job is lost 10 s after the last heartbeat, a poll (1 s) later it runs again, the first
    // call takes 0.3 s; the rest is slack for a loaded 2-core machine. A new process there can
    // take longer than 10 s to start, so the 15 s count from whichever came later.
    expect(gap).toBeLessThanOrEqual(Math.max(readyAfter, timing.expireInSeconds * 1000) + 5_000);

    const items = await getDb().evaluationRunItem.findMany({ where: { runId: run.id } });
    expect(items).toHaveLength(ITEMS);
    expect(items.every((i) => i.status === "done")).toBe(true);
    // What was finished before the kill is exactly as it was: stored once, never redone.
    const now = new Map(items.map((i) => [i.position, i]));
    for (const b of before) expect(now.get(b.position)).toMatchObject({ finishedAt: b.finishedAt, output: b.output });
    // Asked again only when claimed again (the killed worker's in-flight calls).
    const reclaims = items.reduce((n, i) => n + i.attempts - 1, 0);
    expect(reclaims).toBeGreaterThan(0);
    expect(fake.requests.length).toBeGreaterThanOrEqual(ITEMS);
    expect(fake.requests.length).toBeLessThanOrEqual(ITEMS + reclaims);
  }, 120_000);
});
