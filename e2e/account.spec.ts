import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, mutate, ORG, signIn } from "./support/helpers";

// Uses the demo approver, whom no other spec signs in as.
test("changing the password keeps you signed in with the new one", async ({ page, browser }) => {
  const email = "approver@example.com";
  const newPassword = "approver-new-password-42";
  await signIn(page, email, DEMO_PASSWORD, { fresh: true });
  // A second session of the same user, which the change must end.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await signIn(other, email, DEMO_PASSWORD, { fresh: true });

  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  const form = page.getByRole("form", { name: "Change password" });

  await form.getByLabel("Current password").fill("wrong-current-password");
  await form.getByLabel("New password", { exact: true }).fill(newPassword);
  await form.getByLabel("Confirm new password").fill(newPassword);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("The current password is not correct")).toBeVisible();
  await expect(form.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Current password").fill(DEMO_PASSWORD);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();

  // Still signed in here ...
  await page.goto(`/o/${ORG}/members`);
  await expect(page.getByRole("heading", { level: 1, name: "Members" })).toBeVisible();
  // ... while the other session has ended.
  await other.goto(`/o/${ORG}/members`);
  await expect(other).toHaveURL(/\/sign-in/);
  await otherContext.close();

  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, email, newPassword);

  // Leave the demo account as it was, so the spec can run again against the same server.
  await mutate(page.request, "account.changePassword", { currentPassword: newPassword, newPassword: DEMO_PASSWORD });
});

// Uses the demo auditor, whom no other spec signs in from two browsers.
test("sessions are listed, and ending one signs that browser out at once", async ({ page, browser }) => {
  const email = "auditor@example.com";
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await signIn(other, email, DEMO_PASSWORD, { fresh: true });
  await signIn(page, email, DEMO_PASSWORD, { fresh: true });

  await page.goto("/account");
  const sessions = page.getByRole("table", { name: "Your signed-in sessions" });
  await expect(sessions.getByText("This browser")).toBeVisible();
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await page.getByRole("alertdialog", { name: "Sign out everywhere else?" }).getByRole("button", { name: "Sign out other sessions" }).click();
  await expect(page.getByRole("status").filter({ hasText: /ended/ })).toBeVisible();
  await expect(sessions.getByRole("row")).toHaveCount(2);

  await other.goto(`/o/${ORG}/members`);
  await expect(other).toHaveURL(/\/sign-in/);

  // Signing out ends the session on the server: its cookie, copied elsewhere, no longer works.
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await otherContext.clearCookies();
  await otherContext.addCookies(cookies);
  await other.goto(`/o/${ORG}/members`);
  await expect(other).toHaveURL(/\/sign-in/);
  await otherContext.close();
});
