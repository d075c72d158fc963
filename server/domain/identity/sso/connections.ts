import "server-only";
// An organization's OpenID Connect connection (one per organization), configured by its owners:
// the issuer, the client Keel is at the identity provider, which email domains may sign in,
// just-in-time membership and group → role mapping. The client secret is encrypted at rest
// (purpose "sso-client-secret", rotated with the others by server/crypto/rotate.ts) and never
// leaves the server: reads and audit events carry only its hint. The issuer must pass Keel's egress
// policy when saved, and every request to it later goes through the same policy
// (server/auth/sso-http.ts). Also here: break-glass owners and the check before requiring SSO.
import type { ReadDb } from "../../../db/client";
import type { Tx } from "../../../db/client";
import type { AuditedTx } from "../../../audit/mutation";
import { AppError, notFound } from "../../../errors";
import { decryptSecret, encryptSecret, EncryptionConfigError, secretHint } from "../../../crypto/secrets";
import { checkUrlForSave, egressFetch, egressRefusalIn, refusalOfUrl } from "../../../net/egress";
import { ssoConnectionInput, ssoProviderIdFor, type SsoRoleMappingRow } from "../../../contracts/sso";
import type { z } from "zod";
import type { Role } from "../../../contracts/permissions";
import { setting } from "../../../env";

export const SSO_SECRET_PURPOSE = "sso-client-secret";

type OrgCtx = { orgId: string; orgSlug: string };
type SsoConnectionValues = z.output<typeof ssoConnectionInput>;

type ConnectionRow = {
  id: string;
  issuer: string;
  clientId: string;
  clientSecretHint: string;
  allowedDomains: string[];
  jitRole: Role | null;
  groupsClaim: string | null;
  roleMapping: unknown;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
};

/** The stored role mapping, tolerating anything odd in the column (rows that do not parse are dropped). */
export function roleMappingOf(value: unknown): SsoRoleMappingRow[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (r): r is SsoRoleMappingRow => typeof r === "object" && r !== null && typeof r.group === "string" && typeof r.role === "string" && r.role !== "owner",
  );
}

function snapshot(c: ConnectionRow) {
  return {
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecretHint: c.clientSecretHint,
    allowedDomains: c.allowedDomains,
    jitRole: c.jitRole,
    groupsClaim: c.groupsClaim,
    roleMapping: roleMappingOf(c.roleMapping),
    enabled: c.enabled,
  };
}

/** The address people are sent back to from the identity provider (to register there). */
export function redirectUriFor(orgSlug: string): string {
  const base = (setting("KEEL_PUBLIC_URL") ?? process.env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  return `${base}/api/auth/callback/${ssoProviderIdFor(orgSlug)}`;
}

/** What identity:read shows: the connection without its secret (only the hint), and the redirect URI to register. */
export async function getSsoConnection(db: ReadDb, ctx: OrgCtx) {
  const c = await db.ssoConnection.findUnique({ where: { orgId: ctx.orgId } });
  const org = await db.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select: { requireSso: true } });
  const breakGlass = await listBreakGlassOwners(db, ctx.orgId);
  return {
    connection: c ? { id: c.id, ...snapshot(c), createdAt: c.createdAt, updatedAt: c.updatedAt } : null,
    redirectUri: redirectUriFor(ctx.orgSlug),
    providerId: ssoProviderIdFor(ctx.orgSlug),
    requireSso: org.requireSso,
    breakGlass,
  };
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The issuer must be https. Plain http is accepted only for a loopback issuer the operator's egress
 * policy allows (a provider on the same machine, as in development and tests).
 */
async function checkIssuer(issuer: string): Promise<void> {
  const url = new URL(issuer);
  if (url.username || url.password || url.search || url.hash) {
    throw new AppError("BAD_REQUEST", "issuer: must be a plain URL without credentials, query or fragment", { field: "issuer" });
  }
  if (url.protocol === "http:") {
    const loopback = LOOPBACK_NAMES.has(url.hostname) || /^127\./.test(url.hostname);
    if (!loopback || (await refusalOfUrl(issuer)) !== null) {
      throw new AppError("BAD_REQUEST", "issuer: must be an https:// URL (plain http is accepted only for a loopback issuer that KEEL_EGRESS_ALLOW allows)", {
        field: "issuer",
      });
    }
  }
  await checkUrlForSave(issuer, "issuer");
}

function encrypt(secret: string): string {
  try {
    return encryptSecret(secret, SSO_SECRET_PURPOSE);
  } catch (error) {
    if (error instanceof EncryptionConfigError) {
      throw new AppError("BAD_REQUEST", "This Keel server has no KEEL_ENCRYPTION_KEY configured, so it cannot store a client secret", {
        field: "clientSecret",
      });
    }
    throw error;
  }
}

