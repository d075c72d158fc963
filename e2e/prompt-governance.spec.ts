// The guard rails around prompts: protected environments, unsaved edits, concurrent saves,
// identical saves, and read-only access for viewers.
import { expect, test, type Browser } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";
import { createChatPrompt, fillEditor, promptUrl } from "./support/prompts";

async function signedInPage(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return { page, close: () => context.close() };
}

test("production is protected: an admin protects it, and an editor sees why it cannot be moved", async ({ page, browser }) => {
  // The admin protects production on the environments page (unless an earlier run did).
  const admin = await signedInPage(browser, "admin@example.com");
  await admin.page.goto(`${PROJECT_URL}/environments`);
  const table = admin.page.getByRole("table", { name: /Environments of/ });
  const row = table.getByRole("row").filter({ hasText: "production" });
  if ((await row.getByText("Unprotected").count()) > 0) {
    await row.getByRole("button", { name: "Protect production" }).click();
    const dialog = admin.page.getByRole("alertdialog", { name: "Protect production?" });
    await dialog.getByRole("button", { name: "Protect" }).click();
    await expect(dialog).toBeHidden();
  }
  await expect(row.getByText("Protected")).toBeVisible();
  await expect(row.getByRole("button", { name: "Unprotect production" })).toBeVisible();
  await admin.close();

  await signIn(page, "editor@example.com");
  const name = unique("protected-demo");
  await createChatPrompt(page.request, name, [{ role: "user", content: "Hello {{name}}" }]);
  await page.goto(promptUrl(name));
  const production = page.getByRole("listitem", { name: "Environment production" });
  await expect(production).toContainText("approvals of deployment requests will move this label");
  await expect(production.getByRole("combobox")).toHaveCount(0);
  await expect(production.getByRole("button", { name: /Move/ })).toHaveCount(0);
  // Unprotected ones still move; and the server refuses production whatever the UI shows.
  await expect(page.getByRole("listitem", { name: "Environment staging" }).getByRole("button", { name: /Move staging/ })).toBeVisible();
  await expect(mutate(page.request, "prompts.moveLabel", { orgSlug: ORG, projectSlug: PROJECT, name, label: "production", version: 1 })).rejects.toThrow(
    /403.*protected environment/,
  );
  // Editors cannot change protection.
  await page.goto(`${PROJECT_URL}/environments`);
  await expect(page.getByRole("table", { name: /Environments of/ }).getByRole("button")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New environment" })).toHaveCount(0);
});

test("unsaved edits are guarded on in-app navigation, cancel and unload", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = unique("guarded");
  await createChatPrompt(page.request, name, [{ role: "system", content: "Be helpful." }]);
  await page.goto(promptUrl(name, "edit"));
  const editor = page.getByRole("textbox", { name: "Content of message 1 (system)" });
  await expect(editor).toHaveText("Be helpful.");
  await expect(page.getByText("No changes")).toBeVisible();
  await fillEditor(editor, "Be very helpful.");
  await expect(page.getByText("Unsaved changes")).toBeVisible();

  // A sidebar link asks first; keeping the edits stays on the page with the text intact.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Prompts" }).click();
  const ask = page.getByRole("alertdialog", { name: "Discard unsaved changes?" });
  await expect(ask).toBeVisible();
  await ask.getByRole("button", { name: "Keep editing" }).click();
  await expect(ask).toBeHidden();
  await expect(page).toHaveURL(promptUrl(name, "edit"));
  await expect(editor).toHaveText("Be very helpful.");

  // Closing the tab triggers the browser's own beforeunload prompt.
  const unload = new Promise<string>((resolve) => page.once("dialog", (d) => (resolve(d.type()), void d.dismiss())));
  const closing = page.close({ runBeforeUnload: true });
  expect(await unload).toBe("beforeunload");
  await closing.catch(() => {});
});

test("cancel asks before discarding, and discarding returns to the prompt", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = unique("cancelled");
  await createChatPrompt(page.request, name, [{ role: "system", content: "Be helpful." }]);
  await page.goto(promptUrl(name, "edit"));
  await fillEditor(page.getByRole("textbox", { name: "Content of message 1 (system)" }), "Changed");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("alertdialog", { name: "Discard unsaved changes?" }).getByRole("button", { name: "Discard changes" }).click();
  await expect(page).toHaveURL(promptUrl(name));
  await expect(page.getByRole("table", { name: `Versions of ${name}` }).getByRole("row")).toHaveCount(2);
});

