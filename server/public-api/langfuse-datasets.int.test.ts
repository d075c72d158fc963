// Langfuse datasets against Keel: the legacy `langfuse` v3 client (createDataset, createDatasetItem,
// getDataset + item.link(trace, runName), getDatasetRun) and @langfuse/client 5.11.1's API calls
// (datasets.create/get/list, dataset.createItem, datasetItems.get). Item writes are Keel dataset
// versions; run items make an external (SDK) evaluation run whose results come from the linked
// traces. The full v5/v4 experiment loop over OpenTelemetry is in test/clients/.
import { randomBytes, randomUUID } from "node:crypto";
import { LangfuseClient } from "@langfuse/client";
import { configureGlobalLogger, LogLevel } from "@langfuse/core";
import { Langfuse } from "langfuse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/server/db/client";
import { compareRuns, runResults } from "@/server/domain/evaluations/results";
import { getRun, listRuns } from "@/server/domain/evaluations/runs";
import { evaluateGate } from "@/server/domain/deployments/gate";
import { auditEventsOf, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { basic, createKey, seedPrompt, startPublicApi, text, type RunningApi, type TestKey } from "@/test/support/public-api";
import { langfuseTraceId as telemetryTraceId } from "../telemetry/langfuse-ids";

let srv: RunningApi;
let t: TestOrg;
let key: TestKey;
let v5: LangfuseClient;

const send = (method: string, path: string, body?: unknown, k: TestKey = key) =>
  fetch(`${srv.base}${path}`, {
    method,
    headers: { ...basic(k), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** One finished span with an output, sent as OTLP JSON (what an OTel exporter would send). */
async function sendTrace(traceId: string, spanId: string, output: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const res = await send("POST", "/api/public/otel/v1/traces", {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "eval-script" } }] },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: [
              {
                traceId,
                spanId,
                name: "experiment-item-run",
                kind: 1,
                startTimeUnixNano: String(now - 250_000_000n),
                endTimeUnixNano: String(now),
                attributes: [{ key: "langfuse.observation.output", value: { stringValue: output } }],
              },
            ],
          },
        ],
      },
    ],
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  configureGlobalLogger({ level: LogLevel.NONE });
  srv = await startPublicApi();
  t = await createTestOrg();
  key = await createKey(t, ["datasets:write", "evaluations:write", "traces:ingest"]);
  v5 = new LangfuseClient({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: srv.base });
});
afterAll(() => srv.close());

