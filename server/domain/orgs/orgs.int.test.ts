// A second organization is a first-class, audited setup: any signed-in person can create one
// (they own it), and an operator can with `npx keel org create` (server/cli/cli.int.test.ts).
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { verifyAuditChain } from "../../audit/chain";
import { callerFor, createTestOrg, uniqueSlug } from "@/test/support/factories";

describe("creating an organization", () => {
  it("makes the creator its owner, with a first project, audited in the new organization's log", async () => {
    const t = await createTestOrg();
    const me = t.users.viewer;
    const slug = uniqueSlug("second");
    const created = await callerFor(me).orgs.create({
      organizationName: "Second Org",
      organizationSlug: slug,
      projectName: "Assistant",
      projectSlug: "assistant",
    });
    expect(created).toEqual({ slug, name: "Second Org", projectSlug: "assistant" });
    expect(await callerFor(me).orgs.get({ orgSlug: slug })).toMatchObject({ role: "owner", projects: [expect.objectContaining({ slug: "assistant" })] });
    // Still a viewer where they were one.
    expect(await callerFor(me).orgs.get({ orgSlug: t.org.slug })).toMatchObject({ role: "viewer" });
    const org = await getDb().organization.findUniqueOrThrow({ where: { slug } });
    const events = await getDb().auditEvent.findMany({ where: { orgId: org.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["org.created", "member.added", "project.created"]));
    expect(events.every((e) => e.actorLabel === me.email)).toBe(true);
    expect(await verifyAuditChain(getDb(), org.id)).toMatchObject({ ok: true });
    // Nothing was written to the first organization's log.
    expect(await getDb().auditEvent.count({ where: { orgId: t.org.id, actorLabel: me.email } })).toBe(0);
  });

  it("refuses a taken slug with a 409 naming the field, and anonymous callers", async () => {
    const t = await createTestOrg();
    await expect(
      callerFor(t.users.editor).orgs.create({ organizationName: "Dup", organizationSlug: t.org.slug, projectName: "P", projectSlug: "p1" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/taken/),
    });
    await expect(
      callerFor(null).orgs.create({ organizationName: "X", organizationSlug: uniqueSlug("x"), projectName: "P", projectSlug: "p1" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
