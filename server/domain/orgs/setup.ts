import "server-only";
// First start against an empty database: the one-time creation of the first owner, their
// organization and a first project.
import type { ReadDb } from "../../db/client";
import { AppError } from "../../errors";
import { hashPassword } from "../../auth/password";
import { runAudited } from "../../audit/mutation";
import type { RequestMeta } from "../../audit/actor";
import { normaliseEmail } from "../users/email";
import { createOrganization } from "./organizations";

export async function needsSetup(db: ReadDb): Promise<boolean> {
  return (await db.user.count()) === 0;
}

export type FirstOwnerInput = {
  name: string;
  email: string;
  password: string;
  organizationName: string;
  organizationSlug: string;
  projectName: string;
  projectSlug: string;
};

export async function createFirstOwner(input: FirstOwnerInput, request: RequestMeta) {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  return runAudited({ type: "user", id: null, label: email, role: "owner", request }, async (w) => {
    // Serialise concurrent set-ups; the loser finds a user and is refused.
    await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('keel.setup'))`;
    if ((await w.tx.user.count()) > 0) throw new AppError("CONFLICT", "Keel is already set up; sign in instead");
    const user = await w.tx.user.create({ data: { email, name: input.name.trim(), passwordHash } });
    const actor = { ...w.actor, id: user.id };
    const org = await createOrganization(
      { ...w, actor },
      { name: input.organizationName, slug: input.organizationSlug, ownerId: user.id, projectName: input.projectName, projectSlug: input.projectSlug },
    );
    w.record({ orgId: org.id, action: "user.created", targetType: "user", targetId: user.id, after: { email, name: user.name } });
    return { userId: user.id, orgSlug: org.slug, projectSlug: input.projectSlug };
  });
}
