// Bench: one evaluation run through Keel's real path, on a throwaway embedded PostgreSQL. The
// run (BENCH_ITEMS items, default 1,000; concurrency BENCH_CONCURRENCY, default 16) is created
// by the audited domain function, queued on pg-boss and worked by Keel's worker in this process
// against the fake provider at FAKE_URL. Prints `RESULT {"ms":…,"done":…,"errors":…}`: wall
// time from creating the run to its completion.
import { startTemporaryPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";

const items = Number(process.env.BENCH_ITEMS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const pg = await startTemporaryPostgres();
try {
  await migrateDatabase(pg.url);
  process.env.DATABASE_URL = pg.url;
  process.env.KEEL_QUEUE_POLL_SECONDS ??= "0.5";
  process.env.KEEL_EVAL_SLICE_SECONDS ??= "60";
  process.env.KEEL_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64url");
  // The fake provider listens on loopback, which the egress policy refuses unless allowed.
  process.env.KEEL_EGRESS_ALLOW ??= "127.0.0.0/8";
  const { runAudited } = await import("../../server/audit/mutation");
  const { systemActor } = await import("../../server/audit/actor");
  const { createOrganization } = await import("../../server/domain/orgs/organizations");
  const { createProviderConnection } = await import("../../server/domain/providers/connections");
  const { createPrompt } = await import("../../server/domain/prompts/versions");
  const { createDataset } = await import("../../server/domain/datasets/datasets");
  const { addItems } = await import("../../server/domain/datasets/items");
  const { createEvaluator } = await import("../../server/domain/evaluations/registry");
  const { createRun } = await import("../../server/domain/evaluations/runs");
  const { startEvaluationWorker } = await import("../../server/queue/evaluation-worker");
  const { stopBoss } = await import("../../server/queue/boss");
  const { getDb } = await import("../../server/db/client");

  const owner = await getDb().user.create({ data: { email: "bench@example.com", name: "Bench" } });
  const actor = systemActor("bench");
  const ctx = await runAudited(actor, async (w) => {
    const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id, projectName: "Bench", projectSlug: "bench" });
    const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
    return { orgId: org.id, projectId: project.id };
  });
  const provider = await runAudited(actor, (w) =>
    createProviderConnection(w, ctx, {
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: process.env.FAKE_URL!,
      apiKey: "sk-bench-1234567890",
      defaultModel: "gpt-4o-mini",
    }),
  );
  await runAudited(actor, (w) =>
    createPrompt(w, ctx, {
      name: "bench",
      content: { type: "text", template: "{{question}}", config: { providerId: provider.id, model: "gpt-4o-mini" } },
      commitMessage: "bench",
    }),
  );
  const dataset = await runAudited(actor, (w) => createDataset(w, ctx, { name: "bench" }));
  for (let start = 0; start < items; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, items - start) }, (_, i) => ({
      input: { question: `Question ${start + i + 1}` },
      expected: `Echo: Question ${start + i + 1}`,
    }));
    await runAudited(actor, (w) => addItems(w, ctx, { datasetId: dataset.id, items: batch, source: { type: "manual" } }));
  }
  await runAudited(actor, (w) => createEvaluator(w, ctx, { name: "exact", config: { kind: "exact_match" } }));
  const worker = await startEvaluationWorker({ log: () => {} });
  // Let the worker's first poll happen before the clock starts, as on a running server.
  await new Promise((r) => setTimeout(r, 1_000));

  const started = process.hrtime.bigint();
  const run = await runAudited(actor, (w) => createRun(w, ctx, { prompt: { name: "bench" }, dataset: { name: "bench" }, evaluators: ["exact"], concurrency }));
  let status = "queued";
  while (status !== "completed" && status !== "failed" && status !== "cancelled") {
    await new Promise((r) => setTimeout(r, 20));
    status = (await getDb().evaluationRun.findUniqueOrThrow({ where: { id: run.id }, select: { status: true } })).status;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const done = await getDb().evaluationRunItem.count({ where: { runId: run.id, status: "done" } });
  const errors = await getDb().evaluationRunItem.count({ where: { runId: run.id, status: "error" } });
  console.log(`RESULT ${JSON.stringify({ ms: Math.round(ms), status, done, errors, items, concurrency })}`);
  await worker.stop();
  await stopBoss();
  await getDb().$disconnect();
} finally {
  await pg.stop();
}
