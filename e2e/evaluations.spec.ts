import { expect, test, type Page } from "@playwright/test";
import { PROJECT_URL, mutate, signIn, unique } from "./support/helpers";

const ORG = "acme";
const PROJECT = "support-assistant";

function resultsTable(page: Page) {
  return page.getByRole("table", { name: /^Results of run #/ });
}

async function createEvaluator(page: Page, name: string, fill: (dialog: ReturnType<Page["getByRole"]>) => Promise<void>) {
  await page.goto(`${PROJECT_URL}/evaluations/evaluators`);
  await page.getByRole("button", { name: "New evaluator" }).click();
  const dialog = page.getByRole("dialog", { name: "New evaluator" });
  await dialog.getByLabel("Name").fill(name);
  await fill(dialog);
  await dialog.getByRole("button", { name: "Create evaluator" }).click();
  await expect(page).toHaveURL(new RegExp(`/evaluations/evaluators/${name}$`));
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("an editor creates evaluators, runs an evaluation, watches it finish and reads its results; a viewer only reads", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const mentions = unique("mentions-simulated");
  const short = unique("short-answer");
  await signIn(page, "editor@example.com");

  await page.goto(PROJECT_URL);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Evaluations" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Evaluation runs" })).toBeVisible();

  // Evaluator 1: the output contains "[Simulated]".
  await createEvaluator(page, mentions, async (dialog) => {
    await dialog.getByLabel("Description").fill("Answers come from the simulated provider");
    await dialog.getByLabel("Kind").selectOption({ label: "Contains" });
    await dialog.getByLabel("Text").fill("[Simulated]");
  });
  await expect(page.getByRole("listitem", { name: "Version 1" })).toContainText('"[Simulated]"');

  // Evaluator 2: a regex that does not compile is refused on its field (by the server), then it
  // becomes a length bound instead.
  await page.goto(`${PROJECT_URL}/evaluations/evaluators`);
  await page.getByRole("button", { name: "New evaluator" }).click();
  const dialog = page.getByRole("dialog", { name: "New evaluator" });
  await dialog.getByLabel("Name").fill(short);
  await dialog.getByLabel("Kind").selectOption({ label: "Regular expression" });
  await dialog.getByLabel("Pattern").fill("(unclosed");
  await dialog.getByRole("button", { name: "Create evaluator" }).click();
  await expect(dialog.getByLabel("Pattern")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Kind").selectOption({ label: "Length" });
  await dialog.getByRole("button", { name: "Create evaluator" }).click();
  await expect(dialog.getByText("Set min, max or both")).toBeVisible();
  // The Simulated provider's v3 replies (greeting, policy, sign-off) run from about 140 to 210 characters: 180 splits them.
  await dialog.getByLabel("Maximum").fill("180");
  await dialog.getByRole("button", { name: "Create evaluator" }).click();
  await expect(page).toHaveURL(new RegExp(`/evaluations/evaluators/${short}$`));
  await page.getByRole("navigation", { name: "Evaluations" }).getByRole("link", { name: "Evaluators" }).click();
  const evaluators = page.getByRole("table", { name: /^Evaluators of/ });
  await expect(evaluators.getByRole("row").filter({ hasText: mentions })).toContainText("Contains");
  await expect(evaluators.getByRole("row").filter({ hasText: short })).toContainText("≤ 180 chars");

  // Start a run of support/reply v3 over support-questions on the default (Simulated) provider.
  await page.getByRole("navigation", { name: "Evaluations" }).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("link", { name: "New run" }).click();
  const form = page.getByRole("form", { name: "New evaluation run" });
  await form.getByLabel("Prompt", { exact: true }).selectOption("support/reply");
  await form.getByLabel("Version or label").selectOption("v:3");
  await form.getByLabel("Dataset", { exact: true }).selectOption("support-questions");
  await form.getByRole("button", { name: "Check compatibility" }).click();
  await expect(form.getByRole("region", { name: "Compatibility" })).toContainText("All 48 items provide every variable");
  await form.getByRole("checkbox", { name: new RegExp(mentions) }).check();
  await form.getByRole("checkbox", { name: new RegExp(short) }).check();
  // Two repetitions, one call at a time: slow enough to watch the progress.
  await form.getByLabel("Repetitions").fill("2");
  await form.getByLabel("Concurrency").fill("1");
  await form.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/evaluations\/runs\/\d+$/);
  const runNumber = Number(/runs\/(\d+)$/.exec(page.url())![1]);
  await expect(page.getByRole("heading", { level: 1, name: `Run #${runNumber}` })).toBeVisible();
  await expect(page.getByRole("link", { name: "support/reply@v3" })).toBeVisible();

  // Live progress, then the completed summary without a reload.
  const bar = page.getByRole("progressbar", { name: "Run progress" });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("aria-valuemax", "96");
  await expect(page.getByRole("heading", { level: 1, name: `Run #${runNumber}` })).toContainText("Completed", { timeout: 60_000 });
  await expect(bar).toBeHidden();
  const scores = page.getByRole("table", { name: "Scores per evaluator" });
  await expect(scores.getByRole("row").filter({ hasText: mentions })).toContainText("100%");
  await expect(scores.getByRole("row").filter({ hasText: short })).toBeVisible();
  await expect(page.getByRole("table", { name: "Consistency per evaluator" })).toBeVisible();
  await expect(page.getByText("Latency p50")).toBeVisible();
  await expect(page.getByRole("heading", { name: "96 results" })).toBeVisible();

  // Filter: only the calls the length bound failed (kept in the address).
  await page.getByLabel("Failed on").selectOption(short);
  await expect(page).toHaveURL(new RegExp(`failedOn=${short}`));
  await expect(page.getByRole("heading", { name: /results? match$/ })).toBeVisible();
  const failedRows = resultsTable(page).getByRole("row");
  const failedCount = (await failedRows.count()) - 1;
  expect(failedCount).toBeGreaterThan(0);
  for (let i = 1; i <= Math.min(failedCount, 5); i++) await expect(failedRows.nth(i)).toContainText("fail");

  // Sort by latency, slowest first; the address keeps both.
  await page.getByLabel("Sort by").selectOption("latency");
  await page.getByLabel("Order").selectOption("desc");
  await expect(page).toHaveURL(/sort=latency/);
  await expect(page).toHaveURL(/dir=desc/);
  await expect(resultsTable(page).getByRole("columnheader", { name: /Latency/ })).toHaveAttribute("aria-sort", "descending");

  // One item side by side.
  await resultsTable(page)
    .getByRole("button", { name: /^Open result #/ })
    .first()
    .click();
  const item = page.getByRole("dialog", { name: /^Result #\d+, repetition \d/ });
  await expect(item.getByRole("region", { name: "Input" })).toContainText("question");
  await expect(item.getByRole("region", { name: "Prompt as sent" })).toBeVisible();
  await expect(item.getByRole("region", { name: "Output" })).toContainText("[Simulated]");
  await expect(item.getByRole("listitem", { name: `${mentions}: pass` })).toBeVisible();
  await expect(item.getByRole("listitem", { name: `${short}: fail` })).toContainText("more than the maximum 180");
  await item.getByRole("button", { name: "Close", exact: true }).click();
  await expect(item).toBeHidden();

  // The runs list shows the run with its pass rates.
  await page.getByRole("navigation", { name: "Evaluations" }).getByRole("link", { name: "Runs" }).click();
  const runRow = page
    .getByRole("table", { name: /^Evaluation runs of/ })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: `#${runNumber}`, exact: true }) });
  await expect(runRow).toContainText("Completed");
  await expect(runRow).toContainText("support-questions");
  await expect(runRow).toContainText("100%");

  // A long run is cancelled after a confirmation.
  const long = await mutate<{ number: number }>(page.request, "runs.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    prompt: { name: "support/reply", version: 3 },
    dataset: { name: "support-questions" },
    evaluators: [mentions],
    repetitions: 10,
    concurrency: 1,
  });
  await page.goto(`${PROJECT_URL}/evaluations/runs/${long.number}`);
  await page.getByRole("button", { name: "Cancel run" }).click();
  const confirm = page.getByRole("alertdialog", { name: `Cancel run #${long.number}?` });
  await confirm.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Run #${long.number}` })).toContainText("Cancelled", { timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);

  // A viewer reads the run and the evaluators but sees no write actions.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/evaluations`);
  await expect(viewer.getByRole("heading", { level: 1, name: "Evaluation runs" })).toBeVisible();
  await expect(viewer.getByRole("link", { name: `#${runNumber}`, exact: true })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New run" })).toHaveCount(0);
  await viewer.goto(`${PROJECT_URL}/evaluations/runs/${runNumber}`);
  await expect(viewer.getByRole("table", { name: "Scores per evaluator" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await viewer.goto(`${PROJECT_URL}/evaluations/evaluators`);
  await expect(viewer.getByRole("link", { name: mentions })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "New evaluator" })).toHaveCount(0);
  await viewer.getByRole("link", { name: mentions }).click();
  await expect(viewer.getByRole("heading", { level: 1, name: mentions })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Save new version" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Archive" })).toHaveCount(0);
  await viewer.goto(`${PROJECT_URL}/evaluations/new`);
  await expect(viewer.getByText("Your role cannot start runs")).toBeVisible();
  await viewerContext.close();
});
