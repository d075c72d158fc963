// Bulk dataset edits and import modes through the browser: an editor adds the field `tone`
// (default "friendly") to every item of the demo dataset from the Bulk edit menu, after the
// dialog previews the effect, and a new version holds it on every item; renaming onto an existing
// field is refused in the dialog; a CSV upserts by a key (matching items updated, others added);
// a file with a broken row shows one consistent problem and Import stays disabled with the
// reason; no dataset page logs a hydration error.
import { expect, test, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, query, signIn, unique } from "./support/helpers";

const DEMO = "support-questions";
const scope = { orgSlug: ORG, projectSlug: PROJECT };

type Item = { itemId: string; input: Record<string, unknown>; expected: unknown };
type Page_ = { version: number; total: number; items: Item[] };

async function snap(page: Page, name: string) {
  const dir = process.env.KEEL_E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Console errors and page errors that are React hydration failures (#418 and friends). */
function watchHydration(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && /hydrat|#418|#419|#423|#425|did not match/i.test(msg.text())) errors.push(msg.text());
  });
  page.on("pageerror", (error) => {
    if (/hydrat|#418|#419|#423|#425/i.test(error.message)) errors.push(error.message);
  });
  return errors;
}

test("an editor bulk-adds `tone` with a default to every item of the demo dataset: one new version, previewed first", async ({ page }) => {
  test.setTimeout(120_000);
  const hydration = watchHydration(page);
  await signIn(page, "editor@example.com");
  const before = await query<{ latestVersion: number; itemCount: number }>(page.request, "datasets.get", { ...scope, name: DEMO });
  const fields = await query<{ total: number; fields: { name: string; count: number }[] }>(page.request, "datasets.fields", { ...scope, name: DEMO });
  const had = fields.fields.find((f) => f.name === "tone")?.count ?? 0;
  expect(had, "the demo dataset's items do not all have `tone` yet").toBeLessThan(fields.total);

  await page.goto(`${PROJECT_URL}/datasets/${DEMO}`);
  await expect(page.getByRole("table", { name: /^Items of / })).toBeVisible();
  await page.getByRole("button", { name: "Bulk edit" }).click();
  const menu = page.getByRole("menu", { name: "Bulk edit" });
  await expect(menu.getByRole("menuitem")).toHaveText([/Add field/, /Rename field/, /Drop field/]);
  await snap(page, "dataset-bulk-menu");
  await menu.getByRole("menuitem", { name: /Add field/ }).click();

  const dialog = page.getByRole("dialog", { name: "Add a field" });
  await dialog.getByLabel("Field name").fill("tone");
  await dialog.getByLabel("Default value").fill("friendly");
  const gets = fields.total - had;
  await expect(dialog.getByRole("status")).toContainText(
    had ? `${gets} ${gets === 1 ? "item gets" : "items get"} “tone”; ${had}` : `All ${fields.total} items get “tone”.`,
  );
  await snap(page, "dataset-bulk-add-field");
  await dialog.getByRole("button", { name: "Add field" }).click();
  await expect(dialog).toBeHidden();
  const version = before.latestVersion + 1;
  await expect(page.getByText(`Added “tone” to ${gets} ${gets === 1 ? "item" : "items"} in version ${version}`)).toBeVisible();
  await expect(page.getByText(`latest v${version}`)).toBeVisible();

  const latest = await query<Page_>(page.request, "datasets.items", { ...scope, name: DEMO, pageSize: 100 });
  expect(latest.version).toBe(version);
  expect(latest.total).toBe(before.itemCount);
  for (const item of latest.items) expect(item.input.tone, `item ${item.itemId}`).toBeDefined();
  expect(latest.items.filter((i) => i.input.tone === "friendly").length).toBeGreaterThanOrEqual(gets);
  // The version before is as it was.
  const previous = await query<Page_>(page.request, "datasets.items", { ...scope, name: DEMO, version: before.latestVersion, pageSize: 100 });
  expect(previous.items.filter((i) => i.input.tone !== undefined)).toHaveLength(had);

  // Renaming a field onto one that exists is refused before anything is sent.
  await page.getByRole("button", { name: "Bulk edit" }).click();
  await page
    .getByRole("menu", { name: "Bulk edit" })
    .getByRole("menuitem", { name: /Rename field/ })
    .click();
  const rename = page.getByRole("dialog", { name: "Rename a field" });
  const firstField = fields.fields.find((f) => f.name !== "tone")!.name;
  await rename.getByLabel("Field to rename").selectOption(firstField);
  await rename.getByLabel("New name").fill("tone");
  await expect(rename.getByRole("status")).toContainText("already have a field “tone”");
  await expect(rename.getByRole("button", { name: "Rename field" })).toBeDisabled();
  await snap(page, "dataset-bulk-rename-refused");
  await rename.getByRole("button", { name: "Cancel" }).click();

  // The versions page names the change.
  await page.goto(`${PROJECT_URL}/datasets/${DEMO}/versions`);
  await expect(page.getByRole("row", { name: new RegExp(`v${version}\\b`) })).toContainText("Added field “tone”");
  expect(hydration).toEqual([]);
});

test("a selection of items gets a field set, and another removed", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = unique("bulk-selection");
  await mutate(page.request, "datasets.create", { ...scope, name, description: "" });
  await mutate(page.request, "datasets.addItems", {
    ...scope,
    name,
    items: [{ input: { name: "Ada" } }, { input: { name: "Sam" } }, { input: { name: "Lee" } }],
  });
  await page.goto(`${PROJECT_URL}/datasets/${name}`);
  await page.getByRole("checkbox", { name: "Select item #1", exact: true }).check();
  await page.getByRole("checkbox", { name: "Select item #2", exact: true }).check();
  await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Set field…" }).click();
  const dialog = page.getByRole("dialog", { name: "Set a field on the selected items" });
  await dialog.getByLabel("Field name").fill("tone");
  await dialog.getByLabel("Value", { exact: true }).fill("warm");
  await expect(dialog.getByRole("status")).toContainText("2 of 2 items selected change");
  await dialog.getByRole("button", { name: "Set field" }).click();
  await expect(page.getByText("Set “tone” on 2 items in version 2.")).toBeVisible();
  const items = await query<Page_>(page.request, "datasets.items", { ...scope, name });
  expect(items.items.map((i) => i.input)).toEqual([{ name: "Ada", tone: "warm" }, { name: "Sam", tone: "warm" }, { name: "Lee" }]);
});