describe("@langfuse/client 5 dataset API", () => {
  it("creates a dataset (an upsert), items as dataset versions, and reads them back as sent", async () => {
    const before = await lastSeq(t.org.id);
    const dataset = await v5.api.datasets.create({ name: "capitals", description: "Capital cities" });
    expect(dataset).toMatchObject({ name: "capitals", description: "Capital cities", metadata: null, projectId: t.project.id });
    const again = await v5.api.datasets.create({ name: "capitals", description: "Capital cities of Europe" });
    expect(again.id).toBe(dataset.id);
    expect(again.description).toBe("Capital cities of Europe");

    const q1 = await v5.dataset.createItem({
      datasetName: "capitals",
      input: { country: "France" },
      expectedOutput: "Paris",
      metadata: { difficulty: "easy" },
    });
    expect(q1).toMatchObject({
      status: "ACTIVE",
      input: { country: "France" },
      expectedOutput: "Paris",
      metadata: { difficulty: "easy" },
      datasetId: dataset.id,
      datasetName: "capitals",
      sourceTraceId: null,
    });
    // A string input is kept as sent (Keel stores it as { input: ... }).
    const q2 = await v5.dataset.createItem({ datasetName: "capitals", input: "What is the capital of Italy?", expectedOutput: { city: "Rome" } });
    expect(q2.input).toBe("What is the capital of Italy?");
    expect(q2.metadata).toBeNull();
    const fetched = await v5.api.datasetItems.get(q2.id);
    expect(fetched.input).toBe("What is the capital of Italy?");

    // Upsert on id: a change is a new version, the same content none.
    const changed = await v5.dataset.createItem({ id: q1.id, datasetName: "capitals", input: { country: "France" }, expectedOutput: "Paris (Île-de-France)" });
    expect(changed.expectedOutput).toBe("Paris (Île-de-France)");
    await v5.dataset.createItem({ id: q1.id, datasetName: "capitals", input: { country: "France" }, expectedOutput: "Paris (Île-de-France)" });
    const versions = await getDb().datasetVersion.findMany({ where: { datasetId: dataset.id }, orderBy: { version: "asc" } });
    expect(versions.map((v) => [v.kind, v.itemCount])).toEqual([
      ["add", 1],
      ["add", 2],
      ["edit", 2],
    ]);

    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["dataset.created", "dataset.updated", "dataset.items.added", "dataset.items.added", "dataset.item.updated"]);
    expect(events.every((e) => e.actorType === "api_key" && e.actorLabel === key.publicKey)).toBe(true);

    const list = await v5.api.datasets.list({});
    expect(list.data.map((d) => d.name)).toEqual(["capitals"]);
    expect(list.meta).toEqual({ page: 1, limit: 50, totalItems: 1, totalPages: 1 });
    const items = await v5.api.datasetItems.list({ datasetName: "capitals", limit: 1, page: 2 });
    expect(items.meta).toEqual({ page: 2, limit: 1, totalItems: 2, totalPages: 2 });
    expect(items.data[0]!.id).toBe(q2.id);
  });

  it("archives an item with status ARCHIVED (it leaves the next version) and refuses what Keel cannot hold", async () => {
    const item = await v5.dataset.createItem({
      datasetName: "capitals",
      input: { country: "Spain" },
      expectedOutput: "Madrid",
      sourceTraceId: "abc",
      sourceObservationId: "def",
    });
    expect(item).toMatchObject({ sourceTraceId: "abc", sourceObservationId: "def" });
    expect((await v5.api.datasetItems.list({ sourceTraceId: "abc" })).data.map((i) => i.id)).toEqual([item.id]);
    const archived = await v5.dataset.createItem({
      id: item.id,
      datasetName: "capitals",
      input: { country: "Spain" },
      expectedOutput: "Madrid",
      status: "ARCHIVED",
    });
    expect(archived.status).toBe("ARCHIVED");
    expect((await v5.api.datasetItems.list({ datasetName: "capitals" })).data.map((i) => i.id)).not.toContain(item.id);

    const cases: [unknown, number, RegExp][] = [
      [{ datasetName: "capitals", id: "q-1", input: { a: 1 } }, 400, /id: Keel dataset item ids are UUIDs/],
      [{ datasetName: "capitals", input: { a: 1 }, metadata: "x" }, 400, /metadata: must be a JSON object/],
      [{ datasetName: "nope", input: { a: 1 } }, 404, /No dataset named/],
      [{ datasetName: "capitals", id: item.id, input: { country: "Spain" } }, 409, /archived/],
    ];
    for (const [body, status, message] of cases) {
      const res = await send("POST", "/api/public/dataset-items", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(await res.json())).toMatch(message);
    }
    const meta = await send("POST", "/api/public/v2/datasets", { name: "with-meta", metadata: { owner: "qa" } });
    expect(meta.status).toBe(400);
    expect((await send("GET", "/api/public/dataset-items/not-a-uuid")).status).toBe(404);
    expect((await send("GET", `/api/public/dataset-items/${randomUUID()}`)).status).toBe(404);
  });
});

