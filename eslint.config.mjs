// Lint: Next's core-web-vitals + TypeScript rules (incl. jsx-a11y), and the layer boundaries
// from docs/architecture.md enforced as import restrictions.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const serverInternals = {
  // Server components may call procedures through the server caller (same permission ladder).
  // (gitignore semantics: the negations must come last)
  group: [
    "@/server/*",
    "@/server/*/**",
    "**/server/*",
    "**/server/*/**",
    "!@/server/contracts",
    "!@/server/contracts/**",
    "!**/server/contracts",
    "!**/server/contracts/**",
    "!@/server/api/server-caller",
  ],
  message: "Components may import only server/contracts (and server components the server caller). Use tRPC for data.",
};

const egressMessage = "Outbound requests go through server/net/egress.ts (egressFetch / egressPost), so Keel's egress policy applies to them.";

const egressImports = [
  ...["node:http", "http", "node:https", "https"].map((name) => ({ name, importNames: ["request", "get", "Agent", "globalAgent"], message: egressMessage })),
  ...["node:net", "net", "node:tls", "tls"].map((name) => ({ name, importNames: ["connect", "createConnection", "Socket"], message: egressMessage })),
  { name: "undici", message: egressMessage },
];

const rawSqlMessage =
  "Write SQL as a tagged template (sql`...` from server/db/sql.ts) and run it with $queryRaw/$executeRaw/readSql or pgQuery: placeholders are then numbered for you.";

// Raw SQL without numbered placeholders written by hand (docs/architecture.md, "SQL").
const rawSqlProperties = ["$queryRawUnsafe", "$executeRawUnsafe"].map((property) => ({ property, message: rawSqlMessage }));

const egressProperties = [
  ...["globalThis", "window", "self"].map((object) => ({ object, property: "fetch", message: egressMessage })),
  ...["http", "https"].flatMap((object) => ["request", "get", "Agent", "globalAgent"].map((property) => ({ object, property, message: egressMessage }))),
  ...["net", "tls"].flatMap((object) => ["connect", "createConnection", "Socket"].map((property) => ({ object, property, message: egressMessage }))),
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ["node_modules/**", ".next/**", ".keel/**", "server/db/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**", ".tmp/**"],
  },
  {
    // CommonJS config files (.dependency-cruiser.cjs) load modules with require.
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
      eqeqeq: ["error", "smart"],
    },
  },
  {
    // Client components and UI primitives never reach into the server.
    files: ["components/**/*.{ts,tsx}"],
    ignores: ["components/trpc/client.tsx", "components/trpc/step-up-link.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [serverInternals] }] },
  },
  {
    // Outbound requests go through Keel's egress policy (server/net/egress.ts: egressFetch,
    // egressPost), which refuses private, loopback and link-local targets after resolution.
    files: ["server/**/*.ts"],
    ignores: ["**/*.test.ts", "server/net/egress.ts"],
    rules: {
      "no-restricted-globals": ["error", { name: "fetch", message: egressMessage }],
      "no-restricted-properties": ["error", ...egressProperties, ...rawSqlProperties],
      "no-restricted-imports": ["error", { paths: egressImports }],
    },
  },
  {
    // The few places that run SQL text Keel did not write: pg-boss's own statements (audit/chain.ts
    // SqlExecutor.external). The egress entries again: a later block's options replace.
    files: ["server/audit/chain.ts"],
    rules: { "no-restricted-properties": ["error", ...egressProperties] },
  },
  {
    // The domain layer is framework-free: no tRPC, no Next, no React. AppError (server/errors.ts)
    // and the access resolver are thrown and called from it, so they are held to the same rule.
    files: ["server/domain/**/*.ts", "server/audit/**/*.ts", "server/errors.ts", "server/rbac/access.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          // The egress rule's paths again: a later block's options replace an earlier one's.
          paths: egressImports,
          patterns: [
            {
              group: ["@trpc/*", "next", "next/*", "next-auth", "next-auth/*", "react", "react-dom"],
              message: "Domain code takes a db/transaction and an actor; it never imports tRPC, Next or React.",
            },
            { group: ["**/api/*", "@/server/api/*", "@/app/*", "**/app/*"], message: "Domain code must not depend on the API layer or routes." },
          ],
        },
      ],
    },
  },
  {
    // Dates that come in are bounded (fields.ts: dateTime, isoDateTime); a bare coerced or ISO date
    // takes year -271821, which PostgreSQL refuses with a 500. (fields-coverage.test.ts also walks
    // every input schema for bare strings, dates and unchecked JSON.)
    files: ["server/**/*.ts", "components/**/*.{ts,tsx}", "app/**/*.{ts,tsx}"],
    ignores: ["server/contracts/fields.ts", "**/*.test.ts", "server/public-api/*-routes.ts", "server/public-api/schemas.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.object.name='z'][object.property.name='coerce'][property.name='date']",
          message: "Use dateTime() from server/contracts/fields.ts: it bounds dates to years 1970..9999.",
        },
        {
          selector: "MemberExpression[object.object.name='z'][object.property.name='iso'][property.name='datetime']",
          message: "Use isoDateTime() from server/contracts/fields.ts: it bounds dates to years 1970..9999.",
        },
        // pg queries: a SQL string with interpolations or hand-numbered placeholders.
        {
          selector: "CallExpression[callee.property.name='query'][arguments.0.type='TemplateLiteral'][arguments.0.expressions.length>0]",
          message: rawSqlMessage,
        },
        { selector: "CallExpression[callee.property.name='query'] > Literal.arguments:first-child[value=/\\$\\d/]", message: rawSqlMessage },
        {
          selector: "CallExpression[callee.property.name='query'] > TemplateLiteral.arguments:first-child[quasis.0.value.raw=/\\$\\d/]",
          message: rawSqlMessage,
        },
        // WCAG 2.2 AA: zinc-400 text is 2.5:1 on white (AA needs 4.5:1). Secondary text is zinc-500 or darker.
        { selector: "Literal[value=/\\btext-zinc-400\\b/]", message: "text-zinc-400 fails WCAG AA contrast on white (2.5:1): use text-zinc-500 or darker." },
        {
          selector: "TemplateElement[value.raw=/\\btext-zinc-400\\b/]",
          message: "text-zinc-400 fails WCAG AA contrast on white (2.5:1): use text-zinc-500 or darker.",
        },
        // A Suspense boundary hydrates after the rest of the page; by then a query the layout
        // started (datasets.get in a header) may have answered, and the view renders with data the
        // server's HTML had not: React #418, seen in a slow browser. Pages are dynamic (they read the
        // session), so a view using useSearchParams needs no boundary; one hydration pass renders
        // every view from an empty cache, as the server did.
        // The runtime's locale: "1,500" rendered on the server hydrates as "1.500" in a German browser
        // (React #418). The app's text is English; formatCount (components/lib/format.ts) is too.
        {
          selector: "CallExpression[callee.property.name='toLocaleString'][arguments.length=0]",
          message: "toLocaleString() follows the runtime's locale and breaks hydration: use formatCount() from components/lib/format.ts.",
        },
        {
          selector: "JSXOpeningElement[name.name='Suspense'], JSXOpeningElement[name.property.name='Suspense']",
          message:
            "Do not wrap a view in <Suspense>: it hydrates later than the layout, whose queries can answer first (React #418). Pages are dynamic; useSearchParams needs no boundary.",
        },
      ],
    },
  },
];

export default config;
