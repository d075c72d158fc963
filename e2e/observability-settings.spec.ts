// Observability settings: the owner changes retention (refused values stay on their field), adds
// a PII guardrail, edits it to flag, switches it off and deletes it; adds an online evaluator at
// 50 % and a negative-feedback routing rule; sets an API key's gateway rate limit. A viewer sees the
// same page with nothing to change. Demo settings touched here are put back at the end, since
// other specs rely on the demo's gateway key limits and retention.
import { mkdirSync } from "node:fs";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { PROJECT_URL, signIn, unique } from "./support/helpers";

const SETTINGS_URL = `${PROJECT_URL}/observability/settings`;
const SHOTS = "/tmp/shots";

async function shot(target: Page | Locator, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await target.screenshot({ path: `${SHOTS}/observability-settings-${name}.png`, ...("goto" in target ? { fullPage: true } : {}) });
}

function section(page: Page, title: string) {
  return page.getByRole("region", { name: title, exact: true });
}

test("the owner changes retention and routing, guardrails, online evaluators and rules", async ({ page }) => {
  await signIn(page, "owner@example.com");
  await page.goto(SETTINGS_URL);
  await expect(page.getByRole("heading", { level: 1, name: "Observability settings" })).toBeVisible();

  // Retention and routing: what the form refuses stays on its field; a fallback must differ.
  const routing = page.getByRole("form", { name: "Retention and gateway routing" });
  const retention = routing.getByLabel("Retention (days)");
  await expect(retention).toHaveValue("30");
  await expect(routing.getByLabel("Gateway connection")).toHaveValue(/.+/);
  await expect(routing.getByText("retried once on this connection")).toBeVisible();
  await retention.fill("400");
  await routing.getByRole("button", { name: "Save settings" }).click();
  await expect(retention).toHaveAttribute("aria-invalid", "true");
  await expect(routing.getByText("Retention must be at most 365 days")).toBeVisible();
  await retention.fill("45");
  const gatewayConnection = await routing.getByLabel("Gateway connection").inputValue();
  await routing.getByLabel("Fallback connection").selectOption(gatewayConnection);
  await routing.getByRole("button", { name: "Save settings" }).click();
  await expect(routing.getByText("Fallback connection must differ from the gateway connection")).toBeVisible();
  await routing.getByLabel("Fallback connection").selectOption("");
  await routing.getByLabel("Timeout (ms)").fill("20000");
  await routing.getByRole("button", { name: "Save settings" }).click();
  await expect(section(page, "Retention and gateway routing").getByRole("status").first()).toHaveText("Settings saved");
  await page.reload();
  await expect(page.getByLabel("Retention (days)")).toHaveValue("45");
  await expect(page.getByLabel("Timeout (ms)")).toHaveValue("20000");
  await shot(section(page, "Retention and gateway routing"), "routing");

  // Endpoints for copying, with an example that calls a deployed demo prompt.
  const endpoints = section(page, "Endpoints");
  await expect(endpoints.getByRole("textbox", { name: "OTLP endpoint" })).toHaveValue(/^http:\/\/[^/]+\/api\/public\/otel$/);
  await expect(endpoints.getByRole("textbox", { name: "Gateway base URL" })).toHaveValue(/^http:\/\/[^/]+\/api\/gateway\/v1$/);
  await expect(endpoints).toContainText('model: "prompt:support/reply@production"');
  await expect(endpoints).toContainText("variables:");
  await shot(endpoints, "endpoints");

  // Guardrails: the demo's are listed; add a PII guardrail that blocks, for every prompt.
  const guardrails = section(page, "Guardrails");
  const table = guardrails.getByRole("table", { name: /Guardrails of/ });
  await expect(table.getByRole("row").filter({ hasText: "Block card numbers and IBANs" })).toContainText("All prompts");
  await shot(guardrails, "guardrails");
  const name = unique("No contact details");
  await guardrails.getByRole("button", { name: "Add guardrail" }).click();
  const add = page.getByRole("dialog", { name: "Add guardrail" });
  await add.getByRole("button", { name: "Add guardrail" }).click();
  await expect(add.getByText("Name is required")).toBeVisible();
  await add.getByLabel("Name", { exact: true }).fill(name);
  // A JSON Schema's syntax is checked before anything is sent.
  await add.getByLabel("Check", { exact: true }).selectOption("json_schema");
  await expect(add.getByRole("radio", { name: "Input", exact: true })).toBeDisabled();
  await add.getByLabel("Schema").fill('{ "type": "object", ');
  await add.getByRole("button", { name: "Add guardrail" }).click();
  await expect(add.getByText(/^Schema is not valid JSON/)).toBeVisible();
  await add.getByLabel("Schema").fill('{ "type": "no-such-type" }');
  await add.getByRole("button", { name: "Add guardrail" }).click();
  await expect(add.getByText(/^Schema is not a valid JSON Schema/)).toBeVisible();
  await add.getByLabel("Check", { exact: true }).selectOption("pii");
  await add.getByRole("checkbox", { name: "Card numbers" }).uncheck();
  await add.getByRole("checkbox", { name: "IBANs" }).uncheck();
  await add.getByRole("radio", { name: "Input", exact: true }).check();
  await expect(add.getByRole("radio", { name: "Block", exact: true })).toBeChecked();
  await expect(add.getByLabel("Prompt", { exact: true })).toHaveValue("");
  await expect(add.getByLabel("Environment", { exact: true })).toHaveValue("");
  await shot(add, "guardrail-dialog");
  await add.getByRole("button", { name: "Add guardrail" }).click();
  await expect(add).toBeHidden();
  const row = table.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("PII");
  await expect(row).toContainText("email, phone (detect)");
  await expect(row).toContainText("Block");
  await expect(row).toContainText("All prompts");
  await expect(row).toContainText("All environments");
  await expect(guardrails.getByRole("status").first()).toHaveText(`${name} was added`);

  // Edit it to flag; the dialog starts from what was saved.
  await row.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("dialog", { name: "Edit guardrail" });
  await expect(edit.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expect(edit.getByRole("checkbox", { name: "Card numbers" })).not.toBeChecked();
  await edit.getByRole("radio", { name: "Flag", exact: true }).check();
  await edit.getByRole("button", { name: "Save guardrail" }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText("Flag");

  // Switch it off from the list, then delete it.
  const enabled = row.getByRole("switch", { name: `${name} enabled` });
  await expect(enabled).toHaveAttribute("aria-checked", "true");
  await enabled.click();
  await expect(enabled).toHaveAttribute("aria-checked", "false");
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Delete ${name}?` });
  await confirm.getByRole("button", { name: "Delete guardrail" }).click();
  await expect(confirm).toBeHidden();
  await expect(table.getByRole("row").filter({ hasText: name })).toHaveCount(0);

  // Online evaluators: an evaluator that needs an expected output is called out.
  const online = section(page, "Online evaluators");
  await expect(online.getByRole("row").filter({ hasText: "length-limit" })).toContainText("50 %");
  await online.getByRole("button", { name: "Add online evaluator" }).click();
  const addOnline = page.getByRole("dialog", { name: "Add online evaluator" });
  await addOnline.getByLabel("Evaluator", { exact: true }).selectOption("answer-similarity");
  await expect(addOnline.getByText("This evaluator compares with an expected output")).toBeVisible();
  await addOnline.getByLabel("Evaluator", { exact: true }).selectOption("valid-json");
  await expect(addOnline.getByText("This evaluator compares with an expected output")).toHaveCount(0);
  await addOnline.getByLabel("Sample rate (%)").fill("0");
  await addOnline.getByRole("button", { name: "Add online evaluator" }).click();
  await expect(addOnline.getByText("Sample rate must be a percentage from 1 to 100")).toBeVisible();
  await addOnline.getByLabel("Sample rate (%)").fill("50");
  await addOnline.getByLabel("Prompt", { exact: true }).selectOption("support/triage");
  await addOnline.getByLabel("Environment", { exact: true }).selectOption("production");
  await shot(addOnline, "online-evaluator-dialog");
  await addOnline.getByRole("button", { name: "Add online evaluator" }).click();
  await expect(addOnline).toBeHidden();
  const onlineRow = online.getByRole("row").filter({ hasText: "valid-json" });
  await expect(onlineRow).toContainText("50 %");
  await expect(onlineRow).toContainText("support/triage");
  await expect(onlineRow).toContainText("production");
  await shot(online, "online-evaluators");
  // The same evaluator on the same scope twice is refused, on the evaluator field.
  await online.getByRole("button", { name: "Add online evaluator" }).click();
  await addOnline.getByLabel("Evaluator", { exact: true }).selectOption("valid-json");
  await addOnline.getByLabel("Prompt", { exact: true }).selectOption("support/triage");
  await addOnline.getByLabel("Environment", { exact: true }).selectOption("production");
  await addOnline.getByRole("button", { name: "Add online evaluator" }).click();
  await expect(addOnline.getByLabel("Evaluator", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(addOnline.getByText('"valid-json" already runs on support/triage in production')).toBeVisible();
  await addOnline.getByRole("button", { name: "Cancel" }).click();
  await onlineRow.getByRole("button", { name: /^Delete valid-json/ }).click();
  await page.getByRole("alertdialog", { name: "Delete this online evaluator?" }).getByRole("button", { name: "Delete online evaluator" }).click();
  await expect(onlineRow).toHaveCount(0);

  // Trace routing rules: a score_below rule needs a score name; a negative-feedback rule does not.
  const rules = section(page, "Trace routing rules");
  const ruleName = unique("Unhappy customers");
  await rules.getByRole("button", { name: "Add rule" }).click();
  const addRule = page.getByRole("dialog", { name: "Add rule" });
  await addRule.getByLabel("Name", { exact: true }).fill(ruleName);
  await addRule.getByRole("radio", { name: "Score below a threshold" }).check();
  await addRule.getByLabel("Threshold", { exact: true }).fill("3");
  await addRule.getByLabel("Queue", { exact: true }).selectOption("support-reply-review");
  await addRule.getByRole("button", { name: "Add rule" }).click();
  await expect(addRule.getByText("Score name is required for a score_below rule")).toBeVisible();
  await addRule.getByRole("radio", { name: "Negative feedback" }).check();
  await addRule.getByLabel("Threshold", { exact: true }).fill("");
  await addRule.getByLabel("Score name", { exact: true }).fill("user-feedback");
  await shot(addRule, "rule-dialog");
  await addRule.getByRole("button", { name: "Add rule" }).click();
  await expect(addRule).toBeHidden();
  const ruleRow = rules.getByRole("row").filter({ hasText: ruleName });
  await expect(ruleRow).toContainText("Negative feedback");
  await expect(ruleRow).toContainText("user-feedback: thumbs-down");
  await expect(ruleRow).toContainText("support-reply-review");
  await shot(rules, "rules");
  await ruleRow.getByRole("button", { name: `Delete ${ruleName}` }).click();
  await page
    .getByRole("alertdialog", { name: `Delete ${ruleName}?` })
    .getByRole("button", { name: "Delete rule" })
    .click();
  await expect(ruleRow).toHaveCount(0);

  await shot(page, "page");

  // Put retention and the timeout back.
  await page.getByLabel("Retention (days)").fill("30");
  await page.getByLabel("Timeout (ms)").fill("30000");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(section(page, "Retention and gateway routing").getByRole("status").first()).toHaveText("Settings saved");
});

test("the owner sets an API key's gateway rate limit; the create dialog offers gateway:invoke", async ({ page }) => {
  await signIn(page, "owner@example.com");
  await page.goto(`${PROJECT_URL}/api-keys`);
  const table = page.getByRole("table", { name: /API keys of/ });
  const row = table.getByRole("row").filter({ hasText: "Support widget gateway" });
  await expect(row).toContainText("600 / minute");
  await expect(row).toContainText("100,000 / month");
  await expect(table.getByRole("row").filter({ hasText: "Old CI pipeline" })).toContainText("No gateway access");

  await row.getByRole("button", { name: "Edit gateway limits of Support widget gateway" }).click();
  const dialog = page.getByRole("dialog", { name: "Gateway limits" });
  const rate = dialog.getByLabel("Requests per minute");
  await expect(rate).toHaveValue("600");
  await rate.fill("lots");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(rate).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText("Requests per minute must be a whole number (or empty for unlimited)")).toBeVisible();
  await rate.fill("1,200");
  await dialog.getByLabel("Requests per month").fill("");
  await shot(dialog, "key-limits-dialog");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("1,200 / minute");
  await expect(row).toContainText("Unlimited / month");
  await shot(page.getByRole("region", { name: /active key/ }), "api-keys");

  // Back to the demo's limits.
  await row.getByRole("button", { name: "Edit gateway limits of Support widget gateway" }).click();
  await rate.fill("600");
  await dialog.getByLabel("Requests per month").fill("100000");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(row).toContainText("600 / minute");
  await expect(row).toContainText("100,000 / month");

  await page.getByRole("button", { name: "Create API key" }).first().click();
  const create = page.getByRole("dialog", { name: "Create API key" });
  await expect(create.getByRole("checkbox", { name: "gateway:invoke" })).toBeVisible();
  await expect(create).toContainText("Call deployed prompts and models through the OpenAI-compatible gateway");
});

test("a viewer sees the observability settings read-only", async ({ page }) => {
  await signIn(page, "viewer@example.com");
  await page.goto(SETTINGS_URL);
  await expect(page.getByRole("heading", { level: 1, name: "Observability settings" })).toBeVisible();
  await expect(page.getByText("Your role can see these settings; owners and admins change them.").first()).toBeVisible();
  await expect(page.getByLabel("Retention (days)")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  await expect(section(page, "Guardrails").getByRole("row").filter({ hasText: "Block card numbers and IBANs" })).toContainText("Enabled");
  await expect(section(page, "Trace routing rules").getByRole("row").filter({ hasText: "Thumbs-down to review" })).toContainText("production-feedback");
  for (const label of ["Add guardrail", "Add online evaluator", "Add rule"]) await expect(page.getByRole("button", { name: label })).toHaveCount(0);
  await expect(page.getByRole("switch")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Edit|Delete) / })).toHaveCount(0);
  await shot(page, "viewer");

  // The server refuses the change anyway.
  const response = await page.request.post("/api/trpc/observability.updateSettings", {
    data: {
      json: {
        orgSlug: "acme",
        projectSlug: "support-assistant",
        retentionDays: 1,
        gatewayConnectionId: null,
        fallbackConnectionId: null,
        fallbackModel: null,
        gatewayTimeoutMs: 30000,
      },
    },
  });
  expect(response.status()).toBe(403);
});
