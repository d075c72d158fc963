// Second factors against a real database: setting up an authenticator app, codes that work once,
// recovery codes, removing factors, signing in with a second step, and an organization that
// requires a second factor.
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentialsProvider } from "../../auth/credentials";
import { resolveSessionUser } from "../../auth/session";
import { startSession, type SessionAuthentication } from "../users/sessions";
import { verifySecondFactor, listFactors } from "./second-factor";
import { decryptSecret } from "../../crypto/secrets";
import { auditEventsOf, callerFor, createTestOrg, createUser, lastSeq, sessionCookieFor, TEST_PASSWORD, testRequest } from "@/test/support/factories";
import { httpHandlers } from "../../api/http-handlers";
import type { SessionUser } from "../../auth/session";
import { createCaller } from "../../api/root";
import { createContext } from "../../api/trpc";

const secretOf = async (userId: string) => decryptSecret((await getDb().userTotp.findUniqueOrThrow({ where: { userId } })).secretEncrypted, "totp-secret");
/** The code of the time step `offset` steps from now. */
const codeAt = async (secret: string, offset = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offset * 30 });

async function withSession(user: SessionUser): Promise<SessionUser> {
  const sessionId = await startSession(getDb(), user.id, testRequest());
  return { ...user, sessionId };
}

/** Sets up an authenticator app for `user` through the procedures; returns its secret and recovery codes. */
async function enrolTotp(user: SessionUser) {
  const caller = callerFor(user);
  const begun = await caller.mfa.beginTotp();
  const secret = await secretOf(user.id);
  expect(begun.secret.replaceAll(" ", "")).toBe(secret);
  const confirmed = await caller.mfa.confirmTotp({ code: await codeAt(secret, -1) });
  return { secret, recoveryCodes: confirmed.recoveryCodes!, begun };
}

const authorize = (credentials: Record<string, string>) =>
  (
    credentialsProvider as unknown as { options: { authorize: (c: Record<string, string>, req: unknown) => Promise<{ sid: string } | null> } }
  ).options.authorize(credentials, { headers: { "x-forwarded-for": "192.0.2.44", "user-agent": "vitest" } });

