import { expect, test } from "@playwright/test";
import { addMember, mutate, ORG, signIn, unique } from "./support/helpers";

test("the audit log lists changes, filters by action, shows an event's diff and verifies the chain", async ({ page }) => {
  await signIn(page, "owner@example.com");
  const email = `${unique("audited")}@example.com`;
  const { userId } = await addMember(page.request, { email, name: "Ada Audit", role: "editor" });
  await mutate(page.request, "members.changeRole", { orgSlug: ORG, userId, role: "reviewer" });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  const table = page.getByRole("table", { name: /Audit events/ });
  // Newest first: the role change is the first row, the additions right after it.
  await expect(table.getByRole("row").nth(1)).toContainText("Member role changed");
  await expect(table.getByRole("row").nth(1)).toContainText("owner@example.com");
  await expect(table.getByText("Member added").first()).toBeVisible();

  // Filter by action: applied at once and kept in the address.
  await page.getByRole("search", { name: "Filters" }).getByLabel("Action").selectOption("member.role.changed");
  await expect(page).toHaveURL(/action=member\.role\.changed/);
  await expect(table.getByText("Member added")).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel("Action")).toHaveValue("member.role.changed");
  const rows = table.getByRole("row");
  await expect(rows.nth(1)).toContainText("Member role changed");
  const count = await rows.count();
  for (let i = 1; i < count; i++) await expect(rows.nth(i)).toContainText("member.role.changed");

  // Actor filter (text) applies on Enter.
  const filters = page.getByRole("search", { name: "Filters" });
  await filters.getByLabel("Actor").fill("nobody-like-this");
  await filters.getByLabel("Actor").press("Enter");
  await expect(page.getByText("No events match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).not.toHaveURL(/action=/);

  // Event detail: all fields and a before/after diff with +/- markers.
  await page.getByRole("search", { name: "Filters" }).getByLabel("Action").selectOption("member.role.changed");
  await table
    .getByRole("button", { name: /Member role changed, details/ })
    .first()
    .click();
  const detail = page.getByRole("dialog", { name: /^Event #\d+$/ });
  await expect(detail).toContainText("Member role changed");
  await expect(detail).toContainText("Request id");
  await expect(detail).toContainText("User agent");
  await expect(detail).toContainText(userId);
  const diff = detail.getByRole("figure", { name: /Before → after/ });
  // Each changed line carries a visible +/- marker (and a word for screen readers).
  await expect(diff).toContainText(/-(removed: )?\s*"role": "editor"/);
  await expect(diff).toContainText(/\+(added: )?\s*"role": "reviewer"/);
  await expect(page).toHaveURL(/event=\d+/);
  await page.keyboard.press("Escape");
  await expect(detail).toBeHidden();
  await expect(page).not.toHaveURL(/event=/);

  // Keyset pagination: 50 events a page, "Load more" fetches the next.
  for (let i = 0; i < 55; i++) await mutate(page.request, "members.changeRole", { orgSlug: ORG, userId, role: i % 2 ? "reviewer" : "viewer" });
  await page.goto(`/o/${ORG}/audit?targetId=${userId}&action=member.role.changed`);
  await expect(rows).toHaveCount(1 + 50);
  await expect(page.getByRole("status").filter({ hasText: "50+ events" })).toBeVisible();
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(1 + 56);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await expect(page.getByText("No more matching events")).toBeVisible();

  // Chain verification (in the background; the panel follows its progress).
  const chain = page.getByRole("region", { name: "Chain integrity" });
  await chain.getByRole("button", { name: "Verify now" }).click();
  const verification = chain.getByRole("status", { name: "Verification status" });
  await expect(verification).toContainText("OK", { timeout: 30_000 });
  await expect(verification).toContainText(/\d+ events verified/);
});
