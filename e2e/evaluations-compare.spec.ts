// Comparing two evaluation runs and the per-prompt dashboard: an editor runs two versions of
// support/reply over the demo dataset (on the Simulated provider), compares them (verdicts,
// counts, a regression side by side, why runs on different dataset versions do not compare), opens the
// dashboard (charts, production marker, run history); a viewer sees both pages.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";
import { promptUrl } from "./support/prompts";

const PROMPT = "support/reply";
const DATASET = "support-questions";

async function query<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: { json?: { message?: string } } };
  if (!response.ok()) throw new Error(`${path} failed (${response.status()}): ${body.error?.json?.message ?? "no message"}`);
  return body.result?.data?.json as T;
}

function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) violations.push(msg.text());
  });
  page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
  return violations;
}

test("two runs compared evaluator by evaluator, a regression side by side, the prompt dashboard; a viewer sees both", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const violations = watchCsp(page);
  await signIn(page, "editor@example.com");
  const project = { orgSlug: ORG, projectSlug: PROJECT };

  // Two evaluators, two runs (versions 2 and 3 over the latest dataset version).
  const marker = unique("simulated-marker");
  const short = unique("short-reply");
  await mutate(page.request, "evaluators.create", { ...project, name: marker, config: { kind: "contains", value: "[Simulated]" } });
  await mutate(page.request, "evaluators.create", { ...project, name: short, config: { kind: "length", max: 200, unit: "chars" } });
  const start = (version: number, datasetVersion?: number) =>
    mutate<{ number: number; itemsTotal: number }>(page.request, "runs.create", {
      ...project,
      prompt: { name: PROMPT, version },
      dataset: { name: DATASET, ...(datasetVersion ? { version: datasetVersion } : {}) },
      evaluators: [marker, short],
    });
  const baseline = await start(2);
  const candidate = await start(3);
  for (const run of [baseline, candidate]) {
    await expect
      .poll(async () => (await query<{ status: string }>(page.request, "runs.get", { ...project, number: run.number })).status, {
        timeout: 120_000,
        intervals: [1000],
      })
      .toBe("completed");
  }
  const expected = await query<{
    items: number;
    evaluators: { name: string; wins: number; losses: number; ties: number; verdict: string }[];
    regressions: { position: number }[];
  }>(page.request, "runs.compare", {
    ...project,
    baseline: baseline.number,
    candidate: candidate.number,
  });

  // The comparison, from the address.
  await page.goto(`${PROJECT_URL}/evaluations/compare?baseline=${baseline.number}&candidate=${candidate.number}`);
  await expect(page.getByRole("heading", { level: 1, name: "Compare runs" })).toBeVisible();
  await expect(page.getByLabel("Baseline", { exact: true })).toHaveValue(String(baseline.number));
  await expect(page.getByLabel("Candidate", { exact: true })).toHaveValue(String(candidate.number));
  await expect(page.getByLabel("Baseline", { exact: true }).locator("option:checked")).toHaveText(
    new RegExp(`^#${baseline.number} ${PROMPT} v2 · ${DATASET} v\\d+`),
  );
  const comparison = page.getByRole("region", { name: new RegExp(`#${baseline.number}.*#${candidate.number}`) });
  await expect(comparison).toContainText(`${expected.items} items compared`);
  expect(expected.items).toBe(baseline.itemsTotal);
  for (const e of expected.evaluators) {
    const card = comparison.getByRole("region", { name: e.name, exact: true });
    await expect(card).toContainText(e.verdict);
    await expect(card).toContainText(/v3 is (better|worse) than v2|No significant difference between v3 and v2/);
    await expect(card.getByLabel(`Item by item: candidate better on ${e.wins}, worse on ${e.losses}, tied on ${e.ties}`)).toBeVisible();
    await expect(card).toContainText(
      /McNemar on pass\/fail: \d+ fixed \(fail → pass\), \d+ broken \(pass → fail\); p = [\d.< ]+ \((exact binomial|chi-square)\)\. (Not significant|Significant) at 5%\./,
    );
    await expect(card.getByRole("img", { name: /^Difference .* points, 95% confidence interval from/ })).toBeVisible();
  }
  const regressions = page.getByRole("region", { name: /^Regressions/ });
  await expect(regressions).toContainText(`Regressions (${expected.regressions.length})`);
  const first = expected.regressions[0];
  if (first) {
    await regressions.getByRole("button", { name: `Open item #${first.position} side by side` }).click();
    const dialog = page.getByRole("dialog", { name: `Item #${first.position}` });
    await expect(dialog.getByRole("region", { name: `Baseline: #${baseline.number} ${PROMPT} v2` })).toContainText("[Simulated]");
    await expect(dialog.getByRole("region", { name: `Candidate: #${candidate.number} ${PROMPT} v3` })).toContainText("[Simulated]");
    await expect(dialog).toContainText("input.");
    await expect(dialog).toContainText("expected");
    await dialog.getByRole("button", { name: "Close dialog" }).click();
    await expect(dialog).toBeHidden();
  } else {
    await expect(regressions).toContainText("No regressions");
  }

  // Swap keeps the choice in the address.
  await page.getByRole("button", { name: "Swap" }).click();
  await expect(page).toHaveURL(new RegExp(`baseline=${candidate.number}&candidate=${baseline.number}`));
  await expect(page.getByRole("region", { name: new RegExp(`#${candidate.number}.*#${baseline.number}`) })).toContainText(`${expected.items} items compared`);

  // The dashboard of the prompt.
  const dashboard = await query<{
    productionVersion: number | null;
    runs: { number: number; version: number; dataset: string; evaluators: { name: string }[] }[];
  }>(page.request, "runs.dashboard", { ...project, promptName: PROMPT });
  await page.goto(`${PROJECT_URL}/evaluations/dashboard?prompt=${encodeURIComponent(PROMPT)}`);
  await expect(page.getByRole("heading", { level: 1, name: "Evaluation dashboard" })).toBeVisible();
  await expect(page.getByLabel("Prompt", { exact: true })).toHaveValue(PROMPT);
  for (const title of ["Mean score per evaluator, by version", "Pass rate, run by run", "Latency per version"]) {
    const figure = page.getByRole("figure", { name: title });
    await expect(figure).toBeVisible();
    await expect(figure.locator("svg.recharts-surface").first()).toBeVisible();
  }
  const scores = page.getByRole("figure", { name: "Mean score per evaluator, by version" });
  // One line per evaluator used on the dataset.
  await expect(scores.locator(".recharts-line")).toHaveCount(
    new Set(dashboard.runs.filter((r) => r.dataset === DATASET).flatMap((r) => r.evaluators.map((e) => e.name))).size,
  );
  if (dashboard.productionVersion !== null) {
    await expect(page.getByText(`production v${dashboard.productionVersion}`, { exact: true })).toBeVisible();
    if (dashboard.runs.some((r) => r.dataset === DATASET && r.version === dashboard.productionVersion)) {
      await expect(scores.locator("svg.recharts-surface text", { hasText: "production" })).toBeVisible();
      await expect(scores).toContainText(`Production is v${dashboard.productionVersion}`);
    }
  }
  // The text alternative: the numbers as a table.
  await scores.getByText("Data table").click();
  await expect(scores.getByRole("table", { name: "Mean score per evaluator, by version" }).getByRole("row", { name: /^v3 / })).toContainText(
    `#${candidate.number}`,
  );
  // Run history: the runs, each linking to its page.
  const history = page.getByRole("table", { name: "Run history" });
  const row = history.getByRole("row").filter({ has: page.getByRole("link", { name: `#${candidate.number}`, exact: true }) });
  await expect(row).toContainText("v3");
  await expect(row).toContainText(marker);
  await expect(row.getByRole("link", { name: `#${candidate.number}`, exact: true })).toHaveAttribute(
    "href",
    `${PROJECT_URL}/evaluations/runs/${candidate.number}`,
  );
  await expect(history.getByRole("link", { name: `#${baseline.number}`, exact: true })).toBeVisible();
  // A run on another dataset version shares no items: the page says why and offers runs that compare.
  const older = await start(3, 1);
  await page.goto(`${PROJECT_URL}/evaluations/compare?baseline=${baseline.number}&candidate=${older.number}`);
  const why = page.getByRole("region", { name: "Why there is nothing to compare" });
  await expect(why).toContainText(new RegExp(`Run #${baseline.number} used ${DATASET} v\\d+, run #${older.number} used v1: no items in common`));
  await expect(why.getByRole("link", { name: new RegExp(`^#${candidate.number} ${PROMPT} v3$`) })).toHaveAttribute(
    "href",
    `${PROJECT_URL}/evaluations/compare?baseline=${baseline.number}&candidate=${candidate.number}`,
  );

  expect(violations).toEqual([]);

  // A viewer reads both pages, and reaches the dashboard from the prompt.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  const viewerViolations = watchCsp(viewer);
  await signIn(viewer, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/evaluations/compare?baseline=${baseline.number}&candidate=${candidate.number}`);
  await expect(viewer.getByRole("region", { name: expected.evaluators[0]!.name, exact: true })).toContainText(expected.evaluators[0]!.verdict);
  await viewer.goto(promptUrl(PROMPT));
  await viewer.getByRole("link", { name: "Evaluations dashboard" }).click();
  await expect(viewer).toHaveURL(/\/evaluations\/dashboard\?prompt=support%2Freply$/);
  await expect(viewer.getByRole("figure", { name: "Pass rate, run by run" }).locator("svg.recharts-surface").first()).toBeVisible();
  await expect(viewer.getByRole("table", { name: "Run history" }).getByRole("link", { name: `#${candidate.number}`, exact: true })).toBeVisible();
  expect(viewerViolations).toEqual([]);
  await viewerContext.close();
});
