// Bulk field edits (add, rename, drop; all items or a selection) and the import modes (upsert by
// a key, replace): each one version and one audit event, all or nothing, refused with a 4xx that
// names the problem.
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { httpHandlers } from "../../api/http-handlers";

let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);
const viewer = () => callerFor(t.users.viewer);

async function upload(dataset: string, body: string, query: Record<string, string>) {
  const url = new URL(`http://keel.test/api/datasets/${t.org.slug}/${t.project.slug}/${dataset}/import`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const req = new Request(url, {
    method: "POST",
    body: new TextEncoder().encode(body) as BodyInit,
    headers: { cookie: await sessionCookieFor(t.users.editor) },
  });
  return httpHandlers["datasets.import"](req, { params: Promise.resolve({ org: t.org.slug, project: t.project.slug, dataset }) });
}

async function liveInputs(name: string) {
  const page = await viewer().datasets.items({ ...scope(), name, pageSize: 100 });
  return { version: page.version, items: page.items.map((i) => ({ id: i.itemId, input: i.input, expected: i.expected, tags: i.tags })) };
}

async function seed(name: string) {
  await editor().datasets.create({ ...scope(), name });
  const { itemIds } = await editor().datasets.addItems({
    ...scope(),
    name,
    items: [
      { input: { name: "Ada", city: "London" }, expected: "Hello Ada" },
      { input: { name: "Sam", tone: "formal" }, expected: "Hello Sam" },
      { input: { name: "Lee" }, expected: "Hello Lee", tags: ["test"] },
    ],
  });
  return itemIds;
}

beforeAll(async () => {
  t = await createTestOrg();
});

describe("bulk field edits", () => {
  it("adds a field with a default to every item, keeping existing values; says how many had it; one version, one audit event", async () => {
    await seed("bulk-add");
    const before = await lastSeq(t.org.id);
    const result = await editor().datasets.bulkEdit({
      ...scope(),
      name: "bulk-add",
      operation: { op: "addField", field: "tone", value: "friendly" },
      message: "tone for v3",
    });
    expect(result).toEqual({ version: 2, changed: 2, unchanged: 1, scope: "all" });
    const live = await liveInputs("bulk-add");
    expect(live.version).toBe(2);
    expect(live.items.map((i) => i.input)).toEqual([
      { name: "Ada", city: "London", tone: "friendly" },
      { name: "Sam", tone: "formal" },
      { name: "Lee", tone: "friendly" },
    ]);
    // Expected outputs and tags are carried over untouched.
    expect(live.items.map((i) => [i.expected, i.tags])).toEqual([
      ["Hello Ada", []],
      ["Hello Sam", []],
      ["Hello Lee", ["test"]],
    ]);
    const audit = await auditEventsOf(t.org.id, before);
    expect(audit.map((e) => e.action)).toEqual(["dataset.items.bulk_edited"]);
    expect(audit[0]!.after).toMatchObject({
      dataset: "bulk-add",
      version: 2,
      operation: "addField",
      field: "tone",
      value: "friendly",
      scope: "all",
      changed: 2,
      unchanged: 1,
    });
    const versions = await viewer().datasets.versions({ ...scope(), name: "bulk-add" });
    expect(versions.versions[0]).toMatchObject({ version: 2, kind: "bulk", changed: 2, itemCount: 3, message: "tone for v3" });
    // Version 1 is unchanged.
    const v1 = await viewer().datasets.items({ ...scope(), name: "bulk-add", version: 1 });
    expect(v1.items.map((i) => i.input.tone ?? null)).toEqual([null, "formal", null]);

    // Idempotent: every item has it now, so nothing changes and nothing is recorded.
    const seqBefore = await lastSeq(t.org.id);
    expect(await editor().datasets.bulkEdit({ ...scope(), name: "bulk-add", operation: { op: "addField", field: "tone", value: "friendly" } })).toEqual({
      version: null,
      changed: 0,
      unchanged: 3,
      scope: "all",
    });
    expect(await lastSeq(t.org.id)).toBe(seqBefore);

    const fields = await viewer().datasets.fields({ ...scope(), name: "bulk-add" });
    expect(fields).toEqual({
      version: 2,
      total: 3,
      fields: [
        { name: "city", count: 1 },
        { name: "name", count: 3 },
        { name: "tone", count: 3 },
      ],
    });
  });

  it("renames and drops fields; refuses renaming onto an existing field and dropping a field no item has", async () => {
    await seed("bulk-rename");
    await expect(
      editor().datasets.bulkEdit({ ...scope(), name: "bulk-rename", operation: { op: "renameField", from: "name", to: "tone" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: '1 item already has a field "tone": drop or rename it first',
    });
    await expect(
      editor().datasets.bulkEdit({ ...scope(), name: "bulk-rename", operation: { op: "renameField", from: "nickname", to: "alias" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: 'No item of "bulk-rename" has a field "nickname"',
    });
    await expect(editor().datasets.bulkEdit({ ...scope(), name: "bulk-rename", operation: { op: "dropField", field: "nickname" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(editor().datasets.bulkEdit({ ...scope(), name: "bulk-rename", operation: { op: "dropField", field: "" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // Refusals wrote nothing.
    expect((await liveInputs("bulk-rename")).version).toBe(1);

    const before = await lastSeq(t.org.id);
    expect(await editor().datasets.bulkEdit({ ...scope(), name: "bulk-rename", operation: { op: "renameField", from: "name", to: "customer" } })).toMatchObject(
      { version: 2, changed: 3 },
    );
    expect(await editor().datasets.bulkEdit({ ...scope(), name: "bulk-rename", operation: { op: "dropField", field: "city" } })).toMatchObject({
      version: 3,
      changed: 1,
      unchanged: 2,
    });
    const live = await liveInputs("bulk-rename");
    expect(live.items.map((i) => i.input)).toEqual([{ customer: "Ada" }, { customer: "Sam", tone: "formal" }, { customer: "Lee" }]);
    const audit = await auditEventsOf(t.org.id, before);
    expect(audit.map((e) => [e.action, (e.after as { operation: string }).operation])).toEqual([
      ["dataset.items.bulk_edited", "renameField"],
      ["dataset.items.bulk_edited", "dropField"],
    ]);
  });

  it("edits a selection: sets or removes a field on the selected items only", async () => {
    const [ada, sam, lee] = await seed("bulk-selection");
    expect(
      await editor().datasets.bulkEdit({
        ...scope(),
        name: "bulk-selection",
        itemIds: [ada!, sam!],
        operation: { op: "addField", field: "tone", value: "warm", overwrite: true },
      }),
    ).toEqual({
      version: 2,
      changed: 2,
      unchanged: 0,
      scope: "selection",
    });
    expect(
      await editor().datasets.bulkEdit({ ...scope(), name: "bulk-selection", itemIds: [lee!], operation: { op: "dropField", field: "name" } }),
    ).toMatchObject({ version: 3, changed: 1 });
    const live = await liveInputs("bulk-selection");
    expect(live.items.map((i) => i.input)).toEqual([{ name: "Ada", city: "London", tone: "warm" }, { name: "Sam", tone: "warm" }, {}]);
    // Dropping a field none of the selected items has is refused, even if others have it.
    await expect(
      editor().datasets.bulkEdit({ ...scope(), name: "bulk-selection", itemIds: [lee!], operation: { op: "dropField", field: "city" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: 'No item of the selected items has a field "city"',
    });
    // A selected item that left the version is named, not silently skipped.
    await editor().datasets.archiveItems({ ...scope(), name: "bulk-selection", itemIds: [lee!] });
    await expect(
      editor().datasets.bulkEdit({ ...scope(), name: "bulk-selection", itemIds: [ada!, lee!], operation: { op: "dropField", field: "tone" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("1 selected item is not in the latest version"),
    });
  });

  it("is all or nothing: an item the JSON Schema would refuse stops the whole edit; viewers may not bulk edit", async () => {
    await editor().datasets.create({
      ...scope(),
      name: "bulk-schema",
      inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    });
    await editor().datasets.addItems({ ...scope(), name: "bulk-schema", items: [{ input: { name: "Ada" } }, { input: { name: "Sam" } }] });
    const before = await lastSeq(t.org.id);
    await expect(
      editor().datasets.bulkEdit({ ...scope(), name: "bulk-schema", operation: { op: "renameField", from: "name", to: "customer" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^Item #1 \(.*\) would break: input\.name is required.*; nothing was changed$/),
    });
    expect(await lastSeq(t.org.id)).toBe(before);
    expect((await liveInputs("bulk-schema")).version).toBe(1);
    await expect(
      viewer().datasets.bulkEdit({ ...scope(), name: "bulk-schema", operation: { op: "addField", field: "tone", value: "x" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses a value that would make an item too large, naming the item", async () => {
    await editor().datasets.create({ ...scope(), name: "bulk-bounds" });
    await editor().datasets.addItems({ ...scope(), name: "bulk-bounds", items: [{ input: { a: "x".repeat(300 * 1024) } }] });
    await expect(
      editor().datasets.bulkEdit({ ...scope(), name: "bulk-bounds", operation: { op: "addField", field: "b", value: "y".repeat(300 * 1024) } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("is too large"),
    });
  });
});

describe("import modes", () => {
  it("upserts by an input field: matching items updated in place, others added, equal ones unchanged; counts and audit", async () => {
    const [ada, sam, lee] = await seed("upsert");
    const before = await lastSeq(t.org.id);
    const csv = "name,expected\nAda,Hi Ada\nSam,Hello Sam\nKim,Hello Kim\n";
    const response = await upload("upsert", csv, { format: "csv", mode: "upsert", key: "input.name" });
    expect(response.status).toBe(200);
    expect((await response.json()).result).toMatchObject({ version: 2, mode: "upsert", rows: 3, added: 1, updated: 2, unchanged: 0, removed: 0 });
    const live = await liveInputs("upsert");
    // A matched row is the item's new content (Sam's input had a tone the file does not); Lee is not in the file and stays.
    expect(live.items.map((i) => [i.id, i.input, i.expected])).toEqual([
      [ada, { name: "Ada" }, "Hi Ada"],
      [sam, { name: "Sam" }, "Hello Sam"],
      [lee, { name: "Lee" }, "Hello Lee"],
      [expect.any(String), { name: "Kim" }, "Hello Kim"],
    ]);
    const audit = await auditEventsOf(t.org.id, before);
    expect(audit.map((e) => e.action)).toEqual(["dataset.items.imported"]);
    expect(audit[0]!.after).toMatchObject({ version: 2, mode: "upsert", key: "input.name", added: 1, updated: 2, unchanged: 0 });
  });

  it("upsert counts unchanged rows and makes no version when nothing differs", async () => {
    const [ada] = await seed("upsert-same");
    const first = await upload("upsert-same", JSON.stringify({ id: ada, input: { name: "Ada", city: "Paris" }, expected: "Hello Ada" }) + "\n", {
      format: "jsonl",
      mode: "upsert",
      key: "id",
    });
    expect((await first.json()).result).toMatchObject({ version: 2, added: 0, updated: 1, unchanged: 0 });
    const again = await upload("upsert-same", JSON.stringify({ id: ada, input: { name: "Ada", city: "Paris" }, expected: "Hello Ada" }) + "\n", {
      format: "jsonl",
      mode: "upsert",
      key: "id",
    });
    expect((await again.json()).result).toMatchObject({ version: null, added: 0, updated: 0, unchanged: 1 });
    expect((await liveInputs("upsert-same")).items[0]).toMatchObject({ id: ada, input: { name: "Ada", city: "Paris" } });
  });

  it("upsert refuses the whole file for a missing key, a repeated key or a bad row, writing nothing", async () => {
    await seed("upsert-bad");
    const before = await lastSeq(t.org.id);
    const missing = await upload("upsert-bad", "name,expected\nAda,Hi\n,Nobody\n", { format: "csv", mode: "upsert", key: "input.name" });
    expect(missing.status).toBe(400);
    expect((await missing.json()).report.problems[0].message).toBe("Row 2 (line 3): has no value for the key input.name");
    const repeated = await upload("upsert-bad", "name,expected\nAda,Hi\nKim,Hi\nAda,Again\n", { format: "csv", mode: "upsert", key: "input.name" });
    expect(repeated.status).toBe(400);
    expect((await repeated.json()).report.problems[0].message).toBe('Row 3: input.name "Ada" repeats row 1; each key may appear once');
    const badRow = await upload("upsert-bad", '{"input":{"name":"Ada"},"expected":"Hi"}\n{"input":"not an object"}\n', {
      format: "jsonl",
      mode: "upsert",
      key: "input.name",
    });
    expect(badRow.status).toBe(400);
    const noKey = await upload("upsert-bad", "name\nAda\n", { format: "csv", mode: "upsert" });
    expect(noKey.status).toBe(400);
    expect(await lastSeq(t.org.id)).toBe(before);
    expect((await liveInputs("upsert-bad")).version).toBe(1);
  });

  it("replace: the new version holds exactly the file's items; equal items keep their id; audited with counts", async () => {
    const [ada] = await seed("replace");
    const before = await lastSeq(t.org.id);
    const jsonl = [
      { input: { name: "Ada", city: "London" }, expected: "Hello Ada" },
      { input: { name: "Kim" }, expected: "Hello Kim" },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const response = await upload("replace", jsonl, { format: "jsonl", mode: "replace", message: "fresh set" });
    expect((await response.json()).result).toMatchObject({ version: 2, mode: "replace", added: 1, unchanged: 1, removed: 2, updated: 0 });
    const live = await liveInputs("replace");
    expect(live.items.map((i) => [i.id, i.input])).toEqual([
      [ada, { name: "Ada", city: "London" }],
      [expect.any(String), { name: "Kim" }],
    ]);
    const versions = await viewer().datasets.versions({ ...scope(), name: "replace" });
    expect(versions.versions[0]).toMatchObject({ version: 2, kind: "import", added: 1, removed: 2, itemCount: 2 });
    const audit = await auditEventsOf(t.org.id, before);
    expect(audit.map((e) => e.action)).toEqual(["dataset.items.imported"]);
    expect(audit[0]!.after).toMatchObject({ mode: "replace", added: 1, removed: 2, unchanged: 1 });
    // A bad row in a replace leaves the version as it was.
    const bad = await upload("replace", '{"input":{"name":"Zed"}}\n{"input":[]}\n', { format: "jsonl", mode: "replace" });
    expect(bad.status).toBe(400);
    expect((await liveInputs("replace")).items).toHaveLength(2);
    const count = await getDb().datasetVersion.count({ where: { dataset: { name: "replace", projectId: t.project.id } } });
    expect(count).toBe(2);
  });
});
