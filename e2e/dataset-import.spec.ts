// Dataset import and export through the browser: a 1,000-row CSV goes through the wizard (with a
// mapping change) into version 1; importing it again adds nothing; two edits make versions 2
// and 3; the CSV export of version 1 gives back the imported file byte for byte; the audit log
// has the imports and the edits. A file with a broken row shows the report and writes
// nothing. A playground run is added to a dataset from the "Add to dataset" dialog.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";

/** Calls a tRPC query as the signed-in user of `request`. */
async function query<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: { json?: { message?: string } } };
  if (!response.ok()) throw new Error(`${path} failed (${response.status()}): ${body.error?.json?.message ?? "no message"}`);
  return body.result?.data?.json as T;
}

/** CSV quoting as csv-stringify writes it: only fields with a delimiter, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const CATEGORIES = ["billing", "shipping", "returns", "account"];

function qaCsv(rows: number): string {
  const lines = ["question,context,expected_answer,category"];
  for (let i = 1; i <= rows; i++) {
    const question = i % 5 === 0 ? `Where is order #${i}, and when will it arrive?` : `How do I handle case ${i}?`;
    const context = i % 7 === 0 ? `The customer wrote: "I paid twice for ${i}", then waited` : `Ticket ${i} from the help centre`;
    const answer = i % 3 === 0 ? `Say "sorry", then refund ${i} EUR, within 5 days` : `Answer ${i}`;
    lines.push([question, context, answer, CATEGORIES[i % CATEGORIES.length]!].map(csvField).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Screenshots for the docs, when KEEL_E2E_SCREENSHOTS names a directory. */
