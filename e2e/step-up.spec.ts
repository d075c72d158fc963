// Step-up: an approver whose last authentication was a password, and who has an authenticator
// app, is asked to confirm with it before their approval is accepted; the request's decisions (its
// evidence pack) then say how they confirmed.
import { expect, test } from "@playwright/test";
import { generate } from "otplib";
import { addMember, MEMBER_PASSWORD, mutate, ORG, PROJECT, PROJECT_URL, signIn, unique } from "./support/helpers";

test("an approver without a recent second factor steps up before the approval is accepted", async ({ page, browser }) => {
  // A protected environment of its own (the default rule: one approval by an owner, admin or
  // approver), a new approver, and a request for it by the demo editor.
  await signIn(page, "owner@example.com");
  const environment = unique("stepup").slice(0, 40);
  await mutate(page.request, "environments.create", { orgSlug: ORG, projectSlug: PROJECT, name: environment, protected: true });
  const email = `${unique("approver")}@example.com`;
  await addMember(page.request, { email, name: "Sam Stepup", role: "approver" });
  const editorContext = await browser.newContext();
  const editor = await editorContext.newPage();
  await signIn(editor, "editor@example.com");
  const request = await mutate<{ number: number }>(editor.request, "deployments.request", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    prompt: "support/reply",
    version: 2,
    environment,
    justification: "Step-up check",
  });
  await editorContext.close();

  // The approver signs in with their password and sets up an authenticator app: from now on a
  // password no longer counts as a fresh authentication for them, and setting up is not one.
  const context = await browser.newContext();
  const approver = await context.newPage();
  await signIn(approver, email, MEMBER_PASSWORD, { fresh: true });
  await approver.goto("/account");
  const card = approver.getByRole("region", { name: "Two-factor authentication" });
  await card.getByRole("button", { name: "Set up" }).click();
  const secret = (await card.getByRole("textbox", { name: "Setup key" }).inputValue()).replaceAll(" ", "");
  await card.getByLabel("Code from the app").fill(await generate({ secret }));
  await card.getByRole("button", { name: "Turn on" }).click();
  await card.getByLabel("I saved my recovery codes somewhere safe").check();
  await card.getByRole("button", { name: "Done" }).click();

  await approver.goto(`${PROJECT_URL}/deployments/${request.number}`);
  await approver.getByRole("region", { name: "Your decision" }).getByRole("button", { name: "Approve" }).click();
  const approve = approver.getByRole("dialog", { name: `Approve request #${request.number}` });
  await approve.getByRole("button", { name: "Approve", exact: true }).click();

  // Asked to confirm; the approval waits.
  const stepUp = approver.getByRole("dialog", { name: "Confirm it's you" });
  await expect(stepUp).toBeVisible();
  await expect(approver.getByRole("list", { name: "Decisions" })).toHaveCount(0);
  const factor = stepUp.getByRole("form", { name: "Confirm with your second factor" });
  await factor.getByLabel("Authentication code").fill("000000");
  await factor.getByRole("button", { name: "Confirm" }).click();
  await expect(factor.getByText("That code is not correct or was already used.")).toBeVisible();
  await factor.getByLabel("Authentication code").fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
  await factor.getByRole("button", { name: "Confirm" }).click();
  await expect(stepUp).toBeHidden();
  await expect(approve).toBeHidden();

  // Accepted (one approval deploys it), and the decision says how the approver confirmed.
  await expect(approver.getByLabel("Request state")).toContainText("Deployed");
  const decisions = approver.getByRole("list", { name: "Decisions" });
  await expect(decisions).toContainText(email);
  await expect(decisions).toContainText("Confirmed with their authenticator app at");
  const pack = await approver.request.get(`/api/deployments/${ORG}/${PROJECT}/${request.number}/evidence`);
  expect(pack.ok()).toBe(true);
  const body = (await pack.json()) as { decisions: { approver: string; authentication: { method: string } | null }[] };
  expect(body.decisions).toEqual([expect.objectContaining({ approver: email, authentication: expect.objectContaining({ method: "totp" }) })]);
  await context.close();
});
