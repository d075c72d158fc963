// Results never say more than they measured: an editor adds a version of support/reply that needs
// a variable the demo dataset lacks (`reading_level`; dataset-bulk.spec adds `tone`) and starts a run anyway. Every call errors, so the
// run ends Failed with the reason (not a green Completed), the dashboard marks it instead of
// plotting 0%, and the Request deployment dialog shows the production gate before submitting:
// its dataset and thresholds, that no run counts because run #N has 0 answers, and a link to start
// a run with the gate's settings. Submitting anyway is refused with the same reason.
import { expect, test, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, query, signIn } from "./support/helpers";
import { promptUrl } from "./support/prompts";

const PROMPT = "support/reply";
const DATASET = "support-questions";
const project = { orgSlug: ORG, projectSlug: PROJECT };

/** KEEL_E2E_SHOTS=<dir>: keep screenshots of the pages for a person to look at. */
async function shot(page: Page, name: string) {
  if (process.env.KEEL_E2E_SHOTS) await page.screenshot({ path: `${process.env.KEEL_E2E_SHOTS}/${name}.png`, fullPage: true });
}

test("a run of errors ends Failed with its reason, the dashboard marks it, and the deployment dialog shows why the gate refuses", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "editor@example.com");

  const { version } = await mutate<{ version: number }>(page.request, "prompts.createVersion", {
    ...project,
    name: PROMPT,
    content: {
      type: "chat",
      messages: [
        { role: "system", content: "Reply at a {{reading_level}} reading level, greeting the customer." },
        { role: "user", content: "{{question}}" },
      ],
    },
    commitMessage: "Reply at the reading level the customer chose",
    basedOnVersion: null,
  });
  const run = await mutate<{ number: number; itemsTotal: number }>(page.request, "runs.create", {
    ...project,
    prompt: { name: PROMPT, version },
    dataset: { name: DATASET },
    evaluators: ["greets-customer", "length-limit"],
  });
  await expect
    .poll(async () => (await query<{ status: string }>(page.request, "runs.get", { ...project, number: run.number })).status, {
      timeout: 120_000,
      intervals: [1000],
    })
    .toBe("failed");

  // The run page: Failed, the reason with the count and the error, links to the errors and the dataset.
  await page.goto(`${PROJECT_URL}/evaluations/runs/${run.number}`);
  const heading = page.getByRole("heading", { level: 1, name: `Run #${run.number}` });
  await expect(heading).toContainText("Failed");
  await expect(heading).not.toContainText("Completed");
  const reason = page.getByRole("region", { name: "Run error" });
  await expect(reason).toContainText(`No usable results: 0 of ${run.itemsTotal} answers, every call failed`);
  await expect(reason).toContainText("Missing variables: reading_level");
  await expect(reason.getByRole("link", { name: `Show the ${run.itemsTotal} errored calls` })).toHaveAttribute(
    "href",
    `${PROJECT_URL}/evaluations/runs/${run.number}?status=error`,
  );
  await expect(page.getByRole("table", { name: "Scores per evaluator" })).toContainText("nothing scored");
  await shot(page, "run-failed");

  // The dashboard: the run is listed as Failed and not scored, and the pass-rate chart marks it instead of plotting 0%.
  await page.goto(`${PROJECT_URL}/evaluations/dashboard?prompt=${encodeURIComponent(PROMPT)}&dataset=${DATASET}`);
  const history = page.getByRole("table", { name: "Run history" });
  const row = history.getByRole("row").filter({ has: page.getByRole("link", { name: `#${run.number}`, exact: true }) });
  await expect(row).toContainText("Failed");
  await expect(row).toContainText(`not scored: 0 of ${run.itemsTotal} answers`);
  const passRates = page.getByRole("figure", { name: "Pass rate, run by run" });
  await expect(passRates).toContainText(`run #${run.number} failed: 0 of ${run.itemsTotal} answers`);
  await expect(page.locator('[data-chart="chart-pass-rates"] .recharts-reference-line')).toHaveCount(1);
  await shot(page, "dashboard-marked");

  // The Request deployment dialog shows the gate before submitting, and why it would refuse.
  await page.goto(promptUrl(PROMPT));
  await page.getByRole("listitem", { name: "Environment production" }).getByRole("button", { name: "Request deployment to production" }).click();
  const ask = page.getByRole("dialog", { name: "Request deployment" });
  await ask.getByLabel("Version").selectOption(String(version));
  const gate = ask.getByRole("region", { name: /^Evaluation gate of production/ });
  await expect(gate).toContainText(`would refuse v${version}`);
  await expect(gate).toContainText(DATASET);
  await expect(gate).toContainText("greets-customer pass rate ≥ 0.9");
  await expect(gate).toContainText(new RegExp(`Run #${run.number} has 0 of ${run.itemsTotal} answers: .*reading_level`));
  await expect(gate.getByRole("link", { name: new RegExp(`run #${run.number} failed: 0 of ${run.itemsTotal} answers`) })).toHaveAttribute(
    "href",
    `${PROJECT_URL}/evaluations/runs/${run.number}?status=error`,
  );
  const start = gate.getByRole("link", { name: `Start a run of v${version} with the gate's settings` });
  const href = new URL((await start.getAttribute("href"))!, "http://x");
  expect(href.pathname).toBe(`${PROJECT_URL}/evaluations/new`);
  expect(Object.fromEntries(["prompt", "version", "dataset"].map((k) => [k, href.searchParams.get(k)]))).toEqual({
    prompt: PROMPT,
    version: String(version),
    dataset: DATASET,
  });
  expect(href.searchParams.getAll("evaluator")).toEqual(["greets-customer", "length-limit"]);
  await shot(page, "deployment-dialog-gate");

  // Submitting anyway: refused with the same reason, not "did not score".
  await ask.getByLabel("Justification").fill("Customers asked for a friendlier tone.");
  await ask.getByRole("button", { name: "Request deployment" }).click();
  await expect(ask.getByRole("region", { name: "Refused" })).toContainText(new RegExp(`Run #${run.number} has 0 of ${run.itemsTotal} answers`));
  await expect(ask.getByRole("region", { name: "Refused" })).not.toContainText("did not score");

  // The new-run form opens with the gate's settings.
  await start.click();
  await expect(page.getByLabel("Dataset", { exact: true })).toHaveValue(DATASET);
});
