import { expect, test } from "@playwright/test";
import { signIn, unique } from "./support/helpers";

// Two organizations sharing people: a viewer of Acme creates their own organization and invites
// Acme's reviewer, who accepts while signed in and then holds a different role in each.
test("a signed-in person creates an organization and invites someone who already uses Keel", async ({ page, browser }) => {
  await signIn(page, "viewer@example.com");
  await page.getByRole("button", { name: /Switch project/ }).click();
  await page.getByRole("menuitem", { name: "New organization" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New organization" })).toBeVisible();
  const name = `Globex ${unique("org").slice(-6)}`;
  const form = page.getByRole("form", { name: "New organization" });
  await form.getByLabel("Organization name").fill(name);
  const slug = await form.getByLabel("Organization slug").inputValue();
  await form.getByLabel("First project").fill("Billing Copilot");
  await form.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/p/billing-copilot$`));

  // Owner here (viewer in Acme): invite Acme's reviewer as an editor.
  await page.goto(`/o/${slug}/members`);
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite member" });
  await dialog.getByLabel("Email").fill("reviewer@example.com");
  await dialog.getByLabel("Role").selectOption("editor");
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const link = await page.getByRole("dialog", { name: "Invitation created" }).getByRole("textbox", { name: "Invitation link" }).inputValue();

  // The reviewer opens the link signed out: sign in to accept, then accept.
  const context = await browser.newContext();
  const reviewer = await context.newPage();
  await reviewer.goto(link);
  await expect(reviewer.getByRole("heading", { level: 1, name: `Join ${name}` })).toBeVisible();
  await reviewer.getByRole("link", { name: "Sign in as reviewer@example.com to accept" }).click();
  const signInForm = reviewer.getByRole("form", { name: "Sign in" });
  await signInForm.getByLabel("Email").fill("reviewer@example.com");
  await signInForm.getByLabel("Password").fill("keel-demo-password");
  await signInForm.getByRole("button", { name: "Sign in" }).click();
  await expect(reviewer.getByRole("button", { name: `Accept and join ${name}` })).toBeVisible();
  await reviewer.getByRole("button", { name: `Accept and join ${name}` }).click();
  await expect(reviewer).toHaveURL(new RegExp(`/o/${slug}/p/billing-copilot$`));
  await context.close();

  await page.reload();
  await expect(
    page
      .getByRole("table", { name: /Members of/ })
      .getByRole("row")
      .filter({ hasText: "reviewer@example.com" }),
  ).toContainText("editor");
});
