// The playground: a draft run streams the reply token by token and reports usage; variables are
// checked before the run; failures show inline; a draft is saved as a new prompt.
import { expect, test } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";
import { fillEditor, promptUrl } from "./support/prompts";

test("a draft runs on the Simulated provider with streamed output, and is saved as a new prompt", async ({ page }) => {
  await signIn(page, "editor@example.com");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playground" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Playground" })).toBeVisible();
  await expect(page.getByLabel("Prompt", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("Provider").locator("option:checked")).toHaveText(/Simulated/);
  await expect(page.getByText("An offline stand-in for a real model: deterministic replies")).toBeVisible();

  await fillEditor(page.getByRole("textbox", { name: "Content of message 1 (system)" }), "You write short summaries.");
  await fillEditor(
    page.getByRole("textbox", { name: "Content of message 2 (user)" }),
    "Summarise {{topic}} for a customer who asked about their refund status yesterday evening.",
  );
  // A blank field is no value: without a default the variable is required and Run is refused.
  await expect(page.getByRole("list", { name: "Variable report" })).toContainText("Missing variables: topic");
  await page.getByLabel("topic").fill("our refund policy");
  await expect(page.getByText("Every variable has a value.")).toBeVisible();

  const output = page.getByLabel("Model output");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  const result = page.getByRole("status", { name: "Run result" });
  await expect(result).toContainText("Tokens in", { timeout: 20_000 });
  await expect(output).toContainText("[Simulated]");
  // It answers from the instructions and the question (what it is about), not by echoing the input.
  await expect(output).toContainText("refund");
  await expect(output).not.toContainText("Summarise our refund policy");
  // The reply arrived as a stream of deltas (the Simulated provider sends it word by word).
  expect(Number(await output.getAttribute("data-deltas"))).toBeGreaterThan(3);
  await expect(result).toContainText(/Tokens out\s*[1-9]/);
  await expect(result).toContainText("simulated, no cost");

  // Save the draft as a new prompt.
  const name = `playground/${unique("summary")}`;
  await page.getByRole("button", { name: "Save as new version" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as a new prompt" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByLabel("Prompt name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Prompt name")).toBeFocused();
  await expect(dialog.getByText("Prompt name is required")).toBeVisible();
  await expect(dialog.getByText("Commit message is required: say what changed")).toBeVisible();
  await dialog.getByLabel("Prompt name").fill(name);
  await dialog.getByLabel("Commit message").fill("From the playground");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(`${promptUrl(name)}?saved=1`);
  await expect(page.getByRole("region", { name: /^Version 1/ })).toContainText("Summarise {{topic}}");
});

test("an edited version is saved from the playground; a failing provider shows its error inline", async ({ page, browser }) => {
  // An admin adds a provider that cannot be reached.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@example.com");
  const providerName = unique("Unreachable");
  const provider = await mutate<{ id: string }>(admin.request, "providers.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name: providerName,
    kind: "openai_compatible",
    baseUrl: "http://127.0.0.1:9/v1",
    apiKey: "sk-unreachable-123456",
    defaultModel: "gpt-test",
  });

  await signIn(page, "editor@example.com");
  const name = unique("pg-edit");
  await mutate(page.request, "prompts.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
    description: "",
    tags: [],
    content: { type: "text", template: "Say hello to {{name}}.", config: {} },
    commitMessage: "First",
  });
  await page.goto(`${PROJECT_URL}/playground?prompt=${encodeURIComponent(name)}&version=1`);
  const template = page.getByRole("textbox", { name: "Template" });
  await expect(template).toHaveText("Say hello to {{name}}.");
  await expect(page.getByRole("button", { name: "Save as new version" })).toBeDisabled();

  await page.getByLabel("Provider").selectOption({ label: providerName });
  await page.getByLabel("name", { exact: true }).fill("Ada");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const problems = page.getByRole("region", { name: "Run problems" });
  await expect(problems).toContainText("The run failed", { timeout: 30_000 });

  // Edit the template and save it as version 2.
  await fillEditor(template, "Say hello to {{name}}, warmly.");
  await expect(page.getByText("Edited", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Save as new version" }).click();
  const dialog = page.getByRole("dialog", { name: `Save as version 2 of ${name}` });
  await dialog.getByLabel("Commit message").fill("Warmer");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(`${promptUrl(name)}?saved=2`);
  await expect(page.getByRole("region", { name: /^Version 2/ })).toContainText("warmly");

  await mutate(admin.request, "providers.delete", { orgSlug: ORG, projectSlug: PROJECT, id: provider.id });
  await adminContext.close();
});
