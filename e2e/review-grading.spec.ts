// The reviewer's grading page, keyboard only: an editor sets up a queue (3 dimensions, 2 reviews
// per item, the ticket-triage dataset); reviewer@ opens it and grades with keys (number keys,
// y/n, j/k, Enter, s to skip), checks the shortcuts dialog, reloads mid-item and finds the draft;
// admin@ grades the same items, disagreeing on one; the editor's view of the items shows the
// grades landed; reviewer@ revises a grade; a viewer gets no grading access.
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";

const project = { orgSlug: ORG, projectSlug: PROJECT };

async function query<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: { json?: { message?: string } } };
  if (!response.ok()) throw new Error(`${path} failed (${response.status()}): ${body.error?.json?.message ?? "no message"}`);
  return body.result?.data?.json as T;
}

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

const group = (page: Page, label: string) => page.getByRole("form", { name: "Grade" }).getByRole("group", { name: new RegExp(`^${label}`) });

async function expectItem(page: Page, position: number) {
  await expect(page.getByRole("heading", { name: `Item #${position}` })).toBeVisible();
  // The first dimension has focus, so keys work without a click.
  await expect(group(page, "Quality").locator("input:focus")).toHaveCount(1);
}

type Items = { items: { position: number; state: string; reviews: { reviewer: string; grade: Record<string, unknown> }[] }[] };

