// The web security baseline, checked against the real server: headers, cookies, CSP with no
// violations, and state changes that cannot come through GET or from another site.
import { expect, test } from "@playwright/test";
import { ORG, PROJECT, signIn } from "./support/helpers";

test("pages carry a nonce-based CSP and the other security headers, and nothing violates them", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) violations.push(msg.text());
  });
  const response = await page.goto("/sign-in");
  const headers = response!.headers();
  const csp = headers["content-security-policy"]!;
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src"))!;
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSrc).not.toContain("unsafe-inline");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Every script the page ships carries the request's nonce.
  const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1];
  const scripts = await page.locator("script").evaluateAll((nodes) => nodes.map((n) => (n as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  for (const n of scripts) expect(n).toBe(nonce);

  await signIn(page, "owner@example.com");
  await page.goto(`/o/${ORG}/audit`);
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  expect(violations).toEqual([]);
});

test("the session cookie is httpOnly and SameSite=Lax", async ({ page, context }) => {
  await signIn(page, "viewer@example.com");
  const session = (await context.cookies()).find((c) => c.name.endsWith("keel.session"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  expect(await page.evaluate(() => document.cookie)).not.toContain("keel.session");
});

test("state changes are refused over GET and from other sites", async ({ page }) => {
  await signIn(page, "owner@example.com");
  const input = encodeURIComponent(JSON.stringify({ json: { orgSlug: ORG, projectSlug: PROJECT, name: "via GET", scopes: ["prompts:read"] } }));
  const viaGet = await page.request.get(`/api/trpc/apiKeys.create?input=${input}`);
  expect(viaGet.status()).toBe(405);

  const crossSite = await page.request.post("/api/trpc/apiKeys.create", {
    data: { json: { orgSlug: ORG, projectSlug: PROJECT, name: "cross-site", scopes: ["prompts:read"] } },
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
  });
  expect(crossSite.status()).toBe(403);

  const list = await page.request.get(`/api/trpc/apiKeys.list?input=${encodeURIComponent(JSON.stringify({ json: { orgSlug: ORG, projectSlug: PROJECT } }))}`);
  const names = ((await list.json()) as { result: { data: { json: { name: string }[] } } }).result.data.json.map((k) => k.name);
  expect(names).not.toContain("via GET");
  expect(names).not.toContain("cross-site");
});

test("unknown pages and API routes answer 404 without internals", async ({ page }) => {
  const missing = await page.goto("/definitely/not/here");
  expect(missing!.status()).toBe(404);
  const api = await page.request.get("/api/public/v1/nope");
  expect(api.status()).toBe(404);
  const body = await api.text();
  expect(body).not.toMatch(/stack|\n\s+at /);
});
