// The compliance audit trail through the browser, as an auditor: filter the log to the deployment
// events mentioning support/reply in the last day, export that view as JSON Lines, download its
// signed manifest and the organization's public key, and verify the file offline with the CLI —
// then change one byte of the file, and one field of the manifest, and watch verification fail
// and say why. "Verify now" checks the whole chain in the background. A viewer gets no audit log.
import { spawnSync } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type Browser, type Download, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn } from "./support/helpers";

const ROOT = path.resolve(import.meta.dirname, "..");

async function pageAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

/** `npx keel audit verify-export`, offline: no database, no server. */
function verifyExport(file: string, manifest: string, publicKey: string) {
  const run = spawnSync(process.execPath, ["bin/keel.mjs", "audit", "verify-export", file, manifest, "--public-key", publicKey], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

async function save(download: Download, file: string): Promise<string> {
  await download.saveAs(file);
  return file;
}

test("an auditor filters the log, exports it with a signed manifest, and the export verifies offline (and fails when tampered with)", async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  // A deployment request for support/reply, so the last day has one to find (cancelled at the end).
  const editor = await pageAs(browser, "editor@example.com");
  const request = await mutate<{ number: number; id: string }>(editor.request, "deployments.request", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    prompt: "support/reply",
    version: 3,
    environment: "production",
    justification: "audit e2e: a request for the auditor to find",
  });
  try {
    const page = await pageAs(browser, "auditor@example.com");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    const filters = page.getByRole("search", { name: "Filters" });
    const table = page.getByRole("table", { name: /Audit events/ });

    // Action group "Deployments", full-text "support/reply", the last day: all in the address.
    await filters.getByLabel("Action").selectOption({ label: "All deployments" });
    await expect(page).toHaveURL(/action=group%3Adeployments/);
    await filters.getByLabel("Search changes").fill("support/reply");
    await filters.getByLabel("Search changes").press("Enter");
    await expect(page).toHaveURL(/q=support%2Freply/);
    await filters.getByRole("group", { name: "Quick time range" }).getByRole("button", { name: "Last day" }).click();
    await expect(page).toHaveURL(/from=\d{4}-\d\d-\d\dT/);
    await expect(filters.getByLabel("From")).not.toHaveValue("");
    await expect(filters.getByText("3 active")).toBeVisible();

    const rows = table.getByRole("row");
    const requested = rows.filter({ hasText: "Deployment requested" });
    await expect(requested.first()).toBeVisible();
    const count = await rows.count();
    expect(count).toBeGreaterThan(1);
    for (let i = 1; i < count; i++) await expect(rows.nth(i)).toContainText(/deployment\.|environment\.policy\.|webhook\./);
    await expect(rows.filter({ hasText: "Member added" })).toHaveCount(0);

    // Reload: the same view from the address.
    await page.reload();
    await expect(filters.getByLabel("Action")).toHaveValue("group:deployments");
    await expect(filters.getByLabel("Search changes")).toHaveValue("support/reply");
    await expect(requested.first()).toBeVisible();
    const shown = (await rows.count()) - 1;

    // Export the view as JSON Lines: the file streams to disk, then its manifest is listed.
    const dir = testInfo.outputPath();
    const [fileDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export JSONL" }).click()]);
    expect(fileDownload.suggestedFilename()).toMatch(new RegExp(`^audit-${ORG}-\\d{14}\\.jsonl$`));
    const file = await save(fileDownload, path.join(dir, "audit.jsonl"));
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(shown);
    for (const line of lines) expect((JSON.parse(line) as { action: string }).action).toMatch(/^(deployment\.|environment\.policy\.|webhook\.)/);
    await expect(page.getByRole("status").filter({ hasText: "JSONL export finished" })).toBeVisible({ timeout: 20_000 });

    const exports = page.getByRole("table", { name: "Finished audit exports, newest first" });
    const newest = exports.getByRole("row").nth(1);
    await expect(newest).toContainText("JSONL");
    await expect(newest).toContainText("auditor@example.com");
    await expect(newest).toContainText("search: “support/reply”");
    await expect(newest.getByRole("cell").nth(3)).toHaveText(String(shown));
    const [manifestDownload] = await Promise.all([page.waitForEvent("download"), newest.getByRole("link", { name: /^Manifest of the JSONL export/ }).click()]);
    const manifestPath = await save(manifestDownload, path.join(dir, "audit.jsonl.manifest.json"));
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as {
      rowCount: number;
      filters: Record<string, string | null>;
      contiguous: boolean;
      publicKeyId: string;
      fileSha256: string;
    };
    expect(manifest.rowCount).toBe(shown);
    expect(manifest.filters).toMatchObject({ action: "group:deployments", q: "support/reply" });
    expect(manifest.contiguous).toBe(false);
    // The list shows the file's SHA-256 (shortened; the full value in the copy button's title).
    await expect(newest).toContainText(manifest.fileSha256.slice(0, 12));

    // The public key, created with the first export, downloads from the chain panel.
    const chain = page.getByRole("region", { name: "Chain integrity" });
    await expect(chain).toContainText(manifest.publicKeyId);
    const [keyDownload] = await Promise.all([page.waitForEvent("download"), chain.getByRole("button", { name: "Download public key" }).click()]);
    expect(keyDownload.suggestedFilename()).toBe(`keel-audit-${ORG}.pem`);
    const pem = await save(keyDownload, path.join(dir, `keel-audit-${ORG}.pem`));
    expect(await readFile(pem, "utf8")).toContain("BEGIN PUBLIC KEY");

    // Offline verification: the signature, the file's hash, every row's hash.
    const ok = verifyExport(file, manifestPath, pem);
    expect(ok.output).toContain(`VERIFIED: ${shown} events`);
    expect(ok.output).toContain("ok: manifest signature valid");
    expect(ok.status).toBe(0);

    // One byte changed in the file: refused, and it says what and where.
    const tampered = path.join(dir, "tampered.jsonl");
    await copyFile(file, tampered);
    const bytes = await readFile(tampered);
    const at = bytes.indexOf("support/reply") + "support/rep".length;
    expect(at).toBeGreaterThan("support/rep".length);
    bytes[at] = "X".charCodeAt(0);
    await writeFile(tampered, bytes);
    const badFile = verifyExport(tampered, manifestPath, pem);
    expect(badFile.status).toBe(3);
    expect(badFile.output).toMatch(/FAILED: the file's SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}: the file was changed/);
    expect(badFile.output).not.toContain("VERIFIED");

    // A field of the manifest changed (one more row): its signature no longer matches.
    const forged = path.join(dir, "forged.manifest.json");
    await writeFile(forged, JSON.stringify({ ...manifest, rowCount: manifest.rowCount + 1 }, null, 2));
    const badManifest = verifyExport(file, forged, pem);
    expect(badManifest.status).toBe(3);
    expect(badManifest.output).toContain("FAILED: the manifest's signature does not match");

    // Verify now: the whole chain, in the background, with its progress and result.
    await chain.getByRole("button", { name: "Verify now" }).click();
    const verification = chain.getByRole("status", { name: "Verification status" });
    await expect(verification).toContainText(/Running|OK/);
    await expect(verification).toContainText("OK", { timeout: 30_000 });
    await expect(verification).toContainText(/\d+ events verified/);
    await expect(chain).toContainText("Started by auditor@example.com");
    await expect(chain).toContainText(/keeps them at least \d+ years?/);

    // "History" on the request's page opens the log filtered to that request.
    await page.goto(`${PROJECT_URL}/deployments/${request.number}`);
    await page.getByRole("link", { name: "History" }).click();
    await expect(page).toHaveURL(new RegExp(`targetType=deployment_request&targetId=${request.id}`));
    await expect(filters.getByLabel("Target id")).toHaveValue(request.id);
    await expect(rows.filter({ hasText: "Deployment requested" })).toHaveCount(1);
  } finally {
    await mutate(editor.request, "deployments.cancel", { orgSlug: ORG, projectSlug: PROJECT, number: request.number, reason: "audit e2e done" });
  }
});

test("a viewer cannot open the audit log", async ({ page }) => {
  await signIn(page, "viewer@example.com");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await page.goto(`/o/${ORG}/audit`);
  await expect(page.getByText("Your role cannot read the audit log")).toBeVisible();
  await expect(page.getByRole("region", { name: "Chain integrity" })).toHaveCount(0);
  const exported = await page.request.get(`/api/audit/${ORG}/export?format=jsonl`);
  expect(exported.status()).toBe(403);
});
