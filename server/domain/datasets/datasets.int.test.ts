// Datasets: versions as snapshots without copying, edits/archives/tags, diffs, search, schemas,
// and the streamed import/export endpoints (all-or-nothing, idempotent, byte-identical rows).
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEventsOf, callerFor, createTestOrg, createUser, lastSeq, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { httpHandlers } from "../../api/http-handlers";
import type { ImportEvent } from "../../contracts/datasets";

let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);
const viewer = () => callerFor(t.users.viewer);

const importRoute = httpHandlers["datasets.import"];
const previewRoute = httpHandlers["datasets.importPreview"];
const exportRoute = httpHandlers["datasets.export"];

async function cookie(role: keyof TestOrg["users"] = "editor") {
  return sessionCookieFor(t.users[role]);
}

function params(dataset: string) {
  return { params: Promise.resolve({ org: t.org.slug, project: t.project.slug, dataset }) };
}

async function upload(
  dataset: string,
  body: string | Uint8Array,
  query: Record<string, string>,
  options: { role?: keyof TestOrg["users"]; accept?: string } = {},
) {
  const url = new URL(`http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/${dataset}/import`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const req = new Request(url, {
    method: "POST",
    body: (typeof body === "string" ? new TextEncoder().encode(body) : body) as BodyInit,
    headers: { cookie: await cookie(options.role), ...(options.accept ? { accept: options.accept } : {}) },
  });
  return importRoute(req, params(dataset));
}

async function download(dataset: string, query: Record<string, string>, role: keyof TestOrg["users"] = "viewer") {
  const url = new URL(`http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/${dataset}/export`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return exportRoute(new Request(url, { headers: { cookie: await cookie(role) } }), params(dataset));
}

beforeAll(async () => {
  t = await createTestOrg();
});

describe("dataset versions", () => {
  it("each change is a version; old versions stay browsable and are not copied", async () => {
    await editor().datasets.create({ ...scope(), name: "faq", description: "Support questions" });
    await expect(editor().datasets.create({ ...scope(), name: "faq" })).rejects.toMatchObject({ code: "CONFLICT" });

    const added = await editor().datasets.addItems({
      ...scope(),
      name: "faq",
      items: [
        { input: { question: "How do I reset my password?" }, expected: "Use the reset link.", tags: ["test"] },
        { input: { question: "Can I get a refund?" }, expected: "Within 30 days.", tags: ["train"] },
        { input: { question: "Where is my invoice?" }, expected: "Under Billing." },
      ],
    });
    expect(added.version).toBe(1);
    const [first, second] = added.itemIds;

    const edited = await editor().datasets.updateItem({
      ...scope(),
      name: "faq",
      itemId: first!,
      content: { input: { question: "How do I reset my password?" }, expected: "Use the reset link in Settings.", tags: ["test"] },
    });
    expect(edited).toEqual({ version: 2, changed: true });
    // Saving the same content again is not a change.
    expect(
      await editor().datasets.updateItem({
        ...scope(),
        name: "faq",
        itemId: first!,
        content: { input: { question: "How do I reset my password?" }, expected: "Use the reset link in Settings.", tags: ["test"] },
      }),
    ).toEqual({ version: null, changed: false });

    expect((await editor().datasets.archiveItems({ ...scope(), name: "faq", itemIds: [second!] })).version).toBe(3);
    expect((await editor().datasets.tagItems({ ...scope(), name: "faq", itemIds: [first!], add: ["regression"], remove: [] })).version).toBe(4);

    const v1 = await viewer().datasets.items({ ...scope(), name: "faq", version: 1 });
    expect(v1.total).toBe(3);
    expect(v1.items.find((i) => i.itemId === first)?.expected).toBe("Use the reset link.");
    const latest = await viewer().datasets.items({ ...scope(), name: "faq" });
    expect(latest.version).toBe(4);
    expect(latest.total).toBe(2);
    expect(latest.items.find((i) => i.itemId === first)).toMatchObject({ expected: "Use the reset link in Settings.", tags: ["test", "regression"] });

    // 3 original rows + 1 edit + 1 re-tag: revisions, not copies of the dataset per version.
    const dataset = await getDb().dataset.findFirstOrThrow({ where: { projectId: t.project.id, name: "faq" } });
    expect(await getDb().datasetItemRevision.count({ where: { datasetId: dataset.id } })).toBe(5);

    const versions = await viewer().datasets.versions({ ...scope(), name: "faq" });
    expect(versions.versions.map((v) => [v.version, v.kind, v.itemCount, v.added, v.changed, v.removed])).toEqual([
      [4, "tag", 2, 0, 1, 0],
      [3, "archive", 2, 0, 0, 1],
      [2, "edit", 3, 0, 1, 0],
      [1, "add", 3, 3, 0, 0],
    ]);

    const diff = await viewer().datasets.diff({ ...scope(), name: "faq", from: 1, to: 4 });
    expect(diff.summary).toEqual({ added: 0, removed: 1, changed: 1 });
    expect(diff.entries.find((e) => e.kind === "changed")).toMatchObject({
      itemId: first,
      before: { expected: "Use the reset link." },
      after: { expected: "Use the reset link in Settings.", tags: ["test", "regression"] },
    });

    expect(await viewer().datasets.tags({ ...scope(), name: "faq" })).toEqual([
      { tag: "regression", count: 1 },
      { tag: "test", count: 1 },
    ]);
    const history = await viewer().datasets.item({ ...scope(), name: "faq", itemId: first! });
    expect(history.revisions.map((r) => [r.validFrom, r.validTo])).toEqual([
      [4, null],
      [2, 4],
      [1, 2],
    ]);
  });

  it("history cannot be rewritten in the database", async () => {
    const dataset = await getDb().dataset.findFirstOrThrow({ where: { projectId: t.project.id, name: "faq" } });
    await expect(getDb().$executeRaw`UPDATE dataset_item_revisions SET input = '{"x":1}' WHERE dataset_id = ${dataset.id}::uuid`).rejects.toThrow(/immutable/);
    await expect(getDb().$executeRaw`DELETE FROM dataset_versions WHERE dataset_id = ${dataset.id}::uuid`).rejects.toThrow(/immutable/);
    await expect(
      getDb().$executeRaw`UPDATE dataset_item_revisions SET valid_to = 1 WHERE dataset_id = ${dataset.id}::uuid AND valid_to <> 2147483647`,
    ).rejects.toThrow(/immutable/);
  });

  it("searches input and expected output, filters by tag and source", async () => {
    const byWord = await viewer().datasets.items({ ...scope(), name: "faq", version: 1, search: "refu" });
    expect(byWord.items.map((i) => i.input.question)).toEqual(["Can I get a refund?"]);
    const byExpected = await viewer().datasets.items({ ...scope(), name: "faq", search: "settings" });
    expect(byExpected.total).toBe(1);
    expect((await viewer().datasets.items({ ...scope(), name: "faq", tag: "regression" })).total).toBe(1);
    expect((await viewer().datasets.items({ ...scope(), name: "faq", source: "import" })).total).toBe(0);
  });

  it("validates items against the dataset's JSON Schemas, naming the item and field", async () => {
    await expect(editor().datasets.create({ ...scope(), name: "bad-schema", inputSchema: { type: "nope" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/inputSchema is not a valid JSON Schema/),
    });
    await editor().datasets.create({
      ...scope(),
      name: "typed",
      inputSchema: { type: "object", required: ["question"], properties: { question: { type: "string", minLength: 3 } } },
    });
    await expect(
      editor().datasets.addItems({ ...scope(), name: "typed", items: [{ input: { question: "fine" } }, { input: { q: "x" } }] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Item 2: input.question is required by the dataset's schema",
    });
    await editor().datasets.addItems({ ...scope(), name: "typed", items: [{ input: { question: "fine" } }] });
    // A stricter schema that the items do not meet is refused.
    await expect(
      editor().datasets.update({ ...scope(), name: "typed", inputSchema: { type: "object", properties: { question: { type: "string", minLength: 10 } } } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/Item #1 does not fit the new schema: input.question/) });
  });

  it("reports which prompt variables the items do not provide", async () => {
    await editor().prompts.create({ ...scope(), name: "answerer", content: { type: "text", template: "Q: {{question}} ({{product}})" }, commitMessage: "v1" });
    const coverage = await viewer().datasets.coverage({ ...scope(), name: "faq", promptName: "answerer", promptVersion: 1 });
    expect(coverage).toMatchObject({
      version: 4,
      total: 2,
      variables: [
        { name: "question", missing: 0 },
        { name: "product", missing: 2 },
      ],
    });
  });

  it("viewers cannot change datasets; archived datasets are read-only; unused datasets can be deleted", async () => {
    await expect(viewer().datasets.addItems({ ...scope(), name: "faq", items: [{ input: { a: "b" } }] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await editor().datasets.setArchived({ ...scope(), name: "typed", archived: true });
    await expect(editor().datasets.addItems({ ...scope(), name: "typed", items: [{ input: { question: "more" } }] })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await viewer().datasets.list({ ...scope() })).map((d) => d.name)).not.toContain("typed");
    await expect(editor().datasets.delete({ ...scope(), name: "typed", confirmName: "typed" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(t.users.admin).datasets.delete({ ...scope(), name: "typed", confirmName: "wrong" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await callerFor(t.users.admin).datasets.delete({ ...scope(), name: "typed", confirmName: "typed" })).toEqual({ name: "typed" });
    expect(await getDb().dataset.count({ where: { projectId: t.project.id, name: "typed" } })).toBe(0);
  });
});

function csvOf(rows: number): string {
  const lines = ["question,context,expected_answer,category"];
  for (let i = 1; i <= rows; i++) lines.push(`Question number ${i}?,"Context, with a comma ${i}",Answer ${i},${i % 2 ? "billing" : "account"}`);
  return `${lines.join("\n")}\n`;
}

const MAPPING = JSON.stringify([
  { column: "question", target: "input.question" },
  { column: "context", target: "input.context" },
  { column: "expected_answer", target: "expected" },
  { column: "category", target: "metadata.category" },
]);

describe("import and export endpoints", () => {
  it("imports a CSV as one version, streams progress, and skips the same rows on re-import", async () => {
    await editor().datasets.create({ ...scope(), name: "imported" });
    const before = await lastSeq(t.org.id);
    const response = await upload("imported", csvOf(1000), { format: "csv", mapping: MAPPING, fileName: "faq.csv" }, { accept: "application/x-ndjson" });
    expect(response.status).toBe(200);
    const events = (await response.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ImportEvent);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", result: { version: 1, rows: 1000, added: 1000, duplicatesSkipped: 0 } });
    const audit = await auditEventsOf(t.org.id, before);
    expect(audit.map((e) => e.action)).toEqual(["dataset.items.imported"]);
    expect(audit[0]!.after).toMatchObject({ dataset: "imported", version: 1, added: 1000, fileName: "faq.csv", format: "csv" });

    const again = await upload("imported", csvOf(1000), { format: "csv", mapping: MAPPING });
    expect(await again.json()).toEqual({ result: expect.objectContaining({ version: null, added: 0, duplicatesSkipped: 1000 }) });
    const more = await upload("imported", csvOf(1002), { format: "csv", mapping: MAPPING });
    expect(await more.json()).toEqual({ result: expect.objectContaining({ version: 2, added: 2, duplicatesSkipped: 1000 }) });

    const page = await viewer().datasets.items({ ...scope(), name: "imported", version: 1, page: 2, pageSize: 25 });
    expect(page.total).toBe(1000);
    expect(page.items[0]).toMatchObject({
      input: { question: "Question number 26?", context: "Context, with a comma 26" },
      expected: "Answer 26",
      metadata: { category: "account" },
      sourceType: "import",
    });
  });

  it("exports a version with the imported rows byte for byte, streamed", async () => {
    const csv = await download("imported", { format: "csv", version: "1" });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toContain("imported-v1.csv");
    expect(await csv.text()).toBe(csvOf(1000));
    const jsonl = await download("imported", { format: "jsonl", version: "2" });
    const lines = (await jsonl.text()).trim().split("\n");
    expect(lines).toHaveLength(1002);
    expect(JSON.parse(lines[1001]!)).toMatchObject({ input: { question: "Question number 1002?" }, expected: "Answer 1002", source: { type: "import" } });
  });

  it("refuses a file with problems, naming rows and lines, and writes nothing", async () => {
    const before = await lastSeq(t.org.id);
    const bad = 'question,expected\nfine,ok\nonly one field\n"unclosed,quote\n';
    const response = await upload("imported", bad, { format: "csv" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { report: { problems: { message: string }[]; problemCount: number } };
    expect(body.report.problems[0]!.message).toBe("Row 2 (line 3) has 1 fields; the header has 2");
    expect(body.report.problems.some((p) => /quoted field is never closed/.test(p.message))).toBe(true);

    const utf8 = new Uint8Array([...new TextEncoder().encode("question\nok\nbad "), 0xff, 0xfe, ...new TextEncoder().encode("\n")]);
    const badUtf8 = (await (await upload("imported", utf8, { format: "csv" })).json()) as { report: { problems: { line: number; message: string }[] } };
    expect(badUtf8.report.problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^Line 3 is not valid UTF-8/) });

    const jsonl = '{"input":{"q":"a"}}\n[1,2]\n{"input":{"q":\n';
    const badJsonl = (await (await upload("imported", jsonl, { format: "jsonl" })).json()) as { report: { problems: { message: string }[] } };
    expect(badJsonl.report.problems.map((p) => p.message)).toEqual([
      "Line 2 is an array; each line must be a JSON object",
      expect.stringMatching(/^Line 3 is not valid JSON/),
    ]);

    process.env.KEEL_DATASET_IMPORT_MAX_BYTES = "1000";
    try {
      // Refused mid-stream (the request declares no length) ...
      const big = await upload("imported", csvOf(100), { format: "csv" });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ report: { problems: [{ code: "FILE_TOO_LARGE", message: "The file is larger than the 1 KB limit" }] } });
      // ... or at once when it does.
      const url = `http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/imported/import?format=csv`;
      const declared = await importRoute(
        new Request(url, { method: "POST", body: csvOf(100), headers: { cookie: await cookie(), "content-length": "5000" } }),
        params("imported"),
      );
      expect(declared.status).toBe(413);
    } finally {
      delete process.env.KEEL_DATASET_IMPORT_MAX_BYTES;
    }
    expect(await lastSeq(t.org.id)).toBe(before);
    const dataset = await getDb().dataset.findFirstOrThrow({ where: { projectId: t.project.id, name: "imported" } });
    expect(dataset.latestVersion).toBe(2);
  });

  it("imports JSON arrays and JSON Lines; schema violations name the row", async () => {
    await editor().datasets.create({ ...scope(), name: "json", expectedSchema: { type: "string" } });
    const array = JSON.stringify(
      [
        { input: { q: "one" }, expected: "1", tags: ["test"] },
        { q: "two", expected: "2" },
      ],
      null,
      2,
    );
    expect(await (await upload("json", array, { format: "json" })).json()).toEqual({ result: expect.objectContaining({ version: 1, added: 2 }) });
    const items = await viewer().datasets.items({ ...scope(), name: "json" });
    expect(items.items.map((i) => [i.input, i.expected, i.tags])).toEqual([
      [{ q: "one" }, "1", ["test"]],
      [{ q: "two" }, "2", []],
    ]);
    const violating = '{"input":{"q":"x"},"expected":"ok"}\n{"input":{"q":"y"},"expected":{"not":"a string"}}\n';
    const report = (await (await upload("json", violating, { format: "jsonl" })).json()) as {
      report: { problems: { row: number; field: string; message: string }[] };
    };
    expect(report.report.problems).toEqual([{ row: 2, line: 2, field: "expected", message: "Row 2 (line 2): expected must be string (dataset schema)" }]);
  });

  it("previews the first rows with the suggested mapping, writing nothing", async () => {
    const url = new URL(`http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/imported/import/preview?format=csv&truncated=1`);
    const head = csvOf(50).slice(0, 700);
    const response = await previewRoute(new Request(url, { method: "POST", body: head, headers: { cookie: await cookie() } }), params("imported"));
    const preview = (await response.json()) as {
      columns: string[];
      suggestedMapping: { column: string; target: string }[];
      rows: { item: { input: unknown } }[];
      problems: unknown[];
    };
    expect(preview.columns).toEqual(["question", "context", "expected_answer", "category"]);
    expect(preview.suggestedMapping.map((m) => m.target)).toEqual(["input.question", "input.context", "expected", "input.category"]);
    expect(preview.rows.length).toBeGreaterThan(3);
    expect(preview.problems).toEqual([]);
  });

  it("checks the route's permission: viewers may export but not import (recorded as denied)", async () => {
    const before = await lastSeq(t.org.id);
    const refused = await upload("imported", csvOf(2), { format: "csv" }, { role: "viewer" });
    expect(refused.status).toBe(403);
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => [e.action, e.outcome, e.targetId])).toEqual([["access.denied", "denied", "datasets.import"]]);
    const anonymous = await exportRoute(new Request(`http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/imported/export`), params("imported"));
    expect(anonymous.status).toBe(401);
    const outsider = await createUser();
    const foreign = await exportRoute(
      new Request(`http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/imported/export`, { headers: { cookie: await sessionCookieFor(outsider) } }),
      params("imported"),
    );
    expect(foreign.status).toBe(404);
    const bad = await download("imported", { format: "xml" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "BAD_REQUEST", message: "must be csv or jsonl" } });
  });
});
