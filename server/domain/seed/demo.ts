import "server-only";
// The demo workspace: organization Acme, project Support Assistant, one user per role. It grows
// with every capability so a new user sees a living product on first start.
import { hashPassword } from "../../auth/password";
import { runAudited } from "../../audit/mutation";
import { systemActor } from "../../audit/actor";
import type { Role } from "../../contracts/permissions";
import { createOrganization } from "../orgs/organizations";
import { getDb } from "../../db/client";
import { createApiKey, revokeApiKey } from "../api-keys/api-keys";
import type { Actor } from "../../audit/actor";

export const DEMO_PASSWORD = "keel-demo-password";
export const DEMO_ORG = { name: "Acme", slug: "acme" };
export const DEMO_PROJECT = { name: "Support Assistant", slug: "support-assistant" };

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "owner@example.com", name: "Olivia Park", role: "owner" },
  { email: "admin@example.com", name: "Adam Reyes", role: "admin" },
  { email: "editor@example.com", name: "Elena Novak", role: "editor" },
  { email: "reviewer@example.com", name: "Ravi Shah", role: "reviewer" },
  { email: "approver@example.com", name: "Aisha Bello", role: "approver" },
  { email: "auditor@example.com", name: "Tom Keller", role: "auditor" },
  { email: "viewer@example.com", name: "Vera Lind", role: "viewer" },
];

export async function seedDemoWorkspace(): Promise<{ created: boolean }> {
  if (await getDb().organization.findUnique({ where: { slug: DEMO_ORG.slug } })) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await runAudited(systemActor("seed"), async (w) => {
    const users = new Map<string, string>();
    for (const u of DEMO_USERS) {
      const existing = await w.tx.user.findUnique({ where: { email: u.email } });
      const user = existing ?? (await w.tx.user.create({ data: { email: u.email, name: u.name, passwordHash } }));
      users.set(u.email, user.id);
    }
    const owner = DEMO_USERS[0]!;
    const org = await createOrganization(w, { ...DEMO_ORG, ownerId: users.get(owner.email)!, projectName: DEMO_PROJECT.name, projectSlug: DEMO_PROJECT.slug });
    for (const u of DEMO_USERS.slice(1)) {
      const userId = users.get(u.email)!;
      w.record({ orgId: org.id, action: "user.created", targetType: "user", targetId: userId, after: { email: u.email, name: u.name } });
      await w.tx.membership.create({ data: { orgId: org.id, userId, role: u.role } });
      w.record({ orgId: org.id, action: "member.added", targetType: "membership", targetId: userId, after: { email: u.email, role: u.role } });
    }
    return org;
  });

  // The admin sets up keys the way a team would: one for the app, one retired CI key.
  const org = await getDb().organization.findUniqueOrThrow({ where: { slug: DEMO_ORG.slug }, include: { projects: true } });
  const project = org.projects[0]!;
  const admin = await getDb().user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
  const adminActor: Actor = { type: "user", id: admin.id, label: admin.email, role: "admin", request: systemActor("seed").request };
  const ctx = { orgId: org.id, projectId: project.id, actorUserId: admin.id };
  await runAudited(adminActor, (w) => createApiKey(w, ctx, { name: "Support widget (production)", scopes: ["prompts:read", "traces:ingest"] }));
  const old = await runAudited(adminActor, (w) => createApiKey(w, ctx, { name: "Old CI pipeline", scopes: ["prompts:read", "evaluations:run"] }));
  await runAudited(adminActor, (w) => revokeApiKey(w, ctx, { id: old.id }));
  return { created: true };
}