/** Creates the organization's connection or replaces its settings (an empty secret keeps the saved one). */
export async function saveSsoConnection(w: AuditedTx, ctx: OrgCtx, input: SsoConnectionValues) {
  const before = await w.tx.ssoConnection.findUnique({ where: { orgId: ctx.orgId } });
  const issuer = input.issuer.replace(/\/+$/, "");
  if (!before || before.issuer !== issuer) await checkIssuer(issuer);
  if (!before && !input.clientSecret) throw new AppError("BAD_REQUEST", "clientSecret: is required", { field: "clientSecret" });
  const groups = new Set<string>();
  for (const [i, row] of input.roleMapping.entries()) {
    if (groups.has(row.group)) throw new AppError("BAD_REQUEST", `roleMapping.${i}.group: "${row.group}" is mapped twice`, { field: `roleMapping.${i}.group` });
    groups.add(row.group);
  }
  if (input.roleMapping.length > 0 && !input.groupsClaim) {
    throw new AppError("BAD_REQUEST", "groupsClaim: is required to map groups to roles", { field: "groupsClaim" });
  }
  if (before && !input.enabled) {
    const org = await w.tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select: { requireSso: true } });
    if (org.requireSso)
      throw new AppError("CONFLICT", "The organization requires single sign-on: stop requiring it before disabling the connection", { field: "enabled" });
  }
  const data = {
    issuer,
    clientId: input.clientId,
    allowedDomains: input.allowedDomains,
    jitRole: input.jitRole || null,
    groupsClaim: input.groupsClaim || null,
    roleMapping: input.roleMapping,
    enabled: input.enabled,
    ...(input.clientSecret ? { clientSecretEncrypted: encrypt(input.clientSecret), clientSecretHint: secretHint(input.clientSecret) } : {}),
  };
  if (!before) {
    const c = await w.tx.ssoConnection.create({
      data: { orgId: ctx.orgId, ...data, clientSecretEncrypted: data.clientSecretEncrypted!, clientSecretHint: data.clientSecretHint! },
    });
    w.record({ orgId: ctx.orgId, action: "sso.connection.created", targetType: "sso_connection", targetId: c.id, after: snapshot(c) });
    return { id: c.id, ...snapshot(c) };
  }
  const after = await w.tx.ssoConnection.update({ where: { id: before.id }, data });
  w.record({
    orgId: ctx.orgId,
    action: "sso.connection.updated",
    targetType: "sso_connection",
    targetId: before.id,
    before: snapshot(before),
    after: { ...snapshot(after), ...(input.clientSecret ? { clientSecretReplaced: true } : {}) },
  });
  return { id: after.id, ...snapshot(after) };
}

export async function deleteSsoConnection(w: AuditedTx, ctx: OrgCtx) {
  const before = await w.tx.ssoConnection.findUnique({ where: { orgId: ctx.orgId } });
  if (!before) {
    // Already gone (a second click, another owner): nothing to do.
    w.unchanged();
    return { id: null };
  }
  const org = await w.tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select: { requireSso: true } });
  if (org.requireSso) throw new AppError("CONFLICT", "The organization requires single sign-on: stop requiring it before deleting the connection");
  await w.tx.ssoConnection.delete({ where: { id: before.id } });
  w.record({ orgId: ctx.orgId, action: "sso.connection.deleted", targetType: "sso_connection", targetId: before.id, before: snapshot(before) });
  return { id: before.id };
}

/** The connection with its secret, for building the sign-in provider. Server-side only. */
export async function ssoConnectionForSignIn(db: ReadDb, orgSlug: string) {
  const org = await db.organization.findUnique({ where: { slug: orgSlug }, select: { id: true, slug: true, name: true, ssoConnection: true } });
  const c = org?.ssoConnection;
  if (!org || !c || !c.enabled) return null;
  return {
    id: c.id,
    org: { id: org.id, slug: org.slug, name: org.name },
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecret: decryptSecret(c.clientSecretEncrypted, SSO_SECRET_PURPOSE),
    allowedDomains: c.allowedDomains,
    jitRole: c.jitRole,
    groupsClaim: c.groupsClaim,
    roleMapping: roleMappingOf(c.roleMapping),
  };
}
export type SsoConnectionForSignIn = NonNullable<Awaited<ReturnType<typeof ssoConnectionForSignIn>>>;

const DISCOVERY_TIMEOUT_MS = 5_000;

/**
 * "Test connection": fetches the issuer's discovery document through the egress policy and checks
 * that it names this issuer and the endpoints sign-in needs. Answers what was found, or why not.
 */