test("a save based on an outdated version is refused with the other author's changes; identical saves are explained", async ({ page, browser }) => {
  await signIn(page, "editor@example.com");
  const name = unique("contested");
  await createChatPrompt(page.request, name, [{ role: "system", content: "Answer politely." }]);
  const other = await signedInPage(browser, "admin@example.com");

  // Both open the editor on version 1.
  await page.goto(promptUrl(name, "edit"));
  await other.page.goto(promptUrl(name, "edit"));
  const mine = page.getByRole("textbox", { name: "Content of message 1 (system)" });
  const theirs = other.page.getByRole("textbox", { name: "Content of message 1 (system)" });
  await expect(mine).toHaveText("Answer politely.");
  await expect(theirs).toHaveText("Answer politely.");

  // The admin saves first.
  await fillEditor(theirs, "Answer politely and in English.");
  await other.page.getByRole("button", { name: "Review and save" }).click();
  const otherReview = other.page.getByRole("dialog", { name: "Review and save version 2" });
  await otherReview.getByLabel("Commit message").fill("English only");
  await otherReview.getByRole("button", { name: "Save version 2" }).click();
  await expect(other.page).toHaveURL(/\?saved=2$/);
  await other.close();

  // The editor's save is refused, with the server's explanation and the other author's diff.
  await fillEditor(mine, "Answer politely, in two sentences at most.");
  await page.getByRole("button", { name: "Review and save" }).click();
  let review = page.getByRole("dialog", { name: "Review and save version 2" });
  await review.getByLabel("Commit message").fill("Shorter answers");
  await review.getByRole("button", { name: "Save version 2" }).click();
  const problems = review.getByRole("region", { name: "Save problems" });
  await expect(problems).toContainText("Someone saved a newer version");
  await expect(problems).toContainText("Version 2 was saved by admin@example.com after you started from version 1");
  const their = review.getByRole("region", { name: "Their changes: version 1 → version 2" });
  await expect(their.locator("ins").filter({ hasText: "and in English" })).toBeVisible();
  await expect(review.getByRole("button", { name: "Save version 2" })).toBeDisabled();

  // Deciding to keep the edit: the review now compares with version 2 and saves version 3.
  await review.getByRole("button", { name: "Keep my edits and save on top of version 2" }).click();
  review = page.getByRole("dialog", { name: "Review and save version 3" });
  await expect(review).toContainText("Changes compared with version 2, the latest.");
  await review.getByRole("button", { name: "Save version 3" }).click();
  await expect(page).toHaveURL(/\?saved=3$/);

  // Saving the same content again is refused, and the dialog says why.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByText("No changes")).toBeVisible();
  await page.getByRole("button", { name: "Review and save" }).click();
  review = page.getByRole("dialog", { name: "Review and save version 4" });
  await review.getByLabel("Commit message").fill("Nothing really");
  await review.getByRole("button", { name: "Save version 4" }).click();
  await expect(review.getByRole("region", { name: "Save problems" })).toContainText("Nothing changed: this is identical to version 3");
});

test("a viewer sees prompts read-only", async ({ page, browser }) => {
  const name = unique("read-only");
  const editor = await signedInPage(browser, "editor@example.com");
  await createChatPrompt(editor.page.request, name, [{ role: "user", content: "Hi {{name}}" }]);
  await editor.close();

  await signIn(page, "viewer@example.com");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Playground" })).toHaveCount(0);
  await nav.getByRole("link", { name: "Prompts" }).click();
  await expect(page.getByRole("link", { name: "New prompt" })).toHaveCount(0);
  await page.getByRole("searchbox", { name: "Search" }).fill(name);
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("region", { name: /^Version 1/ })).toContainText("Hi {{name}}");
  await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit details" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Open in playground" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Move / })).toHaveCount(0);
  await expect(page.getByText("Your role cannot move labels")).toBeVisible();

  await page.goto(promptUrl(name, "edit"));
  await expect(page.getByText("Your role cannot edit prompts")).toBeVisible();
  await page.goto(`${PROJECT_URL}/playground`);
  await expect(page.getByText("Your role cannot use the playground")).toBeVisible();
});
