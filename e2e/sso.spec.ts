// Single sign-on through a real OpenID Provider (test/support/oidc-provider.ts) on a loopback port
// (the e2e server's KEEL_EGRESS_ALLOW allows 127.0.0.0/8): the owner sets up the organization's
// connection in the UI and tests it, then a person new to Keel signs in with their work email in a
// fresh browser, picks themselves at the identity provider, and lands in the organization.
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, mutate, ORG, signIn } from "./support/helpers";
import { startOidcProvider, type TestOidcProvider } from "../test/support/oidc-provider";

const DOMAIN = "sso-e2e.test";
let op: TestOidcProvider;

test.beforeAll(async ({ baseURL }) => {
  op = await startOidcProvider({
    users: [{ sub: "new-hire", email: `new.hire@${DOMAIN}`, name: "New Hire", groups: ["keel-editors"] }],
    clients: [{ clientId: "keel-e2e", clientSecret: "keel-e2e-client-secret-0123", redirectUris: [`${baseURL}/api/auth/callback/sso-${ORG}`] }],
  });
});
test.afterAll(async () => {
  await op?.close();
});

test("an owner connects an identity provider; a new person signs in through it and lands in the organization", async ({ page, browser, baseURL }) => {
  await signIn(page, "owner@example.com");
  await page.goto(`/o/${ORG}/settings/security`);
  const form = page.getByRole("form", { name: "Single sign-on connection" });
  await expect(form.getByRole("textbox", { name: "Redirect URI (register it at your identity provider)" })).toHaveValue(
    `${baseURL}/api/auth/callback/sso-${ORG}`,
  );
  await form.getByLabel("Issuer URL").fill(op.issuer);
  await form.getByLabel("Client ID").fill("keel-e2e");
  await form.getByLabel("Client secret").fill("keel-e2e-client-secret-0123");
  await form.getByLabel("Allowed email domains").fill(DOMAIN);
  await form.getByLabel("Just-in-time membership").selectOption("viewer");
  await form.getByLabel("Groups claim").fill("groups");
  await form.getByRole("button", { name: "Add a mapping row" }).click();
  await form.getByLabel("Group 1", { exact: true }).fill("keel-editors");
  await form.getByLabel("Role for group 1", { exact: true }).selectOption("editor");
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByRole("region", { name: "Test result" })).toContainText("Connection works");
  await form.getByRole("button", { name: "Create connection" }).click();
  await expect(form.getByText("Single sign-on settings saved")).toBeVisible();
  await expect(form.getByLabel("Client secret")).toHaveValue("");
  await expect(form.getByText("Saved: kee…0123. Leave empty to keep it.")).toBeVisible();

  // A fresh browser: the person has no Keel account yet.
  const context = await browser.newContext();
  const person = await context.newPage();
  await person.goto("/sign-in");
  await person.getByRole("button", { name: "Sign in with SSO" }).click();
  const sso = person.getByRole("form", { name: "Single sign-on" });
  await sso.getByLabel("Work email").fill(`new.hire@${DOMAIN}`);
  await sso.getByRole("button", { name: "Continue with single sign-on" }).click();
  await expect(person.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
  await person.getByLabel("Who are you?").selectOption("new-hire");
  await person.getByRole("button", { name: "Continue" }).click();
  await expect(person).toHaveURL(new RegExp(`/o/${ORG}/`));
  await expect(person.getByRole("banner")).toBeVisible();
  await context.close();

  // Joined just in time, as an editor by the group mapping.
  await page.goto(`/o/${ORG}/members`);
  await expect(page.getByRole("row", { name: new RegExp(`new\\.hire@${DOMAIN.replace(".", "\\.")}`) })).toContainText(/editor/i);
});

test("with single sign-on required, a member's password sign-in is refused; a break-glass owner still signs in", async ({ page, browser }) => {
  await signIn(page, "owner@example.com", DEMO_PASSWORD, { fresh: true });
  await page.goto(`/o/${ORG}/settings/security`);
  await page.getByRole("button", { name: "Mark owner@example.com as break-glass" }).click();
  await expect(page.getByRole("button", { name: "Unmark owner@example.com as break-glass" })).toBeVisible();
  const policy = page.getByRole("form", { name: "Sign-in policy" });
  try {
    await policy.getByLabel("Require single sign-on").check();
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByText("Saved. It applies to every member")).toBeVisible();

    const context = await browser.newContext();
    const member = await context.newPage();
    await member.goto("/sign-in");
    const form = member.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Email").fill("viewer@example.com");
    await form.getByLabel("Password").fill(DEMO_PASSWORD);
    await form.getByRole("button", { name: "Sign in" }).click();
    await expect(member.getByText(/Acme requires single sign-on/)).toBeVisible();
    await expect(member).toHaveURL(/\/sign-in/);
    // The break-glass owner keeps password sign-in.
    await signIn(member, "owner@example.com", DEMO_PASSWORD, { fresh: true });
    await context.close();
  } finally {
    // Later specs sign in with passwords.
    await mutate(page.request, "identity.setPolicy", {
      orgSlug: ORG,
      policy: { requireSso: false, mfaRequirement: "none", mfaRoles: [], stepUpMinutes: 10, sessionIdleMinutes: null, sessionAbsoluteHours: null },
    });
  }
});
