// Deployment settings: an admin edits a protected environment's protection rules (a viewer only
// reads them), and a webhook receives a signed deployment.requested event whose delivery the log
// shows. Production's rules are never touched here (other specs rely on who last edited them).
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { mutate, ORG, PROJECT, PROJECT_URL, signIn, unique } from "./support/helpers";

function rulesCard(page: Page, env: string) {
  return page.getByRole("region", { name: `Protection rules of ${env}` });
}

test("an admin edits a protected environment's rules; a viewer sees them without an edit button", async ({ page, browser }) => {
  const env = unique("gated");
  await signIn(page, "admin@example.com");
  await page.goto(`${PROJECT_URL}/environments`);
  await expect(page.getByRole("heading", { level: 1, name: "Environments" })).toBeVisible();

  // A new protected environment starts with the default rule.
  await page.getByRole("button", { name: "New environment" }).click();
  const create = page.getByRole("dialog", { name: "New environment" });
  await create.getByLabel("Name").fill(env);
  await create.getByRole("checkbox", { name: "Protected" }).check();
  await create.getByRole("button", { name: "Create environment" }).click();
  await expect(create).toBeHidden();
  const card = rulesCard(page, env);
  await expect(card).toContainText("Approval: 1 approval from any owner, admin or approver");
  await expect(card).toContainText("Last edited by admin@example.com");

  await card.getByRole("button", { name: `Edit rules of ${env}` }).click();
  const form = page.getByRole("form", { name: `Protection rules of ${env}` });
  await expect(form.getByText("Saving makes you the last editor: you won't be able to approve deployments to this environment")).toBeVisible();

  const rule1 = form.getByRole("group", { name: "Rule 1" });
  await rule1.getByLabel("Name").fill("Release approver");
  await rule1.getByRole("checkbox", { name: "owner", exact: true }).uncheck();
  await rule1.getByRole("checkbox", { name: "admin", exact: true }).uncheck();
  await form.getByRole("button", { name: "Add rule" }).click();
  const rule2 = form.getByRole("group", { name: "Rule 2" });
  await rule2.getByLabel("Name").fill("Engineering lead");
  await rule2.getByRole("checkbox", { name: "owner", exact: true }).check();
  await rule2.getByRole("checkbox", { name: "admin", exact: true }).check();
  await rule2.getByRole("checkbox", { name: "approver@example.com" }).check();
  // A rule that needs no approval is refused, next to its field.
  await rule2.getByLabel("Approvals required").fill("0");

  await form.getByRole("checkbox", { name: "Require an evaluation gate" }).check();
  await form.getByRole("group", { name: "Prompts it applies to" }).getByRole("checkbox", { name: "support/reply" }).check();
  await form.getByLabel("Dataset", { exact: true }).selectOption("support-questions");
  await form.getByLabel("Threshold 1 evaluator").selectOption("greets-customer");
  await form.getByLabel("Threshold 1 metric").selectOption("passRate");
  await form.getByLabel("Threshold 1 minimum").fill("0.8");
  await form.getByLabel("Wait timer (minutes)").fill("30");
  await form.getByRole("button", { name: "Add freeze window" }).click();
  const freeze = form.getByRole("group", { name: "Freeze window 1" });
  await freeze.getByLabel("Starts").fill("2031-12-24T00:00");
  await freeze.getByLabel("Ends").fill("2031-12-27T00:00");
  await freeze.getByLabel("Reason").fill("Holiday freeze");
  await form.getByRole("radio", { name: "Normal rules" }).check();

  await form.getByRole("button", { name: "Save rules" }).click();
  const required = rule2.getByLabel("Approvals required");
  await expect(required).toHaveAttribute("aria-invalid", "true");
  await expect(rule2.getByText("A rule needs at least one approval")).toBeVisible();
  await expect(form.getByRole("region", { name: "Problem saving the rules" })).toContainText("not saved");

  await required.fill("1");
  await expect(rule2.getByText("A rule needs at least one approval")).toHaveCount(0);
  // What only the server knows (the dataset has no such version) comes back on its field too.
  const datasetVersion = form.getByLabel("Dataset version");
  await datasetVersion.fill("999");
  await form.getByRole("button", { name: "Save rules" }).click();
  await expect(datasetVersion).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText('"support-questions" has no version 999').first()).toBeVisible();
  await expect(form.getByRole("region", { name: "Problem saving the rules" })).toContainText('"support-questions" has no version 999');
  await datasetVersion.fill("");
  await form.getByRole("button", { name: "Save rules" }).click();
  await expect(form).toBeHidden();

  await expect(card.getByRole("status")).toHaveText(`The rules of ${env} were saved`);
  await expect(card).toContainText("Release approver: 1 approval from any approver");
  await expect(card).toContainText("Engineering lead: 1 approval from any owner or admin, or approver@example.com");
  await expect(card).toContainText("support/reply");
  await expect(card).toContainText("support-questions");
  await expect(card).toContainText("greets-customer pass rate ≥ 0.80");
  await expect(card).toContainText("Deploys 30 minutes after the last approval.");
  await expect(card).toContainText("Holiday freeze");
  await expect(card.getByText("Upcoming")).toBeVisible();
  await expect(card).toContainText("Normal rules: the same approvals and gate as any promotion");
  await expect(card).toContainText("Last edited by admin@example.com");
  // The editor starts from what was saved.
  await card.getByRole("button", { name: `Edit rules of ${env}` }).click();
  await expect(form.getByRole("group", { name: "Rule 2" }).getByLabel("Name")).toHaveValue("Engineering lead");
  await expect(form.getByRole("group", { name: "Freeze window 1" }).getByLabel("Starts")).toHaveValue("2031-12-24T00:00");
  await expect(form.getByLabel("Wait timer (minutes)")).toHaveValue("30");
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(form).toBeHidden();

  // A viewer reads the same rules, with no way to change them.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/environments`);
  const viewerCard = rulesCard(viewer, env);
  await expect(viewerCard).toContainText("Release approver: 1 approval from any approver");
  await expect(viewerCard).toContainText("greets-customer pass rate ≥ 0.80");
  await expect(rulesCard(viewer, "production")).toContainText("Last edited by owner@example.com");
  await expect(viewer.getByRole("button", { name: /Edit rules/ })).toHaveCount(0);
  await viewerContext.close();
});

