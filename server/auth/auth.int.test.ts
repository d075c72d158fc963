// Sign-in, back-off, and sessions ending when a password changes or a member is removed.
import { describe, expect, it } from "vitest";
import { getDb } from "../db/client";
import { signInWithPassword } from "../domain/users/sign-in";
import { resolveSessionUser } from "./session";
import { startSession } from "../domain/users/sessions";
import { callerFor, createTestOrg, TEST_PASSWORD } from "@/test/support/factories";

const from = (ip: string) => ({ requestId: "r", ip, userAgent: "vitest" });

describe("sign-in", () => {
  it("accepts the right password, any letter case of the email", async () => {
    const t = await createTestOrg();
    const result = await signInWithPassword(getDb(), { email: t.users.editor.email.toUpperCase(), password: TEST_PASSWORD }, from("10.0.0.1"));
    expect(result).toMatchObject({ ok: true, user: { id: t.users.editor.id } });
  });

  it("records failed sign-ins in the user's organization log", async () => {
    const t = await createTestOrg();
    expect(await signInWithPassword(getDb(), { email: t.users.viewer.email, password: "wrong-password!" }, from("10.0.0.2"))).toEqual({
      ok: false,
      reason: "invalid",
    });
    const event = await getDb().auditEvent.findFirst({ where: { orgId: t.org.id, action: "auth.login.failed" } });
    expect(event).toMatchObject({ outcome: "denied", targetId: t.users.viewer.id, ip: "10.0.0.2" });
  });

  it("backs off an attacker's address without locking out the real user elsewhere", async () => {
    const t = await createTestOrg();
    const email = t.users.reviewer.email;
    for (let i = 0; i < 5; i++) await signInWithPassword(getDb(), { email, password: `guess-${i}-guess` }, from("203.0.113.9"));
    // The attacker is slowed down, even with the right password …
    const attacker = await signInWithPassword(getDb(), { email, password: TEST_PASSWORD }, from("203.0.113.9"));
    expect(attacker).toMatchObject({ ok: false, reason: "throttled" });
    expect((attacker as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    // … while the owner of the account signs in from their own address.
    expect(await signInWithPassword(getDb(), { email, password: TEST_PASSWORD }, from("198.51.100.7"))).toMatchObject({ ok: true });
  });

  it("fails the same way for unknown emails", async () => {
    expect(await signInWithPassword(getDb(), { email: "nobody@example.com", password: "whatever-password" }, from("10.0.0.3"))).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});

describe("sessions", () => {
  it("end when the password changes", async () => {
    const t = await createTestOrg();
    const user = await getDb().user.findUniqueOrThrow({ where: { id: t.users.editor.id } });
    const sid = await startSession(getDb(), user.id, from("10.0.0.5"));
    expect(await resolveSessionUser(user.id, user.sessionVersion, sid)).not.toBeNull();
    await callerFor(t.users.editor).account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a-new-long-password" });
    expect(await resolveSessionUser(user.id, user.sessionVersion, sid)).toBeNull();
    // The old session row is revoked too, whatever version a forged token claims.
    expect(await resolveSessionUser(user.id, user.sessionVersion + 1, sid)).toBeNull();
    const fresh = await startSession(getDb(), user.id, from("10.0.0.5"));
    expect(await resolveSessionUser(user.id, user.sessionVersion + 1, fresh)).not.toBeNull();
  });

  it("refuses a wrong current password with a 400 naming the field", async () => {
    const t = await createTestOrg();
    await expect(
      callerFor(t.users.editor).account.changePassword({ currentPassword: "not-my-password", newPassword: "a-new-long-password" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/current password/),
    });
  });

  it("stop reaching the organization when the member is removed", async () => {
    const t = await createTestOrg();
    expect(await callerFor(t.users.viewer).orgs.get({ orgSlug: t.org.slug })).toMatchObject({ slug: t.org.slug });
    await callerFor(t.users.admin).members.remove({ orgSlug: t.org.slug, userId: t.users.viewer.id });
    await expect(callerFor(t.users.viewer).orgs.get({ orgSlug: t.org.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("one-time set-password links", () => {
  it("work once, then never again", async () => {
    const t = await createTestOrg();
    const { token } = await callerFor(t.users.admin).members.invite({ orgSlug: t.org.slug, email: "fresh@example.com", role: "viewer" });
    await callerFor(null).account.createAccountFromInvitation({ token, name: "Fresh", password: "first-long-password" });
    const fresh = await getDb().user.findUniqueOrThrow({ where: { email: "fresh@example.com" } });
    const { passwordToken } = await callerFor(t.users.admin).members.regeneratePasswordLink({ orgSlug: t.org.slug, userId: fresh.id });
    const anonymous = callerFor(null);
    expect(await anonymous.account.describePasswordLink({ token: passwordToken })).toEqual({ email: "fresh@example.com" });
    await anonymous.account.setPassword({ token: passwordToken, password: "fresh-long-password" });
    await expect(anonymous.account.setPassword({ token: passwordToken, password: "another-long-password" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await anonymous.account.describePasswordLink({ token: passwordToken })).toBeNull();
    expect(await signInWithPassword(getDb(), { email: "fresh@example.com", password: "fresh-long-password" }, from("10.0.0.4"))).toMatchObject({ ok: true });
  });
});
