// Deployment approvals through the browser: an editor requests support/reply v3 for production
// (the evaluation gate passes), the approvers decide under production's two rules (separation of
// duties keeps the requester out), the public prompt API serves v3; a promotion of a version that
// fails the gate is refused with the evaluator and threshold; a rollback to v2 takes the fast path
// (one approval). The evidence pack downloads as JSON. Production ends at v2, as seeded.
import { readFile } from "node:fs/promises";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ORG, PROJECT, mutate, signIn, unique } from "./support/helpers";
import { promptUrl } from "./support/prompts";

const PROMPT = "support/reply";

/** A page signed in as `email` in its own browser context (its own cookies for `mutate`). */
async function pageAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

/** What the public prompt API serves for support/reply under the default label (production). */
async function servedVersion(page: Page, secret: string): Promise<number> {
  const response = await page.request.get(`/api/public/v1/prompts/${encodeURIComponent(PROMPT)}`, { headers: { authorization: `Bearer ${secret}` } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { version: number }).version;
}

function requestNumber(page: Page): number {
  const match = /\/deployments\/(\d+)$/.exec(new URL(page.url()).pathname);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

/** Opens the request and approves it through the dialog (with an optional comment). */
async function approve(page: Page, url: string, comment = "") {
  await page.goto(url);
  await page.getByRole("region", { name: "Your decision" }).getByRole("button", { name: "Approve" }).click();
  const dialog = page.getByRole("dialog", { name: /^Approve request #\d+$/ });
  if (comment) await dialog.getByLabel("Comment").fill(comment);
  await dialog.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(dialog).toBeHidden();
}

test("a version reaches production through both approval rules, the gate refuses a weaker one, and a rollback takes the fast path", async ({ browser }) => {
  test.setTimeout(150_000);
  const editor = await pageAs(browser, "editor@example.com");
  const approver = await pageAs(browser, "approver@example.com");
  const admin = await pageAs(browser, "admin@example.com");
  const { secret } = await mutate<{ secret: string }>(admin.request, "apiKeys.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name: unique("deploy-check"),
    scopes: ["prompts:read"],
  });
  expect(await servedVersion(admin, secret)).toBe(2);

  // The editor asks for v3 in production; the justification is required.
  await editor.goto(promptUrl(PROMPT));
  const production = editor.getByRole("listitem", { name: "Environment production" });
  await expect(production.getByRole("button", { name: /^Move/ })).toHaveCount(0);
  await production.getByRole("button", { name: "Request deployment to production" }).click();
  const ask = editor.getByRole("dialog", { name: "Request deployment" });
  await expect(ask.getByLabel("Environment")).toHaveValue("production");
  await ask.getByLabel("Version").selectOption("3");
  await ask.getByRole("button", { name: "Request deployment" }).click();
  await expect(ask.getByLabel("Justification")).toHaveAttribute("aria-invalid", "true");
  await ask.getByLabel("Justification").fill("v3 greets customers by name and signs off; run #2 passes the production gate.");
  await ask.getByRole("button", { name: "Request deployment" }).click();

  // The request page: header, the passing gate with its run and thresholds, rules, no Approve for the requester.
  await expect(editor).toHaveURL(/\/deployments\/\d+$/);
  const promoteUrl = new URL(editor.url()).pathname;
  const promote = requestNumber(editor);
  await expect(editor.getByRole("heading", { level: 1 })).toHaveText(`Request #${promote}: ${PROMPT} v3 → production`);
  await expect(editor.getByLabel("Request state")).toContainText("Waiting for approvals");
  await expect(editor.getByLabel("Request state")).toContainText("Promotion");
  const gate = editor.getByRole("region", { name: /^Evaluation gate/ });
  await expect(gate.getByRole("heading")).toContainText("Passes");
  await expect(gate.getByRole("link", { name: "run #2" })).toHaveAttribute("href", /\/evaluations\/runs\/2$/);
  const checks = gate.getByRole("table", { name: "Gate checks" });
  await expect(checks.getByRole("row").filter({ hasText: "greets-customer" })).toContainText("≥ 90%");
  await expect(checks.getByRole("row").filter({ hasText: "length-limit" })).toContainText("≥ 95%");
  await expect(checks.getByRole("row").filter({ hasText: "Not met" })).toHaveCount(0);
  await expect(editor.getByRole("region", { name: "Comparison with the deployed version" })).toContainText("run #1");
  await expect(editor.getByRole("region", { name: "Content changes" })).toContainText("v3 against v2");
  await expect(editor.getByRole("region", { name: "Audit events covered" })).toContainText("deployment.requested");
  const decision = editor.getByRole("region", { name: "Your decision" });
  await expect(decision.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(decision).toContainText("Your role (editor) cannot approve deployments");
  await expect(decision.getByRole("button", { name: "Cancel request" })).toBeVisible();
  // The owner may approve in general, but last edited production's rules (separation of duties).
  const owner = await pageAs(browser, "owner@example.com");
  await owner.goto(promoteUrl);
  await expect(owner.getByRole("region", { name: "Your decision" })).toContainText("You last edited the rules of production (separation of duties)");
  await expect(owner.getByRole("region", { name: "Your decision" }).getByRole("button", { name: "Approve" })).toHaveCount(0);
  await owner.context().close();

  // The evidence pack downloads as JSON, with the candidate's content hash.
  const [download] = await Promise.all([editor.waitForEvent("download"), editor.getByRole("link", { name: "Export JSON" }).click()]);
  const pack = JSON.parse(await readFile((await download.path())!, "utf8")) as {
    request: { number: number };
    contentHashes: { candidate: string; deployed: string };
    packSha256: string;
  };
  expect(pack.request.number).toBe(promote);
  expect(pack.contentHashes.candidate).toMatch(/^[0-9a-f]{64}$/);
  expect(pack.contentHashes.deployed).toMatch(/^[0-9a-f]{64}$/);
  await expect(editor.getByRole("region", { name: "Request", exact: true })).toContainText(pack.contentHashes.candidate);
  await expect(editor.getByRole("link", { name: "Printable page" })).toHaveAttribute("href", /evidence\?format=html$/);

  // The release approver approves: one rule met, the engineering lead still missing.
  await approve(approver, promoteUrl, "Read the diff and the gate run.");
  await expect(approver.getByRole("status").filter({ hasText: "Your approval is recorded" })).toContainText("Engineering lead: 0 of 1");
  await expect(approver.getByLabel("Request state")).toContainText("Waiting for approvals");
  await expect(approver.getByRole("list", { name: "Still needed" })).toContainText("Engineering lead: 0 of 1");
  await expect(approver.getByRole("listitem", { name: "Rule Release approver" })).toContainText("approver@example.com");
  await expect(approver.getByRole("region", { name: "Your decision" })).toContainText("You already decided");
  expect(await servedVersion(admin, secret)).toBe(2);

  // The admin approves as engineering lead: every rule met, deployed at once.
  await approve(admin, promoteUrl);
  await expect(admin.getByLabel("Request state")).toContainText("Deployed");
  await expect(admin.getByRole("status").filter({ hasText: "Deployed" })).toContainText(`v3 of ${PROMPT} was deployed to production`);
  const decisions = admin.getByRole("list", { name: "Decisions" });
  await expect(decisions.getByRole("listitem")).toHaveCount(2);
  await expect(decisions).toContainText("Read the diff and the gate run.");
  expect(await servedVersion(admin, secret)).toBe(3);

  // A promotion of v2 now fails the gate: refused, naming the evaluator and its threshold.
  await editor.goto(promptUrl(PROMPT));
  await expect(production).toContainText("v3");
  await production.getByRole("button", { name: "Request deployment to production" }).click();
  await ask.getByLabel("Version").selectOption("2");
  await ask.getByLabel("Justification").fill("Back to v2.");
  await ask.getByRole("button", { name: "Request deployment" }).click();
  await expect(ask.getByRole("region", { name: "Refused" })).toContainText(/The evaluation gate of production fails: .+ below the threshold/);
  await expect(editor).toHaveURL(promptUrl(PROMPT));
  await ask.getByRole("button", { name: "Cancel" }).click();

  // A rollback to v2 instead: a comment is mandatory; one approval is enough (fast path).
  await production.getByRole("button", { name: "Request rollback of production" }).click();
  const rollback = editor.getByRole("dialog", { name: "Request rollback" });
  await expect(rollback.getByLabel("Roll back to")).toHaveValue("2");
  await rollback.getByRole("button", { name: "Request rollback" }).click();
  await expect(rollback.getByLabel("Comment")).toHaveAttribute("aria-invalid", "true");
  await rollback.getByLabel("Comment").fill("Customers find the new sign-off odd; back to v2 while we rework it.");
  await rollback.getByRole("button", { name: "Request rollback" }).click();
  await expect(editor).toHaveURL(/\/deployments\/\d+$/);
  const rollbackUrl = new URL(editor.url()).pathname;
  const back = requestNumber(editor);
  expect(back).toBeGreaterThan(promote);
  await expect(editor.getByRole("heading", { level: 1 })).toHaveText(`Request #${back}: ${PROMPT} v2 → production`);
  await expect(editor.getByLabel("Request state")).toContainText("Rollback");
  await expect(editor.getByRole("listitem", { name: "Rule Rollback (fast path)" })).toContainText("0 of 1");
  await expect(editor.getByRole("region", { name: /^Evaluation gate/ })).toContainText("No evaluation gate applies");

  await approve(approver, rollbackUrl);
  await expect(approver.getByLabel("Request state")).toContainText("Deployed");
  expect(await servedVersion(admin, secret)).toBe(2);

  // The prompt page agrees: production serves v2 again.
  await editor.goto(promptUrl(PROMPT));
  await expect(production).toContainText("v2");
});

test("a viewer reads a request without actions; an unknown request is a page that does not exist", async ({ page }) => {
  await signIn(page, "viewer@example.com");
  await page.goto(`/o/${ORG}/p/${PROJECT}/deployments/2`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request #2: marketing/release-note v1 → production");
  await expect(page.getByLabel("Request state")).toContainText("Deployed");
  await expect(page.getByRole("list", { name: "Decisions" }).getByRole("listitem")).toHaveCount(2);
  await expect(page.getByRole("region", { name: "Your decision" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Approve|Reject|Cancel request|Deploy now/ })).toHaveCount(0);
  await expect(page.getByRole("region", { name: /^Evaluation gate/ })).toContainText("No evaluation gate applies");

  await page.goto(`/o/${ORG}/p/${PROJECT}/deployments/99999`);
  await expect(page.getByText("This page does not exist")).toBeVisible();
});
