import "server-only";
// Finding single sign-on from a work email (the sign-in page's "Sign in with single sign-on"):
// the organizations whose enabled connection allows the email's domain. The answer depends only
// on the domain, never on whether the address has an account, so it cannot be used to find out who
// has one; it does say which organizations sign in with that domain, as any domain-based SSO
// discovery does (the organization's name is what the person picks from when there are several).
// And which connection can re-authenticate the current session (step-up by SSO).
import type { ReadDb } from "../../../db/client";
import { normaliseEmail } from "../../users/email";
import { INSTANCE_SSO_PROVIDER_ID, ssoProviderIdFor } from "../../../contracts/sso";

export async function discoverSsoForEmail(db: ReadDb, email: string) {
  const normalised = normaliseEmail(email);
  const domain = normalised.slice(normalised.lastIndexOf("@") + 1);
  const rows = await db.ssoConnection.findMany({
    where: { enabled: true, allowedDomains: { has: domain } },
    select: { org: { select: { slug: true, name: true } } },
    orderBy: { createdAt: "asc" },
    take: 20,
  });
  return { domain, organizations: rows.map((r) => ({ orgSlug: r.org.slug, name: r.org.name, providerId: ssoProviderIdFor(r.org.slug) })) };
}

/**
 * Whether the current session can re-authenticate by single sign-on, and through which provider:
 * the connection it was signed in with (an organization's, or the instance-wide one).
 */
export async function ssoReauthenticationFor(db: ReadDb, userId: string, sessionId: string | null, instanceProviderConfigured: boolean) {
  if (!sessionId) return null;
  const session = await db.userSession.findFirst({ where: { id: sessionId, userId }, select: { method: true, ssoConnectionId: true } });
  if (!session || session.method !== "sso") return null;
  if (!session.ssoConnectionId) return instanceProviderConfigured ? { providerId: INSTANCE_SSO_PROVIDER_ID, orgSlug: null } : null;
  const connection = await db.ssoConnection.findUnique({ where: { id: session.ssoConnectionId }, select: { enabled: true, org: { select: { slug: true } } } });
  if (!connection?.enabled) return null;
  return { providerId: ssoProviderIdFor(connection.org.slug), orgSlug: connection.org.slug };
}
