// Passkeys through the procedures with a software authenticator (test/support/webauthn.ts): the
// server's WebAuthn checks run for real.
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { startSession } from "../users/sessions";
import { relyingParty } from "./relying-party";
import { listFactors, verifySecondFactor } from "./second-factor";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, TEST_PASSWORD, testRequest } from "@/test/support/factories";
import { SoftwarePasskey } from "@/test/support/webauthn";
import type { SessionUser } from "../../auth/session";

const newPasskey = () => new SoftwarePasskey(relyingParty().id, relyingParty().origin);

async function addPasskey(user: SessionUser, key = newPasskey(), name?: string) {
  const caller = callerFor(user);
  const { challengeId, options } = await caller.mfa.passkeyRegistrationOptions();
  const result = await caller.mfa.registerPasskey({ challengeId, response: key.register(options), name });
  return { key, ...result };
}

describe("passkeys", () => {
  it("are registered against a single-use challenge, give recovery codes as a first factor, count for the session, and are logged", async () => {
    const t = await createTestOrg();
    const sessionId = await startSession(getDb(), t.users.editor.id, testRequest());
    const me = { ...t.users.editor, sessionId };
    const caller = callerFor(me);
    const before = await lastSeq(t.org.id);
    const key = newPasskey();
    const { challengeId, options } = await caller.mfa.passkeyRegistrationOptions();
    expect(options.rp).toEqual({ id: relyingParty().id, name: "Keel" });
    const response = key.register(options);
    const added = await caller.mfa.registerPasskey({ challengeId, response, name: "Laptop" });
    expect(added).toMatchObject({ name: "Laptop", recoveryCodes: expect.any(Array) });
    expect(added.recoveryCodes).toHaveLength(10);
    // The challenge is gone: the same response cannot register again.
    await expect(caller.mfa.registerPasskey({ challengeId, response })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/expired or was already used/),
    });
    expect(await listFactors(getDb(), me.id)).toEqual({ totp: false, passkeys: 1, recoveryCodesLeft: 10 });
    expect(await getDb().userSession.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ factor: "passkey", verifiedMethod: "password" });
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["user.mfa.passkey_added"]);

    // A second one: no new recovery codes, a default name.
    const second = await addPasskey(me);
    expect(second).toMatchObject({ name: "Passkey 2", recoveryCodes: null });
    // A response from another origin is refused.
    const elsewhere = new SoftwarePasskey(relyingParty().id, "https://evil.example");
    const opts = await caller.mfa.passkeyRegistrationOptions();
    await expect(caller.mfa.registerPasskey({ challengeId: opts.challengeId, response: elsewhere.register(opts.options) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/could not be verified/),
    });
  });

  it("prove possession once per challenge, update the counter and last use, and can be renamed and removed", async () => {
    const t = await createTestOrg();
    const me = t.users.owner;
    const { key, passkeyId } = await addPasskey(me, undefined, "Phone");
    const caller = callerFor(me);

    const { challengeId, options } = await caller.mfa.passkeyOptions();
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([key.id]);
    const assertion = key.assert(options);
    expect(await verifySecondFactor(getDb(), me.id, { kind: "passkey", response: assertion, challengeId }, testRequest())).toBe("passkey");
    const stored = await getDb().userPasskey.findUniqueOrThrow({ where: { id: passkeyId } });
    expect(stored.counter).toBe(1n);
    expect(stored.lastUsedAt).not.toBeNull();
    // Replayed: the challenge was used.
    await expect(verifySecondFactor(getDb(), me.id, { kind: "passkey", response: assertion, challengeId }, testRequest())).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // Without the challenge id, the challenge the response names is found.
    const next = await caller.mfa.passkeyOptions();
    expect(await verifySecondFactor(getDb(), me.id, { kind: "passkey", response: key.assert(next.options) }, testRequest())).toBe("passkey");
    // Another person's challenge does not serve.
    const other = await callerFor(t.users.admin).mfa.passkeyRegistrationOptions();
    await expect(
      verifySecondFactor(getDb(), me.id, { kind: "passkey", response: key.assert({ challenge: other.options.challenge }) }, testRequest()),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const before = await lastSeq(t.org.id);
    await caller.mfa.renamePasskey({ passkeyId, name: "Work phone" });
    await expect(callerFor(t.users.admin).mfa.renamePasskey({ passkeyId, name: "Mine now" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The only factor, while the organization requires one for owners: refused.
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "roles", mfaRoles: ["owner"] } });
    await expect(caller.mfa.removePasskey({ passkeyId, reauth: { password: TEST_PASSWORD } })).rejects.toMatchObject({ code: "CONFLICT" });
    await getDb().organization.update({ where: { id: t.org.id }, data: { mfaRequirement: "none" } });
    await caller.mfa.removePasskey({ passkeyId, reauth: { password: TEST_PASSWORD } });
    expect(await listFactors(getDb(), me.id)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["user.mfa.passkey_renamed", "user.mfa.passkey_removed"]);
  });

  it("can be used at sign-in: options need the right password", async () => {
    const t = await createTestOrg();
    const me = t.users.viewer;
    const { key } = await addPasskey(me);
    const { challengeId, options } = await callerFor(null).mfa.signInPasskeyOptions({ email: me.email, password: TEST_PASSWORD });
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([key.id]);
    expect(await verifySecondFactor(getDb(), me.id, { kind: "passkey", response: key.assert(options), challengeId }, testRequest())).toBe("passkey");
  });
});
