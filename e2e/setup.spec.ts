import { expect, test } from "@playwright/test";

// Runs against the second instance, whose database starts empty (see support/server.mjs).
test.use({ baseURL: process.env.KEEL_E2E_SETUP_URL });

test("the first owner sets up an empty installation, once", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.goto("/sign-in");
  await expect(page).toHaveURL(/\/setup$/);

  const form = page.getByRole("form", { name: "Set up Keel" });
  await form.getByRole("button", { name: "Create owner account" }).click();
  await expect(form.getByText("Your name is required")).toBeVisible();
  await expect(form.getByLabel("Your name")).toBeFocused();

  await form.getByLabel("Your name").fill("Grace Founder");
  await form.getByLabel("Email").fill("grace@globex.example");
  await form.getByLabel("Password", { exact: true }).fill("globex-owner-password");
  await form.getByLabel("Confirm password").fill("globex-owner-password");
  await form.getByLabel("Organization name").fill("Globex Corp");
  await expect(form.getByLabel("Organization slug")).toHaveValue("globex-corp");
  await form.getByLabel("Project name").fill("Fraud Triage");
  await expect(form.getByLabel("Project slug")).toHaveValue("fraud-triage");
  // A slug edited by hand stays as typed.
  await form.getByLabel("Project slug").fill("fraud");
  await form.getByLabel("Project name").fill("Fraud Triage Bot");
  await expect(form.getByLabel("Project slug")).toHaveValue("fraud");
  await form.getByRole("button", { name: "Create owner account" }).click();

  await expect(page).toHaveURL("/o/globex-corp/p/fraud");
  await expect(page.getByRole("heading", { level: 1, name: "Fraud Triage Bot" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Your access" })).toContainText("owner");

  // The setup page is gone for good.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup/);
});
