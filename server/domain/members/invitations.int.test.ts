// Accounts belong to people: an organization invites an email and learns nothing about the
// account behind it; it can never take over an account that another organization also has; the
// person's security events reach only the organizations they accepted.
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { signInWithPassword } from "../users/sign-in";
import { callerFor, createTestOrg, createUser, TEST_PASSWORD, type TestOrg } from "@/test/support/factories";

const from = (ip: string) => ({ requestId: "r", ip, userAgent: "vitest" });
const anonymous = () => callerFor(null);

async function failedSignInsIn(orgId: string, userId: string) {
  return getDb().auditEvent.count({ where: { orgId, action: "auth.login.failed", targetId: userId } });
}

describe("an administrator of another organization (B) and a member of A", () => {
  it("cannot take over A's member: no name, no account, no link, no password, no sign-in", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const alice = a.users.editor;
    await signInWithPassword(getDb(), { email: alice.email, password: TEST_PASSWORD }, from("10.1.0.1"));
    const bAdmin = callerFor(b.users.admin);

    // B invites Alice's email: the answer names no user and is the same as for a stranger's email.
    const invited = await bAdmin.members.invite({ orgSlug: b.org.slug, email: alice.email.toUpperCase(), role: "admin" });
    const stranger = await bAdmin.members.invite({ orgSlug: b.org.slug, email: "nobody-yet@example.com", role: "admin" });
    expect(Object.keys(invited).sort()).toEqual(Object.keys(stranger).sort());
    expect(invited).not.toHaveProperty("userId");
    expect(JSON.stringify(invited)).not.toContain(alice.name);
    expect(invited.email).toBe(alice.email);

    // B's lists show the email it typed, never Alice's name, and she is no member of B.
    const invitations = await bAdmin.members.invitations({ orgSlug: b.org.slug });
    expect(invitations.find((i) => i.email === alice.email)).toMatchObject({ email: alice.email, role: "admin" });
    expect(JSON.stringify(invitations)).not.toContain(alice.name);
    expect((await bAdmin.members.list({ orgSlug: b.org.slug })).map((m) => m.email)).not.toContain(alice.email);

    // The link's page tells whoever holds it the same things for both emails.
    const seen = await anonymous().account.invitation({ token: invited.token });
    const seenStranger = await anonymous().account.invitation({ token: stranger.token });
    expect(Object.keys(seen!).sort()).toEqual(Object.keys(seenStranger!).sort());
    expect(JSON.stringify(seen)).not.toContain(alice.name);

    // No set-password link for her (she is not B's member) …
    await expect(bAdmin.members.regeneratePasswordLink({ orgSlug: b.org.slug, userId: alice.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // … and the invitation link cannot (re)create her account or set her password.
    await expect(
      anonymous().account.createAccountFromInvitation({ token: invited.token, name: "Mallory", password: "mallory-long-password" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await signInWithPassword(getDb(), { email: alice.email, password: "mallory-long-password" }, from("10.1.0.2"))).toMatchObject({ ok: false });
    expect(await signInWithPassword(getDb(), { email: alice.email, password: TEST_PASSWORD }, from("10.1.0.1"))).toMatchObject({ ok: true });
    // Nor can B's admin, signed in as themself, accept it.
    await expect(bAdmin.account.acceptInvitation({ token: invited.token })).rejects.toMatchObject({ code: "FORBIDDEN" });

    // Alice's failed sign-ins went to A's log only: B merely invited her.
    expect(await failedSignInsIn(a.org.id, alice.id)).toBe(1);
    expect(await failedSignInsIn(b.org.id, alice.id)).toBe(0);
    expect(await getDb().auditEvent.count({ where: { orgId: b.org.id, targetId: alice.id } })).toBe(0);
  });

  it("once she accepts, B sees her as a member, but still cannot issue her credentials", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const alice = a.users.viewer;
    await signInWithPassword(getDb(), { email: alice.email, password: TEST_PASSWORD }, from("10.2.0.1"));
    const { token } = await callerFor(b.users.admin).members.invite({ orgSlug: b.org.slug, email: alice.email, role: "editor" });

    // Signed in as herself, she sees whom the invitation is from and accepts it.
    const page = await callerFor(alice).account.invitation({ token });
    expect(page).toMatchObject({ organization: { slug: b.org.slug }, role: "editor", signedIn: { email: alice.email, matches: true, alreadyMember: false } });
    expect(await callerFor(alice).account.acceptInvitation({ token })).toMatchObject({ orgSlug: b.org.slug, role: "editor" });
    expect(await callerFor(alice).orgs.get({ orgSlug: b.org.slug })).toMatchObject({ role: "editor" });
    // The link is used up.
    await expect(callerFor(alice).account.acceptInvitation({ token })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await anonymous().account.invitation({ token })).toBeNull();

    const members = await callerFor(b.users.admin).members.list({ orgSlug: b.org.slug });
    expect(members.find((m) => m.userId === alice.id)).toMatchObject({ email: alice.email, role: "editor", neverSignedIn: false });
    // She belongs to two organizations (and has signed in): neither may issue her a link.
    await expect(callerFor(b.users.admin).members.regeneratePasswordLink({ orgSlug: b.org.slug, userId: alice.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(callerFor(a.users.admin).members.regeneratePasswordLink({ orgSlug: a.org.slug, userId: alice.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });

    // Now her security events reach both organizations she accepted.
    await signInWithPassword(getDb(), { email: alice.email, password: "wrong-password-here" }, from("10.2.0.2"));
    expect(await failedSignInsIn(a.org.id, alice.id)).toBe(1);
    expect(await failedSignInsIn(b.org.id, alice.id)).toBe(1);
  });
});

describe("a person new to Keel", () => {
  it("creates their account through the link and joins; the link works once", async () => {
    const t = await createTestOrg();
    const { token } = await callerFor(t.users.admin).members.invite({ orgSlug: t.org.slug, email: "newcomer@example.com", role: "reviewer" });
    expect(await anonymous().account.invitation({ token })).toMatchObject({
      email: "newcomer@example.com",
      role: "reviewer",
      organization: { slug: t.org.slug },
      signedIn: null,
    });
    expect(await anonymous().account.createAccountFromInvitation({ token, name: "New Comer", password: "newcomer-long-password" })).toMatchObject({
      email: "newcomer@example.com",
      orgSlug: t.org.slug,
    });
    expect(await signInWithPassword(getDb(), { email: "newcomer@example.com", password: "newcomer-long-password" }, from("10.3.0.1"))).toMatchObject({
      ok: true,
    });
    await expect(anonymous().account.createAccountFromInvitation({ token, name: "Again", password: "another-long-password" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const user = await getDb().user.findUniqueOrThrow({ where: { email: "newcomer@example.com" }, include: { memberships: true } });
    expect(user.memberships).toEqual([expect.objectContaining({ orgId: t.org.id, role: "reviewer" })]);
  });

  it("invited by two organizations cannot be signed up by either, so neither owns the credential", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const email = "wanted@example.com";
    const fromA = await callerFor(a.users.admin).members.invite({ orgSlug: a.org.slug, email, role: "viewer" });
    // An admin may not invite an owner; B's owner can.
    await expect(callerFor(b.users.admin).members.invite({ orgSlug: b.org.slug, email, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const fromBOwner = await callerFor(b.users.owner).members.invite({ orgSlug: b.org.slug, email, role: "owner" });
    for (const token of [fromA.token, fromBOwner.token]) {
      await expect(anonymous().account.createAccountFromInvitation({ token, name: "Squatter", password: "squatter-long-password" })).rejects.toMatchObject({
        code: "CONFLICT",
      });
    }
    expect(await getDb().user.findUnique({ where: { email } })).toBeNull();
    // When B withdraws, A's link works.
    await callerFor(b.users.owner).members.revokeInvitation({ orgSlug: b.org.slug, invitationId: fromBOwner.invitationId });
    await anonymous().account.createAccountFromInvitation({ token: fromA.token, name: "Wanted", password: "wanted-long-password" });
    expect(await getDb().membership.count({ where: { user: { email } } })).toBe(1);
  });
});

describe("invitations", () => {
  async function invite(t: TestOrg, email = `inv-${Math.random().toString(36).slice(2)}@example.com`) {
    return callerFor(t.users.admin).members.invite({ orgSlug: t.org.slug, email, role: "viewer" });
  }

  it("can be revoked and re-issued; old links stop working", async () => {
    const t = await createTestOrg();
    const first = await invite(t);
    const reissued = await callerFor(t.users.admin).members.reissueInvitation({ orgSlug: t.org.slug, invitationId: first.invitationId });
    expect(reissued.token).not.toBe(first.token);
    expect(await anonymous().account.invitation({ token: first.token })).toBeNull();
    expect(await anonymous().account.invitation({ token: reissued.token })).not.toBeNull();
    await callerFor(t.users.admin).members.revokeInvitation({ orgSlug: t.org.slug, invitationId: first.invitationId });
    expect(await anonymous().account.invitation({ token: reissued.token })).toBeNull();
    expect((await callerFor(t.users.admin).members.invitations({ orgSlug: t.org.slug })).map((i) => i.id)).not.toContain(first.invitationId);
    await expect(
      anonymous().account.createAccountFromInvitation({ token: reissued.token, name: "Late", password: "late-long-password" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("expire, are listed as expired, and can be invited again", async () => {
    const t = await createTestOrg();
    const inv = await invite(t, "slow@example.com");
    await getDb().invitation.update({ where: { id: inv.invitationId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await anonymous().account.invitation({ token: inv.token })).toBeNull();
    expect((await callerFor(t.users.admin).members.invitations({ orgSlug: t.org.slug })).find((i) => i.id === inv.invitationId)).toMatchObject({
      expired: true,
    });
    const again = await invite(t, "slow@example.com");
    expect(again.invitationId).not.toBe(inv.invitationId);
  });

  it("refuses a second open invitation, a member's email, and other organizations' invitations by id", async () => {
    const t = await createTestOrg();
    const other = await createTestOrg();
    const inv = await invite(t, "twice@example.com");
    await expect(invite(t, "twice@example.com")).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(invite(t, t.users.viewer.email)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(callerFor(other.users.owner).members.revokeInvitation({ orgSlug: other.org.slug, invitationId: inv.invitationId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(callerFor(other.users.owner).members.reissueInvitation({ orgSlug: other.org.slug, invitationId: inv.invitationId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("can be declined by the person, and are then closed", async () => {
    const t = await createTestOrg();
    const person = await createUser();
    const inv = await invite(t, person.email);
    await callerFor(person).account.declineInvitation({ token: inv.token });
    expect(await anonymous().account.invitation({ token: inv.token })).toBeNull();
    expect(await getDb().membership.count({ where: { userId: person.id } })).toBe(0);
  });
});

describe("set-password links issued by an organization", () => {
  it("only for a sole-organization member who has never signed in", async () => {
    const t = await createTestOrg();
    const other = await createTestOrg();
    const { token } = await callerFor(t.users.admin).members.invite({ orgSlug: t.org.slug, email: "fresh@example.com", role: "viewer" });
    await anonymous().account.createAccountFromInvitation({ token, name: "Fresh", password: "fresh-long-password" });
    const fresh = await getDb().user.findUniqueOrThrow({ where: { email: "fresh@example.com" } });
    // Never signed in, member of t only: t may issue a link.
    const link = await callerFor(t.users.admin).members.regeneratePasswordLink({ orgSlug: t.org.slug, userId: fresh.id });
    expect(link.passwordToken).toBeTruthy();
    // Another organization's open invitation for the same email: no longer t's alone.
    const elsewhere = await callerFor(other.users.admin).members.invite({ orgSlug: other.org.slug, email: "fresh@example.com", role: "viewer" });
    await expect(callerFor(t.users.admin).members.regeneratePasswordLink({ orgSlug: t.org.slug, userId: fresh.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await callerFor(other.users.admin).members.revokeInvitation({ orgSlug: other.org.slug, invitationId: elsewhere.invitationId });
    // Once the person has signed in, the account is theirs: no more links from anyone.
    expect(await signInWithPassword(getDb(), { email: "fresh@example.com", password: "fresh-long-password" }, from("10.4.0.1"))).toMatchObject({ ok: true });
    await expect(callerFor(t.users.admin).members.regeneratePasswordLink({ orgSlug: t.org.slug, userId: fresh.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
