// The project's home page shows each person what their role is for: editors recent prompts and
// runs, approvers the requests waiting for them, reviewers their queues with counts, auditors the
// audit chain and recent exports; nobody lands on a permissions table.
import { expect, test } from "@playwright/test";
import { PROJECT_URL, signIn } from "./support/helpers";

const cases: { email: string; sees: string[]; not: string[] }[] = [
  { email: "editor@example.com", sees: ["Recent prompts", "Recent evaluation runs"], not: ["Waiting for approval", "Audit trail"] },
  { email: "approver@example.com", sees: ["Waiting for approval"], not: ["Recent prompts", "My review queues", "Audit trail"] },
  { email: "reviewer@example.com", sees: ["My review queues"], not: ["Recent prompts", "Waiting for approval", "Audit trail"] },
  { email: "auditor@example.com", sees: ["Audit trail"], not: ["Recent prompts", "Waiting for approval", "My review queues"] },
];

for (const c of cases) {
  test(`${c.email.split("@")[0]} lands on a home page for their role`, async ({ page }) => {
    await signIn(page, c.email);
    await page.goto(PROJECT_URL);
    for (const title of c.sees) await expect(page.getByRole("region", { name: title, exact: true })).toBeVisible();
    for (const title of c.not) await expect(page.getByRole("region", { name: title, exact: true })).toHaveCount(0);
    // The permissions table is folded away, not the first thing on the page.
    await expect(page.getByRole("table", { name: "Your permissions" })).toBeHidden();
  });
}

test("a reviewer's queue shows its counts and leads to grading", async ({ page }) => {
  await signIn(page, "reviewer@example.com");
  await page.goto(PROJECT_URL);
  const queues = page.getByRole("region", { name: "My review queues", exact: true });
  await expect(queues.getByText(/graded by you · \d+ of \d+ finalised/).first()).toBeVisible();
});

test("an auditor sees the chain's state", async ({ page }) => {
  await signIn(page, "auditor@example.com");
  await page.goto(PROJECT_URL);
  const audit = page.getByRole("region", { name: "Audit trail", exact: true });
  await expect(audit.getByText("Chain", { exact: true })).toBeVisible();
  await expect(audit.getByText("Recent exports", { exact: true })).toBeVisible();
});