type Received = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

test("a webhook receives a signed deployment.requested event and its delivery log shows it", async ({ page, browser }) => {
  // A tiny receiver that records what it is sent.
  const received: Received[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("thanks");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/keel-hook`;

  try {
    await signIn(page, "admin@example.com");
    const env = unique("hooked");
    await mutate(page.request, "environments.create", { orgSlug: ORG, projectSlug: PROJECT, name: env, protected: true });

    await page.goto(`${PROJECT_URL}/webhooks`);
    await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
    await page.getByRole("button", { name: "Add webhook" }).first().click();
    const add = page.getByRole("dialog", { name: "Add webhook" });
    await add.getByRole("button", { name: "Add webhook" }).click();
    await expect(add.getByText("Give an http(s) URL")).toBeVisible();
    await expect(add.getByText("Choose at least one event")).toBeVisible();
    // The cloud metadata address is refused by Keel's egress policy, on the URL field.
    await add.getByLabel("URL").fill("http://169.254.169.254/latest/meta-data/");
    await add.getByRole("checkbox", { name: "deployment.requested" }).check();
    await add.getByRole("button", { name: "Add webhook" }).click();
    await expect(add.getByText("URL is refused by Keel's egress policy (a link-local address")).toBeVisible();
    await add.getByLabel("URL").fill(url);
    await add.getByLabel("Description").fill("e2e receiver");
    await add.getByRole("checkbox", { name: "deployment.requested" }).check();
    await add.getByRole("button", { name: "Add webhook" }).click();

    const added = page.getByRole("dialog", { name: "Webhook added" });
    await expect(added.getByText("Copy the signing secret now")).toBeVisible();
    const secret = await added.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(secret).toMatch(/^whsec_[\w-]{40,}$/);
    await expect(added.getByLabel("Signature header")).toContainText('Keel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">');
    await added.getByRole("button", { name: "I have copied the secret" }).click();
    await expect(added).toBeHidden();

    const row = page
      .getByRole("table", { name: /Webhooks of/ })
      .getByRole("row")
      .filter({ hasText: url });
    await expect(row).toContainText("deployment.requested");
    await expect(row).toContainText("Active");
    await expect(row).toContainText("None yet");
    expect(await page.content()).not.toContain(secret);

    // An editor requests a deployment to the protected environment: the event goes out after commit.
    const editorContext = await browser.newContext();
    const editor = await editorContext.newPage();
    await signIn(editor, "editor@example.com");
    const request = await mutate<{ number: number }>(editor.request, "deployments.request", {
      orgSlug: ORG,
      projectSlug: PROJECT,
      prompt: "support/triage",
      version: 1,
      environment: env,
      justification: "Webhook end-to-end check",
    });

    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(1);
    const delivery = received[0]!;
    expect(delivery.method).toBe("POST");
    expect(delivery.url).toBe("/keel-hook");
    expect(delivery.headers["keel-event"]).toBe("deployment.requested");
    const signature = String(delivery.headers["keel-signature"]);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
    expect(match, `signature header: ${signature}`).not.toBeNull();
    const [, t, v1] = match!;
    expect(createHmac("sha256", secret).update(`${t}.${delivery.body}`).digest("hex")).toBe(v1);
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
    const event = JSON.parse(delivery.body) as { id: string; event: string; data: { request: { environment: string; prompt: string; version: number } } };
    expect(event.event).toBe("deployment.requested");
    expect(JSON.stringify(event.data)).toContain(env);
    // Withdrawn again, so approvers' queues in other specs are not changed by this one.
    await mutate(editor.request, "deployments.cancel", { orgSlug: ORG, projectSlug: PROJECT, number: request.number, reason: "Only a webhook check" });
    await editorContext.close();

    // The delivery log shows it succeeded with 200, with its attempt and payload.
    await row.getByRole("button", { name: `Deliveries to ${url}` }).click();
    const log = page.getByRole("region", { name: `Deliveries to ${url}` });
    const deliveries = log.getByRole("table", { name: `Deliveries to ${url}` });
    // Delivery rows (not the expanded details under one) carry a details toggle.
    const deliveryRows = deliveries.getByRole("row").filter({ has: page.getByRole("button", { name: /details of the deployment\.requested delivery/i }) });
    const first = deliveryRows.first();
    await expect(async () => {
      await log.getByRole("button", { name: "Refresh" }).click();
      await expect(first.getByText("Succeeded")).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(first).toContainText("200");
    await first.getByRole("button", { name: /^Details/ }).click();
    const attempts = log.getByRole("table", { name: "Attempts" });
    await expect(attempts.getByRole("row").nth(1)).toContainText("200");
    // What the receiver answered is not kept (egress policy): status code and duration only.
    await expect(attempts).not.toContainText("thanks");
    await log.getByText("Payload", { exact: true }).click();
    await expect(log.getByLabel("Payload")).toContainText(event.id);

    // Redelivering sends the same event (same id) again, signed afresh.
    await first.getByRole("button", { name: /^Redeliver/ }).click();
    await expect(log.getByText("The event was queued for delivery again")).toBeVisible();
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
    const again = received[1]!;
    expect((JSON.parse(again.body) as { id: string }).id).toBe(event.id);
    const [, t2, v2] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(again.headers["keel-signature"]))!;
    expect(createHmac("sha256", secret).update(`${t2}.${again.body}`).digest("hex")).toBe(v2);
    await expect(deliveryRows).toHaveCount(2);
    await expect(deliveryRows.filter({ hasText: "Succeeded" })).toHaveCount(2);

    // Pausing it: the list says so.
    await row.getByRole("button", { name: `Edit ${url}` }).click();
    const edit = page.getByRole("dialog", { name: "Edit webhook" });
    await edit.getByRole("checkbox", { name: "Active" }).uncheck();
    await edit.getByRole("button", { name: "Save webhook" }).click();
    await expect(edit).toBeHidden();
    await expect(row).toContainText("Paused");
    await expect(row).toContainText("Succeeded");

    // An auditor reads webhooks and deliveries but cannot change them; a viewer cannot see them.
    const auditorContext = await browser.newContext();
    const auditor = await auditorContext.newPage();
    await signIn(auditor, "auditor@example.com");
    await auditor.goto(`${PROJECT_URL}/webhooks`);
    const auditorRow = auditor
      .getByRole("table", { name: /Webhooks of/ })
      .getByRole("row")
      .filter({ hasText: url });
    await expect(auditorRow).toContainText("Paused");
    await expect(auditor.getByRole("button", { name: "Add webhook" })).toHaveCount(0);
    await expect(auditorRow.getByRole("button", { name: `Edit ${url}` })).toHaveCount(0);
    await auditorRow.getByRole("button", { name: `Deliveries to ${url}` }).click();
    await expect(
      auditor
        .getByRole("table", { name: `Deliveries to ${url}` })
        .getByRole("row")
        .filter({ hasText: "Succeeded" }),
    ).toHaveCount(2);
    await expect(auditor.getByRole("button", { name: /^Redeliver/ })).toHaveCount(0);
    await auditorContext.close();

    // Deleting it (confirmed) removes it from the list.
    await row.getByRole("button", { name: `Delete ${url}` }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete this webhook?" });
    await confirm.getByRole("button", { name: "Delete webhook" }).click();
    await expect(confirm).toBeHidden();
    await expect(row).toHaveCount(0);
    await expect(log).toBeHidden();
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
