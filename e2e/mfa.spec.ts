import { expect, test, type Page } from "@playwright/test";
import { generate } from "otplib";
import { addMember, MEMBER_PASSWORD, signIn, unique } from "./support/helpers";

// A person of their own (demo accounts stay without a second factor): an authenticator app set up
// from the key on the page, sign-in with a code and with a recovery code, then a passkey on
// Chromium's virtual authenticator and sign-in with it.
const shots = process.env.KEEL_E2E_SCREENSHOTS;

async function signOut(page: Page) {
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

async function passwordStep(page: Page, email: string) {
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(MEMBER_PASSWORD);
  await form.getByRole("button", { name: "Sign in" }).click();
  const second = page.getByRole("form", { name: "Second factor" });
  await expect(second).toBeVisible();
  return second;
}

async function expectSignedIn(page: Page) {
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByRole("banner")).toBeVisible();
}

test("two-factor authentication: authenticator app, recovery code, passkey", async ({ page, browser }) => {
  await signIn(page, "owner@example.com");
  const email = `${unique("mfa")}@example.com`;
  await addMember(page.request, { email, name: "Mia Factor", role: "viewer" });

  const context = await browser.newContext();
  const me = await context.newPage();
  await signIn(me, email, MEMBER_PASSWORD, { fresh: true });
  await me.goto("/account");
  const card = me.getByRole("region", { name: "Two-factor authentication" });
  await card.getByRole("button", { name: "Set up" }).click();
  await expect(card.getByRole("img", { name: "QR code for setting up Keel in an authenticator app" })).toBeVisible();
  if (shots) await card.screenshot({ path: `${shots}/mfa-account-totp-setup.png` });
  const secret = (await card.getByRole("textbox", { name: "Setup key" }).inputValue()).replaceAll(" ", "");
  await card.getByLabel("Code from the app").fill(await generate({ secret }));
  await card.getByRole("button", { name: "Turn on" }).click();

  const listed = card.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(listed).toHaveCount(10);
  const codes = (await listed.allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await expect(card.getByRole("button", { name: "Done" })).toBeDisabled();
  if (shots) await card.screenshot({ path: `${shots}/mfa-account-recovery-codes.png` });
  await card.getByLabel("I saved my recovery codes somewhere safe").check();
  await card.getByRole("button", { name: "Done" }).click();
  await expect(card.getByText("10 of 10 left.")).toBeVisible();

  // Password, then a code (the next time step: the one used to set up is spent).
  await signOut(me);
  let second = await passwordStep(me, email);
  const code = second.getByLabel("Authentication code");
  await expect(code).toHaveAttribute("autocomplete", "one-time-code");
  if (shots) await me.screenshot({ path: `${shots}/mfa-sign-in-second-step.png` });
  await code.fill("000000");
  await second.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(second.getByText("That code is not correct or was already used.")).toBeVisible();
  await code.fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
  await second.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectSignedIn(me);

  // A recovery code, once.
  await signOut(me);
  second = await passwordStep(me, email);
  await second.getByRole("button", { name: "Use a recovery code" }).click();
  await second.getByLabel("Recovery code").fill(codes[0]!);
  await second.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectSignedIn(me);

  // A passkey on a virtual authenticator (user verification built in).
  const cdp = await context.newCDPSession(me);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await me.goto("/account");
  await expect(card.getByText("9 of 10 left.")).toBeVisible();
  await card.getByRole("button", { name: "Add a passkey" }).click();
  const passkeys = card.getByRole("table", { name: "Your passkeys" });
  await expect(passkeys.getByRole("row")).toHaveCount(2);
  await expect(passkeys.getByText("Never")).toBeVisible();
  if (shots) await card.screenshot({ path: `${shots}/mfa-account-card.png` });

  await signOut(me);
  second = await passwordStep(me, email);
  await second.getByRole("button", { name: "Use a passkey" }).click();
  await expectSignedIn(me);
  await me.goto("/account");
  await expect(passkeys.getByText("Never")).toHaveCount(0);
  await context.close();
});
