import { expect, test, type Page } from "@playwright/test";
import { PROJECT_URL, signIn, unique } from "./support/helpers";

function itemsTable(page: Page) {
  return page.getByRole("table", { name: /^Items of / });
}

async function addItem(page: Page, item: { question: string; expected: string; tags: string }, firstKey = false) {
  await page.getByRole("button", { name: "Add item" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add item" });
  if (firstKey) {
    await dialog.getByLabel("Key of new field 1").fill("question");
    await dialog.getByLabel("Value of new field 1").fill(item.question);
  } else {
    await dialog.getByLabel("question", { exact: true }).fill(item.question);
  }
  await dialog.getByLabel("Expected output", { exact: true }).fill(item.expected);
  await dialog.getByLabel("Tags").fill(item.tags);
  await dialog.getByRole("button", { name: "Add item" }).click();
  await expect(dialog).toBeHidden();
}

test("an editor builds a dataset, edits, filters, tags, archives and compares versions; a viewer only reads", async ({ page, browser }) => {
  const name = unique("faq");
  await signIn(page, "editor@example.com");
  await page.goto(`${PROJECT_URL}/datasets`);
  await expect(page.getByRole("heading", { level: 1, name: "Datasets" })).toBeVisible();

  // Create: a bad schema is refused on its field, then the dataset is created.
  await page.getByRole("button", { name: "New dataset" }).click();
  const create = page.getByRole("dialog", { name: "New dataset" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Description").fill("Questions customers ask support");
  await create.getByLabel("Input schema").fill("{ not json");
  await create.getByRole("button", { name: "Create dataset" }).click();
  await expect(create.getByText(/Not valid JSON/)).toBeVisible();
  await create.getByLabel("Input schema").fill('{ "type": "object", "required": ["question"] }');
  await create.getByRole("button", { name: "Create dataset" }).click();
  await expect(page).toHaveURL(new RegExp(`/datasets/${name}$`));
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("No items yet")).toBeVisible();

  // Add three items through the form.
  await addItem(page, { question: "How do I reset my password?", expected: "Use the reset link on the sign-in page.", tags: "train" }, true);
  await expect(page.getByText("Item added in version 1.")).toBeVisible();
  await addItem(page, { question: "Where is my invoice?", expected: "Billing > Invoices.", tags: "train" });
  await addItem(page, { question: "Cancel my subscription", expected: "Settings > Plan > Cancel.", tags: "test" });
  await expect(page.getByText("Item added in version 3.")).toBeVisible();
  await expect(itemsTable(page).getByRole("row")).toHaveCount(4);
  await expect(page.getByText("3 items", { exact: true }).first()).toBeVisible();

  // Edit item #1 as a form.
  await itemsTable(page)
    .getByRole("button", { name: /Open item #1:/ })
    .click();
  let item = page.getByRole("dialog", { name: "Item #1" });
  await expect(item.getByText("How do I reset my password?")).toBeVisible();
  await item.getByRole("button", { name: "Edit" }).click();
  await item.getByLabel("question", { exact: true }).fill("How do I reset my password quickly?");
  await item.getByLabel("Change message").fill("Sharper question");
  await item.getByRole("button", { name: "Save new version" }).click();
  await expect(page.getByText("Saved. The dataset is now at version 4.")).toBeVisible();
  await expect(item.getByText("How do I reset my password quickly?")).toBeVisible();
  await expect(item.getByRole("list", { name: "Revisions" }).getByRole("listitem")).toHaveCount(2);
  await item.getByRole("button", { name: "Close", exact: true }).click();
  await expect(item).toBeHidden();

  // Edit item #2 as JSON: invalid JSON is caught on the field, a schema violation by the server.
  await itemsTable(page)
    .getByRole("button", { name: /Open item #2:/ })
    .click();
  item = page.getByRole("dialog", { name: "Item #2" });
  await item.getByRole("button", { name: "Edit" }).click();
  await item.getByRole("button", { name: "JSON" }).click();
  const json = item.getByLabel("Item as JSON");
  await json.fill('{ "input": { "question": ');
  await item.getByRole("button", { name: "Save new version" }).click();
  await expect(item.getByText(/Not valid JSON/)).toBeVisible();
  await json.fill('{ "input": { "topic": "billing" }, "expected": null }');
  await item.getByRole("button", { name: "Save new version" }).click();
  await expect(item.getByText(/question is required by the dataset's schema/)).toBeVisible();
  await json.fill('{ "input": { "question": "Where can I download my invoice?" }, "expected": { "answer": "Billing page" }, "tags": ["train"] }');
  await item.getByRole("button", { name: "Save new version" }).click();
  await expect(page.getByText("Saved. The dataset is now at version 5.")).toBeVisible();
  await expect(item.getByLabel("Expected output (JSON)")).toContainText('"answer": "Billing page"');
  await page.keyboard.press("Escape");
  await expect(item).toBeHidden();

  // Search (server full text) and the tag filter, both in the address.
  const filters = page.getByRole("search", { name: "Filter items" });
  await filters.getByLabel("Search").fill("invoice");
  await expect(page).toHaveURL(/q=invoice/);
  await expect(itemsTable(page).getByRole("row")).toHaveCount(2);
  await expect(itemsTable(page)).toContainText("Where can I download my invoice?");
  await filters.getByLabel("Search").fill("");
  await expect(itemsTable(page).getByRole("row")).toHaveCount(4);
  await filters.getByLabel("Tag", { exact: true }).selectOption({ label: "test (1)" });
  await expect(page).toHaveURL(/tag=test/);
  await expect(itemsTable(page).getByRole("row")).toHaveCount(2);
  await expect(itemsTable(page)).toContainText("Cancel my subscription");
  await filters.getByRole("button", { name: "Clear filters" }).click();
  await expect(itemsTable(page).getByRole("row")).toHaveCount(4);

  // Bulk tag items #1 and #2.
  await itemsTable(page).getByLabel("Select item #1").check();
  await itemsTable(page).getByLabel("Select item #2").check();
  await expect(page.getByRole("region", { name: "Selection" })).toContainText("2 selected");
  await page.getByRole("button", { name: "Tag…" }).click();
  const tagDialog = page.getByRole("dialog", { name: "Tag 2 items" });
  await tagDialog.getByLabel("Add tags").fill("regression");
  await tagDialog.getByRole("button", { name: "Apply tags" }).click();
  await expect(page.getByText("Tags changed on 2 items in version 6.")).toBeVisible();
  await expect(filters.getByLabel("Tag", { exact: true }).locator("option", { hasText: "regression (2)" })).toHaveCount(1);

  // Archive item #3.
  await itemsTable(page).getByLabel("Select item #3").check();
  await page.getByRole("button", { name: "Archive…" }).click();
  const archive = page.getByRole("alertdialog", { name: "Archive 1 item?" });
  await archive.getByLabel("Change message").fill("Duplicate of a help article");
  await archive.getByRole("button", { name: "Archive" }).click();
  await expect(page.getByText("1 item archived in version 7. Earlier versions keep them.")).toBeVisible();
  await expect(itemsTable(page).getByRole("row")).toHaveCount(3);

  // Versions list.
  await page.getByRole("navigation", { name: "Dataset" }).getByRole("link", { name: "Versions" }).click();
  const versions = page.getByRole("table", { name: `Versions of ${name}` });
  await expect(versions.getByRole("row")).toHaveCount(8);
  await expect(versions.getByRole("row").nth(1)).toContainText("Archived");
  await expect(versions.getByRole("row").nth(1)).toContainText("Duplicate of a help article");
  await expect(versions.getByRole("row").nth(2)).toContainText("Tagged");
  await expect(versions.getByRole("row").nth(4)).toContainText("Sharper question");
  await expect(versions.getByRole("row").nth(4)).toContainText("Edited");

  // Compare version 1 with the latest.
  const compareForm = page.getByRole("form", { name: "Compare versions" });
  await compareForm.getByLabel("From (older)").selectOption({ label: "Version 1" });
  await compareForm.getByRole("button", { name: "Compare" }).click();
  await expect(page).toHaveURL(/\/compare\?from=1&to=7/);
  const show = page.getByRole("group", { name: "Show" });
  await expect(show.getByRole("button", { name: "Added 1" })).toBeVisible();
  await expect(show.getByRole("button", { name: "Changed 1" })).toBeVisible();
  await expect(show.getByRole("button", { name: "Removed 0" })).toBeVisible();
  const differences = page.getByRole("region", { name: "Differences" });
  const changed = differences.getByRole("listitem", { name: "Item #1, changed" });
  await expect(changed).toContainText("input.question");
  await expect(changed.locator("ins", { hasText: "quickly" })).toBeVisible();
  await expect(changed).toContainText("regression");
  await expect(differences.getByRole("listitem", { name: "Item #2, added" })).toContainText("Where can I download my invoice?");
  await show.getByRole("button", { name: "Added 1" }).click();
  await expect(page).toHaveURL(/kind=added/);
  await expect(differences.getByRole("listitem", { name: /changed/ })).toHaveCount(0);

  // A viewer reads the same dataset but sees no write actions.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/datasets/${name}`);
  await expect(viewer.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(itemsTable(viewer).getByRole("row")).toHaveCount(3);
  await expect(viewer.getByRole("button", { name: "Add item" })).toHaveCount(0);
  await expect(itemsTable(viewer).getByRole("checkbox")).toHaveCount(0);
  const tabs = viewer.getByRole("navigation", { name: "Dataset" });
  await expect(tabs.getByRole("link", { name: "Items" })).toBeVisible();
  await expect(tabs.getByRole("link", { name: "Import" })).toHaveCount(0);
  await expect(tabs.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: /Export version 7 as CSV/ })).toBeVisible();
  await itemsTable(viewer)
    .getByRole("button", { name: /Open item #1:/ })
    .click();
  const viewerItem = viewer.getByRole("dialog", { name: "Item #1" });
  await expect(viewerItem.getByText("How do I reset my password quickly?")).toBeVisible();
  await expect(viewerItem.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await viewer.goto(`${PROJECT_URL}/datasets`);
  await expect(viewer.getByRole("link", { name })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "New dataset" })).toHaveCount(0);
  await viewerContext.close();
});
