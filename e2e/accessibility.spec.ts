// Accessibility walk: every main page of the demo workspace (as the admin; the pages that differ by
// role as every role that reaches them) is
// checked with axe-core (WCAG 2.x A/AA rules and best practices) and must have no serious or critical
// violation. A second walk at 390 px wide checks that no page scrolls sideways (tables and code
// scroll inside their own keyboard-reachable regions) and that the prompt list still says which
// version serves which environment.
//
// Add a page by adding one entry to PAGES. The admin (who reaches every page) visits them all; each
// other role visits its home page (different for every role) and the pages where its own controls
// appear (ROLE_PAGES). Screenshots of the 390 px walk are written when
// KEEL_E2E_SHOTS names a folder.
import { AxeBuilder } from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { roleHasPermission, type Permission, type Role } from "../server/contracts/permissions";
import { ORG, PROJECT_URL, signIn } from "./support/helpers";

const SHOTS = process.env.KEEL_E2E_SHOTS;

/** Demo records whose ids are looked up once (they differ between seeds). */
type Ids = { trace: string; deployment: string };

type A11yPage = {
  name: string;
  path: string | ((ids: Ids) => string);
  /** Who can reach the page (the walk visits it as every role that has this permission). */
  permission: Permission;
  /** Only for people assigned to grade (the demo queue's reviewers). */
  roles?: Role[];
  /** Checked at 390 px wide as well (the main pages). */
  mobile?: boolean;
  /** Large enough that axe needs more than a test's usual time on a busy machine. */
  large?: boolean;
};

const P = PROJECT_URL;
const ORG_URL = `/o/${ORG}`;

export const PAGES: A11yPage[] = [
  { name: "project overview", path: P, permission: "project:read", mobile: true },
  { name: "prompts", path: `${P}/prompts`, permission: "prompt:read", mobile: true },
  { name: "prompt", path: `${P}/prompts/support/reply`, permission: "prompt:read", mobile: true },
  { name: "prompt compare", path: `${P}/prompts/support/reply/~compare?from=1&to=3`, permission: "prompt:read", mobile: true },
  { name: "prompt editor", path: `${P}/prompts/support/reply/~edit`, permission: "prompt:write" },
  { name: "new prompt", path: `${P}/prompts/new`, permission: "prompt:write" },
  { name: "playground", path: `${P}/playground?prompt=support%2Freply&version=3`, permission: "playground:run", mobile: true },
  { name: "datasets", path: `${P}/datasets`, permission: "dataset:read", mobile: true },
  { name: "dataset", path: `${P}/datasets/support-questions`, permission: "dataset:read", mobile: true },
  { name: "dataset versions", path: `${P}/datasets/support-questions/versions`, permission: "dataset:read" },
  { name: "dataset import", path: `${P}/datasets/support-questions/import`, permission: "dataset:write" },
  { name: "evaluations", path: `${P}/evaluations`, permission: "evaluation:read", mobile: true },
  { name: "evaluation run", path: `${P}/evaluations/runs/1`, permission: "evaluation:read", mobile: true },
  { name: "evaluation compare", path: `${P}/evaluations/compare?baseline=1&candidate=2`, permission: "evaluation:read" },
  { name: "evaluation dashboard", path: `${P}/evaluations/dashboard`, permission: "evaluation:read", mobile: true },
  { name: "evaluators", path: `${P}/evaluations/evaluators`, permission: "evaluation:read" },
  { name: "new evaluation", path: `${P}/evaluations/new`, permission: "evaluation:write" },
  { name: "review queues", path: `${P}/reviews`, permission: "review:read", mobile: true },
  { name: "review queue", path: `${P}/reviews/support-reply-review`, permission: "review:read" },
  { name: "review agreement", path: `${P}/reviews/support-reply-review/agreement`, permission: "review:read" },
  { name: "my reviews", path: `${P}/review`, permission: "review:grade" },
  { name: "grading", path: `${P}/review/support-reply-review`, permission: "review:grade", roles: ["reviewer", "admin"], mobile: true },
  { name: "deployments", path: `${P}/deployments`, permission: "deployment:read", mobile: true },
  { name: "deployment request", path: (ids) => `${P}/deployments/${ids.deployment}`, permission: "deployment:read", mobile: true },
  { name: "deployment history", path: `${P}/deployments/history`, permission: "deployment:read" },
  { name: "environments", path: `${P}/environments`, permission: "prompt:read", mobile: true },
  { name: "observability", path: `${P}/observability`, permission: "trace:read", mobile: true },
  { name: "observability settings", path: `${P}/observability/settings`, permission: "trace:read" },
  { name: "traces", path: `${P}/traces`, permission: "trace:read", mobile: true },
  { name: "trace", path: (ids) => `${P}/traces/${ids.trace}`, permission: "trace:read", mobile: true },
  { name: "providers", path: `${P}/providers`, permission: "provider:read" },
  { name: "API keys", path: `${P}/api-keys`, permission: "apikey:read" },
  { name: "webhooks", path: `${P}/webhooks`, permission: "webhook:read" },
  { name: "API reference", path: `${P}/api-reference`, permission: "project:read", large: true },
  { name: "audit log", path: `${ORG_URL}/audit`, permission: "audit:read", mobile: true },
  { name: "members", path: `${ORG_URL}/members`, permission: "member:read", mobile: true },
  { name: "new project", path: `${ORG_URL}/projects/new`, permission: "project:create" },
  { name: "account", path: "/account", permission: "org:read", mobile: true },
];

