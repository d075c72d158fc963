// Evaluation workers as separate processes, the way they run in production: a worker killed
// mid-run (SIGKILL) loses no finished item and no item is stored twice; another worker resumes
// the run. Rate limits with Retry-After at concurrency 16 never put more than 16 requests in
// flight and lose nothing. `npx keel eval` gates a CI-like script through the public API.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { pollUntil, spawnKeelWorker } from "@/test/support/processes";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { createKey, startPublicApi, type RunningApi } from "@/test/support/public-api";
import { processRun } from "../domain/evaluations/worker";

const root = fileURLToPath(new URL("../../", import.meta.url));
let t: TestOrg;
let fake: FakeProviderServer;
let providerId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);
const children = new Set<ChildProcess>();

const workerEnv = () => ({
  KEEL_SECRET: "worker-test-secret-".padEnd(40, "x"),
  KEEL_EVAL_SLICE_SECONDS: "1",
  KEEL_QUEUE_MAINTENANCE_SECONDS: "1",
  KEEL_QUEUE_POLL_SECONDS: "0.5",
  KEEL_EVAL_LEASE_SECONDS: "3",
  KEEL_QUEUE_EXPIRE_SECONDS: "4",
});

const startWorkerProcess = (): ChildProcess => spawnKeelWorker(workerEnv(), children);
const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number) => pollUntil(what, fn, timeoutMs, 200);

beforeAll(async () => {
  // The local fake/receiver listens on loopback, which Keel's egress policy refuses unless allowed.
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  // Jobs queued from this process (creating a run) expire as fast as the worker processes' own.
  Object.assign(process.env, { KEEL_EVAL_SLICE_SECONDS: "1", KEEL_QUEUE_EXPIRE_SECONDS: "4", KEEL_QUEUE_MAINTENANCE_SECONDS: "1" });
  t = await createTestOrg();
  fake = await startFakeOpenAI();
  const provider = await callerFor(t.users.admin).providers.create({
    ...scope(),
    name: "Fake",
    kind: "openai_compatible",
    baseUrl: fake.url,
    apiKey: "sk-test-1234567890",
    defaultModel: "gpt-4o-mini",
  });
  providerId = provider.id;
  await editor().prompts.create({
    ...scope(),
    name: "qa",
    content: { type: "text", template: "{{question}}", config: { providerId: provider.id, model: "gpt-4o-mini" } },
    commitMessage: "v1",
  });
  await editor().datasets.create({ ...scope(), name: "qa" });
  await editor().datasets.addItems({
    ...scope(),
    name: "qa",
    items: Array.from({ length: 100 }, (_, i) => ({ input: { question: `Question ${i + 1}` }, expected: `Echo: Question ${i + 1}` })),
  });
  await editor().evaluators.create({ ...scope(), name: "exact", config: { kind: "exact_match" } });
  await editor().evaluators.create({ ...scope(), name: "short", config: { kind: "length", max: 5, unit: "chars" } });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const child of children) child.kill("SIGKILL");
  await fake.close();
  const { stopBoss } = await import("./boss");
  await stopBoss();
});