describe("authenticator app (TOTP)", () => {
  it("is set up with a first code: the secret is stored encrypted, ten recovery codes come once, the session counts as having a second factor (not as a fresh authentication), each organization logs it", async () => {
    const t = await createTestOrg();
    const me = await withSession(t.users.editor);
    const before = await lastSeq(t.org.id);
    const caller = callerFor(me);
    const begun = await caller.mfa.beginTotp();
    expect(begun.uri).toMatch(/^otpauth:\/\/totp\/Keel:.+\?secret=[A-Z2-7]+/);
    expect(begun.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const stored = await getDb().userTotp.findUniqueOrThrow({ where: { userId: me.id } });
    expect(stored.secretEncrypted).not.toContain(begun.secret.replaceAll(" ", ""));
    expect(stored.confirmedAt).toBeNull();
    expect(await listFactors(getDb(), me.id)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });

    await expect(caller.mfa.confirmTotp({ code: "000000" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/not correct/) });
    const secret = await secretOf(me.id);
    const { recoveryCodes } = await caller.mfa.confirmTotp({ code: await codeAt(secret) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes!) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    // Stored hashed, not in clear.
    const hashes = await getDb().userRecoveryCode.findMany({ where: { userId: me.id } });
    expect(hashes.map((h) => h.codeHash)).not.toContain(recoveryCodes![0]!.replace("-", ""));
    expect(await listFactors(getDb(), me.id)).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });

    const session = await getDb().userSession.findUniqueOrThrow({ where: { id: me.sessionId! } });
    // Meets an organization's second-factor requirement; step-up still asks for the factor.
    expect(session).toMatchObject({ factor: "totp", verifiedMethod: "password" });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["user.mfa.totp_enrolled"]);
    expect(events[0]).toMatchObject({ targetId: me.id, actorLabel: me.email });
    // Another one cannot be started over it.
    await expect(caller.mfa.beginTotp()).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("accepts a code once, and never an older one after a newer was used", async () => {
    const t = await createTestOrg();
    const me = t.users.viewer;
    const { secret } = await enrolTotp(me);
    const now = await codeAt(secret);
    expect(await verifySecondFactor(getDb(), me.id, { kind: "totp", code: now }, testRequest())).toBe("totp");
    await expect(verifySecondFactor(getDb(), me.id, { kind: "totp", code: now }, testRequest())).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "That code is not correct or was already used.",
    });
    await expect(verifySecondFactor(getDb(), me.id, { kind: "totp", code: await codeAt(secret, -1) }, testRequest())).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(verifySecondFactor(getDb(), me.id, { kind: "totp", code: "12345" }, testRequest())).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("throttles wrong codes like wrong passwords", async () => {
    const t = await createTestOrg();
    const me = t.users.viewer;
    await enrolTotp(me);
    const request = { ...testRequest(), ip: "198.51.100.77" };
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await verifySecondFactor(getDb(), me.id, { kind: "totp", code: "000000" }, request).then(
          () => "ok",
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(outcomes.slice(0, 4)).toEqual(["BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST"]);
    expect(outcomes).toContain("TOO_MANY_REQUESTS");
  });
});

describe("recovery codes", () => {
  it("each work once, are logged when used, and regenerating replaces them all", async () => {
    const t = await createTestOrg();
    const me = t.users.approver;
    const { recoveryCodes } = await enrolTotp(me);
    const before = await lastSeq(t.org.id);
    // Printed form, or typed in capitals without the dash: both work.
    expect(await verifySecondFactor(getDb(), me.id, { kind: "recovery_code", code: recoveryCodes[0]!.toUpperCase().replace("-", " ") }, testRequest())).toBe(
      "recovery_code",
    );
    await expect(verifySecondFactor(getDb(), me.id, { kind: "recovery_code", code: recoveryCodes[0]! }, testRequest())).rejects.toMatchObject({
      message: "That code is not correct or was already used.",
    });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["user.mfa.recovery_code_used"]);
    expect(events[0]!.after).toMatchObject({ recoveryCodesLeft: 9 });

    const caller = callerFor(me);
    await expect(caller.mfa.regenerateRecoveryCodes({ reauth: { password: "wrong-password" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const { recoveryCodes: fresh } = await caller.mfa.regenerateRecoveryCodes({ reauth: { password: TEST_PASSWORD } });
    expect(fresh).toHaveLength(10);
    await expect(verifySecondFactor(getDb(), me.id, { kind: "recovery_code", code: recoveryCodes[1]! }, testRequest())).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await verifySecondFactor(getDb(), me.id, { kind: "recovery_code", code: fresh[1]! }, testRequest())).toBe("recovery_code");
  });
});

describe("removing factors", () => {
  it("needs the password, is refused for the last factor while an organization requires one (naming it), and takes the recovery codes along", async () => {
    const t = await createTestOrg();
    const me = t.users.admin;
    await enrolTotp(me);
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "roles", mfaRoles: ["owner", "admin"] } });
    const org = await getDb().organization.findUniqueOrThrow({ where: { id: t.org.id } });
    const caller = callerFor(me);
    await expect(caller.mfa.removeTotp({ reauth: { password: "not-my-password" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "The password is not correct.",
    });
    await expect(caller.mfa.removeTotp({ reauth: { password: TEST_PASSWORD } })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`${org.name} requires a second factor`),
    });
    expect((await caller.mfa.status()).requiredBy).toEqual([{ slug: t.org.slug, name: org.name }]);

    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRoles: ["owner"] } });
    const before = await lastSeq(t.org.id);
    await caller.mfa.removeTotp({ reauth: { password: TEST_PASSWORD } });
    expect(await listFactors(getDb(), me.id)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["user.mfa.totp_removed"]);
  });

  it("can be confirmed with a second factor instead of the password", async () => {
    const t = await createTestOrg();
    const me = t.users.reviewer;
    const { recoveryCodes } = await enrolTotp(me);
    await callerFor(me).mfa.removeTotp({ reauth: { proof: { kind: "recovery_code", code: recoveryCodes[3]! } } });
    expect((await listFactors(getDb(), me.id)).totp).toBe(false);
  });

  it("of a person in no organization still commit (there is no log to record them in)", async () => {
    const loner = await createUser();
    await enrolTotp(loner);
    await callerFor(loner).mfa.removeTotp({ reauth: { password: TEST_PASSWORD } });
    expect((await listFactors(getDb(), loner.id)).totp).toBe(false);
  });
});

