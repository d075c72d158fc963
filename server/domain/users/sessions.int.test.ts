// Server-side sessions: a JWT names a session row; signing out or revoking it ends the session at
// once, wherever the cookie was copied to.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { authOptions } from "../../auth/options";
import { resolveSessionUser, userFromSessionToken } from "../../auth/session";
import { callerFor, createTestOrg, sessionCookieFor } from "@/test/support/factories";
import { startSession } from "./sessions";

const request = { requestId: "r", ip: "198.51.100.20", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" };
const tokenOf = (cookie: string) => decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1));

describe("sessions", () => {
  it("sign-out revokes the session server-side: the old cookie stops working", async () => {
    const t = await createTestOrg();
    const cookie = await sessionCookieFor(t.users.editor);
    const user = await userFromSessionToken(tokenOf(cookie));
    expect(user).toMatchObject({ id: t.users.editor.id, sessionId: expect.any(String) });
    // What next-auth's sign-out route calls with the decoded token.
    const { decode } = await import("next-auth/jwt");
    const token = await decode({ token: tokenOf(cookie), secret: process.env.KEEL_SECRET! });
    await authOptions.events!.signOut!({ token: token!, session: null as never });
    expect(await userFromSessionToken(tokenOf(cookie))).toBeNull();
  });

  it("are listed with their address and browser, and can be revoked one by one or all but this one", async () => {
    const t = await createTestOrg();
    const me = t.users.reviewer;
    const here = await startSession(getDb(), me.id, request);
    const laptop = await startSession(getDb(), me.id, { ...request, ip: "203.0.113.7" });
    const phone = await startSession(getDb(), me.id, { ...request, ip: "203.0.113.8" });
    const caller = callerFor({ ...me, sessionId: here });
    const listed = await caller.account.sessions();
    expect(listed).toHaveLength(3);
    expect(listed.find((s) => s.id === here)).toMatchObject({ current: true, ip: "198.51.100.20", userAgent: request.userAgent });

    await caller.account.revokeSession({ sessionId: laptop });
    const sv = (await getDb().user.findUniqueOrThrow({ where: { id: me.id } })).sessionVersion;
    expect(await resolveSessionUser(me.id, sv, laptop)).toBeNull();
    expect(await resolveSessionUser(me.id, sv, phone)).not.toBeNull();

    await caller.account.revokeOtherSessions();
    expect(await resolveSessionUser(me.id, sv, phone)).toBeNull();
    expect(await resolveSessionUser(me.id, sv, here)).not.toBeNull();
    expect((await caller.account.sessions()).map((s) => s.id)).toEqual([here]);
    const events = await getDb().auditEvent.findMany({ where: { orgId: t.org.id, action: "user.sessions.revoked", targetId: me.id } });
    expect(events).toHaveLength(2);
  });

  it("cannot revoke someone else's session", async () => {
    const t = await createTestOrg();
    const theirs = await startSession(getDb(), t.users.viewer.id, request);
    await expect(callerFor(t.users.admin).account.revokeSession({ sessionId: theirs })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const sv = (await getDb().user.findUniqueOrThrow({ where: { id: t.users.viewer.id } })).sessionVersion;
    expect(await resolveSessionUser(t.users.viewer.id, sv, theirs)).not.toBeNull();
  });

  it("expire, and a token naming another user's session resolves to nobody", async () => {
    const t = await createTestOrg();
    const sid = await startSession(getDb(), t.users.editor.id, request);
    expect(await resolveSessionUser(t.users.viewer.id, 0, sid)).toBeNull();
    await getDb().userSession.update({ where: { id: sid }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await resolveSessionUser(t.users.editor.id, 0, sid)).toBeNull();
  });
});

describe("organization session policy", () => {
  const sv = async (id: string) => (await getDb().user.findUniqueOrThrow({ where: { id }, select: { sessionVersion: true } })).sessionVersion;
  const policy = { requireSso: false, mfaRequirement: "none" as const, mfaRoles: [], stepUpMinutes: 10 };

  it("the strictest idle and absolute timeouts of a person's organizations end their sessions", async () => {
    const t = await createTestOrg();
    const editor = t.users.editor;
    const sid = await startSession(getDb(), editor.id, request);
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    // Seen 4 minutes ago: not touched by this lookup (a touch would move last_seen_at to now).
    await getDb().userSession.update({ where: { id: sid }, data: { lastSeenAt: ago(4), createdAt: ago(40) } });
    expect(await resolveSessionUser(editor.id, await sv(editor.id), sid)).not.toBeNull();

    await callerFor(t.users.owner).identity.setPolicy({ orgSlug: t.org.slug, policy: { ...policy, sessionIdleMinutes: 30, sessionAbsoluteHours: null } });
    await getDb().userSession.update({ where: { id: sid }, data: { lastSeenAt: ago(40) } });
    expect(await resolveSessionUser(editor.id, await sv(editor.id), sid)).toBeNull();
    expect(await callerFor({ ...editor, sessionId: sid }).account.sessions()).toEqual([]);

    await callerFor(t.users.owner).identity.setPolicy({ orgSlug: t.org.slug, policy: { ...policy, sessionIdleMinutes: 60, sessionAbsoluteHours: 1 } });
    await getDb().userSession.update({ where: { id: sid }, data: { lastSeenAt: ago(1), createdAt: ago(61) } });
    expect(await resolveSessionUser(editor.id, await sv(editor.id), sid)).toBeNull();
    await getDb().userSession.update({ where: { id: sid }, data: { createdAt: ago(59) } });
    expect(await resolveSessionUser(editor.id, await sv(editor.id), sid)).not.toBeNull();
  });

  it("an administrator signs a member out everywhere; only an owner signs out an owner", async () => {
    const t = await createTestOrg();
    const cookie = await sessionCookieFor(t.users.viewer);
    await startSession(getDb(), t.users.viewer.id, request);
    expect(await userFromSessionToken(tokenOf(cookie))).not.toBeNull();
    expect(await callerFor(t.users.admin).members.revokeSessions({ orgSlug: t.org.slug, userId: t.users.viewer.id })).toEqual({ revoked: 2 });
    expect(await userFromSessionToken(tokenOf(cookie))).toBeNull();
    await startSession(getDb(), t.users.owner.id, request);
    await expect(callerFor(t.users.admin).members.revokeSessions({ orgSlug: t.org.slug, userId: t.users.owner.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(callerFor(t.users.admin).members.revokeSessions({ orgSlug: t.org.slug, userId: randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("requiring single sign-on needs an enabled connection and a break-glass owner", async () => {
    const t = await createTestOrg();
    await expect(
      callerFor(t.users.owner).identity.setPolicy({
        orgSlug: t.org.slug,
        policy: { ...policy, requireSso: true, sessionIdleMinutes: null, sessionAbsoluteHours: null },
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("single sign-on connection") });
    await expect(
      callerFor(t.users.owner).identity.setPolicy({
        orgSlug: t.org.slug,
        policy: { ...policy, mfaRequirement: "roles", mfaRoles: [], sessionIdleMinutes: null, sessionAbsoluteHours: null },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("mfaRoles") });
    expect(await getDb().organization.findUniqueOrThrow({ where: { id: t.org.id }, select: { requireSso: true } })).toEqual({ requireSso: false });
  });
});