describe("a worker killed mid-run", () => {
  it("loses no finished item, stores none twice, and another worker resumes the run", async () => {
    fake.reset();
    fake.setLatency(150);
    const run = await editor().runs.create({ ...scope(), prompt: { name: "qa" }, dataset: { name: "qa" }, evaluators: ["exact"], providerId, concurrency: 4 });
    const first = startWorkerProcess();
    await waitFor("10 finished items", async () => (await getDb().evaluationRunItem.count({ where: { runId: run.id, status: "done" } })) >= 10, 60_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const before = await getDb().evaluationRunItem.findMany({
      where: { runId: run.id, status: "done" },
      select: { position: true, finishedAt: true, output: true },
    });
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(before.length).toBeLessThan(100);

    const second = startWorkerProcess();
    const killedAt = Date.now();
    const finished = await waitFor(
      "the run to complete",
      async () => {
        const r = await getDb().evaluationRun.findUniqueOrThrow({ where: { id: run.id } });
        return r.status === "completed" ? r : null;
      },
      90_000,
    );
    second.kill("SIGTERM");
    console.log(`resumed and finished ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    expect(finished.status).toBe("completed");
    const items = await getDb().evaluationRunItem.findMany({ where: { runId: run.id }, orderBy: { position: "asc" } });
    expect(items).toHaveLength(100);
    expect(items.every((i) => i.status === "done")).toBe(true);
    // What was finished before the kill is exactly as it was: stored once, never redone.
    const now = new Map(items.map((i) => [i.position, i]));
    for (const b of before) expect(now.get(b.position)).toMatchObject({ finishedAt: b.finishedAt, output: b.output });
    // Every item answered; an item is asked again only when it was claimed again (the killed
    // worker's in-flight calls, or, on a loaded machine, a lease that ran out mid-call), never more.
    const reclaims = items.reduce((n, i) => n + i.attempts - 1, 0);
    expect(fake.requests.length).toBeGreaterThanOrEqual(100);
    expect(fake.requests.length).toBeLessThanOrEqual(100 + reclaims);
    expect((finished.summary as { evaluators: { passRate: number }[] }).evaluators[0]!.passRate).toBe(1);
  }, 150_000);
});

describe("rate limits", () => {
  it("5% of answers 429 with Retry-After at concurrency 16: nothing is lost and no more than 16 requests are ever in flight", async () => {
    fake.reset();
    fake.setLatency(40);
    fake.setRateLimitShare(0.05, 1);
    const run = await editor().runs.create({ ...scope(), prompt: { name: "qa" }, dataset: { name: "qa" }, evaluators: ["exact"], providerId, concurrency: 16 });
    for (let i = 0; i < 30; i++) if ((await processRun(run.id, { deadline: Date.now() + 20_000, log: () => {} })) !== "continue") break;
    const done = await getDb().evaluationRunItem.count({ where: { runId: run.id, status: "done" } });
    expect(done).toBe(100);
    expect(fake.requests.length).toBeGreaterThan(100); // some were refused and asked again
    expect(fake.maxInFlight).toBeLessThanOrEqual(16);
    expect((await getDb().evaluationRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("completed");
  }, 90_000);
});

describe("npx keel eval", () => {
  let api: RunningApi;
  let worker: { stop(): Promise<void> };
  let secret: string;
  beforeAll(async () => {
    fake.reset();
    api = await startPublicApi();
    ({ secret } = await createKey(t, ["evaluations:write"]));
    process.env.KEEL_QUEUE_POLL_SECONDS = "0.5";
    const { startEvaluationWorker } = await import("./evaluation-worker");
    worker = await startEvaluationWorker({ log: () => {} });
  });
  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  function keelEval(args: string[], key = secret): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(root, "bin/keel.mjs"), "eval", "--url", api.base, ...args], {
        cwd: root,
        env: { ...process.env, KEEL_API_KEY: key },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("passes when every threshold holds, fails (exit 1) when one does not, and says why for bad usage (exit 2)", async () => {
    const passed = await keelEval([
      "--prompt",
      "qa",
      "--version",
      "1",
      "--dataset",
      "qa",
      "--evaluator",
      "short",
      "--fail-under",
      "exact=90%",
      "--concurrency",
      "16",
    ]);
    expect(passed.stderr).toBe("");
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/^exact\s+100\s+1\.000 \[1\.000, 1\.000\]\s+100\.0%\s+>= 90\.0%\s+PASS$/m);
    expect(passed.stdout).toMatch(/PASSED \(run #\d+\)/);

    const failed = await keelEval(["--prompt", "qa", "--dataset", "qa", "--fail-under", "short=0.5"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^short\s+100\s+0\.000 .*\s+0\.0%\s+>= 50\.0%\s+FAIL$/m);
    expect(failed.stdout).toMatch(/FAILED: a threshold was not met/);

    const usage = await keelEval(["--prompt", "nope", "--dataset", "qa"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Keel refused the request \(404\): No prompt "nope"/);
    expect((await keelEval(["--prompt", "qa", "--dataset", "qa", "--fail-under", "exact"])).code).toBe(2);
  }, 120_000);
});
