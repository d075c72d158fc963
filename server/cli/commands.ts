import "server-only";
// What the CLI commands do, through the same domain functions and audited path as the web app.
import { z } from "zod";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import { runAudited } from "../audit/mutation";
import { systemActor } from "../audit/actor";
import { verifyAuditChain } from "../audit/chain";
import { API_KEY_SCOPE_NAMES, ROLES } from "../contracts/permissions";
import { email, password, slug, text } from "../contracts/fields";
import { addMemberAsOperator } from "../domain/members/members";
import { createOrganization } from "../domain/orgs/organizations";
import { normaliseEmail } from "../domain/users/email";
import { createPasswordLink } from "../domain/users/passwords";
import { createApiKey } from "../domain/api-keys/api-keys";
import { hashPassword } from "../auth/password";

export async function createUserFromCli(input: { email: string; org: string; role: string; name?: string; password?: string; actorLabel: string }) {
  const parsed = z
    .object({
      email,
      org: slug,
      role: z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }),
      name: text(120).optional(),
      password: password.optional(),
    })
    .parse(input);
  const org = await getDb().organization.findUnique({ where: { slug: parsed.org } });
  if (!org) throw new AppError("NOT_FOUND", `no organization with slug "${parsed.org}"`);
  const passwordHash = parsed.password ? await hashPassword(parsed.password) : null;
  return runAudited(systemActor(input.actorLabel), async (w) => {
    const result = await addMemberAsOperator(w, org.id, { email: parsed.email, name: parsed.name ?? "", role: parsed.role });
    if (passwordHash && result.passwordToken) {
      await w.tx.user.update({ where: { id: result.userId }, data: { passwordHash } });
      await w.tx.passwordSetupToken.updateMany({ where: { userId: result.userId, usedAt: null }, data: { usedAt: new Date() } });
      w.record({ orgId: org.id, action: "user.password.set", targetType: "user", targetId: result.userId });
      return { ...result, passwordToken: null };
    }
    return result;
  });
}

export async function createApiKeyFromCli(input: { project: string; scopes: string; org?: string; name: string; actorLabel: string }) {
  const scopes = input.scopes
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = z
    .object({
      project: slug,
      org: slug.optional(),
      name: text(80).trim().min(1, "is required"),
      scopes: z.array(z.enum(API_KEY_SCOPE_NAMES, { error: `unknown scope; choose from ${API_KEY_SCOPE_NAMES.join(", ")}` })).min(1, "name at least one scope"),
    })
    .parse({ ...input, scopes });
  const projects = await getDb().project.findMany({ where: { slug: parsed.project, ...(parsed.org ? { org: { slug: parsed.org } } : {}) } });
  if (projects.length === 0) throw new AppError("NOT_FOUND", `no project "${parsed.project}"${parsed.org ? ` in organization "${parsed.org}"` : ""}`);
  if (projects.length > 1) throw new AppError("BAD_REQUEST", `several organizations have a project "${parsed.project}"; pass --org`);
  const project = projects[0]!;
  return runAudited(systemActor(input.actorLabel), (w) =>
    createApiKey(w, { orgId: project.orgId, projectId: project.id, actorUserId: null }, { name: parsed.name, scopes: parsed.scopes }),
  );
}

export async function verifyChainsFromCli(orgSlug?: string) {
  const orgs = await getDb().organization.findMany({ where: orgSlug ? { slug: orgSlug } : {}, orderBy: { slug: "asc" } });
  if (orgSlug && orgs.length === 0) throw new AppError("NOT_FOUND", `no organization with slug "${orgSlug}"`);
  const results = [];
  for (const org of orgs) results.push({ slug: org.slug, ...(await verifyAuditChain(getDb(), org.id)) });
  return results;
}

/**
 * `keel org create`: a new organization (with a first project) owned by an existing account, or
 * by a new one that gets a one-time set-password link (the operator hands out that credential).
 */
export async function createOrgFromCli(input: { name: string; slug: string; owner: string; projectName?: string; projectSlug?: string; actorLabel: string }) {
  const parsed = z
    .object({ name: text(120).trim().min(1, "is required"), slug, owner: email, projectName: text(120).trim().min(1, "is required"), projectSlug: slug })
    .parse({ ...input, projectName: input.projectName ?? "Default", projectSlug: input.projectSlug ?? "default" });
  const ownerEmail = normaliseEmail(parsed.owner);
  return runAudited(systemActor(input.actorLabel), async (w) => {
    let owner = await w.tx.user.findUnique({ where: { email: ownerEmail }, select: { id: true, email: true } });
    const isNewUser = !owner;
    owner ??= await w.tx.user.create({ data: { email: ownerEmail, name: ownerEmail }, select: { id: true, email: true } });
    const org = await createOrganization(w, {
      name: parsed.name,
      slug: parsed.slug,
      ownerId: owner.id,
      projectName: parsed.projectName,
      projectSlug: parsed.projectSlug,
    });
    if (isNewUser) w.record({ orgId: org.id, action: "user.created", targetType: "user", targetId: owner.id, after: { email: owner.email } });
    const passwordToken = isNewUser ? await createPasswordLink(w, owner.id, org.id) : null;
    return { slug: org.slug, name: org.name, owner: owner.email, projectSlug: parsed.projectSlug, passwordToken };
  });
}
