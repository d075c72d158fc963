// Step-up: decisions that need a fresh authentication refuse a stale one with
// `step_up_required` before doing anything, accept a fresh one, and record how the person
// authenticated on the decision's audit event; the HTTP audit export does the same.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../api/root";
import { listProcedures } from "../../rbac/permissions-doc";
import { roleHasPermission, ROLES, type Permission, type Role } from "../../contracts/permissions";
import { AppError } from "../../errors";
import { getDb } from "../../db/client";
import { httpHandlers } from "../../api/http-handlers";
import { startSession } from "../users/sessions";
import { resolveSessionUser } from "../../auth/session";
import type { SessionUser } from "../../auth/session";
import {
  auditEventsOf,
  callerFor,
  callPath,
  createTestOrg,
  justSignedIn,
  lastSeq,
  sessionCookieFor,
  TEST_PASSWORD,
  testRequest,
  type TestOrg,
} from "@/test/support/factories";

let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

function stale(user: SessionUser, minutes = 60): SessionUser {
  return { ...user, authentication: { ...justSignedIn(), verifiedAt: minutesAgo(minutes), createdAt: minutesAgo(minutes) } };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return error.cause instanceof AppError && error.cause.reason ? error.cause.reason : error.code;
  }
}

beforeAll(async () => {
  t = await createTestOrg();
});

describe("step-up procedures", () => {
  const stepUp = listProcedures(appRouter).filter((p) => (p.access.kind === "org" || p.access.kind === "project") && p.access.stepUp);

  it("include the decisions the issue names", () => {
    expect(stepUp.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "deployments.approve",
        "deployments.reject",
        "deployments.overrideFreeze",
        "members.changeRole",
        "members.setProjectRole",
        "environments.setProtected",
        "environments.setPolicy",
        "apiKeys.create",
        "identity.setPolicy",
      ]),
    );
  });

  for (const p of stepUp) {
    it(`${p.path} refuses a stale authentication, and a request without a session, before anything else`, async () => {
      const permission = (p.access as { permission: Permission }).permission;
      const role = ROLES.find((r: Role) => roleHasPermission(r, permission))!;
      const before = await lastSeq(t.org.id);
      expect(await reasonOf(callPath(callerFor(stale(t.users[role])), p.path, scope()))).toBe("step_up_required");
      const { authentication: _none, ...noSession } = t.users[role];
      const caller = (await import("../../api/root")).createCaller((await import("../../api/trpc")).createContext(noSession, testRequest()));
      expect(await reasonOf(callPath(caller, p.path, scope()))).toBe("step_up_required");
      // A challenge, not a denial: nothing is written.
      expect(await lastSeq(t.org.id)).toBe(before);
    });
  }

  it("a password does not count for a person who has a second factor", async () => {
    const admin = t.users.admin;
    await getDb().userPasskey.create({ data: { userId: admin.id, credentialId: `cred-${admin.id}`, publicKey: Buffer.from("key"), name: "Test key" } });
    const input = { ...scope(), name: "step-up", scopes: ["prompts:read" as const] };
    expect(await reasonOf(callerFor(admin).apiKeys.create(input))).toBe("step_up_required");
    const withPasskey = { ...admin, authentication: { ...justSignedIn(), verifiedMethod: "passkey" as const } };
    expect(await reasonOf(callerFor(withPasskey).apiKeys.create(input))).toBe("OK");
    const events = await auditEventsOf(t.org.id, (await lastSeq(t.org.id)) - 1n);
    expect(events[0]).toMatchObject({
      action: "apikey.created",
      after: expect.objectContaining({ authentication: { method: "passkey", at: expect.any(String) } }),
    });
    await getDb().userPasskey.deleteMany({ where: { userId: admin.id } });
  });

  it("uses the organization's window", async () => {
    const owner = callerFor(t.users.owner);
    const policy = {
      requireSso: false,
      mfaRequirement: "none" as const,
      mfaRoles: [],
      stepUpMinutes: 30,
      sessionIdleMinutes: null,
      sessionAbsoluteHours: null,
    };
    await owner.identity.setPolicy({ orgSlug: t.org.slug, policy });
    const twentyMinutes = stale(t.users.admin, 20);
    expect(await reasonOf(callerFor(twentyMinutes).apiKeys.create({ ...scope(), name: "window", scopes: ["prompts:read"] }))).toBe("OK");
    await owner.identity.setPolicy({ orgSlug: t.org.slug, policy: { ...policy, stepUpMinutes: 10 } });
    expect(await reasonOf(callerFor(twentyMinutes).apiKeys.create({ ...scope(), name: "window-2", scopes: ["prompts:read"] }))).toBe("step_up_required");
  });
});