test("an import upserts by a key column: matching items updated, the others added", async ({ page }) => {
  const hydration = watchHydration(page);
  await signIn(page, "editor@example.com");
  const name = unique("upsert");
  await mutate(page.request, "datasets.create", { ...scope, name, description: "" });
  await mutate(page.request, "datasets.addItems", {
    ...scope,
    name,
    items: [
      { input: { name: "Ada" }, expected: "Hello Ada" },
      { input: { name: "Sam" }, expected: "Hello Sam" },
    ],
  });
  const before = await query<Page_>(page.request, "datasets.items", { ...scope, name });

  await page.goto(`${PROJECT_URL}/datasets/${name}/import`);
  await page
    .getByLabel("File to import")
    .setInputFiles({ name: "greetings.csv", mimeType: "text/csv", buffer: Buffer.from("name,expected\nAda,Hi Ada!\nSam,Hello Sam\nKim,Hello Kim\n") });
  await expect(page.getByText("No problems found")).toBeVisible();
  await page.getByRole("radio", { name: /Update matching items, add the rest/ }).check();
  await expect(page.getByTestId("import-blocked-reason")).toHaveText("Choose the key that matches rows to items.");
  await expect(page.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  await page.getByLabel("Key", { exact: true }).selectOption("input.name");
  await expect(page.getByRole("button", { name: "Import", exact: true })).toBeEnabled();
  await snap(page, "dataset-import-upsert");
  await page.getByRole("button", { name: "Import", exact: true }).click();

  await expect(page.getByRole("heading", { name: "Imported as version 2" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("region", { name: "Import result" })).toContainText("1 added, 1 updated, 1 unchanged");
  const after = await query<Page_>(page.request, "datasets.items", { ...scope, name });
  expect(after.items.map((i) => [i.itemId, i.input.name, i.expected])).toEqual([
    [before.items[0]!.itemId, "Ada", "Hi Ada!"],
    [before.items[1]!.itemId, "Sam", "Hello Sam"],
    [expect.any(String), "Kim", "Hello Kim"],
  ]);
  expect(hydration).toEqual([]);
});

test("a bad file shows one consistent problem in the preview and Import stays disabled with the reason", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = unique("bad-file");
  await mutate(page.request, "datasets.create", { ...scope, name, description: "" });
  await page.goto(`${PROJECT_URL}/datasets/${name}/import`);
  const csv = "question,expected\nHow?,Like this\nWhy?,Because,extra\nWhen?,Now\n";
  await page.getByLabel("File to import").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  const problems = page.getByRole("region", { name: "Problems in the file" });
  await expect(problems).toContainText("The file has a problem");
  await expect(problems).toContainText("line 3");
  await expect(page.getByText("1 problem", { exact: true })).toBeVisible();
  await expect(page.getByText("No problems found")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  await expect(page.getByTestId("import-blocked-reason")).toContainText("Fix the problem in the file first");
  await snap(page, "dataset-import-bad-file");
});

test("with `tone` on every item, a version that needs it runs without errors, passes the gate and can be requested for production", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "editor@example.com");
  const fields = await query<{ total: number; fields: { name: string; count: number }[] }>(page.request, "datasets.fields", { ...scope, name: DEMO });
  expect(fields.fields.find((f) => f.name === "tone")?.count, "the test before added `tone` to every item").toBe(fields.total);
  const v3 = await query<{ messages: { role: string; content: string }[] }>(page.request, "prompts.version", { ...scope, name: "support/reply", version: 3 });
  const messages = v3.messages.map((m) => (m.role === "system" ? { ...m, content: `${m.content}\nWrite in a {{tone}} tone.` } : m));
  const { version } = await mutate<{ version: number }>(page.request, "prompts.createVersion", {
    ...scope,
    name: "support/reply",
    content: { type: "chat", messages },
    commitMessage: "Reply in the tone the dataset gives",
    basedOnVersion: 3,
  });
  const run = await mutate<{ number: number; itemsTotal: number }>(page.request, "runs.create", {
    ...scope,
    prompt: { name: "support/reply", version },
    dataset: { name: DEMO },
    evaluators: ["greets-customer", "length-limit"],
  });
  await expect
    .poll(async () => (await query<{ status: string }>(page.request, "runs.get", { ...scope, number: run.number })).status, {
      timeout: 150_000,
      intervals: [1000],
    })
    .toBe("completed");
  const finished = await query<{ status: string; error: string | null; summary: { errors: number } }>(page.request, "runs.get", {
    ...scope,
    number: run.number,
  });
  expect(finished.error).toBeNull();
  expect(finished.summary.errors).toBe(0);

  const preview = await query<{ result: { passed: boolean; run: { number: number } | null; reasons: string[] } | null }>(
    page.request,
    "deployments.gatePreview",
    { ...scope, prompt: "support/reply", version, environment: "production" },
  );
  expect(preview.result?.reasons).toEqual([]);
  expect(preview.result?.passed).toBe(true);
  expect(preview.result?.run?.number).toBe(run.number);
  const request = await mutate<{ number: number }>(page.request, "deployments.request", {
    ...scope,
    prompt: "support/reply",
    version,
    environment: "production",
    justification: "Replies follow the tone each customer chose",
  });
  await page.goto(`${PROJECT_URL}/deployments/${request.number}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`#${request.number}`);
  await expect(page.getByText(`run #${run.number}`, { exact: false }).first()).toBeVisible();
  await mutate(page.request, "deployments.cancel", { ...scope, number: request.number, reason: "dataset-bulk e2e done" });
});

test.describe("in a German browser on the other side of the world", () => {
  // The server renders in its own locale and time zone; the browser hydrates in its own. The items
  // page also logged #418 now and then (first seen after the test above): its view sat in a
  // Suspense boundary, which hydrates after the layout, whose datasets.get could answer first.
  test.use({ locale: "de-DE", timezoneId: "Pacific/Auckland" });

  test("no dataset page logs a hydration error, also with 1,000+ items (numbers were locale-formatted: #418)", async ({ page }) => {
    test.setTimeout(240_000);
    const hydration = watchHydration(page);
    await signIn(page, "editor@example.com");
    const big = unique("big");
    await mutate(page.request, "datasets.create", { ...scope, name: big, description: "" });
    await mutate(page.request, "datasets.addItems", {
      ...scope,
      name: big,
      items: Array.from({ length: 1000 }, (_, i) => ({ input: { q: `Question ${i}` } })),
    });
    await mutate(page.request, "datasets.addItems", { ...scope, name: big, items: Array.from({ length: 500 }, (_, i) => ({ input: { q: `More ${i}` } })) });
    const base = `${PROJECT_URL}/datasets`;
    const pages = [base];
    for (const n of [DEMO, big])
      pages.push(`${base}/${n}`, `${base}/${n}/versions`, `${base}/${n}/compare?from=1&to=2`, `${base}/${n}/import`, `${base}/${n}/settings`);
    for (const path of pages) {
      await page.goto(path);
      await expect(page.getByRole("main")).toBeVisible();
      await page.waitForLoadState("networkidle");
    }
    await page.goto(`${base}/${big}`);
    await expect(page.getByText("1,500 items").first()).toBeVisible();
    expect(hydration).toEqual([]);
  });
});
