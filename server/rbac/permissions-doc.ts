// Renders docs/permissions.md from the permission registry and the procedures' declarations.
// `npm run docs:permissions` writes it; a unit test fails when the file is stale.
import { API_KEY_SCOPES, PERMISSIONS, PERMISSION_NAMES, ROLES, ROLE_DESCRIPTIONS, roleHasPermission } from "../contracts/permissions";
import type { AccessDeclaration } from "../api/trpc";
import { HTTP_ROUTES } from "../api/http-route-table";
import { GATEWAY_ROUTES } from "../gateway/routes";

export type ProcedureInfo = { path: string; type: string; access: AccessDeclaration };

export function listProcedures(router: { _def: { procedures: Record<string, unknown> } }): ProcedureInfo[] {
  return Object.entries(router._def.procedures as Record<string, { _def: { type: string; meta?: { access?: AccessDeclaration } } }>)
    .map(([path, p]) => ({ path, type: p._def.type, access: p._def.meta!.access! }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

function describeAccess(access: AccessDeclaration): string {
  switch (access.kind) {
    case "public":
      return `public — ${access.reason}`;
    case "authenticated":
      return `signed in — ${access.reason}`;
    case "org":
    case "project":
      return `\`${access.permission}\`${access.stepUp ? " + fresh authentication (step-up)" : ""}`;
  }
}

export function renderPermissionsDoc(procedures: ProcedureInfo[], routes: readonly { method: string; path: string; scope: string }[]): string {
  const lines: string[] = [];
  lines.push("# Permissions", "");
  lines.push(
    "<!-- Generated from server/contracts/permissions.ts and the procedures' declarations by `npm run docs:permissions`. Do not edit by hand: a test fails when this file is stale. -->",
    "",
  );
  lines.push("## Roles", "");
  lines.push("| role | intent |", "| --- | --- |");
  for (const role of ROLES) lines.push(`| ${role} | ${ROLE_DESCRIPTIONS[role]} |`);
  lines.push(
    "",
    "A member has one role per organization, optionally overridden per project. Organization-scoped permissions use the organization role; project-scoped ones use the project role.",
    "",
  );
  lines.push("## Permissions by role", "");
  lines.push(`| permission | scope | ${ROLES.join(" | ")} | description |`);
  lines.push(`| --- | --- | ${ROLES.map(() => ":-:").join(" | ")} | --- |`);
  for (const p of PERMISSION_NAMES) {
    const spec = PERMISSIONS[p];
    const person = "personOnly" in spec && spec.personOnly ? " (people only: never via an API key)" : "";
    lines.push(`| \`${p}\` | ${spec.scope} | ${ROLES.map((r) => (roleHasPermission(r, p) ? "✓" : "")).join(" | ")} | ${spec.description}${person} |`);
  }
  lines.push(
    "",
    "Beyond the table, domain rules apply: nobody grants a role above their own (only owners grant or change the owner role), and an organization always keeps at least one owner.",
    "",
  );
  lines.push("## API key scopes", "", "API keys belong to one project. Person-only permissions are never reachable through a scope.", "");
  lines.push("| scope | grants |", "| --- | --- |");
  for (const [scope, description] of Object.entries(API_KEY_SCOPES)) lines.push(`| \`${scope}\` | ${description} |`);
  lines.push(
    "",
    "## Procedures",
    "",
    "Every tRPC procedure declares its access through its builder; registering one without a declaration fails at start-up. " +
      "Those marked step-up also need a fresh authentication within the organization's step-up window (docs/identity.md).",
    "",
  );
  lines.push("| procedure | type | access |", "| --- | --- | --- |");
  for (const p of procedures) lines.push(`| \`${p.path}\` | ${p.type} | ${describeAccess(p.access)} |`);
  lines.push("", "## Public API routes", "", "Answered by the custom server for API keys; each route declares the scope it needs (`any`: any valid key).", "");
  lines.push("", "`public`: no key needed (the reason is given in the route's declaration); `any`: any valid key of the project.", "");
  lines.push("| route | scope |", "| --- | --- |");
  for (const r of routes) lines.push(`| \`${r.method} ${r.path}\` | \`${r.scope}\` |`);
  lines.push(
    "",
    "## Gateway routes",
    "",
    "The OpenAI-compatible gateway (server/gateway/gateway.ts), answered by the custom server for API keys, with the scope each route needs.",
    "",
  );
  lines.push("| route | scope |", "| --- | --- |");
  for (const r of GATEWAY_ROUTES) lines.push(`| \`${r.method} ${r.path}\` | \`${r.scope}\` |`);
  lines.push(
    "",
    "## Session HTTP routes",
    "",
    "Streamed file uploads and downloads for signed-in people (the browser's session cookie), declared in server/api/http-route-table.ts with the permission they need; the authorization matrix covers them like procedures.",
    "",
  );
  lines.push("| route | permission | what it does |", "| --- | --- | --- |");
  for (const [id, r] of Object.entries(HTTP_ROUTES)) lines.push(`| \`${r.method} ${r.path}\` (${id}) | \`${r.permission}\` | ${r.description} |`);
  lines.push("");
  return lines.join("\n");
}
