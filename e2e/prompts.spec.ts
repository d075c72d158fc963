// The prompt registry as a new editor meets it: create a chat prompt, save versions through the
// editor's review dialog, compare v1 with v3, run v3 in the playground on the Simulated provider,
// point staging at v3, and fetch it over the public API with a key an admin created.
import { expect, test } from "@playwright/test";
import { PROJECT_URL, signIn, unique } from "./support/helpers";
import { fillEditor, promptUrl, reviewAndSave } from "./support/prompts";

test("an editor creates a chat prompt, saves versions, compares, runs it, labels it; an app fetches it by label", async ({ page, browser }) => {
  const name = `e2e/${unique("greeting")}`;
  // The editors (CodeMirror) and the streamed playground work under the strict CSP.
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) violations.push(msg.text());
  });
  await signIn(page, "editor@example.com");
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Prompts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Prompts" })).toBeVisible();
  await page.getByRole("link", { name: "New prompt" }).first().click();

  // Version 1: a chat prompt with two messages; variables are detected while typing.
  const form = page.getByRole("form", { name: "New prompt" });
  await form.getByLabel("Name").fill(name);
  await expect(form.getByRole("radio", { name: /Chat/ })).toBeChecked();
  await form.getByLabel("Tags").fill("support, e2e");
  await fillEditor(form.getByRole("textbox", { name: "Content of message 1 (system)" }), "You are the support agent of {{company}}.");
  await fillEditor(form.getByRole("textbox", { name: "Content of message 2 (user)" }), "{{question}}");
  const variables = form.getByRole("table", { name: "Declared variables" });
  await expect(variables.locator("tbody tr td:first-child")).toHaveText(["company", "question"]);
  await form.getByLabel("Commit message").fill("First version");
  await form.getByRole("button", { name: "Create prompt" }).click();

  await expect(page).toHaveURL(promptUrl(name));
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("table", { name: `Versions of ${name}` }).getByRole("row")).toHaveCount(2);

  // Version 2 through the editor: the review dialog shows the word-level change.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page).toHaveURL(promptUrl(name, "edit"));
  const system = page.getByRole("textbox", { name: "Content of message 1 (system)" });
  await expect(system).toHaveText("You are the support agent of {{company}}.");
  await fillEditor(system, "You are the friendly support agent of {{company}}. Be brief.");
  await page.getByRole("button", { name: "Review and save" }).click();
  const review = page.getByRole("dialog", { name: "Review and save version 2" });
  await expect(review.getByRole("listitem", { name: "Message 1: changed" })).toBeVisible();
  await expect(review.locator("ins").filter({ hasText: "friendly" }).first()).toBeVisible();
  await review.getByLabel("Commit message").fill("Friendlier and brief");
  await review.getByRole("button", { name: "Save version 2" }).click();
  await expect(page).toHaveURL(new RegExp(`${promptUrl(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\?saved=2$`));

  // Version 3: add a message with a new variable and reorder it before the question.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByRole("button", { name: "Add message" }).click();
  await fillEditor(page.getByRole("textbox", { name: "Content of message 3 (assistant)" }), "Order {{order_id}} is on its way.");
  await page.getByLabel("Role of message 3").selectOption("user");
  await page.getByRole("button", { name: "Move message 3 up" }).click();
  await expect(page.getByRole("textbox", { name: "Content of message 2 (user)" })).toHaveText("Order {{order_id}} is on its way.");
  await expect(page.getByRole("table", { name: "Declared variables" }).locator("tbody tr td:first-child")).toHaveText(["company", "order_id", "question"]);
  await reviewAndSave(page, "Mention the order", 3);
  await expect(page.getByRole("status").filter({ hasText: "Version 3 saved." })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Version 3/ })).toBeVisible();

  // Compare v1 with v3: message by message, word-level changes, +/- markers.
  await page.goto(`${promptUrl(name, "compare")}?from=1&to=3`);
  await expect(page.getByLabel("From (older)")).toHaveValue("1");
  await expect(page.getByLabel("To (newer)")).toHaveValue("3");
  const diff = page.getByRole("region", { name: "Message changes" });
  await expect(diff.getByRole("listitem", { name: /: changed$/ })).toHaveCount(1);
  await expect(diff.getByRole("listitem", { name: /: added$/ })).toHaveCount(1);
  await expect(diff.locator("ins").filter({ hasText: "friendly" })).toBeVisible();
  await expect(diff).toContainText(/\+(added: )?Order \{\{order_id\}\} is on its way\./);
  // Swap: the versions change sides and the labels follow them (the left one is now the newer).
  await page.getByRole("button", { name: "Swap" }).click();
  await expect(page).toHaveURL(/from=3&to=1/);
  await expect(page.getByLabel("From (newer)")).toHaveValue("3");
  await expect(page.getByLabel("To (older)")).toHaveValue("1");
  await expect(page.getByLabel("From (older)")).toHaveCount(0);
  await expect(diff.locator("del").filter({ hasText: "friendly" })).toBeVisible();

  // Run version 3 in the playground on the Simulated provider: output streams, then usage.
  await page.goto(promptUrl(name));
  await page.getByRole("link", { name: "Open in playground" }).click();
  await expect(page).toHaveURL(new RegExp(`/playground\\?prompt=${encodeURIComponent(name)}&version=3`));
  await expect(page.getByLabel("Provider")).toHaveValue(/.+/);
  await expect(page.getByLabel("Provider").locator("option:checked")).toHaveText(/Simulated/);
  await page.getByLabel("company").fill("Acme");
  await page.getByLabel("order_id").fill("A-1001");
  await page.getByLabel("question").fill("Where is my parcel?");
  await expect(page.getByText("Every variable has a value.")).toBeVisible();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const output = page.getByLabel("Model output");
  await expect(output).toContainText("[Simulated]");
  // The Simulated provider answers from the instructions and the question's subject, not by echoing it.
  await expect(output).toContainText("your delivery");
  await expect(output).not.toContainText("Where is my parcel?");
  const usage = page.getByRole("status", { name: "Run result" });
  await expect(usage).toContainText("Tokens in");
  await expect(usage).toContainText("Tokens out");
  await expect(usage).toContainText(/Latency\s*\d/);
  await expect(usage).toContainText("Cost");

  // Point staging at version 3.
  await page.goto(promptUrl(name));
  const staging = page.getByRole("listitem", { name: "Environment staging" });
  await staging.getByLabel("Version for staging").selectOption("3");
  await staging.getByRole("button", { name: "Move staging to version 3" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Point staging at version 3?" });
  await confirm.getByRole("button", { name: "Move staging" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "staging now points at version 3" })).toBeVisible();
  await expect(staging).toContainText("v3");
  await expect(page.getByRole("list", { name: "Label moves" })).toContainText("none → v3");
  // Point-in-time lookup: staging served nothing in 2020, and version 3 a minute from now.
  const lookup = page.getByRole("form", { name: "Version at a point in time" });
  await lookup.getByLabel("Environment").selectOption("staging");
  await lookup.getByLabel("At").fill("2020-01-01T12:00:00");
  await lookup.getByRole("button", { name: "Look up" }).click();
  await expect(lookup.getByRole("status")).toContainText("staging pointed at no version");
  const soon = await page.evaluate(() => {
    const d = new Date(Date.now() + 60_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  });
  await lookup.getByLabel("At").fill(soon);
  await lookup.getByRole("button", { name: "Look up" }).click();
  await expect(lookup.getByRole("status")).toContainText("staging served version 3");

  // An admin creates a key with prompts:read; the application fetches staging and gets v3.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@example.com");
  await admin.goto(`${PROJECT_URL}/api-keys`);
  await admin.getByRole("button", { name: "Create API key" }).first().click();
  const dialog = admin.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(unique("e2e-app"));
  await expect(dialog.getByRole("checkbox", { name: "prompts:read" })).toBeChecked();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const secret = await admin.getByRole("dialog", { name: "API key created" }).getByRole("textbox", { name: "Secret key" }).inputValue();
  await adminContext.close();

  const response = await page.request.get(`/api/public/v1/prompts/${encodeURIComponent(name)}?label=staging`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { name: string; version: number; type: string; labels: string[]; messages: { role: string; content: string }[] };
  expect(body).toMatchObject({ name, version: 3, type: "chat" });
  expect(body.labels).toContain("staging");
  expect(violations).toEqual([]);
  expect(body.messages.map((m) => m.content)).toEqual([
    "You are the friendly support agent of {{company}}. Be brief.",
    "Order {{order_id}} is on its way.",
    "{{question}}",
  ]);
});
