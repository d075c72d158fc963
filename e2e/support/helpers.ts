// Shared steps for the e2e specs. Each spec builds the data it needs (unique emails), so specs do
// not depend on each other or on order.
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "keel-demo-password";
export const ORG = "acme";
export const PROJECT = "support-assistant";
export const PROJECT_URL = `/o/${ORG}/p/${PROJECT}`;

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByRole("banner")).toBeVisible();
}

/**
 * Calls a tRPC mutation as the signed-in user of `request` (the page's cookies), for setting up
 * data that the spec is not about. Returns the procedure's result.
 */
export async function mutate<T = unknown>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: { json?: { message?: string } } };
  if (!response.ok()) throw new Error(`${path} failed (${response.status()}): ${body.error?.json?.message ?? "no message"}`);
  return body.result?.data?.json as T;
}

/** Adds a member through the API; returns their user id and one-time password token. */
export async function addMember(request: APIRequestContext, input: { email: string; name: string; role: string }) {
  return mutate<{ userId: string; email: string; passwordToken: string | null }>(request, "members.add", { orgSlug: ORG, ...input });
}

export function membersTable(page: Page) {
  return page.getByRole("table", { name: /Members of/ });
}

export function memberRow(page: Page, email: string) {
  return membersTable(page).getByRole("row").filter({ hasText: email });
}
