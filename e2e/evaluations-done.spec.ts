// The evaluations issue's "Done means", as a new user does it in the demo workspace: two prompt
// versions over a demo dataset with three of the demo evaluators on the Simulated provider, the
// progress bar, the comparison with its verdict, and the dashboard chart.
import { expect, test, type Page } from "@playwright/test";
import { PROJECT_URL, signIn } from "./support/helpers";

const EVALUATORS = ["greets-customer", "length-limit", "cites-policy"];

async function startRun(page: Page, version: number): Promise<number> {
  await page.goto(`${PROJECT_URL}/evaluations/new`);
  const form = page.getByRole("form", { name: "New evaluation run" });
  await form.getByLabel("Prompt", { exact: true }).selectOption("support/reply");
  await form.getByLabel("Version or label").selectOption(`v:${version}`);
  await form.getByLabel("Dataset", { exact: true }).selectOption("support-questions");
  for (const name of EVALUATORS) await form.getByRole("checkbox", { name: new RegExp(`^${name}`) }).check();
  await form.getByLabel("Concurrency").fill("2");
  await form.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/evaluations\/runs\/\d+$/);
  const number = Number(/runs\/(\d+)$/.exec(page.url())![1]);
  // Live progress, then the finished run, without a reload.
  await expect(
    page
      .getByRole("progressbar", { name: "Run progress" })
      .or(page.getByRole("heading", { level: 1, name: `Run #${number}` }).filter({ hasText: "Completed" })),
  ).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: `Run #${number}` })).toContainText("Completed", { timeout: 60_000 });
  return number;
}

test("an editor runs v2 and v3 of support/reply with three evaluators, compares them and sees the dashboard", async ({ page }) => {
  test.setTimeout(150_000);
  await signIn(page, "editor@example.com");
  const baseline = await startRun(page, 2);
  const candidate = await startRun(page, 3);

  await page.getByRole("button", { name: "Compare with…" }).click();
  await page.getByRole("menuitem", { name: new RegExp(`^Run #${baseline}\\b`) }).click();
  await expect(page).toHaveURL(new RegExp(`compare\\?baseline=${baseline}&candidate=${candidate}`));
  const card = page.getByRole("region", { name: "greets-customer", exact: true });
  await expect(card).toContainText("v3 is better than v2 on greets-customer: +100.0 points, 95% CI [+100.0, +100.0]");
  await expect(page.getByRole("region", { name: "length-limit", exact: true })).toContainText("No significant difference between v3 and v2 on length-limit");

  await page.getByRole("navigation", { name: "Evaluations" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByLabel("Prompt").selectOption("support/reply");
  const chart = page.getByRole("figure", { name: "Mean score per evaluator, by version" });
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(page.getByRole("table", { name: "Run history" }).getByRole("link", { name: `#${candidate}`, exact: true })).toBeVisible();
  // The demo review queue graded run #1's outputs: its final grades are series beside the evaluators.
  await expect(chart.getByText("human: helpful").first()).toBeVisible();
});