describe("langfuse v3 datasets and runs", () => {
  it("createDataset, createDatasetItem, getDataset + item.link make an external evaluation run with the traces' outputs and scores", async () => {
    const lf = new Langfuse({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: srv.base, flushAt: 1000, flushInterval: 100_000 });
    const created = await lf.createDataset({ name: "qa-v3", description: "v3 questions" });
    expect(created).toMatchObject({ name: "qa-v3", description: "v3 questions" });
    await lf.createDatasetItem({ datasetName: "qa-v3", input: { question: "2+2?" }, expectedOutput: "4" });
    await lf.createDatasetItem({ datasetName: "qa-v3", input: { question: "3+3?" }, expectedOutput: "6" });

    const dataset = await lf.getDataset("qa-v3");
    expect(dataset.items.map((i) => i.input)).toEqual([{ question: "2+2?" }, { question: "3+3?" }]);
    const before = await lastSeq(t.org.id);
    const traces: string[] = [];
    for (const [i, item] of dataset.items.entries()) {
      const traceId = randomUUID();
      traces.push(traceId);
      const linked = await item.link({ traceId, observationId: undefined } as never, "nightly", {
        description: "Nightly run",
        metadata: { model: "gpt-4o-mini" },
      });
      expect(linked).toMatchObject({ datasetRunName: "nightly", datasetItemId: item.id, traceId });
      // The trace as Keel stores it (the Langfuse id mapped to an OTel trace id, as ingestion does).
      await sendTrace(telemetryTraceId(t.project.id, traceId), randomBytes(8).toString("hex"), String((i + 2) * 2));
    }
    await send("POST", "/api/public/v1/scores", { traceId: telemetryTraceId(t.project.id, traces[0]!), name: "exact", value: 1 });
    await send("POST", "/api/public/v1/scores", { traceId: telemetryTraceId(t.project.id, traces[1]!), name: "exact", value: 0 });

    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["evaluation.run.created", "evaluation.run.item.linked", "evaluation.run.item.linked"]);

    // Keel's evaluation pages: an external run named "nightly" with the traces' outputs and scores.
    const { runs } = await listRuns(getDb(), t.project.id, { limit: 10 });
    const run = runs.find((r) => r.name === "nightly")!;
    expect(run).toMatchObject({
      source: "external",
      promptVersion: null,
      status: "completed",
      itemsTotal: 2,
      description: "Nightly run",
      metadata: { model: "gpt-4o-mini" },
    });
    expect(run.datasetVersion.dataset.name).toBe("qa-v3");
    const results = await runResults(getDb(), t.project.id, { number: run.number, page: 1, pageSize: 50, sort: "position", direction: "asc" });
    expect(results.rows.map((r) => [r.input, r.expected, r.output, r.scores?.map((s) => [s.name, s.score, s.passed])])).toEqual([
      [{ question: "2+2?" }, "4", "4", [["exact", 1, true]]],
      [{ question: "3+3?" }, "6", "6", [["exact", 0, false]]],
    ]);
    const page = await getRun(getDb(), t.project.id, run.number);
    expect(page.progress).toMatchObject({ total: 2, done: 2 });
    expect(page.traceScoreNames).toEqual(["exact"]);

    const fetchedRun = await lf.getDatasetRun({ datasetName: "qa-v3", runName: "nightly" });
    expect(fetchedRun).toMatchObject({ name: "nightly", description: "Nightly run", datasetName: "qa-v3" });
    expect(fetchedRun.datasetRunItems.map((i) => i.traceId)).toEqual(traces.map((id) => telemetryTraceId(t.project.id, id)));
    const listed = await lf.getDatasetRuns("qa-v3");
    expect(listed.data.map((r) => r.name)).toEqual(["nightly"]);

    // A repeated link is the item's next repetition in the same run.
    await dataset.items[0]!.link({ traceId: traces[0]! } as never, "nightly");
    expect(await getDb().evaluationRunItem.count({ where: { runId: run.id } })).toBe(3);
    await lf.shutdownAsync();
  });

  it("keeps external runs out of gates and comparisons", async () => {
    const run = (await listRuns(getDb(), t.project.id, { limit: 10 })).runs.find((r) => r.name === "nightly")!;
    await expect(compareRuns(getDb(), t.project.id, { baseline: run.number, candidate: run.number })).rejects.toThrow(/executed outside Keel/);
    const promptId = await seedPrompt(t, "qa", text("{{question}}"));
    const version = await getDb().promptVersion.findFirstOrThrow({ where: { promptId } });
    const gate = await evaluateGate(getDb(), t.project.id, version.id, {
      dataset: "qa-v3",
      evaluators: [{ name: "exact", metric: "mean", min: 0 }],
      prompts: [],
    } as never);
    expect(gate.passed).toBe(false);
    expect(gate.run).toBeNull();
  });

  it("answers run item errors clearly", async () => {
    const ds = await v5.api.datasets.get("qa-v3");
    expect(ds.name).toBe("qa-v3");
    const item = (await v5.api.datasetItems.list({ datasetName: "qa-v3" })).data[0]!;
    const cases: [unknown, number, RegExp][] = [
      [{ runName: "r", datasetItemId: item.id }, 400, /traceId: is required/],
      [{ runName: "r", datasetItemId: randomUUID(), traceId: "t" }, 404, /No dataset item/],
      [{ datasetItemId: item.id, traceId: "t" }, 400, /runName/],
    ];
    for (const [body, status, message] of cases) {
      const res = await send("POST", "/api/public/dataset-run-items", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(await res.json())).toMatch(message);
    }
    const reader = await createKey(t, ["datasets:read"], "reader");
    expect((await send("POST", "/api/public/dataset-run-items", { runName: "r", datasetItemId: item.id, traceId: "t" }, reader)).status).toBe(403);
    expect((await send("GET", "/api/public/datasets/qa-v3/runs/missing")).status).toBe(404);
  });
});