describe("stepping up", () => {
  it("with the password refreshes the session and the decision records it", async () => {
    const admin = t.users.admin;
    const sid = await startSession(getDb(), admin.id, testRequest());
    await getDb().userSession.update({ where: { id: sid }, data: { verifiedAt: minutesAgo(45) } });
    const dbUser = await getDb().user.findUniqueOrThrow({ where: { id: admin.id } });
    let session = (await resolveSessionUser(admin.id, dbUser.sessionVersion, sid))!;
    expect(session.authentication?.verifiedMethod).toBe("password");
    const change = () => callerFor(session).members.changeRole({ orgSlug: t.org.slug, userId: t.users.viewer.id, role: "reviewer" });
    expect(await reasonOf(change())).toBe("step_up_required");

    await expect(callerFor(session).identity.stepUp({ proof: { kind: "password", password: "not-it" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const stepped = await callerFor(session).identity.stepUp({ proof: { kind: "password", password: TEST_PASSWORD } });
    expect(stepped.method).toBe("password");
    session = (await resolveSessionUser(admin.id, dbUser.sessionVersion, sid))!;
    expect(Date.now() - session.authentication!.verifiedAt.getTime()).toBeLessThan(60_000);
    const before = await lastSeq(t.org.id);
    expect(await reasonOf(change())).toBe("OK");
    const [event] = await auditEventsOf(t.org.id, before);
    expect(event).toMatchObject({
      action: "member.role.changed",
      after: { email: t.users.viewer.email, role: "reviewer", authentication: { method: "password", at: session.authentication!.verifiedAt.toISOString() } },
    });
  });

  it("refuses the password from a person who has a second factor", async () => {
    const editor = t.users.editor;
    await getDb().userTotp.create({ data: { userId: editor.id, secretEncrypted: "x", confirmedAt: new Date() } });
    const sid = await startSession(getDb(), editor.id, testRequest());
    const dbUser = await getDb().user.findUniqueOrThrow({ where: { id: editor.id } });
    const session = (await resolveSessionUser(editor.id, dbUser.sessionVersion, sid))!;
    await expect(callerFor(session).identity.stepUp({ proof: { kind: "password", password: TEST_PASSWORD } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await getDb().userTotp.delete({ where: { userId: editor.id } });
  });
});

describe("the audit export", () => {
  const exportAs = async (cookie: string) => {
    const response = await httpHandlers["audit.export"](new Request(`http://keel.test/api/audit/${t.org.slug}/export?format=csv`, { headers: { cookie } }), {
      params: Promise.resolve({ org: t.org.slug }),
    });
    const body = response.ok ? await response.text() : ((await response.json()) as { error: { reason?: string } });
    return { status: response.status, body };
  };

  it("needs a fresh authentication, and its event records it", async () => {
    const auditor = t.users.auditor;
    const cookie = await sessionCookieFor(auditor);
    const sessions = await getDb().userSession.findMany({ where: { userId: auditor.id }, orderBy: { createdAt: "desc" }, take: 1 });
    await getDb().userSession.update({ where: { id: sessions[0]!.id }, data: { verifiedAt: minutesAgo(30) } });
    const refused = await exportAs(cookie);
    expect(refused).toMatchObject({ status: 403, body: { error: { reason: "step_up_required" } } });

    await getDb().userSession.update({ where: { id: sessions[0]!.id }, data: { verifiedAt: new Date() } });
    const before = await lastSeq(t.org.id);
    const exported = await exportAs(cookie);
    expect(exported.status).toBe(200);
    const events = await auditEventsOf(t.org.id, before);
    expect(events.find((e) => e.action === "audit.exported")).toMatchObject({
      after: expect.objectContaining({ authentication: { method: "password", at: expect.any(String) } }),
    });
  });
});
