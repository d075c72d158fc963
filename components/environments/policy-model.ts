// Protection rules as people read them, and the editor's form: its values, the schema that turns
// them into the policy environments.setPolicy takes (checked by the contract's policyInput, so the
// editor's messages are the server's), and where a problem at a path of the policy is shown.
// Shared by the summary and the editor of the environments page; the form's part is pure
// (policy-model.test.ts).
import { useEffect, useState } from "react";
import { z } from "zod";
import {
  GATE_METRIC_LABELS,
  policyInput,
  type ApprovalRule,
  type FreezeWindow,
  type GateMetric,
  type Policy,
  type PolicyInput,
  type RollbackPolicy,
} from "@/server/contracts/deployments";
import { ROLES, roleHasPermission, type Role } from "@/server/contracts/permissions";
import type { FieldErrors, FieldPath } from "react-hook-form";
import type { FieldPlacement } from "@/components/lib/form-errors";

/** What environments.policy answers for a protected environment. */
export type StoredPolicy = Policy & { editedById: string | null; editedByLabel: string; editedAt: string };

/** Roles whose holders may approve deployments at all (the only ones a rule may name). */
export const APPROVER_ROLES = ROLES.filter((role) => roleHasPermission(role, "deployment:approve"));

export type MemberOption = { userId: string; email: string; name: string; role: Role; projectRole: Role | null };

/** "a", "a or b", "a, b or c". */
export function orList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "1 approval from any approver", "2 approvals from any owner or admin, or ada@example.com". */
export function describeApprovals(rule: Pick<ApprovalRule, "required" | "roles" | "users">, userLabel: (id: string) => string): string {
  const roles = rule.roles.length ? `any ${orList(rule.roles)}` : null;
  const users = rule.users.map(userLabel);
  const who = [roles, ...users].filter((x): x is string => !!x);
  const from = who.length === 0 ? "nobody" : roles && users.length ? `${roles}, or ${orList(users)}` : orList(who);
  return `${plural(rule.required, "approval")} from ${from}`;
}

const fmt2 = (x: number) => x.toFixed(2);

/** "greets-customer pass rate ≥ 0.80". */
export function describeThreshold(t: { name: string; metric: GateMetric; min: number }): string {
  return `${t.name} ${GATE_METRIC_LABELS[t.metric]} ≥ ${fmt2(t.min)}`;
}

export function formatHours(hours: number): string {
  if (hours % 24 === 0) return `${plural(hours / 24, "day")}`;
  return plural(hours, "hour");
}

export function formatMinutes(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}

export type FreezeState = "now" | "upcoming" | "ended";

export function freezeState(w: FreezeWindow, now: number): FreezeState {
  const start = Date.parse(w.start);
  const end = Date.parse(w.end);
  if (start <= now && now < end) return "now";
  return now < start ? "upcoming" : "ended";
}

/** The current time, updated every `everyMs` (for "in force now"). */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

// ---- The editor's form -----------------------------------------------------------------------------
// Its values follow the policy's shape, so a problem the schema or the server names by its path
// in the policy (gate.evaluators.0.min, freezeWindows.1.end) is at the same path in the form.
// Numbers, dates and choices are text until the schema turns them into the policy.

export type RuleValues = { name: string; required: string; roles: Role[]; users: string[] };
export type ThresholdValues = { name: string; metric: GateMetric; min: string };
export type FreezeValues = { start: string; end: string; reason: string };
export type GateValues = {
  prompts: string[];
  dataset: string;
  datasetVersion: string;
  tag: string;
  evaluators: ThresholdValues[];
  /** Whether the gate also requires a human review grade (the review's values are kept while it is off). */
  reviewOn: boolean;
  review: { queue: string; dimension: string; min: string };
};
export type PolicyValues = {
  rules: RuleValues[];
  separationOfDuties: boolean;
  /** Whether there is an evaluation gate (its values are kept while it is off). */
  gateOn: boolean;
  gate: GateValues;
  expiryHours: string;
  waitMinutes: string;
  freezeWindows: FreezeValues[];
  rollbackPolicy: RollbackPolicy;
};

export const blankRule = (): RuleValues => ({ name: "", required: "1", roles: [], users: [] });
export const blankThreshold = (): ThresholdValues => ({ name: "", metric: "passRate", min: "0.8" });
export const blankFreeze = (): FreezeValues => ({ start: "", end: "", reason: "" });

const pad = (n: number) => String(n).padStart(2, "0");

/** An ISO instant as the value of a datetime-local input (the viewer's time zone). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's time zone) as an ISO instant; kept as typed when it is not a date. */
export function fromLocalInput(value: string): string {
  const d = new Date(value);
  return value && !Number.isNaN(d.getTime()) ? d.toISOString() : value;
}

/** The stored policy as the form's values; production always separates duties. */
export function policyValues(policy: Policy, environment: string): PolicyValues {
  const gate = policy.gate;
  return {
    rules: policy.rules.map((r) => ({ name: r.name, required: String(r.required), roles: [...r.roles], users: [...r.users] })),
    separationOfDuties: policy.separationOfDuties || environment === "production",
    gateOn: !!gate,
    gate: {
      prompts: gate ? [...gate.prompts] : [],
      dataset: gate?.dataset ?? "",
      datasetVersion: gate?.datasetVersion ? String(gate.datasetVersion) : "",
      tag: gate?.tag ?? "",
      evaluators: gate ? gate.evaluators.map((e) => ({ name: e.name, metric: e.metric, min: String(e.min) })) : [blankThreshold()],
      reviewOn: !!gate?.review,
      review: { queue: gate?.review?.queue ?? "", dimension: gate?.review?.dimension ?? "", min: gate?.review ? String(gate.review.min) : "0.7" },
    },
    expiryHours: String(policy.expiryHours),
    waitMinutes: String(policy.waitMinutes),
    freezeWindows: policy.freezeWindows.map((w) => ({ start: toLocalInput(w.start), end: toLocalInput(w.end), reason: w.reason })),
    rollbackPolicy: policy.rollbackPolicy,
  };
}

