#!/usr/bin/env node
// First-load JavaScript per route, against the budgets in bench/bundle-budget.json. Reads the
// build in .next/ (it never builds): `npm run bundle:budget` after `next build` or `npm start`;
// `npm test` runs it from e2e/support/server.mjs right after the e2e instance built .next.
//
// Where the numbers come from (Next 16 with Turbopack prints no size table any more):
//   - .next/build-manifest.json `rootMainFiles`: the runtime and framework chunks every page loads;
//   - .next/server/app/<route>/page_client-reference-manifest.js: `entryJSFiles`, per layout,
//     page, error and not-found boundary of the route, the chunks the browser loads with the
//     page's HTML (chunks loaded later with `import()` are not in it and do not count).
// First-load JS of a route = the gzip size of the union of those files (as Next's old "First
// Load JS" column; the nomodule polyfills, which modern browsers skip, are left out).
//
//   node scripts/bundle-budget.mjs             check, print the table, exit 1 over budget
//   node scripts/bundle-budget.mjs --write     set every budget to today's size + 5 % (after a
//                                              deliberate change; commit the JSON)
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.resolve(import.meta.dirname, "..");
const HEADROOM = 1.05;

/** Measures every app route in `dir`/.next: [{ route, gzip, raw, files }], largest first. */
export function measureRoutes(dir = root) {
  const next = path.join(dir, ".next");
  const buildManifest = JSON.parse(readFileSync(path.join(next, "build-manifest.json"), "utf8"));
  const shared = buildManifest.rootMainFiles ?? [];
  const sizes = new Map();
  const sizeOf = (file) => {
    if (!sizes.has(file)) {
      const bytes = readFileSync(path.join(next, file));
      sizes.set(file, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
    }
    return sizes.get(file);
  };
  const routes = [];
  for (const manifestFile of findManifests(path.join(next, "server", "app"))) {
    const manifests = loadManifest(manifestFile);
    for (const [entry, manifest] of Object.entries(manifests)) {
      if (!entry.endsWith("/page")) continue;
      const files = new Set(shared);
      for (const chunks of Object.values(manifest.entryJSFiles ?? {})) for (const chunk of chunks) files.add(chunk);
      let gzip = 0;
      let raw = 0;
      for (const file of files) {
        const size = sizeOf(file);
        gzip += size.gzip;
        raw += size.raw;
      }
      routes.push({ route: routeOf(entry), gzip, raw, files: files.size });
    }
  }
  return routes.sort((a, b) => b.gzip - a.gzip || a.route.localeCompare(b.route));
}

function findManifests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findManifests(full));
    else if (entry.name === "page_client-reference-manifest.js") found.push(full);
  }
  return found;
}

/** The manifest is a script that assigns to globalThis.__RSC_MANIFEST; run it on a scratch object. */
function loadManifest(file) {
  const scope = { __RSC_MANIFEST: {} };
  new Function("globalThis", "self", readFileSync(file, "utf8"))(scope, scope);
  return scope.__RSC_MANIFEST;
}

/** "/(app)/o/[org]/page" → "/o/[org]" (route groups are not part of the URL). */
function routeOf(entry) {
  const url = entry
    .replace(/\/page$/, "")
    .split("/")
    .filter((segment) => segment && !/^\(.*\)$/.test(segment))
    .join("/");
  return `/${url}`;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/** Compares with the budgets; returns the lines to print and whether every route fits. */
export function checkBudgets(routes, budgets) {
  const lines = [];
  const problems = [];
  for (const { route, gzip, raw } of routes) {
    const budget = budgets.routes[route];
    const verdict = budget === undefined ? "no budget" : gzip > budget ? "OVER" : "ok";
    lines.push(
      `${verdict.padEnd(9)} ${route.padEnd(56)} ${kb(gzip).padStart(10)} gzip ${kb(raw).padStart(10)} raw${budget === undefined ? "" : `   budget ${kb(budget)}`}`,
    );
    if (budget === undefined) problems.push(`${route} has no budget in bench/bundle-budget.json (run scripts/bundle-budget.mjs --write and commit it)`);
    else if (gzip > budget) problems.push(`${route}: first-load JS ${kb(gzip)} (gzip) is over its budget of ${kb(budget)}`);
  }
  for (const route of Object.keys(budgets.routes))
    if (!routes.some((r) => r.route === route)) problems.push(`${route} is in bench/bundle-budget.json but not in the build (remove it)`);
  return { lines, problems };
}

const budgetFile = path.join(root, "bench", "bundle-budget.json");

export function runBudgetCheck({ dir = root, log = console.log } = {}) {
  if (!existsSync(path.join(dir, ".next", "build-manifest.json"))) throw new Error("no build in .next/: run `next build` (or `npm start`) first");
  const routes = measureRoutes(dir);
  const budgets = JSON.parse(readFileSync(budgetFile, "utf8"));
  const { lines, problems } = checkBudgets(routes, budgets);
  log("First-load JS per route (gzip):");
  for (const line of lines) log(`  ${line}`);
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--write")) {
    const routes = measureRoutes();
    const budgets = {
      $comment: "First-load JS budgets per route, gzip bytes (scripts/bundle-budget.mjs). Today's size + 5 %: raise one only for a change that needs it.",
      routes: Object.fromEntries(routes.map((r) => [r.route, Math.ceil((r.gzip * HEADROOM) / 1024) * 1024])),
    };
    writeFileSync(budgetFile, `${JSON.stringify(budgets, null, 2)}\n`);
    for (const r of routes) console.log(`${r.route.padEnd(56)} ${kb(r.gzip).padStart(10)} gzip ${kb(r.raw).padStart(10)} raw`);
    console.log(`wrote ${path.relative(root, budgetFile)}`);
  } else {
    const problems = runBudgetCheck();
    for (const problem of problems) console.error(`bundle budget: ${problem}`);
    process.exitCode = problems.length ? 1 : 0;
  }
}