async function snap(page: Page, name: string) {
  const dir = process.env.KEEL_E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` });
}

type Item = {
  itemId: string;
  input: Record<string, unknown>;
  expected: unknown;
  metadata: Record<string, unknown>;
  tags: string[];
  sourceType: string;
  sourceRef: string | null;
};

test("a 1,000-row CSV imports through the wizard, exports byte for byte, re-imports as nothing new and is audited", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signIn(page, "editor@example.com");
  const name = unique("support-qa");
  await mutate(page.request, "datasets.create", { orgSlug: ORG, projectSlug: PROJECT, name, description: "Questions from the help centre" });
  const csv = qaCsv(1000);
  const file = { name: "support-qa.csv", mimeType: "text/csv", buffer: Buffer.from(csv) };

  await page.goto(`${PROJECT_URL}/datasets/${name}/import`);
  await expect(page.getByRole("heading", { level: 2, name: "Import items" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Import steps" }).locator("[aria-current=step]")).toContainText("Choose a file");
  await page.getByLabel("File to import").setInputFiles(file);

  // Mapping: suggested targets, and category moved from the input to the metadata.
  const mapping = page.getByRole("table", { name: "Mapping of the file's columns to item fields" });
  await expect(mapping).toBeVisible();
  await expect(page.getByLabel("Format")).toHaveValue("csv");
  await expect(page.getByLabel("Target of column question")).toHaveValue("input-key");
  await expect(page.getByLabel("Input key for column question")).toHaveValue("question");
  await expect(page.getByLabel("Target of column expected_answer")).toHaveValue("expected");
  await expect(page.getByLabel("Target of column category")).toHaveValue("input-key");
  const preview = page.getByRole("table", { name: "Preview of the first rows as items" });
  const firstRow = preview.getByRole("row").nth(1);
  await expect(firstRow.getByRole("cell").nth(0)).toContainText("category");
  await page.getByLabel("Target of column category").selectOption("metadata-key");
  await expect(page.getByLabel("Metadata key for column category")).toHaveValue("category");
  // The preview follows the mapping: category is now in the metadata column, not the input.
  await expect(firstRow.getByRole("cell").nth(0)).not.toContainText("category");
  await expect(firstRow.getByRole("cell").nth(2)).toContainText("category");
  await expect(firstRow.getByRole("cell").nth(2)).toContainText("shipping");
  await expect(preview.getByRole("row")).toHaveCount(21);
  await expect(page.getByText("No problems found")).toBeVisible();
  await snap(page, "dataset-import");

  // Hold the upload back a moment so the progress step is visible before the result.
  await page.route(/\/import\?/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await route.continue();
  });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const progressbar = page.getByRole("progressbar");
  await expect(progressbar).toBeVisible();
  await expect(progressbar).toHaveAttribute("aria-valuenow", /^\d+$/);
  await expect(page.getByText(/^Importing support-qa\.csv$/).first()).toBeVisible();
  await snap(page, "dataset-import-progress");

  const result = page.getByRole("region", { name: "Import result" });
  await expect(result).toContainText("Version 1 created", { timeout: 30_000 });
  await expect(result).toContainText("1,000 items added from support-qa.csv");
  const summary = page.getByRole("definition").filter({ hasText: /^1,000$/ });
  await expect(summary).toHaveCount(2); // rows read and added
  await expect(page.getByRole("link", { name: "Browse version 1" })).toHaveAttribute("href", `${PROJECT_URL}/datasets/${name}?v=1`);
  await expect(page.getByRole("link", { name: "All versions" })).toHaveAttribute("href", `${PROJECT_URL}/datasets/${name}/versions`);
  await snap(page, "dataset-import-result");
  await page.unroute(/\/import\?/);

  const v1 = await query<{ version: number; total: number; items: Item[] }>(page.request, "datasets.items", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
    version: 1,
    page: 1,
    pageSize: 25,
  });
  expect(v1.total).toBe(1000);
  const [first, second] = v1.items;
  expect(first!.input).toEqual({ question: "How do I handle case 1?", context: "Ticket 1 from the help centre" });
  expect(first!.expected).toBe("Answer 1");
  expect(first!.metadata).toEqual({ category: "shipping" });
  expect(first!.sourceType).toBe("import");

  // The same file again: every row is already in the dataset, so nothing is added and no version made.
  await page.getByRole("button", { name: "Import another file" }).click();
  await page.getByLabel("File to import").setInputFiles(file);
  await page.getByLabel("Target of column category").selectOption("metadata-key");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Nothing new to import" })).toBeVisible({ timeout: 30_000 });
  await expect(result).toContainText("All 1,000 rows of support-qa.csv equal existing items (1,000 duplicates skipped), so no version was created");
  await expect(page.getByRole("link", { name: /Browse version/ })).toHaveCount(0);
  expect(await query(page.request, "datasets.get", { orgSlug: ORG, projectSlug: PROJECT, name })).toMatchObject({ latestVersion: 1, itemCount: 1000 });

  // Two edits: versions 2 and 3.
  await mutate(page.request, "datasets.updateItem", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
    itemId: first!.itemId,
    content: { ...first!, expected: "Answer 1, corrected" },
    message: "Fix the first answer",
  });
  await mutate(page.request, "datasets.updateItem", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
    itemId: second!.itemId,
    content: { input: second!.input, expected: second!.expected, metadata: { category: "billing" }, tags: ["hard"] },
    message: "Recategorise",
  });
  const diff = await query<{
    summary: { added: number; removed: number; changed: number };
    entries: { itemId: string; kind: string; after: { expected: unknown; metadata: unknown } }[];
  }>(page.request, "datasets.diff", { orgSlug: ORG, projectSlug: PROJECT, name, from: 1, to: 3, page: 1, pageSize: 25 });
  expect(diff.summary).toEqual({ added: 0, removed: 0, changed: 2 });
  expect(diff.entries.map((e) => e.itemId)).toEqual([first!.itemId, second!.itemId]);
  expect(diff.entries[0]!.after.expected).toBe("Answer 1, corrected");
  expect(diff.entries[1]!.after.metadata).toEqual({ category: "billing" });
  // And on the compare page.
  await page.goto(`${PROJECT_URL}/datasets/${name}/compare?from=1&to=3`);
  const differences = page.getByRole("region", { name: "Differences" });
  await expect(differences.getByRole("listitem", { name: /^Item #\d+, changed$/ })).toHaveCount(2);
  await expect(differences).toContainText("Answer 1, corrected");
  await expect(differences).toContainText("billing");

  // The CSV export of version 1 is the imported file, byte for byte.
  const exported = await page.request.get(`/api/datasets/${ORG}/${PROJECT}/${name}/export?version=1&format=csv`);
  expect(exported.status()).toBe(200);
  expect(exported.headers()["x-keel-dataset-version"]).toBe("1");
  const body = (await exported.body()).toString("utf8");
  const exportedRows = body.split("\n");
  const importedRows = csv.split("\n");
  expect(exportedRows.length).toBe(importedRows.length);
  for (let i = 0; i < importedRows.length; i++) expect(exportedRows[i], `row ${i}`).toBe(importedRows[i]);
  expect(body).toBe(csv);

  // After the edits, a re-import brings back only the row whose live item no longer has its input
  // and expected output (the first: its answer was corrected); the metadata-only edit still
  // counts as the same item.
  await page.goto(`${PROJECT_URL}/datasets/${name}/import`);
  await page.getByLabel("File to import").setInputFiles(file);
  await page.getByLabel("Target of column category").selectOption("metadata-key");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(result).toContainText("Version 4 created", { timeout: 30_000 });
  await expect(result).toContainText("1 item added from support-qa.csv; 999 rows were already in the dataset and skipped");
  const dataset = await query<{ id: string; latestVersion: number; itemCount: number }>(page.request, "datasets.get", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
  });
  expect(dataset).toMatchObject({ latestVersion: 4, itemCount: 1001 });

  // The audit log (read by the owner) has the imports and the edits.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signIn(owner, "owner@example.com");
  const events = await query<{ items: { action: string; actorLabel: string }[] }>(owner.request, "audit.list", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    targetId: dataset.id,
    limit: 50,
  });
  // Newest first; the import that changed nothing wrote no event.
  expect(events.items.map((e) => e.action)).toEqual([
    "dataset.items.imported",
    "dataset.item.updated",
    "dataset.item.updated",
    "dataset.items.imported",
    "dataset.created",
  ]);
  expect(new Set(events.items.map((e) => e.actorLabel))).toEqual(new Set(["editor@example.com"]));
  await owner.goto(`/o/${ORG}/audit?targetId=${dataset.id}`);
  const auditTable = owner.getByRole("table", { name: /Audit events/ });
  await expect(auditTable.getByRole("row").nth(1)).toContainText("Dataset items imported");
  await expect(auditTable.getByRole("row").nth(2)).toContainText("Dataset item edited");
  await expect(auditTable.getByRole("row").nth(1)).toContainText("editor@example.com");
  await ownerContext.close();
});

test("a file with a broken row shows the report naming the row, and writes nothing", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = unique("broken-import");
  await mutate(page.request, "datasets.create", { orgSlug: ORG, projectSlug: PROJECT, name, description: "" });
  const lines = ["question,expected_answer,category"];
  // Row 25 is past the 20 rows the preview reads: only the import itself finds it.
  for (let i = 1; i <= 30; i++) lines.push(i === 25 ? `Question ${i},Answer ${i},billing,extra` : `Question ${i},Answer ${i},billing`);
  const csv = `${lines.join("\n")}\n`;

  await page.goto(`${PROJECT_URL}/datasets/${name}/import`);
  await page.getByLabel("File to import").setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(page.getByRole("table", { name: "Mapping of the file's columns to item fields" })).toBeVisible();
  await expect(page.getByText("No problems found")).toBeVisible();
  await page.getByLabel("Tags for every item").fill("test");
  await page.getByRole("button", { name: "Import", exact: true }).click();

  await expect(page.getByRole("heading", { name: "Nothing was imported" })).toBeVisible({ timeout: 30_000 });
  const problems = page.getByRole("table", { name: "Problems found in broken.csv" });
  await expect(problems.getByRole("row")).toHaveCount(2);
  await expect(problems.getByRole("row").nth(1).getByRole("cell").nth(0)).toHaveText("25");
  await expect(problems.getByRole("row").nth(1).getByRole("cell").nth(1)).toHaveText("26");
  await expect(page.getByRole("region", { name: "Import result" })).toContainText("Nothing was imported");
  await snap(page, "dataset-import-report");
  const dataset = await query<{ latestVersion: number; itemCount: number }>(page.request, "datasets.get", { orgSlug: ORG, projectSlug: PROJECT, name });
  expect(dataset).toMatchObject({ latestVersion: 0, itemCount: 0 });

  // Back to the mapping keeps the file and the options; ignoring nothing still fails the same way.
  await page.getByRole("button", { name: "Back to the mapping" }).click();
  await expect(page.getByTestId("import-file-name")).toHaveText("broken.csv");
  await expect(page.getByLabel("Tags for every item")).toHaveValue("test");
});

test("a viewer cannot import", async ({ page, browser }) => {
  const editorContext = await browser.newContext();
  const editor = await editorContext.newPage();
  await signIn(editor, "editor@example.com");
  const name = unique("viewer-import");
  await mutate(editor.request, "datasets.create", { orgSlug: ORG, projectSlug: PROJECT, name, description: "" });
  await editorContext.close();
  await signIn(page, "viewer@example.com");
  await page.goto(`${PROJECT_URL}/datasets/${name}/import`);
  await expect(page.getByText("Your role cannot import items")).toBeVisible();
  await expect(page.getByLabel("File to import")).toHaveCount(0);
  const refused = await page.request.post(`/api/datasets/${ORG}/${PROJECT}/${name}/import?format=csv`, { data: "question\nhello\n" });
  expect(refused.status()).toBe(403);
});

test("a playground run is added to a dataset with its variables and output", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = unique("from-playground");
  await mutate(page.request, "datasets.create", { orgSlug: ORG, projectSlug: PROJECT, name, description: "" });
  const promptName = unique("pg-dataset");
  await mutate(page.request, "prompts.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name: promptName,
    description: "",
    tags: [],
    content: { type: "text", template: "Summarise {{topic}} in one line.", config: {} },
    commitMessage: "First",
  });

  await page.goto(`${PROJECT_URL}/playground?prompt=${encodeURIComponent(promptName)}&version=1`);
  await expect(page.getByRole("textbox", { name: "Template" })).toHaveText("Summarise {{topic}} in one line.");
  await expect(page.getByRole("button", { name: "Add to dataset" })).toHaveCount(0);
  await page.getByLabel("topic", { exact: true }).fill("the refund policy");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByRole("status", { name: "Run result" })).toContainText("Tokens in", { timeout: 20_000 });
  const output = (await page.getByLabel("Model output").textContent()) ?? "";
  expect(output).toContain("[Simulated]");

  await page.getByRole("button", { name: "Add to dataset" }).click();
  const dialog = page.getByRole("dialog", { name: "Add to dataset" });
  await dialog.getByLabel("Dataset", { exact: true }).selectOption(name);
  await expect(dialog.getByText("the refund policy", { exact: true })).toBeVisible();
  await expect(dialog.getByLabel("Expected output")).toHaveValue(output);
  await dialog.getByLabel("Expected output").fill("The refund policy: 30 days, no questions asked.");
  await dialog.getByLabel("Tags").fill("playground, regression");
  await snap(page, "playground-add-to-dataset");
  await dialog.getByRole("button", { name: "Add item" }).click();
  const added = dialog.getByRole("region", { name: "Added" });
  await expect(added).toContainText(`Added to ${name}`);
  await expect(added.getByRole("link", { name: `Open ${name}` })).toHaveAttribute("href", `${PROJECT_URL}/datasets/${name}?v=1`);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  const items = await query<{ total: number; items: Item[] }>(page.request, "datasets.items", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
    page: 1,
    pageSize: 25,
  });
  expect(items.total).toBe(1);
  expect(items.items[0]).toMatchObject({
    input: { topic: "the refund policy" },
    expected: "The refund policy: 30 days, no questions asked.",
    tags: ["playground", "regression"],
    sourceType: "playground",
    sourceRef: `${promptName}@v1`,
  });
});