const ROLES: Role[] = ["editor", "reviewer", "approver", "admin", "auditor", "viewer"];

/** Beside the admin's walk of every page: each role's home page and the pages its own controls are on. */
const ROLE_PAGES: Record<Exclude<Role, "owner" | "admin">, string[]> = {
  editor: ["project overview", "dataset", "prompt"],
  reviewer: ["project overview", "grading"],
  approver: ["project overview", "deployment request"],
  auditor: ["project overview", "audit log"],
  viewer: ["project overview", "prompt", "evaluation run"],
};
for (const name of Object.values(ROLE_PAGES).flat())
  if (!PAGES.some((p) => p.name === name)) throw new Error(`ROLE_PAGES names "${name}", which PAGES does not have`);

function pagesFor(role: Role) {
  const named = role === "admin" || role === "owner" ? null : ROLE_PAGES[role];
  return PAGES.filter((p) => (!named || named.includes(p.name)) && roleHasPermission(role, p.permission) && (!p.roles || p.roles.includes(role)));
}

/** Ids of demo records, read from the pages that list them (as the admin, who sees them all). */
async function lookUpIds(page: Page): Promise<Ids> {
  await page.goto(`${P}/traces`);
  const traceHref = await page.locator(`a[href*="${P}/traces/"]`).first().getAttribute("href");
  await page.goto(`${P}/deployments?status=all`);
  const deploymentHref = await page.locator(`a[href^="${P}/deployments/"]`).filter({ hasText: /#\d+/ }).first().getAttribute("href");
  const trace = traceHref?.match(/\/traces\/([^/?#]+)/)?.[1];
  const deployment = deploymentHref?.match(/\/deployments\/(\d+)/)?.[1];
  if (!trace || !deployment) throw new Error(`demo ids not found (trace ${trace}, deployment ${deployment})`);
  return { trace, deployment };
}

/** Opens a page and waits until it has its heading and has finished loading its data. */
async function open(page: Page, url: string) {
  const response = await page.goto(url);
  expect(response?.status(), `${url} answers`).toBeLessThan(400);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^(Loading|Comparing)/ })).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByText("You do not have access to this page")).toHaveCount(0);
}

/** The serious and critical violations axe finds on the page, one line per element. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .exclude("nextjs-portal")
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary?.replace(/\s+/g, " ").slice(0, 300)}`));
}

let ids: Ids;

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "admin@example.com");
  ids = await lookUpIds(page);
  await context.close();
});

// One test per page and role, so a slow page gets its own time and a failure names its page; the
// role's browser signs in once and walks its pages in order.
for (const role of ROLES) {
  test.describe(`as ${role}`, () => {
    let page: Page;
    test.beforeAll(async ({ browser }) => {
      page = await (await browser.newContext()).newPage();
      await signIn(page, `${role}@example.com`);
    });
    test.afterAll(async () => {
      await page.context().close();
    });
    for (const entry of pagesFor(role)) {
      test(`${entry.name} has no serious or critical accessibility violation`, async () => {
        test.slow(!!entry.large, "axe reads every operation of the API reference");
        const url = typeof entry.path === "function" ? entry.path(ids) : entry.path;
        await open(page, url);
        const found = (await seriousViolations(page)).map((line) => `${entry.name} (${url}): ${line}`);
        expect(found, found.join("\n")).toEqual([]);
      });
    }
  });
}

test("at 390 px wide the main pages do not scroll sideways", async ({ browser }) => {
  test.setTimeout(test.info().timeout * 6);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, "admin@example.com");
  const problems: string[] = [];
  for (const entry of pagesFor("admin").filter((p) => p.mobile)) {
    const url = typeof entry.path === "function" ? entry.path(ids) : entry.path;
    await test.step(entry.name, async () => {
      await open(page, url);
      const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
      if (width > 390) problems.push(`${entry.name} (${url}): the page is ${width} px wide`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/390-${entry.name.replace(/\s+/g, "-")}.png`, fullPage: true });
    });
  }
  expect(problems, problems.join("\n")).toEqual([]);

  // The prompt list keeps saying which version serves which environment.
  await page.goto(`${P}/prompts`);
  const reply = page.getByRole("row").filter({ hasText: "support/reply" }).first();
  await expect(reply.getByText(/production/)).toBeVisible();
  // The navigation sits behind a menu button and opens with the keyboard.
  const menu = page.getByRole("button", { name: "Menu", exact: true });
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Datasets" })).toBeVisible();
  await context.close();
});
