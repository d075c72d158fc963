// The one permission registry. Server checks (procedure builders) and UI hiding both read it,
// and docs/permissions.md is generated from it. Client code may import this file.

export const ROLES = ["owner", "admin", "editor", "reviewer", "approver", "auditor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything, including granting the owner role.",
  admin: "Manages members, API keys, projects and settings.",
  editor: "Changes prompts, datasets and evaluations; requests deployments.",
  reviewer: "Grades outputs in the review queues they are assigned to.",
  approver: "Approves or rejects deployments; cannot edit content (separation of duties).",
  auditor: "Reads everything, including the audit log and its export; changes nothing.",
  viewer: "Reads content; no audit log.",
};

type PermissionSpec = {
  /** Where the permission is checked: against the organization role or the (possibly overridden) project role. */
  scope: "org" | "project";
  description: string;
  roles: readonly Role[];
  /** Only a signed-in person may hold it; API keys never can, whatever their scopes. */
  personOnly?: true;
};

const ALL = ROLES;
const ADMINS = ["owner", "admin"] as const;
const EDITORS = ["owner", "admin", "editor"] as const;

export const PERMISSIONS = {
  "org:read": { scope: "org", description: "See the organization and its projects", roles: ALL },
  "project:create": { scope: "org", description: "Create projects", roles: ADMINS, personOnly: true },
  "member:read": { scope: "org", description: "List members and their roles", roles: ALL },
  "member:create": {
    scope: "org",
    description:
      "Invite people (they join by accepting), re-issue and revoke invitations; issue a set-password link to a sole-organization member who never signed in",
    roles: ADMINS,
    personOnly: true,
  },
  "member:update": { scope: "org", description: "Change members' roles (organization and per project)", roles: ADMINS, personOnly: true },
  "member:delete": { scope: "org", description: "Remove members", roles: ADMINS, personOnly: true },
  "audit:read": { scope: "org", description: "Read the audit log and verify its chain", roles: ["owner", "admin", "auditor"] },
  "identity:read": {
    scope: "org",
    description: "See the organization's identity policy: single sign-on, second factors, step-up and session timeouts",
    roles: ADMINS,
    personOnly: true,
  },
  "identity:manage": {
    scope: "org",
    description: "Configure single sign-on, require it or a second factor, set step-up and session timeouts, name break-glass owners",
    roles: ["owner"],
    personOnly: true,
  },
  "project:read": { scope: "project", description: "See the project", roles: ALL },
  "apikey:read": { scope: "project", description: "List the project's API keys (never their secrets)", roles: ["owner", "admin", "auditor"] },
  "apikey:create": { scope: "project", description: "Create API keys", roles: ADMINS, personOnly: true },
  "apikey:revoke": { scope: "project", description: "Revoke API keys", roles: ADMINS, personOnly: true },
  "prompt:read": { scope: "project", description: "See prompts, versions, diffs and label history", roles: ALL },
  "prompt:write": { scope: "project", description: "Create prompts and save new versions", roles: EDITORS },
  "label:move": { scope: "project", description: "Point an unprotected label (environment) at a version", roles: EDITORS },
  "environment:manage": { scope: "project", description: "Create environments and mark them protected", roles: ADMINS, personOnly: true },
  "provider:read": { scope: "project", description: "See provider connections (never their API keys) and model prices", roles: ALL },
  "provider:manage": { scope: "project", description: "Add, change and delete provider connections and model prices", roles: ADMINS, personOnly: true },
  "playground:run": { scope: "project", description: "Run prompts against a model in the playground", roles: EDITORS, personOnly: true },
  "dataset:read": { scope: "project", description: "See datasets, their versions and items; export them", roles: ALL },
  "dataset:write": { scope: "project", description: "Create datasets; add, import, edit, tag and archive items", roles: EDITORS },
  "evaluation:read": { scope: "project", description: "See evaluators, evaluation runs, their results, comparisons and dashboards", roles: ALL },
  "evaluation:write": { scope: "project", description: "Create and version evaluators; start and cancel evaluation runs", roles: EDITORS },
  "review:read": {
    scope: "project",
    description: "See review queues, their progress, grades and agreement",
    roles: ["owner", "admin", "editor", "auditor", "viewer"],
  },
  "review:manage": {
    scope: "project",
    description: "Create review queues, fill them, assign reviewers, mark gold items, adjudicate",
    roles: EDITORS,
    personOnly: true,
  },
  "review:grade": {
    scope: "project",
    description: "Grade items in the review queues one is assigned to",
    roles: ["owner", "admin", "editor", "reviewer"],
    personOnly: true,
  },
  "dataset:delete": { scope: "project", description: "Delete a dataset no evaluation uses, with its history", roles: ADMINS, personOnly: true },
  "deployment:read": { scope: "project", description: "See deployment requests, their evidence packs, protection rules and deployment history", roles: ALL },
  "deployment:request": {
    scope: "project",
    description: "Request (and cancel one's own) deployments and rollbacks of a version to a protected environment",
    roles: EDITORS,
  },
  "deployment:approve": {
    scope: "project",
    description: "Approve or reject deployment requests (never one's own, never as an API key)",
    roles: ["owner", "admin", "approver"],
    personOnly: true,
  },
  "deployment:override": {
    scope: "project",
    description: "Break the glass: deploy an approved request during a change freeze, with a reason",
    roles: ["owner"],
    personOnly: true,
  },
  "webhook:read": { scope: "project", description: "See the project's webhooks and their delivery log", roles: ["owner", "admin", "auditor"] },
  "trace:read": {
    scope: "project",
    description: "See production traces, their scores and the observability dashboards",
    roles: ["owner", "admin", "editor", "approver", "auditor", "viewer"],
  },
  "trace:ingest": { scope: "project", description: "Send traces (OpenTelemetry) and feedback scores", roles: EDITORS },
  "trace:curate": { scope: "project", description: "Send traces to review queues and add them to datasets", roles: EDITORS },
  "observability:manage": {
    scope: "project",
    description: "Change retention, gateway routing, guardrails, online evaluators and trace routing rules",
    roles: ADMINS,
    personOnly: true,
  },
  "gateway:invoke": { scope: "project", description: "Call models and deployed prompts through the gateway", roles: EDITORS },
  "webhook:manage": { scope: "project", description: "Add, change and delete webhooks; redeliver events", roles: ADMINS, personOnly: true },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof PERMISSIONS;
export type OrgPermission = { [P in Permission]: (typeof PERMISSIONS)[P]["scope"] extends "org" ? P : never }[Permission];
export type ProjectPermission = Exclude<Permission, OrgPermission>;

export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

export function permissionsOfRole(role: Role): Permission[] {
  return PERMISSION_NAMES.filter((p) => roleHasPermission(role, p));
}

/** Roles ranked for "who may grant what": nobody may grant a role above their own. */
export function canGrantRole(granter: Role, role: Role): boolean {
  if (role === "owner") return granter === "owner";
  return granter === "owner" || granter === "admin";
}

// API key scopes: what an application may do through the public API. Person-only permissions
// are never reachable through a scope.
export const API_KEY_SCOPES = {
  "prompts:read": "Fetch prompts, their versions and labels",
  "prompts:write": "Create prompt versions and move unprotected labels",
  "datasets:read": "Read datasets and export them",
  "datasets:write": "Add and change dataset items",
  "evaluations:read": "Read evaluation runs and their results",
  "evaluations:write": "Start and cancel evaluation runs (CI gating)",
  "deployments:read": "Read deployment requests and the deployment history",
  "deployments:request": "Request deployments to protected environments (never approve them)",
  "traces:ingest": "Send traces (OpenTelemetry) and feedback scores",
  "traces:read": "Read scores (the Langfuse scores API)",
  "gateway:invoke": "Call deployed prompts and models through the OpenAI-compatible gateway",
  "audit:read": "Read and export the audit log",
} as const;
export type ApiKeyScope = keyof typeof API_KEY_SCOPES;
export const API_KEY_SCOPE_NAMES = Object.keys(API_KEY_SCOPES) as [ApiKeyScope, ...ApiKeyScope[]];

/** What each scope lets a key do, in registry permissions. Person-only permissions never appear. */
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, Permission[]> = {
  "prompts:read": ["prompt:read"],
  "prompts:write": ["prompt:read", "prompt:write", "label:move"],
  "datasets:read": ["dataset:read"],
  "datasets:write": ["dataset:read", "dataset:write"],
  "evaluations:read": ["evaluation:read"],
  "evaluations:write": ["evaluation:read", "evaluation:write"],
  "deployments:read": ["deployment:read"],
  "deployments:request": ["prompt:read", "deployment:read", "deployment:request"],
  "traces:ingest": ["trace:ingest"],
  "traces:read": ["trace:read"],
  "gateway:invoke": ["gateway:invoke"],
  "audit:read": ["audit:read"],
};
