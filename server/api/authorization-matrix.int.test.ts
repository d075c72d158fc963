// The authorization matrix: every procedure of the root router × every role, plus a member of
// another organization and an anonymous caller, must be allowed or denied exactly as the
// registry says. New procedures are picked up automatically from the router; one whose access
// declaration this test does not understand fails it.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root";
import { listProcedures } from "../rbac/permissions-doc";
import { ROLES, roleHasPermission, type Role } from "../contracts/permissions";
import { runAudited } from "../audit/mutation";
import { systemActor } from "../audit/actor";
import { callerFor, callPath, createTestOrg, createUser, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { HTTP_ROUTES, type HttpRouteId } from "./http-routes";
import { httpHandlers } from "./http-handlers";
import type { SessionUser } from "../auth/session";

const procedures = listProcedures(appRouter);
const DENIAL_CODES = ["UNAUTHORIZED", "FORBIDDEN"];

async function outcome(user: SessionUser | null, path: string, input: unknown): Promise<string> {
  try {
    await callPath(callerFor(user), path, input);
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

let t: TestOrg;
let outsider: SessionUser;
let outsiderOrg: TestOrg;

// Two organizations share people, with other roles in each: every role below is checked in the
// organization it is held in, never taken from the other one.
const ROTATED: Record<Role, Role> = {
  owner: "viewer",
  admin: "auditor",
  editor: "approver",
  reviewer: "owner",
  approver: "editor",
  auditor: "admin",
  viewer: "owner",
};

beforeAll(async () => {
  t = await createTestOrg();
  // An owner of another organization: powerful there, nothing here.
  outsiderOrg = await createTestOrg();
  outsider = outsiderOrg.users.owner;
  await runAudited(systemActor("test"), async (w) => {
    for (const role of ROLES) {
      await w.tx.membership.create({ data: { orgId: outsiderOrg.org.id, userId: t.users[role].id, role: ROTATED[role] } });
      w.record({ orgId: outsiderOrg.org.id, action: "member.added", targetType: "membership", targetId: t.users[role].id, after: { role: ROTATED[role] } });
    }
  });
  await createUser(); // a user in no organization at all exists too
});

describe("authorization matrix", () => {
  it("covers every procedure of the root router", () => {
    expect(procedures.map((p) => p.path)).toContain("members.invite");
    for (const p of procedures) expect(["public", "authenticated", "org", "project"], p.path).toContain(p.access.kind);
  });

  for (const p of procedures) {
    describe(p.path, () => {
      const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

      if (p.access.kind === "public") {
        it("is open to anonymous callers", async () => {
          expect(DENIAL_CODES).not.toContain(await outcome(null, p.path, scope()));
        });
        return;
      }

      it("refuses anonymous callers with UNAUTHORIZED", async () => {
        expect(await outcome(null, p.path, scope())).toBe("UNAUTHORIZED");
      });

      if (p.access.kind === "authenticated") {
        it("is open to any signed-in user", async () => {
          for (const role of ROLES) expect(DENIAL_CODES, role).not.toContain(await outcome(t.users[role], p.path, scope()));
        });
        return;
      }

      const permission = p.access.permission;
      it("finds nothing for a member of another organization", async () => {
        expect(await outcome(outsider, p.path, scope())).toBe("NOT_FOUND");
      });

      for (const role of ROLES) {
        const allowed = roleHasPermission(role, permission);
        it(`${allowed ? "allows" : "denies"} ${role} (${permission})`, async () => {
          const result = await outcome(t.users[role], p.path, scope());
          if (allowed) {
            // Past the permission check; the rest of the input may still be missing (BAD_REQUEST).
            expect(DENIAL_CODES).not.toContain(result);
            expect(result).not.toBe("NOT_FOUND");
          } else {
            expect(result).toBe("FORBIDDEN");
          }
        });
      }
    });
  }
});

describe("people in two organizations", () => {
  it("hold each organization's own role there", async () => {
    // The viewer of t owns the other organization: owner there, viewer here.
    const person = t.users.viewer;
    expect(await outcome(person, "members.invite", { orgSlug: t.org.slug, email: "x@example.com", role: "viewer" })).toBe("FORBIDDEN");
    expect(await outcome(person, "members.invite", { orgSlug: outsiderOrg.org.slug, email: "x@example.com", role: "viewer" })).toBe("OK");
    expect(await outcome(person, "apiKeys.list", { orgSlug: outsiderOrg.org.slug, projectSlug: outsiderOrg.project.slug })).toBe("OK");
    // A project of one organization is not reachable through the other's slug.
    expect(await outcome(person, "apiKeys.list", { orgSlug: outsiderOrg.org.slug, projectSlug: t.project.slug })).toBe("NOT_FOUND");
  });
});

describe("project role overrides", () => {
  it("apply to project permissions and not to organization ones", async () => {
    const owner = callerFor(t.users.owner);
    // The viewer becomes admin in this project only.
    await owner.members.setProjectRole({ orgSlug: t.org.slug, projectSlug: t.project.slug, userId: t.users.viewer.id, role: "admin" });
    expect(await outcome(t.users.viewer, "apiKeys.list", { orgSlug: t.org.slug, projectSlug: t.project.slug })).toBe("OK");
    expect(await outcome(t.users.viewer, "audit.list", { orgSlug: t.org.slug })).toBe("FORBIDDEN");
    await owner.members.setProjectRole({ orgSlug: t.org.slug, projectSlug: t.project.slug, userId: t.users.viewer.id, role: null });
    expect(await outcome(t.users.viewer, "apiKeys.list", { orgSlug: t.org.slug, projectSlug: t.project.slug })).toBe("FORBIDDEN");
  });
});

describe("session HTTP routes (file import, preview, export; organization-wide audit exports)", () => {
  const call = async (id: HttpRouteId, user: SessionUser | null, org = t.org.slug) => {
    const route = HTTP_ROUTES[id];
    const path = route.path.replace("{org}", org).replace("{project}", t.project.slug).replace("{dataset}", "matrix");
    const headers: Record<string, string> = user ? { cookie: await sessionCookieFor(user) } : {};
    const response = await httpHandlers[id](
      new Request(`http://keel.test${path}?format=csv`, { method: route.method, headers, body: route.method === "POST" ? "q\nx\n" : undefined }),
      {
        params: Promise.resolve({ org, project: t.project.slug, dataset: "matrix" }),
      },
    );
    return { status: response.status, message: ((await response.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message };
  };

  beforeAll(async () => {
    await callerFor(t.users.editor).datasets.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name: "matrix" });
  });

  for (const [id, route] of Object.entries(HTTP_ROUTES) as [HttpRouteId, (typeof HTTP_ROUTES)[HttpRouteId]][]) {
    describe(id, () => {
      it("refuses anonymous callers (401) and finds nothing for outsiders (404)", async () => {
        expect((await call(id, null)).status).toBe(401);
        expect(await call(id, outsider)).toEqual({ status: 404, message: route.scope === "org" ? "Organization not found" : "Project not found" });
      });
      for (const role of ROLES) {
        const allowed = roleHasPermission(role, route.permission);
        it(`${allowed ? "allows" : "denies"} ${role} (${route.permission})`, async () => {
          const result = await call(id, t.users[role]);
          if (allowed) {
            expect([401, 403]).not.toContain(result.status);
            expect(result.message ?? "").not.toMatch(/^(Project|Organization) not found$/);
          } else {
            expect(result.status).toBe(403);
          }
        });
      }
    });
  }
});
