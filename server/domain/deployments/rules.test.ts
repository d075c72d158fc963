import { describe, expect, it } from "vitest";
import { matchApprovals, qualifies } from "./rules";
import type { ApprovalRule } from "../../contracts/deployments";

const rule = (name: string, required: number, roles: ApprovalRule["roles"], users: string[] = []): ApprovalRule => ({ name, required, roles, users });
const ada = { id: "u-ada", label: "ada@x", role: "admin" as const };
const bo = { id: "u-bo", label: "bo@x", role: "approver" as const };
const cy = { id: "u-cy", label: "cy@x", role: "approver" as const };
const own = { id: "u-own", label: "own@x", role: "owner" as const };

describe("approval rules", () => {
  it("qualifies by role or by name", () => {
    expect(qualifies(rule("r", 1, ["approver"]), bo)).toBe(true);
    expect(qualifies(rule("r", 1, ["approver"]), ada)).toBe(false);
    expect(qualifies(rule("r", 1, [], ["u-ada"]), ada)).toBe(true);
  });

  it("needs every rule met", () => {
    const rules = [rule("Release", 1, ["approver"]), rule("Lead", 1, ["admin", "owner"])];
    expect(matchApprovals(rules, [bo]).met).toBe(false);
    expect(matchApprovals(rules, [bo]).missing).toEqual(["Lead: 0 of 1 approval"]);
    expect(matchApprovals(rules, [bo, ada]).met).toBe(true);
  });

  it("counts one person toward one rule only", () => {
    // Ada is both named in rule A and an admin for rule B: alone she meets one of them, not both.
    const rules = [rule("A", 1, [], ["u-ada"]), rule("B", 1, ["admin"])];
    const alone = matchApprovals(rules, [ada]);
    expect(alone.met).toBe(false);
    expect(alone.rules.flatMap((r) => r.approvers)).toEqual(["ada@x"]);
  });

  it("finds the assignment a greedy pass would miss", () => {
    // Greedy in arrival order would give Ada to rule A (first match) and leave rule B empty; the
    // matching moves Ada to B (she qualifies for both) and Bo to A.
    const rules = [rule("A", 1, ["admin", "approver"]), rule("B", 1, ["admin"])];
    const outcome = matchApprovals(rules, [ada, bo]);
    expect(outcome.met).toBe(true);
    expect(outcome.rules.map((r) => r.approvers)).toEqual([["bo@x"], ["ada@x"]]);
  });

  it("requires N distinct approvers for an N-approval rule", () => {
    const rules = [rule("Two approvers", 2, ["approver", "owner"])];
    expect(matchApprovals(rules, [bo]).met).toBe(false);
    expect(matchApprovals(rules, [bo, cy]).met).toBe(true);
    expect(matchApprovals(rules, [bo, own, cy]).rules[0]!.approvers).toHaveLength(2);
  });
});
