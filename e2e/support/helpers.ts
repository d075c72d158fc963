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

// Sessions of the demo accounts this worker has signed in (their cookies): signing in through the
// form each time took a second or two, 80 times a run. A session a test ended (sign out, a
// password change) sends the next visit to /sign-in, and the form signs in again.
// A session is reused for 7 minutes only: decisions (approvals, role changes, API keys, audit
// exports) need an authentication from the last 10 (docs/identity.md), and a test runs at most one.
const sessions = new Map<string, { cookies: Awaited<ReturnType<ReturnType<Page["context"]>["cookies"]>>; at: number }>();
const REUSE_MS = 7 * 60_000;

/**
 * Signs `page` in as `email`: with this worker's session of that account when it has one, else
 * through the sign-in form. `fresh` always uses the form, for a test about sessions themselves
 * (two browsers of one person must be two sessions).
 */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, { fresh = false } = {}) {
  const reusable = !fresh && password === DEMO_PASSWORD;
  const cached = reusable ? sessions.get(email) : undefined;
  if (cached && Date.now() - cached.at < REUSE_MS) {
    await page.context().addCookies(cached.cookies);
    await page.goto("/");
    if (!new URL(page.url()).pathname.startsWith("/sign-in")) {
      await expect(page.getByRole("banner")).toBeVisible();
      return;
    }
    sessions.delete(email);
    await page.context().clearCookies();
  }
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByRole("banner")).toBeVisible();
  if (reusable) sessions.set(email, { cookies: await page.context().cookies(), at: Date.now() });
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

/** Calls a tRPC query as the signed-in user of `request`. */
export async function query<T = unknown>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: { json?: { message?: string } } };
  if (!response.ok()) throw new Error(`${path} failed (${response.status()}): ${body.error?.json?.message ?? "no message"}`);
  return body.result?.data?.json as T;
}

export const MEMBER_PASSWORD = "a-long-member-password";

/**
 * Adds a member as people join: an invitation, accepted by creating the account through its link
 * (password MEMBER_PASSWORD). Returns the new member's user id.
 */
export async function addMember(request: APIRequestContext, input: { email: string; name: string; role: string }) {
  const { token } = await mutate<{ token: string }>(request, "members.invite", { orgSlug: ORG, email: input.email, role: input.role });
  await mutate(request, "account.createAccountFromInvitation", { token, name: input.name, password: MEMBER_PASSWORD });
  const members = await query<{ userId: string; email: string }[]>(request, "members.list", { orgSlug: ORG });
  const member = members.find((m) => m.email === input.email.toLowerCase());
  if (!member) throw new Error(`${input.email} did not join`);
  return { userId: member.userId, email: member.email };
}

export function membersTable(page: Page) {
  return page.getByRole("table", { name: /Members of/ });
}

export function memberRow(page: Page, email: string) {
  return membersTable(page).getByRole("row").filter({ hasText: email });
}
