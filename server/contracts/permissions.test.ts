import { describe, expect, it } from "vitest";
import { API_KEY_SCOPE_NAMES, canGrantRole, PERMISSIONS, permissionsOfRole, ROLES, roleHasPermission } from "./permissions";

describe("role → permission table", () => {
  it("gives owners every permission", () => {
    expect(permissionsOfRole("owner").sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });
  it("keeps auditors read-only and the audit log away from viewers", () => {
    expect(permissionsOfRole("auditor").every((p) => p.endsWith(":read"))).toBe(true);
    expect(roleHasPermission("auditor", "audit:read")).toBe(true);
    expect(roleHasPermission("viewer", "audit:read")).toBe(false);
  });
  it("lets only owners and admins manage members and keys", () => {
    for (const role of ROLES) {
      const admin = role === "owner" || role === "admin";
      for (const p of ["member:create", "member:update", "member:delete", "apikey:create", "apikey:revoke"] as const) {
        expect(roleHasPermission(role, p), `${role} ${p}`).toBe(admin);
      }
    }
  });
  it("lets only owners grant the owner role", () => {
    expect(canGrantRole("owner", "owner")).toBe(true);
    expect(canGrantRole("admin", "owner")).toBe(false);
    expect(canGrantRole("admin", "admin")).toBe(true);
    expect(canGrantRole("editor", "viewer")).toBe(false);
  });
  it("marks member and key management as person-only", () => {
    for (const p of ["member:create", "member:update", "member:delete", "apikey:create", "apikey:revoke"] as const) {
      expect("personOnly" in PERMISSIONS[p] && PERMISSIONS[p].personOnly).toBe(true);
    }
  });
  it("has no API key scope named after a person-only permission", () => {
    const personOnly = Object.entries(PERMISSIONS)
      .filter(([, s]) => "personOnly" in s)
      .map(([p]) => p);
    for (const scope of API_KEY_SCOPE_NAMES) expect(personOnly).not.toContain(scope);
  });
});
