// Evaluations end to end on real PostgreSQL: evaluators versioned, runs created with their job in
// the same audited transaction, worked by processRun (and by the pg-boss worker), items stored
// once, per-item errors for missing variables, rate limits honoured, cancel, a provider that is
// down failing the run with a reason, and a summary with confidence intervals.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { processRun } from "./worker";
import { outcomeText, runOutcome, type RunSummary } from "../../contracts/evaluations";
import { sql } from "../../db/sql";

let t: TestOrg;
let fake: FakeProviderServer;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);
const quiet = { log: () => {} };

async function runToEnd(number: number) {
  const run = await getDb().evaluationRun.findFirstOrThrow({ where: { projectId: t.project.id, number } });
  for (let i = 0; i < 20; i++) {
    const outcome = await processRun(run.id, { deadline: Date.now() + 10_000, ...quiet });
    if (outcome !== "continue") break;
  }
  return editor().runs.get({ ...scope(), number });
}

beforeAll(async () => {
  // The local fake/receiver listens on loopback, which Keel's egress policy refuses unless allowed.
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  process.env.KEEL_QUEUE_POLL_SECONDS = "0.5";
  t = await createTestOrg();
  fake = await startFakeOpenAI();
  await editor().datasets.create({ ...scope(), name: "qa" });
  await editor().datasets.addItems({
    ...scope(),
    name: "qa",
    items: [
      { input: { question: "What is 2+2?" }, expected: "Echo: What is 2+2?", tags: ["test"] },
      { input: { question: "Capital of France?" }, expected: "Paris", tags: ["test"] },
      { input: { question: "Largest ocean?" }, expected: "Echo: Largest ocean?" },
      { input: { topic: "no question here" }, expected: "x" },
    ],
  });
  await editor().prompts.create({ ...scope(), name: "qa/answer", content: { type: "text", template: "{{question}}" }, commitMessage: "v1" });
  await editor().evaluators.create({ ...scope(), name: "exact", config: { kind: "exact_match" } });
  await editor().evaluators.create({ ...scope(), name: "simulated", config: { kind: "contains", value: "[simulated]" } });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
  const { stopBoss } = await import("../../queue/boss");
  await stopBoss();
});

