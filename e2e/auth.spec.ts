import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, PROJECT_URL, signIn } from "./support/helpers";

test("signed-out visitors are sent to sign-in", async ({ page }) => {
  await page.goto("/o/acme/members");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Keel" })).toBeVisible();
});

test("a wrong password shows an error and keeps you on sign-in", async ({ page }) => {
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(form.getByText("Email is required")).toBeVisible();
  await expect(form.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Email").fill("owner@example.com");
  await form.getByLabel("Password").fill("not-the-password");
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(form.getByRole("alert")).toHaveText("The email or password is not correct.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("repeated failures are throttled, with the wait shown", async ({ page }) => {
  // An address no account has: failures are still counted per (email, client address).
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(`nobody-${Date.now()}@example.com`);
  await form.getByLabel("Password").fill("guessing-a-password");
  const alert = form.getByRole("alert");
  for (let attempt = 0; attempt < 8; attempt++) {
    await form.getByRole("button", { name: "Sign in" }).click();
    await expect(form.getByRole("button", { name: "Sign in" })).toBeEnabled();
    await expect(alert).toHaveText(/not correct|Too many attempts/);
    if (/Too many attempts/.test((await alert.textContent()) ?? "")) break;
  }
  await expect(alert).toHaveText(/^Too many attempts\. Try again in \d+ s\.$/);
});

test("the demo owner signs in, switches with the keyboard, and signs out", async ({ page }) => {
  await signIn(page, "owner@example.com", DEMO_PASSWORD);
  await expect(page).toHaveURL(PROJECT_URL);
  await expect(page.getByRole("heading", { level: 1, name: "Support Assistant" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Your access" })).toContainText("owner");

  // The organization/project switcher is a menu button operable from the keyboard.
  const switcher = page.getByRole("button", { name: /Switch project/ });
  await switcher.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu", { name: "Organizations and projects" });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole("menuitemradio", { name: "Support Assistant" })).toBeFocused();
  await expect(menu.getByRole("menuitemradio", { name: "Support Assistant" })).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(switcher).toBeFocused();

  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto(PROJECT_URL);
  await expect(page).toHaveURL(/\/sign-in/);
});

test("unknown pages and projects show a not-found page", async ({ page }) => {
  await signIn(page, "owner@example.com");
  await page.goto("/o/acme/p/no-such-project");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeAttached();
  await expect(page.getByText("This page does not exist")).toBeVisible();
  await page.goto("/o/someone-elses-org/members");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
});