describe("sign-in with a second factor", () => {
  it("asks a person with a factor for it after the right password, and records the factor on the session", async () => {
    const t = await createTestOrg();
    const me = t.users.auditor;
    // Without a factor: one step, as before.
    const plain = await authorize({ email: me.email, password: TEST_PASSWORD });
    expect((await getDb().userSession.findUniqueOrThrow({ where: { id: plain!.sid } })).factor).toBeNull();

    const { secret, recoveryCodes } = await enrolTotp(me);
    await expect(authorize({ email: me.email, password: TEST_PASSWORD })).rejects.toThrow("SecondFactorRequired:totp,recovery_code");
    // A wrong password says nothing about factors.
    expect(await authorize({ email: me.email, password: "wrong-password", secondFactor: "" })).toBeNull();
    await expect(authorize({ email: me.email, password: TEST_PASSWORD, secondFactor: JSON.stringify({ kind: "totp", code: "000000" }) })).rejects.toThrow(
      "SecondFactorFailed:That code is not correct or was already used.",
    );
    const signedIn = await authorize({
      email: me.email,
      password: TEST_PASSWORD,
      secondFactor: JSON.stringify({ kind: "totp", code: await codeAt(secret, 1) }),
    });
    const session = await getDb().userSession.findUniqueOrThrow({ where: { id: signedIn!.sid } });
    expect(session).toMatchObject({ method: "password", factor: "totp", verifiedMethod: "totp" });
    const sv = (await getDb().user.findUniqueOrThrow({ where: { id: me.id } })).sessionVersion;
    expect((await resolveSessionUser(me.id, sv, signedIn!.sid))?.authentication).toMatchObject({ method: "password", factor: "totp" });

    const withCode = await authorize({
      email: me.email,
      password: TEST_PASSWORD,
      secondFactor: JSON.stringify({ kind: "recovery_code", code: recoveryCodes[0] }),
    });
    expect((await getDb().userSession.findUniqueOrThrow({ where: { id: withCode!.sid } })).factor).toBe("recovery_code");
  });

  it("hands out passkey options only for the right password", async () => {
    const t = await createTestOrg();
    const me = t.users.viewer;
    const anonymous = callerFor(null);
    await expect(anonymous.mfa.signInPasskeyOptions({ email: me.email, password: "wrong-password" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "The email or password is not correct.",
    });
    await expect(anonymous.mfa.signInPasskeyOptions({ email: "nobody-here@example.com", password: "wrong-password" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "The email or password is not correct.",
    });
    // The right password but no passkey.
    await expect(anonymous.mfa.signInPasskeyOptions({ email: me.email, password: TEST_PASSWORD })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("an organization that requires a second factor", () => {
  const auth = (factor: SessionAuthentication["factor"], method: SessionAuthentication["method"] = "password"): SessionAuthentication => ({
    method,
    factor,
    verifiedAt: new Date(),
    verifiedMethod: factor ?? method,
    createdAt: new Date(),
  });

  it("refuses its organization and project procedures to sessions without one, with a reason the client recognises, and lets the account procedures through", async () => {
    const t = await createTestOrg();
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "all" } });
    const org = await getDb().organization.findUniqueOrThrow({ where: { id: t.org.id } });
    const editor = { ...t.users.editor, authentication: auth(null) };
    const error = await callerFor(editor)
      .orgs.get({ orgSlug: t.org.slug })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining(`${org.name} requires a second factor`) });
    expect((error as { cause?: { reason?: string } }).cause?.reason).toBe("second_factor_required");
    await expect(callerFor(editor).apiKeys.list({ orgSlug: t.org.slug, projectSlug: t.project.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A refused change is logged as denied.
    const before = await lastSeq(t.org.id);
    await expect(callerFor(editor).datasets.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name: "nope" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await auditEventsOf(t.org.id, before)).map((e) => [e.action, e.outcome])).toEqual([["access.denied", "denied"]]);
    // Setting one up stays possible.
    await expect(callerFor(editor).mfa.status()).resolves.toMatchObject({ requiredBy: [{ slug: t.org.slug }] });

    // With a factor, through single sign-on, or without a session (tests, the CLI): allowed.
    await expect(callerFor({ ...t.users.editor, authentication: auth("totp") }).orgs.get({ orgSlug: t.org.slug })).resolves.toBeTruthy();
    await expect(callerFor({ ...t.users.editor, authentication: auth(null, "sso") }).orgs.get({ orgSlug: t.org.slug })).resolves.toBeTruthy();
    await expect(createCaller(createContext(t.users.editor, testRequest())).orgs.get({ orgSlug: t.org.slug })).resolves.toBeTruthy();
  });

  it("refuses the session HTTP routes too (exports), with the same reason", async () => {
    const t = await createTestOrg();
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "all" } });
    const cookie = await sessionCookieFor(t.users.editor);
    const path = `/api/datasets/${t.org.slug}/${t.project.slug}/none/export?format=csv`;
    const response = await httpHandlers["datasets.export"](new Request(`http://keel.test${path}`, { headers: { cookie } }), {
      params: Promise.resolve({ org: t.org.slug, project: t.project.slug, dataset: "none" }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { reason?: string } }).error.reason).toBe("second_factor_required");
  });

  it("applies to the listed roles only when it names roles", async () => {
    const t = await createTestOrg();
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "roles", mfaRoles: ["owner", "admin"] } });
    await expect(callerFor({ ...t.users.admin, authentication: auth(null) }).orgs.get({ orgSlug: t.org.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor({ ...t.users.viewer, authentication: auth(null) }).orgs.get({ orgSlug: t.org.slug })).resolves.toBeTruthy();
  });

  it("is met by the session in which the person sets up their first factor", async () => {
    const t = await createTestOrg();
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "all" } });
    const sessionId = await startSession(getDb(), t.users.owner.id, testRequest());
    const sv = (await getDb().user.findUniqueOrThrow({ where: { id: t.users.owner.id } })).sessionVersion;
    const asRequest = async () => (await resolveSessionUser(t.users.owner.id, sv, sessionId))!;
    await expect(callerFor(await asRequest()).orgs.get({ orgSlug: t.org.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await enrolTotp(await asRequest());
    await expect(callerFor(await asRequest()).orgs.get({ orgSlug: t.org.slug })).resolves.toBeTruthy();
  });
});
