import { expect, test } from "@playwright/test";
import { addMember, memberRow, mutate, ORG, PROJECT_URL, signIn, unique } from "./support/helpers";

test.beforeEach(async ({ page }) => {
  await signIn(page, "owner@example.com");
});

test("an owner invites a member, who creates their account with the link", async ({ page, browser }) => {
  const email = `${unique("new")}@example.com`;
  const newcomerName = `Nina ${unique("new")}`;
  await page.goto(`/o/${ORG}/members`);
  const inviteButton = page.getByRole("button", { name: "Invite member" });

  // The dialog opens on the first field and Escape returns focus to the button.
  await inviteButton.click();
  const dialog = page.getByRole("dialog", { name: "Invite member" });
  await expect(dialog.getByLabel("Email")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(inviteButton).toBeFocused();

  await inviteButton.click();
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption("editor");
  await dialog.getByRole("button", { name: "Create invitation" }).click();

  const created = page.getByRole("dialog", { name: "Invitation created" });
  await expect(created.getByText("This link is shown only once")).toBeVisible();
  const link = await created.getByRole("textbox", { name: "Invitation link" }).inputValue();
  expect(link).toMatch(/\/invite\?token=[\w-]{20,}$/);
  await created.getByRole("button", { name: "Done" }).click();
  // Pending: only the email typed, not yet a member.
  const pending = page.getByRole("table", { name: /Pending invitations/ });
  await expect(pending.getByRole("row").filter({ hasText: email })).toBeVisible();
  await expect(memberRow(page, email)).toHaveCount(0);

  // The new member, in a browser of their own.
  const context = await browser.newContext();
  const newcomer = await context.newPage();
  await newcomer.goto(link);
  await expect(newcomer.getByRole("heading", { level: 1, name: "Join Acme" })).toBeVisible();
  const form = newcomer.getByRole("form", { name: "Create your account" });
  await expect(form.getByLabel("Email")).toHaveValue(email);
  await form.getByLabel("Your name").fill(newcomerName);
  await form.getByLabel("Password", { exact: true }).fill("a-long-new-password-1");
  await form.getByLabel("Confirm password").fill("a-long-new-password-2");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(form.getByText("Confirm password does not match the password")).toBeVisible();
  await form.getByLabel("Confirm password").fill("a-long-new-password-1");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(newcomer).toHaveURL(PROJECT_URL);
  await expect(newcomer.getByRole("button", { name: `Account menu: ${newcomerName}` })).toBeVisible();

  // The link works once.
  await newcomer.goto(link);
  await expect(newcomer.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
  await context.close();

  await page.reload();
  await expect(memberRow(page, email)).toBeVisible();
  await expect(memberRow(page, email).getByText("Never signed in")).toHaveCount(0);
  await expect(
    page
      .getByRole("table", { name: /Pending invitations/ })
      .getByRole("row")
      .filter({ hasText: email }),
  ).toHaveCount(0);
});

test("a pending invitation gets a new link, then is revoked", async ({ page }) => {
  const email = `${unique("invited")}@example.com`;
  await mutate(page.request, "members.invite", { orgSlug: ORG, email, role: "viewer" });
  await page.goto(`/o/${ORG}/members`);
  await page.getByRole("button", { name: `New link: invitation for ${email}` }).click();
  const dialog = page.getByRole("dialog", { name: "New invitation link" });
  await dialog.getByRole("button", { name: "Create link" }).click();
  await expect(dialog.getByRole("textbox", { name: "Invitation link" })).toHaveValue(/\/invite\?token=/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Revoke the invitation for ${email}?` });
  await confirm.getByRole("button", { name: "Revoke invitation" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `The invitation for ${email} was revoked` })).toBeVisible();
  await expect(
    page
      .getByRole("table", { name: /Pending invitations/ })
      .getByRole("row")
      .filter({ hasText: email }),
  ).toHaveCount(0);
});

test("a member who never signed in gets a new set-password link", async ({ page }) => {
  const email = `${unique("pending")}@example.com`;
  const name = `Pat ${unique("pending")}`;
  await addMember(page.request, { email, name, role: "viewer" });
  await page.goto(`/o/${ORG}/members`);
  await expect(memberRow(page, email).getByText("Never signed in")).toBeVisible();
  await page.getByRole("button", { name: `New link: set password for ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: "New set-password link" });
  await dialog.getByRole("button", { name: "Create link" }).click();
  await expect(dialog.getByRole("textbox", { name: "Set-password link" })).toHaveValue(/\/set-password\?token=/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();
});

test("an owner changes roles; refusals from the server show inline", async ({ page }) => {
  const email = `${unique("role")}@example.com`;
  const name = `Rory ${unique("role")}`;
  await addMember(page.request, { email, name, role: "editor" });
  await page.goto(`/o/${ORG}/members`);

  const role = page.getByLabel(`Organization role of ${name}`);
  await expect(role).toHaveValue("editor");
  await role.selectOption("reviewer");
  await expect(page.getByRole("status").filter({ hasText: `${name} is now reviewer` })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(`Organization role of ${name}`)).toHaveValue("reviewer");

  // A project role overrides the organization role in that project.
  const projectRole = page.getByLabel(`Role of ${name} in Support Assistant`);
  await projectRole.selectOption("approver");
  await expect(page.getByRole("status").filter({ hasText: `${name} is approver in Support Assistant` })).toBeVisible();
  await projectRole.selectOption("");
  await expect(page.getByRole("status").filter({ hasText: "now has their organization role" })).toBeVisible();

  // The only owner cannot demote themself: the server refuses and the page says why.
  const own = page.getByLabel("Organization role of Olivia Park");
  await own.selectOption("admin");
  await expect(page.getByText("An organization needs at least one owner")).toBeVisible();
  await expect(own).toHaveAttribute("aria-invalid", "true");
  await expect(own).toHaveValue("owner");
});

test("an owner removes a member after confirming", async ({ page }) => {
  const email = `${unique("gone")}@example.com`;
  const name = `Gail ${unique("gone")}`;
  await addMember(page.request, { email, name, role: "viewer" });
  await page.goto(`/o/${ORG}/members`);
  await expect(memberRow(page, email)).toBeVisible();

  await page.getByRole("button", { name: `Remove ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Remove ${name}?` });
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await confirm.getByRole("button", { name: "Remove member" }).click();
  await expect(confirm).toBeHidden();
  await expect(memberRow(page, email)).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: `${name} was removed` })).toBeVisible();
});
