// Factories for integration tests. Each test builds its own organization so tests never depend
// on each other; everything is created through the domain functions and the audited path.
import { randomUUID } from "node:crypto";
import { getDb } from "@/server/db/client";
import { runAudited } from "@/server/audit/mutation";
import { systemActor, type RequestMeta } from "@/server/audit/actor";
import { createOrganization } from "@/server/domain/orgs/organizations";
import { ROLES, type Role } from "@/server/contracts/permissions";
import { createCaller } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";
import type { SessionUser } from "@/server/auth/session";
import { hashPassword } from "@/server/auth/password";

export const TEST_PASSWORD = "correct-horse-battery";
let passwordHash: Promise<string> | undefined;

export const testRequest = (): RequestMeta => ({ requestId: `test-${randomUUID()}`, ip: "127.0.0.1", userAgent: "vitest" });

export function uniqueSlug(prefix: string) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createUser(email = `${uniqueSlug("u")}@example.com`, name = "Test User"): Promise<SessionUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const u = await getDb().user.create({ data: { email, name, passwordHash: await passwordHash } });
  return { id: u.id, email: u.email, name: u.name };
}

export type TestOrg = {
  org: { id: string; slug: string };
  project: { id: string; slug: string };
  users: Record<Role, SessionUser>;
};

/** An organization with a project and one member per role. */
export async function createTestOrg(): Promise<TestOrg> {
  const users = {} as Record<Role, SessionUser>;
  for (const role of ROLES) users[role] = await createUser(`${role}-${randomUUID().slice(0, 8)}@example.com`, `${role} user`);
  const slug = uniqueSlug("org");
  const projectSlug = uniqueSlug("proj");
  const org = await runAudited(systemActor("test"), async (w) => {
    const o = await createOrganization(w, { name: `Org ${slug}`, slug, ownerId: users.owner.id, projectName: "Project", projectSlug });
    for (const role of ROLES.filter((r) => r !== "owner")) {
      await w.tx.membership.create({ data: { orgId: o.id, userId: users[role].id, role } });
      w.record({ orgId: o.id, action: "member.added", targetType: "membership", targetId: users[role].id, after: { email: users[role].email, role } });
    }
    return o;
  });
  const project = await getDb().project.findFirstOrThrow({ where: { orgId: org.id, slug: projectSlug } });
  return { org: { id: org.id, slug: org.slug }, project: { id: project.id, slug: project.slug }, users };
}

/**
 * A caller acting as `user`. Unless the test says otherwise, the user has just signed in with their
 * password (no second factor), so decisions that need a fresh authentication are accepted.
 */
export function callerFor(user: SessionUser | null) {
  return createCaller(createContext(user && { ...user, authentication: user.authentication ?? justSignedIn() }, testRequest()));
}

export function justSignedIn(method: "password" | "sso" = "password"): NonNullable<SessionUser["authentication"]> {
  const now = new Date();
  return { method, factor: null, verifiedAt: now, verifiedMethod: method, createdAt: now };
}

export async function auditEventsOf(orgId: string, afterSeq = 0n) {
  return getDb().auditEvent.findMany({ where: { orgId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" } });
}

export async function lastSeq(orgId: string): Promise<bigint> {
  const head = await getDb().auditChainHead.findUnique({ where: { orgId } });
  return head?.lastSeq ?? 0n;
}

/** Calls a procedure by its dotted path, e.g. "members.add". */
export function callPath(caller: ReturnType<typeof callerFor>, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>;
  return fn(input);
}

/** A session cookie header for `user`, as next-auth would set it after sign-in. */
export async function sessionCookieFor(user: SessionUser): Promise<string> {
  const { encode } = await import("next-auth/jwt");
  process.env.KEEL_SECRET ??= "test-secret-".padEnd(40, "x");
  const dbUser = await getDb().user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionVersion: true } });
  const { sessionCookieName } = await import("@/server/auth/cookies");
  const { startSession } = await import("@/server/domain/users/sessions");
  const sid = await startSession(getDb(), user.id, testRequest());
  const token = await encode({ token: { uid: user.id, sv: dbUser.sessionVersion, sid }, secret: process.env.KEEL_SECRET });
  return `${sessionCookieName()}=${encodeURIComponent(token)}`;
}
