// Protection rules as people read them, and the editor's draft <-> the policy input the server
// takes. Shared by the summary and the editor of the environments page.
import { useEffect, useState } from "react";
import type { z } from "zod";
import { GATE_METRIC_LABELS, type ApprovalRule, type FreezeWindow, type GateMetric, type Policy, type RollbackPolicy } from "@/server/contracts/deployments";
import { ROLES, roleHasPermission, type Role } from "@/server/contracts/permissions";

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

// ---- The editor's draft ---------------------------------------------------------------------------

let nextId = 1;
export const newId = () => nextId++;

export type RuleDraft = { id: number; name: string; required: string; roles: Role[]; users: string[] };
export type ThresholdDraft = { id: number; evaluator: string; metric: GateMetric; min: string };
export type FreezeDraft = { id: number; start: string; end: string; reason: string };
export type Draft = {
  rules: RuleDraft[];
  separationOfDuties: boolean;
  gateOn: boolean;
  prompts: string[];
  dataset: string;
  datasetVersion: string;
  tag: string;
  thresholds: ThresholdDraft[];
  reviewOn: boolean;
  reviewQueue: string;
  reviewDimension: string;
  reviewMin: string;
  expiryHours: string;
  waitMinutes: string;
  freezeWindows: FreezeDraft[];
  rollbackPolicy: RollbackPolicy;
};

export const blankRule = (): RuleDraft => ({ id: newId(), name: "", required: "1", roles: [], users: [] });
export const blankThreshold = (): ThresholdDraft => ({ id: newId(), evaluator: "", metric: "passRate", min: "0.8" });
export const blankFreeze = (): FreezeDraft => ({ id: newId(), start: "", end: "", reason: "" });

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

export function draftOf(policy: StoredPolicy): Draft {
  const gate = policy.gate;
  return {
    rules: policy.rules.map((r) => ({ id: newId(), name: r.name, required: String(r.required), roles: [...r.roles], users: [...r.users] })),
    separationOfDuties: policy.separationOfDuties,
    gateOn: !!gate,
    prompts: gate ? [...gate.prompts] : [],
    dataset: gate?.dataset ?? "",
    datasetVersion: gate?.datasetVersion ? String(gate.datasetVersion) : "",
    tag: gate?.tag ?? "",
    thresholds: gate ? gate.evaluators.map((e) => ({ id: newId(), evaluator: e.name, metric: e.metric, min: String(e.min) })) : [blankThreshold()],
    reviewOn: !!gate?.review,
    reviewQueue: gate?.review?.queue ?? "",
    reviewDimension: gate?.review?.dimension ?? "",
    reviewMin: gate?.review ? String(gate.review.min) : "0.7",
    expiryHours: String(policy.expiryHours),
    waitMinutes: String(policy.waitMinutes),
    freezeWindows: policy.freezeWindows.map((w) => ({ id: newId(), start: toLocalInput(w.start), end: toLocalInput(w.end), reason: w.reason })),
    rollbackPolicy: policy.rollbackPolicy,
  };
}

/** An empty field is NaN, so the schema reports it instead of reading it as 0. */
const num = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.trim()));

/** The draft as the policy input (unvalidated: the shared schema and the server check it). */
export function inputOf(d: Draft) {
  return {
    rules: d.rules.map((r) => ({ name: r.name.trim(), required: num(r.required), roles: r.roles, users: r.users })),
    separationOfDuties: d.separationOfDuties,
    gate: d.gateOn
      ? {
          prompts: d.prompts,
          dataset: d.dataset,
          datasetVersion: d.datasetVersion.trim() ? num(d.datasetVersion) : null,
          tag: d.tag || null,
          evaluators: d.thresholds.map((t) => ({ name: t.evaluator, metric: t.metric, min: num(t.min) })),
          review: d.reviewOn ? { queue: d.reviewQueue, dimension: d.reviewDimension || null, min: num(d.reviewMin) } : null,
        }
      : null,
    expiryHours: num(d.expiryHours),
    waitMinutes: num(d.waitMinutes),
    freezeWindows: d.freezeWindows.map((w) => ({ start: fromLocalInput(w.start), end: fromLocalInput(w.end), reason: w.reason.trim() })),
    rollbackPolicy: d.rollbackPolicy,
  };
}

/** A schema issue in words for the field it is shown under (custom messages are sentences already). */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const last = String(issue.path.at(-1) ?? "");
  switch (issue.code) {
    case "invalid_type":
      if (last === "start" || last === "end") return "Enter a date and time";
      return issue.expected === "int" ? "Enter a whole number" : "Enter a number";
    case "too_small":
      if (issue.origin === "number" && issue.message.startsWith("Too small"))
        return `Must be ${issue.inclusive ? "at least" : "more than"} ${String(issue.minimum)}`;
      if (issue.origin === "string" && issue.message.startsWith("Too small")) {
        if (last === "name" && issue.path.includes("evaluators")) return "Choose an evaluator";
        if (last === "queue") return "Choose a review queue";
        return "Required";
      }
      return issue.message;
    case "too_big":
      if (issue.origin === "number" && issue.message.startsWith("Too big"))
        return `Must be ${issue.inclusive ? "at most" : "less than"} ${String(issue.maximum)}`;
      if (issue.origin === "string" && issue.message.startsWith("Too big")) return `Must be at most ${String(issue.maximum)} characters`;
      return issue.message;
    default:
      return issue.message;
  }
}
