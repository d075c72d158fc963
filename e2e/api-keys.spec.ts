import { expect, test } from "@playwright/test";
import { PROJECT_URL, signIn, unique } from "./support/helpers";

test("an owner creates an API key, sees the secret once, and revokes it", async ({ page }) => {
  const name = unique("ci-bot");
  await signIn(page, "owner@example.com");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(`${PROJECT_URL}/api-keys`);
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();

  await page.getByRole("button", { name: "Create API key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  // Nothing chosen: both problems are reported next to their fields.
  await dialog.getByRole("checkbox", { name: "prompts:read" }).uncheck();
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByText("Name is required")).toBeVisible();
  await expect(dialog.getByText("Choose at least one scope")).toBeVisible();

  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("checkbox", { name: "prompts:read" }).check();
  await dialog.getByRole("checkbox", { name: "traces:ingest" }).check();
  await dialog.getByRole("button", { name: "Create key" }).click();

  const created = page.getByRole("dialog", { name: "API key created" });
  await expect(created.getByText("Copy the secret now")).toBeVisible();
  const publicKey = await created.getByRole("textbox", { name: "Public id" }).inputValue();
  const secret = await created.getByRole("textbox", { name: "Secret key" }).inputValue();
  expect(publicKey).toMatch(/^pk-keel-/);
  expect(secret).toMatch(/^sk-keel-[\w-]{40,}$/);
  await expect(created.getByRole("button", { name: "Copy secret key" })).toBeVisible();
  await created.getByRole("button", { name: "I have copied the secret" }).click();
  await expect(created).toBeHidden();

  // Listed with its public id and a hint, never the secret.
  const row = page
    .getByRole("table", { name: /API keys of/ })
    .getByRole("row")
    .filter({ hasText: name });
  await expect(row).toContainText(publicKey);
  await expect(row).toContainText(secret.slice(0, "sk-keel-".length + 4));
  await expect(row.getByText("traces:ingest")).toBeVisible();
  await expect(row.getByText("Active")).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  await page.reload();
  expect(await page.content()).not.toContain(secret);

  await page.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Revoke ${name}?` });
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(confirm).toBeHidden();
  await expect(row.getByText("Revoked")).toBeVisible();
  await expect(page.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
});
