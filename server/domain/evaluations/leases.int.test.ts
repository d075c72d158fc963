// Item leases are short (a dead worker's items come back within one) and kept alive by a
// heartbeat while their calls run: two workers on one run, calls three times longer than the
// lease, and no item is ever claimed twice. A worker that stops mid-call hands its claims back.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { processRun } from "./worker";

let t: TestOrg;
let fake: FakeProviderServer;
let providerId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);
const quiet = { log: () => {} };

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  vi.stubEnv("KEEL_EVAL_LEASE_SECONDS", "1");
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
  await editor().prompts.create({
    ...scope(),
    name: "qa",
    content: { type: "text", template: "{{question}}", config: { providerId, model: "gpt-4o-mini" } },
    commitMessage: "v1",
  });
  await editor().datasets.create({ ...scope(), name: "qa" });
  await editor().datasets.addItems({ ...scope(), name: "qa", items: Array.from({ length: 4 }, (_, i) => ({ input: { question: `Q${i}` } })) });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
  const { stopBoss } = await import("../../queue/boss");
  await stopBoss();
});

describe("item leases", () => {
  it("outlive calls longer than the lease while their worker lives: two workers on one run never claim an item twice", async () => {
    fake.reset();
    fake.setLatency(1_500);
    const run = await editor().runs.create({ ...scope(), prompt: { name: "qa" }, dataset: { name: "qa" }, providerId, concurrency: 2 });
    // Each claims what it can (up to twice its concurrency); the other's claims outlive their 1 s lease.
    const outcomes = await Promise.all([0, 1].map(() => processRun(run.id, { deadline: Date.now() + 8_000, ...quiet })));
    expect(outcomes).toEqual(["finished", "finished"]);
    const items = await getDb().evaluationRunItem.findMany({ where: { runId: run.id } });
    expect(items.map((i) => [i.status, i.attempts])).toEqual(Array.from({ length: 4 }, () => ["done", 1]));
    expect(fake.requests).toHaveLength(4);
    expect((await getDb().evaluationRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("completed");
  }, 30_000);

  it("are handed back at once when their worker stops mid-call", async () => {
    fake.reset();
    fake.setLatency(5_000);
    const run = await editor().runs.create({ ...scope(), prompt: { name: "qa" }, dataset: { name: "qa" }, providerId, concurrency: 2 });
    const stopping = new AbortController();
    const working = processRun(run.id, { deadline: Date.now() + 30_000, signal: stopping.signal, ...quiet });
    while (fake.requests.length < 2) await new Promise((r) => setTimeout(r, 20));
    stopping.abort();
    expect(await working).toBe("continue");
    const items = await getDb().evaluationRunItem.findMany({ where: { runId: run.id } });
    expect(items.map((i) => i.status)).toEqual(["pending", "pending", "pending", "pending"]);
  }, 30_000);
});