test("a reviewer grades with the keyboard only; a second reviewer disagrees; grades land; a viewer cannot grade", async ({ browser }) => {
  test.setTimeout(180_000);
  const name = unique("grading");

  // The editor builds the queue.
  const editor = await as(browser, "editor@example.com");
  await mutate(editor.request, "reviews.create", {
    ...project,
    name,
    reviewsPerItem: 2,
    guidelines: "## Grading\n\n- **Quality**: *good* when the triage is right.\n- <b>raw html</b> stays text\n",
    rubric: [
      {
        type: "categorical",
        key: "quality",
        label: "Quality",
        options: [
          { value: "bad", label: "Bad" },
          { value: "ok", label: "OK" },
          { value: "good", label: "Good" },
        ],
        ordered: true,
      },
      { type: "numeric", key: "score", label: "Score", min: 1, max: 5, step: 1 },
      { type: "boolean", key: "safe", label: "Safe" },
    ],
  });
  await mutate(editor.request, "reviews.addFromDataset", { ...project, name, dataset: "ticket-triage" });
  const members = await query<{ userId: string; email: string }[]>(editor.request, "members.list", { orgSlug: ORG });
  const id = (email: string) => members.find((m) => m.email === email)!.userId;
  await mutate(editor.request, "reviews.setReviewers", { ...project, name, userIds: [id("reviewer@example.com"), id("admin@example.com")] });

  // reviewer@ sees the queue among theirs.
  const reviewer = await as(browser, "reviewer@example.com");
  await reviewer.goto(`${PROJECT_URL}/review`);
  const row = reviewer.getByRole("table", { name: "Review queues assigned to you" }).getByRole("row").filter({ hasText: name });
  await expect(row.getByRole("link", { name: `Start reviewing ${name}` })).toBeVisible();

  // From here on: keys only.
  await reviewer.goto(`${PROJECT_URL}/review/${name}`);
  await expectItem(reviewer, 1);
  await expect(reviewer.getByRole("region", { name: "Guidelines" }).getByRole("heading", { name: "Grading" })).toBeVisible();
  await expect(reviewer.getByText("<b>raw html</b>")).toHaveCount(0);
  await expect(reviewer.locator("b", { hasText: "raw html" })).toHaveCount(0);

  // "?" lists the keys; Escape closes the dialog.
  await reviewer.keyboard.press("?");
  const shortcuts = reviewer.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(shortcuts).toBeVisible();
  for (const text of ["Next dimension", "Previous dimension", "Submit and load the next item", "Skip this item (it goes to someone else)", "Yes / no"])
    await expect(shortcuts.getByText(text)).toBeVisible();
  await reviewer.keyboard.press("Escape");
  await expect(shortcuts).toBeHidden();

  // Item 1: good, 4 … then a reload keeps the draft.
  await reviewer.keyboard.press("3");
  await reviewer.keyboard.press("j");
  await reviewer.keyboard.press("4");
  await expect(group(reviewer, "Quality").getByRole("radio", { name: "Good" })).toBeChecked();
  await expect(group(reviewer, "Score").getByRole("radio", { name: "4" })).toBeChecked();
  await expect(group(reviewer, "Score").getByRole("radio", { name: "4" })).toBeFocused();
  await reviewer.reload();
  await expectItem(reviewer, 1);
  await expect(reviewer.getByText(/Restored your draft of this item/)).toBeVisible();
  await expect(group(reviewer, "Quality").getByRole("radio", { name: "Good" })).toBeChecked();
  await expect(group(reviewer, "Score").getByRole("radio", { name: "4" })).toBeChecked();

  // Submitting without "Safe" shows the problem on that dimension.
  await reviewer.keyboard.press("Enter");
  await expect(group(reviewer, "Safe")).toContainText("Safe is required");
  await expect(reviewer.getByRole("heading", { name: "Item #1" })).toBeVisible();
  await reviewer.keyboard.press("y");
  await expect(group(reviewer, "Safe").getByRole("radio", { name: "Yes" })).toBeChecked();
  await reviewer.keyboard.press("k");
  await expect(group(reviewer, "Score").getByRole("radio", { name: "4" })).toBeFocused();
  await reviewer.keyboard.press("Enter");
  await expect(reviewer.getByText("Saved your grade for item #1.")).toBeVisible();
  await expectItem(reviewer, 2);

  // Item 2: skipped.
  await reviewer.keyboard.press("s");
  await expect(reviewer.getByText("Skipped item #2; it goes to another reviewer.")).toBeVisible();
  await expectItem(reviewer, 3);

  // Item 3: bad, 2, no.
  await reviewer.keyboard.press("1");
  await reviewer.keyboard.press("j");
  await reviewer.keyboard.press("2");
  await reviewer.keyboard.press("ArrowDown");
  await reviewer.keyboard.press("n");
  await reviewer.keyboard.press("Enter");
  await expect(reviewer.getByText("Saved your grade for item #3.")).toBeVisible();
  await expectItem(reviewer, 4);

  // admin@ grades the same items: disagrees on #1, agrees on #3 (#2 they skip too).
  const admin = await as(browser, "admin@example.com");
  await admin.goto(`${PROJECT_URL}/review/${name}`);
  await expectItem(admin, 1);
  for (const key of ["1", "j", "2", "j", "n", "Enter"]) await admin.keyboard.press(key);
  await expect(admin.getByText("Saved your grade for item #1.")).toBeVisible();
  await expectItem(admin, 2);
  await admin.keyboard.press("s");
  await expectItem(admin, 3);
  for (const key of ["1", "j", "2", "j", "n", "Enter"]) await admin.keyboard.press(key);
  await expect(admin.getByText("Saved your grade for item #3.")).toBeVisible();
  await expectItem(admin, 4);

  // The lead's view: #1 disagrees, #2 has no reviews, #3 is finalised.
  const items = await query<Items>(editor.request, "reviews.items", { ...project, name });
  const item = (position: number) => items.items.find((i) => i.position === position)!;
  const gradeOf = (position: number, email: string) => item(position).reviews.find((r) => r.reviewer === email)?.grade;
  expect(gradeOf(1, "reviewer@example.com")).toEqual({ quality: "good", score: 4, safe: true });
  expect(gradeOf(1, "admin@example.com")).toEqual({ quality: "bad", score: 2, safe: false });
  expect(item(1).state).toBe("disagreement");
  expect(item(2).reviews).toHaveLength(0);
  expect(gradeOf(3, "reviewer@example.com")).toEqual({ quality: "bad", score: 2, safe: false });
  expect(item(3).state).toBe("finalized");

  // reviewer@'s grades: #1 can be revised, #3 is finalised.
  await reviewer.goto(`${PROJECT_URL}/review/${name}/mine`);
  const grades = reviewer.getByRole("table", { name: `Your grades in ${name}` });
  await expect(grades.getByRole("row").filter({ hasText: "#3" })).toContainText("Finalised");
  await expect(
    grades
      .getByRole("row")
      .filter({ hasText: "#3" })
      .getByRole("link", { name: /Revise/ }),
  ).toHaveCount(0);
  await grades.getByRole("link", { name: "Revise item #1" }).click();
  await expect(reviewer.getByRole("heading", { level: 1, name: "Revise item #1" })).toBeVisible();
  await expect(group(reviewer, "Quality").getByRole("radio", { name: "Good" })).toBeChecked();
  await expect(group(reviewer, "Quality").locator("input:focus")).toHaveCount(1);
  for (const key of ["j", "5", "Enter"]) await reviewer.keyboard.press(key);
  await expect(reviewer.getByText("Saved your revised grade for item #1.")).toBeVisible();
  const after = await query<Items>(editor.request, "reviews.items", { ...project, name });
  expect(after.items.find((i) => i.position === 1)!.reviews.find((r) => r.reviewer === "reviewer@example.com")?.grade).toEqual({
    quality: "good",
    score: 5,
    safe: true,
  });

  // A viewer: the page explains, the server refuses.
  const viewer = await as(browser, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/review/${name}`);
  await expect(viewer.getByText("Your role cannot grade reviews")).toBeVisible();
  const refused = await viewer.request.post("/api/trpc/reviews.next", { data: { json: { ...project, name } } });
  expect(refused.status()).toBe(403);
});
