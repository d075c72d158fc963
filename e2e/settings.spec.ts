// Project settings: environments (create, protect, unprotect), provider connections with a
// write-only API key, model prices, and the API reference rendered from the OpenAPI document.
import { expect, test } from "@playwright/test";
import { PROJECT_URL, signIn, unique } from "./support/helpers";

test("an admin creates an environment and toggles its protection with a confirmation", async ({ page }) => {
  await signIn(page, "admin@example.com");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Environments" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Environments" })).toBeVisible();
  const name = unique("canary").toLowerCase();
  await page.getByRole("button", { name: "New environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await dialog.getByLabel("Name").fill("Not Valid!");
  await dialog.getByRole("button", { name: "Create environment" }).click();
  await expect(dialog.getByText("Name may use lowercase letters, digits, - and _")).toBeVisible();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Description").fill("A slice of traffic");
  await dialog.getByRole("button", { name: "Create environment" }).click();
  await expect(dialog).toBeHidden();

  const row = page
    .getByRole("table", { name: /Environments of/ })
    .getByRole("row")
    .filter({ hasText: name });
  await expect(row).toContainText("A slice of traffic");
  await expect(row.getByText("Unprotected")).toBeVisible();
  await row.getByRole("button", { name: `Protect ${name}` }).click();
  await page
    .getByRole("alertdialog", { name: `Protect ${name}?` })
    .getByRole("button", { name: "Protect" })
    .click();
  await expect(row.getByText("Protected", { exact: true })).toBeVisible();
  await row.getByRole("button", { name: `Unprotect ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Unprotect ${name}?` });
  await expect(confirm).toContainText("without an approval");
  await confirm.getByRole("button", { name: "Unprotect" }).click();
  await expect(row.getByText("Unprotected")).toBeVisible();
});

test("an admin adds, edits and deletes a provider; its API key is never shown again; prices are overridden", async ({ page }) => {
  await signIn(page, "admin@example.com");
  await page.goto(`${PROJECT_URL}/providers`);
  const table = page.getByRole("table", { name: /Providers of/ });
  const simulated = table.getByRole("row").filter({ hasText: "Simulated" });
  await expect(simulated.getByText("Built-in")).toBeVisible();
  await expect(simulated).toContainText("Offline stand-in: deterministic replies");
  await expect(simulated.getByRole("button")).toHaveCount(0);

  const name = unique("OpenAI team");
  const key = `sk-e2e-${unique("secret")}-abcdefghijklmnop`;
  await page.getByRole("button", { name: "Add provider" }).click();
  const add = page.getByRole("dialog", { name: "Add provider" });
  await add.getByLabel("Name").fill(name);
  await expect(add.getByLabel("Base URL")).toHaveValue("https://api.openai.com/v1");
  await add.getByLabel("API key").fill(key);
  await add.getByLabel("Default model").fill("gpt-4o-mini");
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(add).toBeHidden();
  const row = table.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("gpt-4o-mini");
  await expect(row).toContainText(key.slice(-4));
  expect(await page.content()).not.toContain(key);

  // Editing shows the hint and a "Replace key" affordance, never the key.
  await row.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${name}` });
  await expect(edit.getByRole("button", { name: "Replace key" })).toBeVisible();
  await expect(edit.getByLabel("API key")).toHaveCount(0);
  await edit.getByRole("button", { name: "Replace key" }).click();
  await expect(edit.getByLabel("API key")).toHaveValue("");
  await edit.getByRole("button", { name: "Keep the current key" }).click();
  await edit.getByLabel("Default model").fill("gpt-4.1-mini");
  await edit.getByRole("button", { name: "Save provider" }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText("gpt-4.1-mini");
  await expect(row).toContainText(key.slice(-4));

  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await page
    .getByRole("alertdialog", { name: `Delete ${name}?` })
    .getByRole("button", { name: "Delete provider" })
    .click();
  await expect(row).toHaveCount(0);

  // A project price for a new model.
  const model = unique("e2e-model");
  await page.getByRole("button", { name: "Add price" }).click();
  const price = page.getByRole("dialog", { name: "Add a model price" });
  await price.getByRole("textbox", { name: "Model" }).fill(model);
  await price.getByLabel("Input, $ per 1M tokens").fill("1.5");
  await price.getByLabel("Output, $ per 1M tokens").fill("6");
  await price.getByRole("button", { name: "Save price" }).click();
  const priceRow = page.getByRole("table", { name: "Model prices" }).getByRole("row").filter({ hasText: model });
  await expect(priceRow).toContainText("$1.50");
  await expect(priceRow).toContainText("$6.00");
  await expect(priceRow.getByText("This project")).toBeVisible();
});

test("a viewer sees providers without controls; everyone can read the API reference", async ({ page }) => {
  await signIn(page, "viewer@example.com");
  await page.goto(`${PROJECT_URL}/providers`);
  await expect(
    page
      .getByRole("table", { name: /Providers of/ })
      .getByRole("row")
      .filter({ hasText: "Simulated" }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Add provider" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add price" })).toHaveCount(0);
  await expect(page.getByRole("table", { name: "Model prices" }).getByRole("button")).toHaveCount(0);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  const endpoint = page.getByRole("region", { name: "GET /api/public/v1/prompts/{name}", exact: true });
  await expect(endpoint).toContainText("scope prompts:read");
  await expect(endpoint).toContainText("label");
  await expect(endpoint.getByText(/curl ".*\/api\/public\/v1\/prompts\/<name>"/)).toBeVisible();
  await expect(endpoint).toContainText('-H "Authorization: Bearer $KEEL_SECRET_KEY"');
  await expect(
    page
      .getByRole("navigation", { name: "Endpoints" })
      .getByRole("link", { name: /Fetch a prompt/ })
      .first(),
  ).toBeVisible();
});
