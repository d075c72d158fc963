// Membership rules: nobody grants above their own role; an organization keeps an owner.
import { describe, expect, it } from "vitest";
import { callerFor, createTestOrg } from "@/test/support/factories";

describe("members", () => {
  it("admins cannot grant or change the owner role; owners can", async () => {
    const t = await createTestOrg();
    const admin = callerFor(t.users.admin);
    await expect(admin.members.changeRole({ orgSlug: t.org.slug, userId: t.users.editor.id, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.members.changeRole({ orgSlug: t.org.slug, userId: t.users.owner.id, role: "viewer" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.members.invite({ orgSlug: t.org.slug, email: "boss@example.com", role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await callerFor(t.users.owner).members.changeRole({ orgSlug: t.org.slug, userId: t.users.editor.id, role: "owner" });
  });

  it("the last owner cannot be demoted or removed, even by two owners at once", async () => {
    const t = await createTestOrg();
    const owner = callerFor(t.users.owner);
    await expect(owner.members.changeRole({ orgSlug: t.org.slug, userId: t.users.owner.id, role: "admin" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(owner.members.remove({ orgSlug: t.org.slug, userId: t.users.owner.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await owner.members.changeRole({ orgSlug: t.org.slug, userId: t.users.admin.id, role: "owner" });
    // Two owners demote each other concurrently: one must fail.
    const results = await Promise.allSettled([
      owner.members.changeRole({ orgSlug: t.org.slug, userId: t.users.admin.id, role: "viewer" }),
      callerFor(t.users.admin).members.changeRole({ orgSlug: t.org.slug, userId: t.users.owner.id, role: "viewer" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const list = await owner.members.list({ orgSlug: t.org.slug }).catch(() => callerFor(t.users.admin).members.list({ orgSlug: t.org.slug }));
    expect(list.filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("cannot reach members of another organization by id", async () => {
    const t = await createTestOrg();
    const other = await createTestOrg();
    await expect(callerFor(t.users.owner).members.remove({ orgSlug: t.org.slug, userId: other.users.viewer.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      callerFor(t.users.owner).apiKeys.revoke({ orgSlug: t.org.slug, projectSlug: t.project.slug, id: "0190a2b4-0000-7000-8000-000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