export async function testSsoIssuer(issuerInput: string) {
  const issuer = issuerInput.replace(/\/+$/, "");
  await checkIssuer(issuer);
  const url = `${issuer}/.well-known/openid-configuration`;
  let doc: Record<string, unknown>;
  try {
    const res = await egressFetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (res.status !== 200) return { ok: false as const, message: `The discovery document answered HTTP ${res.status} (${url})` };
    doc = (await res.json()) as Record<string, unknown>;
  } catch (error) {
    const refusal = egressRefusalIn(error);
    if (refusal) return { ok: false as const, message: `issuer: ${refusal.message}` };
    return { ok: false as const, message: `Could not fetch the discovery document at ${url}` };
  }
  if (typeof doc !== "object" || doc === null) return { ok: false as const, message: "The discovery document is not a JSON object" };
  if (doc.issuer !== issuer) {
    return { ok: false as const, message: `The discovery document names the issuer "${String(doc.issuer).slice(0, 200)}", not "${issuer}": enter that one` };
  }
  const missing = ["authorization_endpoint", "token_endpoint", "jwks_uri"].filter((k) => typeof doc[k] !== "string");
  if (missing.length) return { ok: false as const, message: `The discovery document lacks ${missing.join(", ")}` };
  const scopes = Array.isArray(doc.scopes_supported) ? (doc.scopes_supported as unknown[]).map(String) : [];
  return {
    ok: true as const,
    message: "The issuer answered with a valid discovery document.",
    authorizationEndpoint: String(doc.authorization_endpoint),
    tokenEndpoint: String(doc.token_endpoint),
    supportsPkce: Array.isArray(doc.code_challenge_methods_supported) ? (doc.code_challenge_methods_supported as unknown[]).includes("S256") : null,
    scopes: scopes.slice(0, 50),
  };
}

// ---- Break-glass owners and requiring SSO -------------------------------------------------------

export async function listBreakGlassOwners(db: ReadDb, orgId: string) {
  const rows = await db.membership.findMany({
    where: { orgId, role: "owner" },
    orderBy: { createdAt: "asc" },
    select: { breakGlass: true, user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map((r) => ({ userId: r.user.id, email: r.user.email, name: r.user.name, breakGlass: r.breakGlass }));
}

/**
 * Marks or unmarks an owner as break-glass: while the organization requires single sign-on, only
 * break-glass owners may still sign in with a password (when the identity provider is down).
 */
export async function setBreakGlass(w: AuditedTx, ctx: OrgCtx, input: { userId: string; breakGlass: boolean }) {
  const m = await w.tx.membership.findUnique({
    where: { orgId_userId: { orgId: ctx.orgId, userId: input.userId } },
    include: { user: { select: { email: true } } },
  });
  if (!m) throw notFound("Member");
  if (input.breakGlass && m.role !== "owner")
    throw new AppError("BAD_REQUEST", `${m.user.email} is not an owner: only owners can be break-glass accounts`, { field: "userId" });
  if (m.breakGlass === input.breakGlass) {
    w.unchanged();
    return { userId: input.userId, breakGlass: m.breakGlass };
  }
  if (!input.breakGlass) {
    // Lock the organization row: a concurrent "require SSO" waits for this and sees the result.
    const [org] = await w.tx.$queryRaw<{ require_sso: boolean }[]>`SELECT require_sso FROM organizations WHERE id = ${ctx.orgId}::uuid FOR UPDATE`;
    if (org?.require_sso) {
      const others = await w.tx.membership.count({ where: { orgId: ctx.orgId, role: "owner", breakGlass: true, userId: { not: input.userId } } });
      if (others === 0) {
        throw new AppError("CONFLICT", "The organization requires single sign-on and needs at least one break-glass owner: mark another owner first");
      }
    }
  }
  await w.tx.membership.update({ where: { id: m.id }, data: { breakGlass: input.breakGlass } });
  w.record({
    orgId: ctx.orgId,
    action: "member.break_glass_set",
    targetType: "membership",
    targetId: input.userId,
    before: { email: m.user.email, breakGlass: m.breakGlass },
    after: { email: m.user.email, breakGlass: input.breakGlass },
  });
  return { userId: input.userId, breakGlass: input.breakGlass };
}

/**
 * Throws a 409 unless the organization may require single sign-on: it needs an enabled connection
 * and at least one break-glass owner (who can still sign in with a password when the identity
 * provider is down). Call it in the transaction that sets Organization.requireSso = true; it locks
 * the organization row so a concurrent unmarking of the last break-glass owner waits.
 */
export async function assertCanRequireSso(tx: Tx, orgId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM organizations WHERE id = ${orgId}::uuid FOR UPDATE`;
  const connection = await tx.ssoConnection.findUnique({ where: { orgId }, select: { enabled: true } });
  if (!connection || !connection.enabled) {
    throw new AppError("CONFLICT", "Set up and enable a single sign-on connection before requiring it", { field: "requireSso" });
  }
  const breakGlass = await tx.membership.count({ where: { orgId, role: "owner", breakGlass: true } });
  if (breakGlass === 0) {
    throw new AppError(
      "CONFLICT",
      "Mark at least one owner as break-glass before requiring single sign-on (they can still sign in with a password if the identity provider is down)",
      {
        field: "requireSso",
      },
    );
  }
}
