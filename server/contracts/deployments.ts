// Deployment approvals: the shapes shared by the server, the public API and the UI (client code
// may import this file). The domain rules live in server/domain/deployments.
import { z } from "zod";
import { ROLES } from "./permissions";
import { dateTime, name, text, versionNumber } from "./fields";

export const DEPLOYMENT_STATES = ["pending", "approved", "deployed", "rejected", "cancelled", "expired", "superseded"] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export const DEPLOYMENT_STATE_LABELS: Record<DeploymentState, string> = {
  pending: "Waiting for approvals",
  approved: "Approved",
  deployed: "Deployed",
  rejected: "Rejected",
  cancelled: "Cancelled",
  expired: "Expired",
  superseded: "Superseded",
};

export const DEPLOYMENT_KINDS = ["promote", "rollback"] as const;
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];

// ---- Protection rules ---------------------------------------------------------------------------
// Worded as the rules editor shows them beside their fields (it checks the policy with these
// schemas): the server's "rules.0.required: Must be at most 10" and the editor's read the same.

/** A whole number from min to max. */
const wholeNumber = (min: number, max: number, tooSmall = `Must be at least ${min}`) =>
  z.number({ error: "Enter a number" }).int("Enter a whole number").min(min, tooSmall).max(max, `Must be at most ${max}`);
/** A share from 0 to 1 (a threshold, a grade). */
const share = () => z.number({ error: "Enter a number" }).min(0, "Must be at least 0").max(1, "Must be at most 1");

export const approvalRule = z
  .object({
    name: name(80, "Name the rule"),
    required: wholeNumber(1, 10, "A rule needs at least one approval"),
    /** User ids that may approve under this rule. */
    users: z.array(z.uuid()).max(100).default([]),
    /** Project roles whose holders may approve under this rule (only roles that hold deployment:approve count). */
    roles: z.array(z.enum(ROLES)).max(ROLES.length).default([]),
  })
  .strict()
  .refine((r) => r.users.length + r.roles.length > 0, { message: "A rule names at least one user or role", path: ["users"] });
export type ApprovalRule = z.output<typeof approvalRule>;

export const GATE_METRICS = ["passRate", "mean"] as const;
export type GateMetric = (typeof GATE_METRICS)[number];
export const GATE_METRIC_LABELS: Record<GateMetric, string> = { passRate: "pass rate", mean: "mean score" };

export const evaluationGate = z
  .object({
    /** The prompts the gate applies to (names); empty: every prompt deployed to the environment. */
    prompts: z.array(name(200)).max(100).default([]),
    /** The dataset the run must have used (by name); optionally one version of it and one tag. */
    dataset: name(200, "Name the gate's dataset"),
    datasetVersion: versionNumber.nullable().default(null),
    tag: name(100).nullable().default(null),
    evaluators: z
      .array(z.object({ name: name(200, "Choose an evaluator"), metric: z.enum(GATE_METRICS).default("passRate"), min: share() }).strict())
      .min(1, "A gate checks at least one evaluator")
      .max(20),
    /** Optionally a minimum mean human grade (0-1) from a review queue on the gate's run. */
    review: z
      .object({ queue: name(200, "Choose a review queue"), dimension: name(100).nullable().default(null), min: share() })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();
export type EvaluationGate = z.output<typeof evaluationGate>;

export const freezeWindow = z
  .object({ start: dateTime("Enter a date and time"), end: dateTime("Enter a date and time"), reason: name(300, "Say why changes are frozen") })
  .strict()
  .refine((w) => w.end > w.start, { message: "A freeze window ends after it starts", path: ["end"] });
export type FreezeWindow = { start: string; end: string; reason: string };

export const ROLLBACK_POLICIES = ["fast", "normal"] as const;
export type RollbackPolicy = (typeof ROLLBACK_POLICIES)[number];
export const ROLLBACK_POLICY_LABELS: Record<RollbackPolicy, string> = {
  fast: "Fast path: one approval from anyone who may approve, no evaluation gate",
  normal: "Normal rules: the same approvals and gate as any promotion",
};

export const DEFAULT_EXPIRY_HOURS = 168;

export const policyInput = z
  .object({
    rules: z.array(approvalRule).min(1, "A protected environment needs at least one approval rule").max(10),
    separationOfDuties: z.boolean().default(true),
    gate: evaluationGate.nullable().default(null),
    expiryHours: wholeNumber(1, 24 * 90).default(DEFAULT_EXPIRY_HOURS),
    waitMinutes: wholeNumber(0, 7 * 24 * 60).default(0),
    freezeWindows: z.array(freezeWindow).max(50).default([]),
    rollbackPolicy: z.enum(ROLLBACK_POLICIES).default("fast"),
  })
  .strict();
export type PolicyInput = z.input<typeof policyInput>;
export type Policy = Omit<z.output<typeof policyInput>, "freezeWindows"> & { freezeWindows: FreezeWindow[] };

/** What a newly protected environment gets until an admin edits it: one approval, duties separated. */
export const DEFAULT_POLICY: Policy = {
  rules: [{ name: "Approval", required: 1, users: [], roles: ["owner", "admin", "approver"] }],
  separationOfDuties: true,
  gate: null,
  expiryHours: DEFAULT_EXPIRY_HOURS,
  waitMinutes: 0,
  freezeWindows: [],
  rollbackPolicy: "fast",
};

// ---- Gate results -------------------------------------------------------------------------------

export type GateCheck = { evaluator: string; metric: GateMetric; min: number; actual: number | null; passed: boolean; message: string };
export type GateResult = {
  passed: boolean;
  /** False when the environment has no gate (then `passed` is true). */
  configured: boolean;
  run: { number: number; dataset: string; datasetVersion: number; tag: string | null; finishedAt: string | null } | null;
  /**
   * When no run counts: the newest run of this version on the gate's dataset that answered too few
   * of its calls (below MIN_USABLE_SHARE), with its most frequent error. Absent in older results.
   */
  blockingRun?: { number: number; status: string; datasetVersion: number; answered: number; items: number; error: string | null } | null;
  checks: GateCheck[];
  review: { queue: string; dimension: string | null; min: number; actual: number | null; n: number; passed: boolean; message: string } | null;
  /** Why the gate fails, one sentence each (empty when it passes). */
  reasons: string[];
  checkedAt: string;
};

// ---- Requests -----------------------------------------------------------------------------------

export const justification = name(2000, "Say why this version should be deployed");

export const createRequestInput = z.object({
  prompt: name(200),
  version: versionNumber,
  environment: name(64),
  justification,
  /** Optional: the content hash the requester saw; refused when the version's differs. */
  contentHash: text(128).trim().optional(),
  kind: z.enum(DEPLOYMENT_KINDS).default("promote"),
});

// ---- Webhooks -----------------------------------------------------------------------------------

export const WEBHOOK_EVENTS = {
  "deployment.requested": "A deployment was requested",
  "deployment.approved": "Every approval rule of a request is met",
  "deployment.rejected": "A request was rejected",
  "deployment.deployed": "A version was promoted",
  "deployment.rolled_back": "An earlier version was rolled back to",
} as const;
export type WebhookEvent = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as [WebhookEvent, ...WebhookEvent[]];

export const webhookInput = z.object({
  url: z.url({ protocol: /^https?$/, error: "Give an http(s) URL" }).max(2000),
  description: text(300).default(""),
  events: z.array(z.enum(WEBHOOK_EVENT_NAMES)).min(1, "Choose at least one event").max(WEBHOOK_EVENT_NAMES.length),
});

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = "Keel-Signature";
