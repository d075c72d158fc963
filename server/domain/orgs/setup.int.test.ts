// The first-owner setup on an empty database (this file's database starts with no users).
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { verifyAuditChain } from "../../audit/chain";
import { callerFor } from "@/test/support/factories";

const input = (n: number) => ({
  name: `Founder ${n}`,
  email: `founder${n}@example.com`,
  password: "founders-long-password",
  organizationName: `Founders ${n}`,
  organizationSlug: `founders-${n}`,
  projectName: "First project",
  projectSlug: "first-project",
});

describe("first-owner setup", () => {
  it("is offered only while there are no users, and exactly once even when raced", async () => {
    const anonymous = callerFor(null);
    expect(await anonymous.setup.status()).toEqual({ needsSetup: true });
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => anonymous.setup.createFirstOwner(input(n))));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    expect(await getDb().user.count()).toBe(1);
    expect(await anonymous.setup.status()).toEqual({ needsSetup: false });

    const org = await getDb().organization.findFirstOrThrow({ include: { memberships: true, projects: true } });
    expect(org.memberships).toEqual([expect.objectContaining({ role: "owner" })]);
    expect(org.projects.map((p) => p.slug)).toEqual(["first-project"]);
    const events = await getDb().auditEvent.findMany({ where: { orgId: org.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(["member.added", "org.created", "project.created", "user.created", "environment.created", "provider.created"]),
    );
    expect(events.every((e) => e.outcome === "success")).toBe(true);
    expect(await verifyAuditChain(getDb(), org.id)).toMatchObject({ ok: true, eventCount: events.length });
  });

  it("answers a clear 400 naming the field for bad input", async () => {
    await expect(callerFor(null).setup.createFirstOwner({ ...input(9), organizationSlug: "Not A Slug" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
