// The dataset API over real HTTP: list, items of a pinned version, add items, streamed import
// (all or nothing, idempotent) and streamed export; scopes enforced; audited as the API key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { bearer, createKey, startPublicApi, type RunningApi, type TestKey } from "@/test/support/public-api";

let srv: RunningApi;
let t: TestOrg;
let read: TestKey;
let write: TestKey;
let prompts: TestKey;

const BASE = "/api/public/v1/datasets";

beforeAll(async () => {
  srv = await startPublicApi();
  t = await createTestOrg();
  [read, write, prompts] = await Promise.all([createKey(t, ["datasets:read"]), createKey(t, ["datasets:write"]), createKey(t, ["prompts:read"])]);
  await callerFor(t.users.editor).datasets.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name: "regression" });
});
afterAll(() => srv.close());

const csv = 'question,expected\nWhat is 2+2?,4\n"Capital of France, please",Paris\n';

describe("dataset API", () => {
  it("imports a file as one version, then skips it on the second import", async () => {
    const before = await lastSeq(t.org.id);
    const response = await fetch(`${srv.base}${BASE}/regression/import?format=csv&tags=regression&fileName=seed.csv`, {
      method: "POST",
      body: csv,
      headers: { ...bearer(write), "content-type": "text/csv" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      result: {
        version: 1,
        mode: "append",
        rows: 2,
        added: 2,
        updated: 0,
        unchanged: 0,
        removed: 0,
        duplicatesSkipped: 0,
        bytes: csv.length,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => [e.action, e.actorType, e.actorLabel])).toEqual([["dataset.items.imported", "api_key", write.publicKey]]);
    const again = await fetch(`${srv.base}${BASE}/regression/import?format=csv&tags=regression`, { method: "POST", body: csv, headers: bearer(write) });
    expect(((await again.json()) as { result: { version: null; duplicatesSkipped: number } }).result).toMatchObject({ version: null, duplicatesSkipped: 2 });
  });

  it("refuses a bad file with a report and writes nothing", async () => {
    const before = await lastSeq(t.org.id);
    const response = await fetch(`${srv.base}${BASE}/regression/import?format=csv`, {
      method: "POST",
      body: "question,expected\na,b,c\n",
      headers: bearer(write),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: "IMPORT_FAILED" },
      report: { problemCount: 1, problems: [{ row: 1, line: 2, message: "Row 1 (line 2) has 3 fields; the header has 2" }] },
    });
    expect(await lastSeq(t.org.id)).toBe(before);
  });

  it("adds items as JSON and reads a pinned version", async () => {
    const added = await fetch(`${srv.base}${BASE}/regression/items`, {
      method: "POST",
      body: JSON.stringify({ items: [{ input: { question: "Largest ocean?" }, expected: "Pacific", tags: ["test"] }] }),
      headers: { ...bearer(write), "content-type": "application/json" },
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ version: 2, itemIds: [expect.any(String)] });
    const v1 = (await (await fetch(`${srv.base}${BASE}/regression/items?version=1`, { headers: bearer(read) })).json()) as {
      total: number;
      data: { input: unknown; tags: string[] }[];
    };
    expect(v1.total).toBe(2);
    expect(v1.data[1]).toMatchObject({ input: { question: "Capital of France, please" }, expected: "Paris", tags: ["regression"], source: { type: "import" } });
    const test = (await (await fetch(`${srv.base}${BASE}/regression/items?tag=test`, { headers: bearer(read) })).json()) as { version: number; total: number };
    expect(test).toMatchObject({ version: 2, total: 1 });
    const list = (await (await fetch(`${srv.base}${BASE}`, { headers: bearer(read) })).json()) as { data: unknown[] };
    expect(list.data).toEqual([expect.objectContaining({ name: "regression", latestVersion: 2, itemCount: 3, archived: false })]);
  });

  it("exports a version, streamed, with the imported rows", async () => {
    const response = await fetch(`${srv.base}${BASE}/regression/export?version=1&format=csv`, { headers: bearer(read) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    // The import added a tag to every row, so the export has a tags column after the imported ones.
    expect(await response.text()).toBe('question,expected,tags\nWhat is 2+2?,4,regression\n"Capital of France, please",Paris,regression\n');
    const jsonl = await fetch(`${srv.base}${BASE}/regression/export?format=jsonl`, { headers: bearer(read) });
    expect((await jsonl.text()).trim().split("\n")).toHaveLength(3);
  });

  it("enforces scopes and names bad input", async () => {
    expect((await fetch(`${srv.base}${BASE}`, { headers: bearer(prompts) })).status).toBe(403);
    expect((await fetch(`${srv.base}${BASE}/regression/import?format=csv`, { method: "POST", body: csv, headers: bearer(read) })).status).toBe(403);
    const missing = await fetch(`${srv.base}${BASE}/nope/items`, { headers: bearer(read) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "NOT_FOUND", message: 'No dataset named "nope"' } });
    const badFormat = await fetch(`${srv.base}${BASE}/regression/import?format=xlsx`, { method: "POST", body: csv, headers: bearer(write) });
    expect(badFormat.status).toBe(400);
    expect(((await badFormat.json()) as { error: { message: string } }).error.message).toBe("format must be csv, jsonl or json");
  });
});