describe("evaluators", () => {
  it("are versioned: a changed configuration is a new version, the same one is not; bad configurations are refused", async () => {
    expect(await editor().evaluators.saveVersion({ ...scope(), name: "exact", config: { kind: "exact_match" } })).toEqual({ version: 1, changed: false });
    await expect(editor().evaluators.create({ ...scope(), name: "bad-regex", config: { kind: "regex", pattern: "(" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not a valid regular expression/),
    });
    await expect(editor().evaluators.create({ ...scope(), name: "exact", config: { kind: "valid_json" } })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(callerFor(t.users.viewer).evaluators.create({ ...scope(), name: "v", config: { kind: "valid_json" } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("refuses patterns the linear-time engine cannot run when a version is saved (400 naming the feature)", async () => {
    await editor().evaluators.create({ ...scope(), name: "format", config: { kind: "regex", pattern: "^\\d+$" } });
    await expect(editor().evaluators.saveVersion({ ...scope(), name: "format", config: { kind: "regex", pattern: "^(\\w)\\1$" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^config\.pattern uses a backreference \(\\1\), which Keel does not support/),
    });
    await expect(
      editor().evaluators.saveVersion({ ...scope(), name: "format", config: { kind: "regex", pattern: "^(?=.*\\d)\\w+$", flags: "i" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^config\.pattern uses lookahead \(\?=…\)/),
    });
    await expect(
      editor().evaluators.saveVersion({
        ...scope(),
        name: "format",
        config: { kind: "json_schema", schema: { properties: { a: { type: "string", pattern: "(?<!x)y" } } } },
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^config\.schema has a pattern at \/properties\/a\/pattern that uses negative lookbehind/),
    });
    // What used to stall the process saves and runs: (a+)+$ is linear on RE2.
    expect(await editor().evaluators.saveVersion({ ...scope(), name: "format", config: { kind: "regex", pattern: "(a+)+$" } })).toEqual({
      version: 2,
      changed: true,
    });
  });
});

describe("runs", () => {
  it("run a version over a dataset version: one audited change creates the run, its items and its job; the worker scores every item once", async () => {
    const before = await lastSeq(t.org.id);
    const created = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer", version: 1 },
      dataset: { name: "qa" },
      evaluators: ["exact", "simulated"],
      concurrency: 2,
    });
    expect(created).toMatchObject({ number: 1, itemsTotal: 4 });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["evaluation.run.created"]);
    const jobs = await getDb().$queryRaw<{ n: bigint }[]>(
      sql`SELECT count(*) AS n FROM pgboss.job WHERE name = 'evaluation-run' AND singleton_key = ${created.id}`,
    );
    expect(Number(jobs[0]!.n)).toBe(1);

    const run = await runToEnd(1);
    expect(run.status).toBe("completed");
    const summary = run.summary as RunSummary;
    expect(summary).toMatchObject({ items: 4, done: 3, errors: 1 });
    // The Simulated provider never echoes: exact match fails everywhere, "[Simulated]" is always there.
    expect(summary.evaluators.map((e) => [e.name, e.n, e.passRate])).toEqual([
      ["exact", 3, 0],
      ["simulated", 3, 1],
    ]);
    expect(summary.evaluators[1]!.passLow).toBeLessThan(1);
    const items = await getDb().evaluationRunItem.findMany({ where: { runId: created.id }, orderBy: { position: "asc" } });
    expect(items.map((i) => i.status)).toEqual(["done", "done", "done", "error"]);
    expect(items[3]!.error).toBe("Missing variables: question (the item's input does not provide them and the prompt version declares no default)");
    expect(items[0]!.scores).toEqual([
      expect.objectContaining({ name: "exact", passed: false, score: 0 }),
      expect.objectContaining({ name: "simulated", passed: true, score: 1 }),
    ]);
    const finished = await auditEventsOf(t.org.id, before);
    expect(finished.map((e) => [e.action, e.actorType])).toEqual([
      ["evaluation.run.created", "user"],
      ["evaluation.run.started", "system"],
      ["evaluation.run.finished", "system"],
    ]);
    // Processing a finished run again changes nothing.
    expect(await processRun(created.id, { deadline: Date.now() + 1_000, ...quiet })).toBe("finished");
  });

  it("pins the dataset version and can run one split, with repetitions", async () => {
    const created = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer", label: "latest" },
      dataset: { name: "qa", version: 1 },
      tag: "test",
      evaluators: ["exact"],
      repetitions: 3,
    });
    expect(created.itemsTotal).toBe(6);
    const run = await runToEnd(created.number);
    expect((run.summary as RunSummary).consistency).toEqual([{ name: "exact", meanVariance: 0 }]);
    await expect(editor().runs.create({ ...scope(), prompt: { name: "qa/answer" }, dataset: { name: "qa" }, tag: "nope" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: 'Version 1 of "qa" has no items tagged "nope"',
    });
    await expect(editor().runs.create({ ...scope(), prompt: { name: "qa/answer", version: 9 }, dataset: { name: "qa" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("a dataset version a run used cannot be deleted (archive instead)", async () => {
    await expect(callerFor(t.users.admin).datasets.delete({ ...scope(), name: "qa", confirmName: "qa" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: '"qa" is used by an evaluation and cannot be deleted; archive it instead',
    });
  });

  it("honours 429 with Retry-After and keeps every item; a provider that is down fails the run with a reason", async () => {
    const admin = callerFor(t.users.admin);
    const provider = await admin.providers.create({
      ...scope(),
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    });
    fake.reset();
    fake.failNext(2, 429, { "retry-after": "1" });
    const created = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer" },
      dataset: { name: "qa" },
      evaluators: ["exact"],
      providerId: provider.id,
      concurrency: 4,
    });
    const started = Date.now();
    const run = await runToEnd(created.number);
    expect(run.status).toBe("completed");
    expect((run.summary as RunSummary).done).toBe(3);
    // The fake provider echoes: two of the three expected outputs match exactly.
    expect((run.summary as RunSummary).evaluators[0]).toMatchObject({ name: "exact", passRate: 2 / 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.requests.length).toBe(5); // 3 answered + 2 refused with 429

    const down = await admin.providers.create({
      ...scope(),
      name: "Down",
      kind: "openai_compatible",
      baseUrl: "http://127.0.0.1:9/v1",
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    });
    await editor().datasets.addItems({ ...scope(), name: "qa", items: [1, 2, 3, 4, 5].map((i) => ({ input: { question: `Q${i}` } })) });
    const failing = await editor().runs.create({ ...scope(), prompt: { name: "qa/answer" }, dataset: { name: "qa" }, providerId: down.id, concurrency: 1 });
    const failed = await runToEnd(failing.number);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/could not be reached after retries/);
  }, 60_000);

  it("scores with an LLM judge whose rubric is a versioned Keel prompt", async () => {
    const admin = callerFor(t.users.admin);
    const judgeProvider = await admin.providers.create({
      ...scope(),
      name: "Judge",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    });
    await editor().prompts.create({
      ...scope(),
      name: "judges/capital",
      content: { type: "text", template: "Rate this answer from 1 to 5.\nQuestion: {{input}}\nAnswer: {{output}}\nReference: {{expected}}" },
      commitMessage: "rubric",
    });
    await editor().evaluators.create({
      ...scope(),
      name: "judge",
      config: { kind: "llm_judge", promptName: "judges/capital", promptVersion: 1, providerId: judgeProvider.id, scale: { min: 1, max: 5 }, passAt: 4 },
    });
    const created = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer" },
      dataset: { name: "qa", version: 1 },
      tag: "test",
      evaluators: ["judge"],
    });
    const run = await runToEnd(created.number);
    expect(run.status).toBe("completed");
    const items = await getDb().evaluationRunItem.findMany({ where: { runId: created.id }, orderBy: { position: "asc" } });
    // The reference of item 2 is "Paris": the judge sees it and gives 5/5; item 1 gets 2/5.
    expect(items.map((i) => (i.scores as { score: number; passed: boolean; explanation: string }[])[0])).toEqual([
      expect.objectContaining({ score: 0.25, passed: false, explanation: expect.stringMatching(/2.*Does not name the capital/) }),
      expect.objectContaining({ score: 1, passed: true, explanation: expect.stringMatching(/5.*Names the capital correctly/) }),
    ]);
  });

  it("shows final human grades beside the judge, with how far the judge agrees with the humans", async () => {
    const judged = await getDb().evaluationRun.findFirstOrThrow({
      where: { projectId: t.project.id, evaluators: { some: { name: "judge" } } },
      orderBy: { number: "desc" },
    });
    await editor().reviews.create({ ...scope(), name: "judge-check", reviewsPerItem: 1, rubric: [{ type: "boolean", key: "correct", label: "Correct" }] });
    await editor().reviews.addFromRun({ ...scope(), name: "judge-check", runNumber: judged.number, select: { kind: "all" } });
    await editor().reviews.setReviewers({ ...scope(), name: "judge-check", userIds: [t.users.editor.id] });
    // The human agrees with the judge on one item and not on the other.
    for (const correct of [false, false]) {
      const leased = await editor().reviews.next({ ...scope(), name: "judge-check" });
      await editor().reviews.submit({ ...scope(), name: "judge-check", position: leased!.position, grade: { correct } });
    }
    const run = await editor().runs.get({ ...scope(), number: judged.number });
    expect(run.human.dimensions).toEqual([{ queue: "judge-check", key: "correct", label: "Correct", n: 2, mean: 0 }]);
    expect(run.human.judges).toEqual([expect.objectContaining({ evaluator: "judge", dimension: "correct", n: 2, percent: 0.5 })]);
  });

  it("cancels: a queued run stops at once and records who cancelled it", async () => {
    const created = await editor().runs.create({ ...scope(), prompt: { name: "qa/answer" }, dataset: { name: "qa" } });
    expect(await editor().runs.cancel({ ...scope(), number: created.number })).toEqual({ status: "cancelled", cancelRequested: true });
    await expect(editor().runs.cancel({ ...scope(), number: created.number })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await processRun(created.id, { deadline: Date.now() + 1_000, ...quiet })).toBe("finished");
  });

  it("the pg-boss worker picks up a new run and completes it", async () => {
    const { startEvaluationWorker } = await import("../../queue/evaluation-worker");
    const worker = await startEvaluationWorker(quiet);
    try {
      const created = await editor().runs.create({ ...scope(), prompt: { name: "qa/answer" }, dataset: { name: "qa", version: 1 }, evaluators: ["exact"] });
      let status = "queued";
      for (let i = 0; i < 100 && status !== "completed"; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await getDb().evaluationRun.findUniqueOrThrow({ where: { id: created.id } })).status;
      }
      expect(status).toBe("completed");
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it("npm start's worker runs in another process (the code of `npx keel worker`), picks up a run and completes it, and stops on request", async () => {
    const { startWorkerProcess } = await import("../../runtime/worker-process");
    const output: string[] = [];
    const pids: number[] = [];
    const worker = startWorkerProcess({
      log: (line) => output.push(`supervisor: ${line}`),
      output: (line) => output.push(line),
      env: { KEEL_SECRET: "worker-process-test-secret".padEnd(40, "x"), KEEL_QUEUE_POLL_SECONDS: "0.5" },
    });
    try {
      const pid = worker.pid;
      expect(pid).not.toBeNull();
      expect(pid).not.toBe(process.pid);
      pids.push(pid!);
      const created = await editor().runs.create({ ...scope(), prompt: { name: "qa/answer" }, dataset: { name: "qa", version: 1 }, evaluators: ["exact"] });
      let status = "queued";
      for (let i = 0; i < 200 && status !== "completed"; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await getDb().evaluationRun.findUniqueOrThrow({ where: { id: created.id } })).status;
      }
      expect(status, output.join("\n")).toBe("completed");
      expect(output).toContainEqual(expect.stringMatching(/^\[worker\] listening for evaluation runs/));
    } finally {
      await worker.stop();
    }
    expect(output).toContain("[worker] stopping …");
    expect(output.filter((line) => line.startsWith("supervisor:"))).toEqual([]);
    expect(() => process.kill(pids[0]!, 0)).toThrow();
  }, 90_000);
});

describe("results and comparison", () => {
  it("lists results with filters and sorts, compares two runs with a verdict, and feeds the dashboard", async () => {
    await editor().prompts.createVersion({
      ...scope(),
      name: "qa/answer",
      content: { type: "text", template: "Answer briefly: {{question}}" },
      commitMessage: "v2",
      basedOnVersion: 1,
    });
    const a = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer", version: 1 },
      dataset: { name: "qa", version: 1 },
      evaluators: ["exact", "simulated"],
    });
    const b = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer", version: 2 },
      dataset: { name: "qa", version: 1 },
      evaluators: ["exact", "simulated"],
    });
    await runToEnd(a.number);
    await runToEnd(b.number);

    const failed = await editor().runs.results({ ...scope(), number: a.number, failedOn: "exact" });
    expect(failed.total).toBe(3);
    expect(failed.rows[0]).toMatchObject({
      input: { question: "What is 2+2?" },
      expected: "Echo: What is 2+2?",
      status: "done",
      output: expect.stringContaining("[Simulated]"),
    });
    const errors = await editor().runs.results({ ...scope(), number: a.number, status: "error" });
    expect(errors.rows.map((r) => r.error)).toEqual([
      "Missing variables: question (the item's input does not provide them and the prompt version declares no default)",
    ]);
    const byLatency = await editor().runs.results({ ...scope(), number: a.number, sort: "latency", direction: "desc", status: "done" });
    expect(byLatency.rows.map((r) => r.latencyMs)).toEqual([...byLatency.rows.map((r) => r.latencyMs)].sort((x, y) => (y ?? 0) - (x ?? 0)));

    const comparison = await editor().runs.compare({ ...scope(), baseline: a.number, candidate: b.number });
    expect(comparison.items).toBe(3);
    expect(comparison.evaluators.map((e) => [e.name, e.n, e.direction])).toEqual([
      ["exact", 3, "inconclusive"],
      ["simulated", 3, "inconclusive"],
    ]);
    expect(comparison.evaluators[0]!.verdict).toMatch(/^No significant difference between v2 and v1 on exact/);
    await editor().datasets.addItems({ ...scope(), name: "qa", items: [{ input: { question: "One more?" } }] });
    const c = await editor().runs.create({ ...scope(), prompt: { name: "qa/answer", version: 2 }, dataset: { name: "qa" } });
    // Different dataset versions share no items: the comparison says why and offers the runs that would compare.
    const apart = await editor().runs.compare({ ...scope(), baseline: a.number, candidate: c.number });
    const cVersion = (await editor().runs.get({ ...scope(), number: c.number })).datasetVersion.version;
    expect(apart).toMatchObject({
      items: 0,
      evaluators: [],
      incomparable: {
        reason: `Run #${a.number} used qa v1, run #${c.number} used v${cVersion}: no items in common. Compare runs on the same dataset version.`,
      },
    });
    expect(apart.incomparable!.candidates.map((r) => r.number)).toContain(b.number);
    expect(apart.incomparable!.candidates.map((r) => r.number)).not.toContain(a.number);
    expect(apart.incomparable!.baselines).toEqual([]);

    const dashboard = await editor().runs.dashboard({ ...scope(), promptName: "qa/answer" });
    expect(dashboard.runs.map((r) => r.version)).toContain(2);
    expect(dashboard.runs.at(-1)!.evaluators.map((e) => e.name)).toEqual(["exact", "simulated"]);
    // One of the four items lacks the variable: completed with errors, still usable (3 of 4 answered).
    expect(dashboard.runs.find((r) => r.number === a.number)).toMatchObject({ outcome: "completed_with_errors", usable: true, done: 3, errors: 1, items: 4 });
  }, 60_000);
});

describe("outcomes", () => {
  it("errored items are not scored: the summary's statistics cover the answered items only", async () => {
    const { number } = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer", version: 1 },
      dataset: { name: "qa", version: 1 },
      evaluators: ["exact", "simulated"],
    });
    const run = await runToEnd(number);
    const summary = run.summary as RunSummary;
    expect(run.status).toBe("completed");
    expect(summary).toMatchObject({ items: 4, done: 3, errors: 1, errorMessages: [{ message: expect.stringMatching(/question/), count: 1 }] });
    // Every evaluator scored 3 calls, not 4: the errored one is neither a zero nor a failure.
    expect(summary.evaluators.map((e) => [e.name, e.n])).toEqual([
      ["exact", 3],
      ["simulated", 3],
    ]);
    const done = await editor().runs.results({ ...scope(), number, status: "done", pageSize: 100 });
    const exact = done.rows.map((r) => r.scores!.find((s) => s.name === "exact")!);
    expect(summary.evaluators[0]!.passRate).toBeCloseTo(exact.filter((s) => s.passed).length / 3, 10);
    expect(summary.evaluators[0]!.mean).toBeCloseTo(exact.reduce((a, s) => a + s.score, 0) / 3, 10);
    expect(runOutcome(run.status, summary)).toBe("completed_with_errors");
    expect(outcomeText(run.status, summary)).toMatch(/^completed with errors: 1 of 4 items failed \(most often: Missing variables: question/);
  }, 60_000);

  it("a run whose every call errored ends failed, naming the most frequent error; the dashboard marks it and comparisons say why", async () => {
    await editor().prompts.create({
      ...scope(),
      name: "qa/tone",
      content: { type: "text", template: "In a {{tone}} tone: {{question}}" },
      commitMessage: "v1",
    });
    const ok = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/answer", version: 1 },
      dataset: { name: "qa", version: 1 },
      evaluators: ["exact"],
    });
    const { number } = await editor().runs.create({
      ...scope(),
      prompt: { name: "qa/tone", version: 1 },
      dataset: { name: "qa", version: 1 },
      evaluators: ["exact"],
    });
    await runToEnd(ok.number);
    const before = await lastSeq(t.org.id);
    const run = await runToEnd(number);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^No usable results: 0 of 4 answers, every call failed: Missing variables: tone/);
    expect(run.summary).toMatchObject({ items: 4, done: 0, errors: 4, evaluators: [{ name: "exact", n: 0 }], errorMessages: [{ count: 3 }, { count: 1 }] });
    expect(runOutcome(run.status, run.summary as RunSummary)).toBe("failed");
    const finished = (await auditEventsOf(t.org.id, before)).find((e) => e.action === "evaluation.run.finished");
    expect(finished?.after).toMatchObject({ number, status: "failed", done: 0, errors: 4 });

    const dashboard = await editor().runs.dashboard({ ...scope(), promptName: "qa/tone" });
    expect(dashboard.runs).toEqual([
      expect.objectContaining({ number, status: "failed", outcome: "failed", usable: false, done: 0, items: 4, error: expect.stringMatching(/tone/) }),
    ]);

    const comparison = await editor().runs.compare({ ...scope(), baseline: ok.number, candidate: number });
    expect(comparison).toMatchObject({
      items: 0,
      incomparable: null,
      unanswered: expect.stringMatching(new RegExp(`^Run #${number} has 0 of 4 answers \\(Missing variables: tone`)),
    });
  }, 60_000);
});
