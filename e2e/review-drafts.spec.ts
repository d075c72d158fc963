// Work follows the person: reviewer@ starts grading an item in one browser (the draft is saved to
// the server as they go), then opens the same item in a second, separate browser context (no
// shared localStorage: another device) and finds the draft there; submitting deletes it.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, query, signIn, unique } from "./support/helpers";

const project = { orgSlug: ORG, projectSlug: PROJECT };

async function device(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

test("a review draft typed on one device is there on another; submitting removes it", async ({ browser }) => {
  test.setTimeout(120_000);
  const name = unique("drafts");
  const editor = await device(browser, "editor@example.com");
  await mutate(editor.request, "reviews.create", {
    ...project,
    name,
    reviewsPerItem: 1,
    rubric: [
      {
        type: "categorical",
        key: "quality",
        label: "Quality",
        options: [
          { value: "bad", label: "Bad" },
          { value: "good", label: "Good" },
        ],
      },
      { type: "text", key: "note", label: "Note", required: false, maxLength: 2000 },
    ],
  });
  await mutate(editor.request, "reviews.addFromDataset", { ...project, name, dataset: "ticket-triage" });
  const members = await query<{ userId: string; email: string }[]>(editor.request, "members.list", { orgSlug: ORG });
  await mutate(editor.request, "reviews.setReviewers", { ...project, name, userIds: [members.find((m) => m.email === "reviewer@example.com")!.userId] });

  // Device 1: pick a value and type a note; the status line says when the server has it.
  const laptop = await device(browser, "reviewer@example.com");
  await laptop.goto(`${PROJECT_URL}/review/${name}`);
  await expect(laptop.getByRole("heading", { name: "Item #1" })).toBeVisible({ timeout: 30_000 });
  const form1 = laptop.getByRole("form", { name: "Grade" });
  // The first dimension has focus: "2" picks its second option (Good).
  await expect(form1.getByRole("group", { name: /^Quality/ }).locator("input:focus")).toHaveCount(1);
  await laptop.keyboard.press("2");
  await expect(form1.getByRole("radio", { name: /Good/ })).toBeChecked();
  await form1.getByRole("textbox", { name: /Note/ }).fill("Right queue, but the reply is curt");
  await expect(laptop.getByText(/^Draft saved/)).toBeVisible();

  // Device 2: a separate context (its own, empty localStorage), the same reviewer, the same item.
  const desktop = await device(browser, "reviewer@example.com");
  await desktop.goto(`${PROJECT_URL}/review/${name}`);
  await expect(desktop.getByRole("heading", { name: "Item #1" })).toBeVisible({ timeout: 30_000 });
  expect(await desktop.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("keel:review-draft:")))).toEqual([]);
  await expect(desktop.getByText("Restored your draft of this item")).toBeVisible();
  const form2 = desktop.getByRole("form", { name: "Grade" });
  await expect(form2.getByRole("radio", { name: /Good/ })).toBeChecked();
  await expect(form2.getByRole("textbox", { name: /Note/ })).toHaveValue("Right queue, but the reply is curt");

  // Submitting on device 2 deletes the server's draft: device 1, reloaded, does not bring it back.
  await form2.getByRole("button", { name: /Submit/ }).click();
  await expect(desktop.getByRole("heading", { name: "Item #2" })).toBeVisible();
  const draft = await query<unknown>(desktop.request, "reviews.draft", { ...project, name, position: 1 });
  expect(draft).toBeNull();
});