/** An empty field is NaN, so the schema reports it instead of reading it as 0. */
const num = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.trim()));

/** The form's values as the policy input, unchecked (an empty number is NaN; "" choices are null). */
export function policyInputOf(v: PolicyValues): PolicyInput {
  const g = v.gate;
  return {
    rules: v.rules.map((r) => ({ name: r.name.trim(), required: num(r.required), roles: r.roles, users: r.users })),
    separationOfDuties: v.separationOfDuties,
    gate: v.gateOn
      ? {
          prompts: g.prompts,
          dataset: g.dataset,
          datasetVersion: g.datasetVersion.trim() ? num(g.datasetVersion) : null,
          tag: g.tag || null,
          evaluators: g.evaluators.map((t) => ({ name: t.name, metric: t.metric, min: num(t.min) })),
          review: g.reviewOn ? { queue: g.review.queue, dimension: g.review.dimension || null, min: num(g.review.min) } : null,
        }
      : null,
    expiryHours: num(v.expiryHours),
    waitMinutes: num(v.waitMinutes),
    freezeWindows: v.freezeWindows.map((w) => ({ start: fromLocalInput(w.start), end: fromLocalInput(w.end), reason: w.reason.trim() })),
    rollbackPolicy: v.rollbackPolicy,
  };
}

/** The form's values as the policy, checked by the contract's policyInput (every problem at once, each at its path). */
export const policyForm = z.custom<PolicyValues>().transform(policyInputOf).pipe(policyInput);

// Where problems are shown: a control (rules.0.required), or a list's or group's own message
// (rules.root: "A rule names someone who…"). `#` stands for an item's index. Each has a label,
// so the server's "rules.0.name: must be at most 80 characters" reads "Name must be at most 80
// characters", as the browser's check words it.
const PLACES: Record<string, string> = {
  "rules.root": "Approval rules",
  "rules.#.name": "Name",
  "rules.#.required": "Approvals required",
  "rules.#.users": "Approvers",
  separationOfDuties: "Separation of duties",
  "gate.root": "Evaluation gate",
  "gate.prompts": "Prompts",
  "gate.dataset": "Dataset",
  "gate.datasetVersion": "Dataset version",
  "gate.tag": "Tag",
  "gate.evaluators.root": "Evaluator thresholds",
  "gate.evaluators.#.name": "Evaluator",
  "gate.evaluators.#.metric": "Metric",
  "gate.evaluators.#.min": "Minimum",
  "gate.review.root": "Review grade",
  "gate.review.queue": "Review queue",
  "gate.review.dimension": "Dimension",
  "gate.review.min": "Minimum grade",
  expiryHours: "Request expiry",
  waitMinutes: "Wait timer",
  "freezeWindows.root": "Freeze windows",
  "freezeWindows.#.start": "Start",
  "freezeWindows.#.end": "End",
  "freezeWindows.#.reason": "Reason",
};
/** A rule's roles and people are one choice ("who can approve"), shown under the people. */
const ALIASES: Record<string, string> = { "rules.#.roles": "users" };

/**
 * Where a problem at `path` is shown: the path of the policy (the server's field says
 * `policy.<path>`) as the control or list that holds it, e.g. policy.freezeWindows.1.end →
 * freezeWindows.1.end, rules.0.roles.2 → rules.0.users, gate.evaluators.3 → gate.evaluators.root;
 * null when no part of the form holds it (the form's general problem).
 */
export function policyFieldOf(path: string): FieldPath<PolicyValues> | null {
  const parts = (path.startsWith("policy.") ? path.slice("policy.".length) : path).split(".").filter(Boolean);
  for (let n = parts.length; n > 0; n--) {
    const prefix = parts.slice(0, n);
    const generic = prefix.map((p) => (/^\d+$/.test(p) ? "#" : p)).join(".");
    const alias = ALIASES[generic];
    if (alias) return [...prefix.slice(0, -1), alias].join(".") as FieldPath<PolicyValues>;
    if (generic in PLACES) return prefix.join(".") as FieldPath<PolicyValues>;
    if (`${generic}.root` in PLACES) return `${prefix.join(".")}.root` as FieldPath<PolicyValues>;
  }
  return null;
}

export const POLICY_PLACEMENT: FieldPlacement<PolicyValues> = {
  fieldOf: policyFieldOf,
  labelOf: (path) => {
    const field = policyFieldOf(path);
    return field ? PLACES[field.replace(/\.\d+(?=\.|$)/g, ".#")] : undefined;
  },
};

/** How many problems the form shows (the errors' messages, the form's general one included). */
export function problemCount(errors: FieldErrors): number {
  const count = (node: unknown): number => {
    if (node === null || typeof node !== "object") return 0;
    if ("type" in node && typeof node.type === "string") return 1;
    return Object.values(node).reduce((n: number, child) => n + count(child), 0);
  };
  return count(errors);
}

/** The form's general message when the browser's check finds problems. */
export function notSavedMessage(errors: FieldErrors): string {
  const n = problemCount(errors);
  return `The rules were not saved: fix the ${n === 1 ? "problem" : `${n} problems`} marked above.`;
}
