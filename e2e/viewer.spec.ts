import { expect, test } from "@playwright/test";
import { ORG, signIn } from "./support/helpers";

test("a viewer sees members read-only and no audit log", async ({ page }) => {
  await signIn(page, "viewer@example.com");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Members" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "New project" })).toHaveCount(0);

  await nav.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Members" })).toBeVisible();
  const table = page.getByRole("table", { name: /Members of/ });
  await expect(table.getByRole("row").filter({ hasText: "owner@example.com" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Invite member" })).toHaveCount(0);
  await expect(table.getByRole("combobox")).toHaveCount(0);
  await expect(table.getByRole("button")).toHaveCount(0);

  // Typing the address does not help: the page explains, the server refuses.
  await page.goto(`/o/${ORG}/audit`);
  await expect(page.getByText("Your role cannot read the audit log")).toBeVisible();
  const response = await page.request.post("/api/trpc/members.invite", { data: { json: { orgSlug: ORG, email: "sneaky@example.com", role: "admin" } } });
  expect(response.status()).toBe(403);
});
