import { describe, expect, it } from "vitest";
import { AUDIT_ACTION_GROUP_NAMES, AUDIT_ACTION_NAMES, actionsOfGroup, auditFilters } from "./audit";

describe("audit action groups", () => {
  it("put every action in exactly one group, so a group filter never misses an event", () => {
    const seen = new Map<string, string[]>();
    for (const g of AUDIT_ACTION_GROUP_NAMES) for (const a of actionsOfGroup(g)) seen.set(a, [...(seen.get(a) ?? []), g]);
    expect(AUDIT_ACTION_NAMES.filter((a) => seen.get(a)?.length !== 1)).toEqual([]);
    expect(actionsOfGroup("deployments")).toContain("deployment.deployed");
  });

  it("validate filters and name the bad one", () => {
    expect(auditFilters.safeParse({ action: "group:deployments", from: "2026-11-27T00:00:00Z" }).success).toBe(true);
    const bad = auditFilters.safeParse({ action: "group:nothing" });
    expect(bad.success ? null : bad.error.issues[0]!.path).toEqual(["action"]);
    const time = auditFilters.safeParse({ to: "yesterday" });
    expect(time.success ? null : time.error.issues[0]!.path).toEqual(["to"]);
  });
});
