import { expect, test, type Browser, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";

/** A page signed in as `email` in its own browser context (its own cookies for `mutate`). */
async function pageAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

type Grade = { tone: string; accuracy: number; safe: boolean };

/** Takes the reviewer's next item and grades it; returns its position. */
async function gradeNext(page: Page, queue: string, grade: Grade): Promise<number> {
  const leased = await mutate<{ position: number } | null>(page.request, "reviews.next", { orgSlug: ORG, projectSlug: PROJECT, name: queue });
  expect(leased).not.toBeNull();
  await mutate(page.request, "reviews.submit", { orgSlug: ORG, projectSlug: PROJECT, name: queue, position: leased!.position, grade });
  return leased!.position;
}

test("an editor builds a review queue with a rubric, fills it from a run's failures, assigns reviewers, adjudicates a disagreement and reads agreement; a viewer only reads", async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const queue = unique("reply-review");
  await signIn(page, "editor@example.com");
  await page.goto(PROJECT_URL);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reviews", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Review queues" })).toBeVisible();
  await page.getByRole("link", { name: "New queue" }).click();

  // The form: three dimensions (categories with three options, a 1-5 scale, yes/no).
  const form = page.getByRole("form", { name: "New review queue" });
  await form.getByLabel("Name").fill(queue);
  await form.getByLabel("Guidelines").fill("# Grading\n\nJudge the reply as the customer would.");
  const tone = form.getByRole("group", { name: "Dimension 1" });
  await tone.getByLabel("Label", { exact: true }).fill("Tone of voice");
  await expect(tone.getByLabel("Key", { exact: true })).toHaveValue("tone_of_voice");
  await tone.getByLabel("Key", { exact: true }).fill("tone");
  await tone.getByRole("button", { name: "Add option" }).click();
  await tone.getByLabel("Option 1 label").fill("Good");
  await tone.getByLabel("Option 2 label").fill("Okay");
  await tone.getByLabel("Option 3 label").fill("Bad");
  await expect(tone.getByLabel("Option 3 value")).toHaveValue("bad");
  await tone.getByLabel("Ordered").check();

  // An empty second dimension is refused on its field.
  await form.getByRole("button", { name: "Add dimension" }).click();
  await form.getByRole("button", { name: "Create queue" }).click();
  const accuracy = form.getByRole("group", { name: "Dimension 2" });
  await expect(accuracy.getByLabel("Label", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await accuracy.getByLabel("Label", { exact: true }).fill("Accuracy");
  await accuracy.getByLabel("Type").selectOption({ label: "Numeric scale" });
  await expect(accuracy.getByLabel("Min", { exact: true })).toHaveValue("1");
  await expect(accuracy.getByLabel("Max", { exact: true })).toHaveValue("5");

  await form.getByRole("button", { name: "Add dimension" }).click();
  const safe = form.getByRole("group", { name: "Dimension 3" });
  await safe.getByLabel("Label", { exact: true }).fill("Safe");
  await safe.getByLabel("Type").selectOption({ label: "Yes / no" });
  await expect(form.getByLabel("Blind review")).toBeChecked();
  await expect(form.getByLabel("Show automatic scores")).not.toBeChecked();
  await form.getByLabel("Reviews per item").selectOption("2");
  await form.getByRole("button", { name: "Create queue" }).click();

  await expect(page).toHaveURL(new RegExp(`/reviews/${queue}$`));
  await expect(page.getByRole("heading", { level: 1, name: queue })).toBeVisible();
  await expect(page.getByText("Next: fill the queue and choose its reviewers")).toBeVisible();

  // Fill it with run #1's failures of answer-similarity.
  await page.getByRole("button", { name: "Add items" }).first().click();
  const add = page.getByRole("dialog", { name: "Add items" });
  await add.getByLabel("Run", { exact: true }).selectOption("1");
  await add.getByLabel("Failures of an evaluator").check();
  await add.getByLabel("Evaluator", { exact: true }).selectOption("answer-similarity");
  await add.getByRole("button", { name: "Add items" }).click();
  await expect(add).toBeHidden();
  await expect(page.getByText(/Added \d+ items from run #1/)).toBeVisible();

  // Reviewers: the reviewer and the admin.
  await page.getByRole("button", { name: "Reviewers" }).click();
  const reviewersDialog = page.getByRole("dialog", { name: "Reviewers" });
  await expect(reviewersDialog).toContainText("Reviewers see only the queues they are assigned to");
  await reviewersDialog.getByRole("checkbox", { name: /reviewer@example\.com/ }).check();
  await reviewersDialog.getByRole("checkbox", { name: /admin@example\.com/ }).check();
  await reviewersDialog.getByRole("button", { name: "Save reviewers" }).click();
  await expect(page.getByText("2 reviewers assigned.")).toBeVisible();

  // Both grade the first three items (in position order): they agree on two, differ on one.
  const reviewer = await pageAs(browser, "reviewer@example.com");
  const admin = await pageAs(browser, "admin@example.com");
  const first = await gradeNext(reviewer, queue, { tone: "good", accuracy: 4, safe: true });
  const second = await gradeNext(reviewer, queue, { tone: "good", accuracy: 4, safe: true });
  const third = await gradeNext(reviewer, queue, { tone: "okay", accuracy: 3, safe: true });
  expect(await gradeNext(admin, queue, { tone: "good", accuracy: 4, safe: true })).toBe(first);
  expect(await gradeNext(admin, queue, { tone: "bad", accuracy: 1, safe: true })).toBe(second);
  expect(await gradeNext(admin, queue, { tone: "okay", accuracy: 3, safe: true })).toBe(third);
  await reviewer.context().close();
  await admin.context().close();

  // Progress as the editor.
  await page.reload();
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByRole("progressbar", { name: "Items finalized" })).toHaveAttribute("aria-valuenow", "2");
  const perReviewer = progress.getByRole("table", { name: /Progress per reviewer/ });
  await expect(perReviewer.getByRole("row").filter({ hasText: "reviewer@example.com" }).getByRole("cell").nth(1)).toHaveText("3");
  await expect(perReviewer.getByRole("row").filter({ hasText: "admin@example.com" }).getByRole("cell").nth(1)).toHaveText("3");

  // The disagreements filter (kept in the address) shows the one item, its reviews side by side.
  await page.getByRole("navigation", { name: "Item state" }).getByRole("link", { name: "Disagreement" }).click();
  await expect(page).toHaveURL(/state=disagreement/);
  const items = page.getByRole("table", { name: /^Items of/ });
  await expect(page.getByRole("heading", { name: "1 item in disagreement" })).toBeVisible();
  const row = items.getByRole("row").filter({ has: page.getByRole("button", { name: `Adjudicate item #${second}` }) });
  const reviews = row.getByRole("table", { name: `Reviews of item #${second}` });
  await expect(reviews.getByRole("row", { name: /Tone of voice/ })).toContainText("Good");
  await expect(reviews.getByRole("row", { name: /Tone of voice/ })).toContainText("Bad");

  // Adjudicate: the note is required.
  await row.getByRole("button", { name: `Adjudicate item #${second}` }).click();
  const adjudicate = page.getByRole("dialog", { name: `Adjudicate item #${second}` });
  await expect(adjudicate).toContainText("Reviewers differ on Tone of voice, Accuracy");
  await adjudicate
    .getByRole("group", { name: /Tone of voice/ })
    .getByText("Okay", { exact: true })
    .click();
  await adjudicate
    .getByRole("group", { name: /Accuracy/ })
    .getByText("3", { exact: true })
    .click();
  await expect(adjudicate.getByRole("radio", { name: "Okay" })).toBeChecked();
  await adjudicate.getByRole("button", { name: "Set final grade" }).click();
  await expect(adjudicate.getByLabel("Note")).toHaveAttribute("aria-invalid", "true");
  await adjudicate.getByLabel("Note").fill("Polite but half the facts are missing");
  await adjudicate.getByRole("button", { name: "Set final grade" }).click();
  await expect(adjudicate).toBeHidden();
  await expect(page.getByText(`Item #${second} adjudicated`)).toBeVisible();
  await expect(page.getByRole("heading", { name: "0 items in disagreement" })).toBeVisible();
  await page.getByRole("navigation", { name: "Item state" }).getByRole("link", { name: "Finalized" }).click();
  await expect(page.getByRole("table", { name: /^Items of/ })).toContainText("Polite but half the facts are missing");
  await expect(progress.getByRole("progressbar", { name: "Items finalized" })).toHaveAttribute("aria-valuenow", "3");

  // Agreement: alpha and kappa with the items they rest on; a dimension without variation says why.
  await page.getByRole("link", { name: "Agreement", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Agreement · ${queue}` })).toBeVisible();
  const toneCard = page.getByRole("region", { name: "Tone of voice" });
  await expect(toneCard).toContainText("Krippendorff's alpha");
  await expect(toneCard).toContainText("3 items");
  await expect(toneCard).toContainText("Cohen's kappa (weighted)");
  await expect(toneCard).toContainText("3 items both graded");
  await expect(toneCard.getByRole("table", { name: /per reviewer pair/ })).toContainText("admin@example.com");
  await expect(page.getByRole("region", { name: "Accuracy" })).toContainText(/Interval level/);
  await expect(page.getByRole("region", { name: "Safe" })).toContainText("Every grade is the same, so agreement beyond chance cannot be measured.");

  // A viewer reads the queue but cannot change it.
  const viewer = await pageAs(browser, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/reviews`);
  await expect(viewer.getByRole("link", { name: queue })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New queue" })).toHaveCount(0);
  await viewer.getByRole("link", { name: queue }).click();
  await expect(viewer.getByRole("heading", { level: 1, name: queue })).toBeVisible();
  await expect(viewer.getByRole("table", { name: /^Items of/ })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Add items" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Reviewers" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /Adjudicate/ })).toHaveCount(0);
  await viewer.goto(`${PROJECT_URL}/reviews/new`);
  await expect(viewer.getByText("Your role cannot create review queues")).toBeVisible();
  await viewer.context().close();
});
