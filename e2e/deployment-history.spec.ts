import { expect, test, type Browser, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";

/** A page signed in as `email` in its own browser context (its own cookies for `mutate`). */
async function pageAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

function requestsTable(page: Page) {
  return page.getByRole("table", { name: /^Deployment requests of/ });
}

function requestRow(page: Page, number: number) {
  return requestsTable(page)
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: `Request #${number}`, exact: true }) });
}

test("a viewer reads the seeded deployment requests, the history with its approvers, and what was live at a moment", async ({ page }) => {
  await signIn(page, "viewer@example.com");
  await page.goto(PROJECT_URL);
  const nav = page.getByRole("navigation", { name: "Main" });
  // A viewer cannot approve: no pending badge; webhooks are not theirs to see.
  await expect(nav.getByRole("link", { name: "Deployments", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Webhooks" })).toHaveCount(0);
  await nav.getByRole("link", { name: "Deployments", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deployment requests" })).toBeVisible();
  const status = page.getByRole("navigation", { name: "Request status" });
  await expect(status.getByRole("link", { name: "Open" })).toHaveAttribute("aria-current", "page");

  // Closed: the deployed release note (#2) and the rejected triage request (#1).
  await status.getByRole("link", { name: "Closed" }).click();
  await expect(page).toHaveURL(/status=closed/);
  await expect(status.getByRole("link", { name: "Closed" })).toHaveAttribute("aria-current", "page");
  const deployed = requestRow(page, 2);
  await expect(deployed).toContainText("marketing/release-note");
  await expect(deployed).toContainText("production");
  await expect(deployed).toContainText("Deployed");
  await expect(deployed).toContainText("v1");
  await expect(deployed).toContainText("approver@example.com");
  await expect(deployed).toContainText("admin@example.com");
  const rejected = requestRow(page, 1);
  await expect(rejected).toContainText("support/triage");
  await expect(rejected).toContainText("Rejected");

  // All lists them too; the prompt filter narrows to one and is kept in the address.
  await status.getByRole("link", { name: "All" }).click();
  await expect(page).toHaveURL(/status=all/);
  await expect(requestRow(page, 2)).toBeVisible();
  await expect(requestRow(page, 1)).toBeVisible();
  await page.getByRole("search", { name: "Filter requests" }).getByLabel("Prompt").selectOption("marketing/release-note");
  await expect(page).toHaveURL(/prompt=marketing%2Frelease-note/);
  await expect(requestRow(page, 2)).toBeVisible();
  await expect(requestRow(page, 1)).toHaveCount(0);
  await page.reload();
  await expect(requestRow(page, 2)).toBeVisible();
  await expect(requestRow(page, 1)).toHaveCount(0);

  // The request number leads to the request's page.
  await expect(requestRow(page, 2).getByRole("link", { name: "Request #2", exact: true })).toHaveAttribute("href", `${PROJECT_URL}/deployments/2`);

  // History: the release note went to production with both approvals.
  await page.getByRole("navigation", { name: "Deployments" }).getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deployment history" })).toBeVisible();
  const release = page.getByRole("list", { name: "Deployments to production" }).getByRole("listitem").filter({ hasText: "marketing/release-note" });
  await expect(release).toHaveCount(1);
  await expect(release).toContainText("v1");
  await expect(release).toContainText("Promotion");
  await expect(release).toContainText("approver@example.com");
  await expect(release).toContainText("admin@example.com");
  await expect(release).toContainText("editor@example.com");
  await expect(release).toContainText("2.4 launch announcement");
  await expect(release.getByRole("link", { name: "request #2" })).toHaveAttribute("href", `${PROJECT_URL}/deployments/2`);

  // What was live in production in 2000: nothing (the workspace did not exist).
  const form = page.getByRole("form", { name: "What was live at" });
  await form.getByLabel("Environment").selectOption("production");
  await form.getByLabel("Date and time").fill("2000-01-01T12:00");
  await form.getByRole("button", { name: "Show what was live" }).click();
  await expect(page).toHaveURL(/at=2000-01-01T/);
  await expect(page.getByText(/Nothing was live in production at/)).toBeVisible();

  // Now: support/reply serves v2 there (v3 is waiting for a request).
  await form.getByRole("button", { name: "Set to now" }).click();
  await form.getByRole("button", { name: "Show what was live" }).click();
  await expect(page).not.toHaveURL(/at=2000-/);
  const live = page.getByRole("table", { name: /^Live in production at/ });
  const reply = live.getByRole("row").filter({ hasText: "support/reply" });
  await expect(reply).toHaveCount(1);
  await expect(reply.getByRole("link", { name: "support/reply version 2" })).toBeVisible();
  await expect(live.getByRole("row").filter({ hasText: "marketing/release-note" }).getByRole("link", { name: "Request #2" })).toBeVisible();

  // The moment is in the address: a reload shows the same answer.
  await page.reload();
  await expect(
    page
      .getByRole("table", { name: /^Live in production at/ })
      .getByRole("row")
      .filter({ hasText: "support/reply" }),
  ).toContainText("v2");
});

test("an approver sees a new request waiting for them: the sidebar badge and the Open tab", async ({ page, browser }) => {
  const canary = unique("canary");
  const admin = await pageAs(browser, "admin@example.com");
  await mutate(admin.request, "environments.create", { orgSlug: ORG, projectSlug: PROJECT, name: canary, protected: true });
  await admin.context().close();
  const editor = await pageAs(browser, "editor@example.com");
  const created = await mutate<{ number: number }>(editor.request, "deployments.request", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    prompt: "support/triage",
    version: 1,
    environment: canary,
    justification: "Try the plain-text categories on the canary first.",
  });
  await editor.context().close();

  await signIn(page, "approver@example.com");
  await page.goto(PROJECT_URL);
  const nav = page.getByRole("navigation", { name: "Main" });
  const link = nav.getByRole("link", { name: /^Deployments, \d+ pending approvals?$/ });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole("heading", { level: 1, name: "Deployment requests" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Request status" }).getByRole("link", { name: "Open" })).toHaveAttribute("aria-current", "page");
  const row = requestRow(page, created.number);
  await expect(row).toContainText("support/triage");
  await expect(row).toContainText(canary);
  await expect(row).toContainText("Waiting for approvals");
  await expect(row).toContainText("none yet");

  // Filtering by the new environment keeps only its request.
  await page.getByRole("search", { name: "Filter requests" }).getByLabel("Environment").selectOption(canary);
  await expect(page).toHaveURL(new RegExp(`environment=${canary}`));
  await expect(requestsTable(page).getByRole("row")).toHaveCount(2);
  await expect(requestRow(page, created.number)).toBeVisible();

  // Closed requests of the canary: none, and the empty state says so.
  await page.getByRole("navigation", { name: "Request status" }).getByRole("link", { name: "Closed" }).click();
  await expect(page.getByText(`No closed requests to ${canary}`)).toBeVisible();
});
