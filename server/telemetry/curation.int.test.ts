// From a production trace back into the governed loop, through tRPC as people do it: "Add to
// dataset" (the generation's variables become the item's input, its output the expected answer)
// and "Send to review queue", each audited in the same transaction as its change; the online
// evaluation pass scoring a sampled share of generations; and who may do what.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { getDb } from "../db/client";
import { writeSpans, type StoredSpan } from "./store";
import { getTrace } from "./queries";
import { runOnlinePass, sampled } from "../domain/observability/feedback";
import { sql } from "../db/sql";

let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const spanId = "00f067aa0ba902b7";

function generation(over: Partial<StoredSpan> = {}): StoredSpan {
  const startUs = Date.now() * 1000 - 60_000_000;
  return {
    traceId,
    spanId,
    parentSpanId: null,
    name: "gateway support/reply",
    kind: 2,
    startUs,
    endUs: startUs + 800_000,
    statusCode: 1,
    statusMessage: null,
    serviceName: "keel-gateway",
    isGeneration: true,
    model: "gpt-4o-mini",
    provider: "openai",
    inputTokens: 100,
    outputTokens: 40,
    costUsd: 0.00004,
    promptName: "support/reply",
    promptVersion: 2,
    environment: "production",
    userId: null,
    sessionId: null,
    input: JSON.stringify([{ role: "user", content: "Where is my order?" }]),
    output: "It ships tomorrow.",
    attributes: { "keel.prompt.variables": JSON.stringify({ question: "Where is my order?" }) },
    events: [],
    source: "gateway",
    guardrails: [],
    ...over,
  };
}

beforeAll(async () => {
  t = await createTestOrg();
  await writeSpans(t.project.id, [generation()]);
  const editor = callerFor(t.users.editor);
  await editor.datasets.create({ ...scope(), name: "from-production" });
  await editor.reviews.create({ ...scope(), name: "spot-checks", reviewsPerItem: 1, rubric: [{ type: "boolean", key: "ok", label: "OK" }] });
});
afterAll(async () => {
  const { stopBoss } = await import("../queue/boss");
  await stopBoss();
});

describe("trace curation", () => {
  it("adds a generation to a dataset: variables as input, output as expected, audited", async () => {
    const before = await lastSeq(t.org.id);
    const result = await callerFor(t.users.editor).observability.addToDataset({ ...scope(), traceId, dataset: "from-production", tags: ["production"] });
    expect(result).toMatchObject({ dataset: "from-production", itemIds: [expect.any(String)] });
    const item = await getDb().$queryRaw<{ input: unknown; expected: unknown; source_type: string; source_ref: string; tags: string[] }[]>(
      sql`SELECT input, expected, source_type, source_ref, tags FROM dataset_item_revisions WHERE item_id = ${result.itemIds[0]}::uuid`,
    );
    expect(item[0]).toMatchObject({
      input: { question: "Where is my order?" },
      expected: "It ships tomorrow.",
      source_type: "trace",
      source_ref: `${traceId}:${spanId}`,
      tags: ["production"],
    });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["dataset.items.added"]);
  });

  it("sends a trace to a review queue with its scores, audited", async () => {
    const before = await lastSeq(t.org.id);
    await callerFor(t.users.editor).observability.sendToQueue({ ...scope(), traceId, queue: "spot-checks" });
    const items = await getDb().reviewItem.findMany({ where: { queue: { name: "spot-checks", projectId: t.project.id } } });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sourceType: "trace", output: "It ships tomorrow.", input: { question: "Where is my order?" } });
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["review.items.added"]);
  });

  it("names an unknown trace, dataset or queue with a 404 and refuses roles without the permission", async () => {
    const editor = callerFor(t.users.editor);
    await expect(editor.observability.addToDataset({ ...scope(), traceId: "0".repeat(31) + "1", dataset: "from-production" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(editor.observability.addToDataset({ ...scope(), traceId, dataset: "nope" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("nope"),
    });
    await expect(editor.observability.sendToQueue({ ...scope(), traceId, queue: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(t.users.viewer).observability.addToDataset({ ...scope(), traceId, dataset: "from-production" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(callerFor(t.users.reviewer).observability.trace({ ...scope(), traceId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await callerFor(t.users.viewer).observability.trace({ ...scope(), traceId })).spans).toHaveLength(1);
  });
});

describe("online evaluation", () => {
  it("scores the sampled share of matching generations once, with the evaluator's latest version", async () => {
    const u = await createTestOrg();
    const s = { orgSlug: u.org.slug, projectSlug: u.project.slug };
    await callerFor(u.users.editor).evaluators.create({ ...s, name: "short", config: { kind: "length", max: 20, unit: "chars" } });
    await callerFor(u.users.admin).onlineEvaluators.create({
      ...s,
      evaluator: "short",
      sampleRate: 0.5,
      promptName: "support/reply",
      environment: "production",
    });
    const spans: StoredSpan[] = [];
    for (let i = 0; i < 40; i++) {
      const id = i.toString(16).padStart(16, "0");
      spans.push(
        generation({
          traceId: `${"a".repeat(16)}${id}`,
          spanId: id,
          output: i % 2 ? "Short reply." : "A much longer reply than twenty characters.",
          environment: i < 30 ? "production" : "staging",
        }),
      );
    }
    await writeSpans(u.project.id, spans);
    const setup = await getDb().onlineEvaluator.findFirstOrThrow({ where: { projectId: u.project.id } });
    const expected = spans.filter((sp) => sp.environment === "production" && sampled(sp.spanId, setup.id, 0.5));
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(25);

    let scored = 0;
    for (let pass = 0; pass < 5; pass++) scored += (await runOnlinePass({ lagMs: 0, limit: 1_000 })).scored;
    expect(scored).toBe(expected.length);
    const detail = await getTrace(u.project.id, expected[0]!.traceId);
    expect(detail!.trace.scores).toEqual([expect.objectContaining({ name: "short", source: "online_eval", dataType: "numeric" })]);
  });
});
