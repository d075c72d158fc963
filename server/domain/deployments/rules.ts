// Approval rules, decided without a database: which rules an approver qualifies for, and whether a
// set of approvals meets every rule when one person's approval counts toward one rule only. That
// is a bipartite matching (approvers on one side, rule slots on the other), found with augmenting
// paths (Kuhn's algorithm); rules need at most 10 approvals each, so the graph stays tiny.
import type { ApprovalRule, DeploymentKind, Policy } from "../../contracts/deployments";
import type { Role } from "../../contracts/permissions";

export type Approver = { id: string; label: string; role: Role };

export function qualifies(rule: ApprovalRule, approver: Pick<Approver, "id" | "role">): boolean {
  return rule.users.includes(approver.id) || rule.roles.includes(approver.role);
}

export type RuleProgress = { name: string; required: number; approvers: string[]; met: boolean };
export type RulesOutcome = { met: boolean; rules: RuleProgress[]; missing: string[] };

/** Assigns approvers to rule slots so the most slots are filled; reports each rule's progress. */
export function matchApprovals(rules: readonly ApprovalRule[], approvers: readonly Approver[]): RulesOutcome {
  const slots = rules.flatMap((rule, index) => Array.from({ length: rule.required }, () => index));
  const slotOwner: (number | null)[] = slots.map(() => null);
  const tryAssign = (a: number, seen: boolean[]): boolean => {
    for (let s = 0; s < slots.length; s++) {
      if (seen[s] || !qualifies(rules[slots[s]!]!, approvers[a]!)) continue;
      seen[s] = true;
      const owner = slotOwner[s]!;
      if (owner === null || tryAssign(owner, seen)) {
        slotOwner[s] = a;
        return true;
      }
    }
    return false;
  };
  for (let a = 0; a < approvers.length; a++)
    tryAssign(
      a,
      slots.map(() => false),
    );
  const progress: RuleProgress[] = rules.map((rule, index) => {
    const assigned = slots.flatMap((ruleIndex, s) => (ruleIndex === index && slotOwner[s] !== null ? [approvers[slotOwner[s]!]!.label] : []));
    return { name: rule.name, required: rule.required, approvers: assigned, met: assigned.length >= rule.required };
  });
  const missing = progress.filter((r) => !r.met).map((r) => `${r.name}: ${r.approvers.length} of ${r.required} approval${r.required === 1 ? "" : "s"}`);
  return { met: missing.length === 0, rules: progress, missing };
}

/** Describes who may approve under a rule, for people ("2 approvals from approver or admin, or Ada"). */
export function describeRule(rule: ApprovalRule, userLabels: ReadonlyMap<string, string>): string {
  const who = [...rule.roles.map((r) => `any ${r}`), ...rule.users.map((u) => userLabels.get(u) ?? "a removed member")];
  return `${rule.required} approval${rule.required === 1 ? "" : "s"} from ${who.join(", ")}`;
}

/** The one-approval rule of a rollback on the fast path. */
const FAST_ROLLBACK: ApprovalRule[] = [{ name: "Rollback (fast path)", required: 1, users: [], roles: ["owner", "admin", "approver"] }];

/** The rules a request must meet: the environment's, or the fast path for a rollback when allowed. */
export function rulesFor(kind: DeploymentKind, policy: Pick<Policy, "rules" | "rollbackPolicy">): ApprovalRule[] {
  return kind === "rollback" && policy.rollbackPolicy === "fast" ? FAST_ROLLBACK : policy.rules;
}

/** Rollbacks on the fast path skip the gate (the version already ran in this environment). */
export function gateApplies(kind: DeploymentKind, policy: Pick<Policy, "rollbackPolicy">): boolean {
  return kind === "promote" || policy.rollbackPolicy === "normal";
}
