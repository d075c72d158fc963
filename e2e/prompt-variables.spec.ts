// Variables are a contract, and the prompt forms say what is wrong before saving: an empty
// message and an unclosed {{ are refused with field errors (the {{ flagged as you type, with its
// position); a new version declares a default for a variable; the playground then shows which
// variable uses its default and which is required, and refuses Run with "Missing variables: …".
import { expect, test } from "@playwright/test";
import { PROJECT_URL, signIn, unique } from "./support/helpers";
import { createChatPrompt, fillEditor, promptUrl, reviewAndSave } from "./support/prompts";

test("new prompts refuse empty messages and an unclosed {{, flagged as typed", async ({ page }) => {
  await signIn(page, "editor@example.com");
  await page.goto(`${PROJECT_URL}/prompts/new`);
  const form = page.getByRole("form", { name: "New prompt" });
  await expect(form).toBeVisible();
  await form.getByLabel("Name").fill(`e2e/${unique("vars")}`);
  const system = form.getByRole("textbox", { name: "Content of message 1 (system)" });
  const user = form.getByRole("textbox", { name: "Content of message 2 (user)" });
  await fillEditor(system, "You help {{company}}.");

  // The user message is empty: refused with a field error, nothing saved.
  await form.getByRole("button", { name: "Create prompt" }).click();
  await expect(form.getByText("Message 2 is empty: write its content or remove it").first()).toBeVisible();
  await expect(page).toHaveURL(/\/prompts\/new$/);

  // An unclosed {{ is flagged while typing, with its position, and the save is refused.
  await fillEditor(user, "Answer {{question");
  await expect(form.getByText("{{ is never closed with }} (line 1, column 8)").first()).toBeVisible();
  await expect(user).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator(".cm-template-error")).toHaveCount(1);
  await form.getByRole("button", { name: "Create prompt" }).click();
  await expect(page).toHaveURL(/\/prompts\/new$/);

  // Closing it clears the flag; the prompt saves.
  await fillEditor(user, "Answer {{question}}");
  await expect(form.locator(".cm-template-error")).toHaveCount(0);
  await expect(user).not.toHaveAttribute("aria-invalid", "true");
  await form.getByRole("button", { name: "Create prompt" }).click();
  await expect(page).not.toHaveURL(/\/prompts\/new$/);
});

test("a version declares a default; the playground says which variable uses it and which is required", async ({ page }) => {
  await signIn(page, "editor@example.com");
  const name = `e2e/${unique("tone")}`;
  await createChatPrompt(page.request, name, [
    { role: "system", content: "Answer in a {{tone}} tone." },
    { role: "user", content: "{{question}}" },
  ]);

  // Version 2 declares a default for tone and a description for question.
  await page.goto(promptUrl(name, "edit"));
  const table = page.getByRole("table", { name: "Declared variables" });
  await expect(table.locator("tbody tr td:first-child")).toHaveText(["tone", "question"]);
  await page.getByLabel("tone has a default").check();
  await page.getByLabel("Default of tone").fill("friendly");
  await page.getByLabel("Description of question").fill("What the customer asked");
  await reviewAndSave(page, "Default tone", 2);
  await expect(page.getByRole("status").filter({ hasText: "Version 2 saved." })).toBeVisible();
  const variables = page.getByLabel("Variables", { exact: true });
  await expect(variables).toContainText("default friendly");
  await expect(variables).toContainText("required");
  await expect(variables).toContainText("What the customer asked");

  // The playground: tone uses its default, question is required and Run is refused without it.
  await page.getByRole("link", { name: "Open in playground" }).click();
  await expect(page).toHaveURL(/version=2/);
  await expect(page.getByTestId("variable-status-tone")).toHaveText("uses default: friendly");
  await expect(page.getByTestId("variable-status-question")).toHaveText("required");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByRole("region", { name: "Run problems" })).toContainText("Missing variables: question");

  await page.getByLabel("question").fill("Where is my parcel?");
  await expect(page.getByTestId("variable-status-question")).toHaveCount(0);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const output = page.getByLabel("Model output");
  await expect(output).toContainText("[Simulated]", { timeout: 20_000 });
  await expect(page.getByText("Missing variables: question")).toHaveCount(0);
});
