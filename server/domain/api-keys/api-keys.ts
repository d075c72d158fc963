import "server-only";
// Project API keys: a public id (pk-keel-…) and a secret (sk-keel-…) shown once. Only a SHA-256
// of the secret is stored: secrets are 256-bit random, so a fast hash is safe and keeps the
// per-request check cheap on the hot public API paths. A key belongs to a project; an
// organization-wide one (created by an organization owner) also reads organization-level audit
// events: a project key's audit:read exports only its project's events.
import { createHash, randomBytes } from "node:crypto";
import type { Db, ReadDb } from "../../db/client";
import { AppError, notFound } from "../../errors";
import type { AuditedTx } from "../../audit/mutation";
import type { ApiKeyScope } from "../../contracts/permissions";
import { notifyApiKeyChanged } from "./changes";

export const SECRET_PREFIX = "sk-keel-";
export const PUBLIC_PREFIX = "pk-keel-";

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

type ProjectCtx = { orgId: string; projectId: string; actorUserId: string | null };

export async function createApiKey(w: AuditedTx, ctx: ProjectCtx, input: { name: string; scopes: ApiKeyScope[]; orgWide?: boolean }) {
  const scopes = [...new Set(input.scopes)].sort();
  if (scopes.length === 0) throw new AppError("BAD_REQUEST", "Choose at least one scope", { field: "scopes" });
  const orgWide = input.orgWide === true;
  if (orgWide) {
    // The organization role decides (a project role cannot grant reach beyond the project).
    const membership = ctx.actorUserId
      ? await w.tx.membership.findUnique({ where: { orgId_userId: { orgId: ctx.orgId, userId: ctx.actorUserId } }, select: { role: true } })
      : null;
    if (membership?.role !== "owner") throw new AppError("FORBIDDEN", "Only an organization owner can create an organization-wide key", { field: "orgWide" });
  }
  const publicKey = PUBLIC_PREFIX + randomBytes(12).toString("base64url");
  const secret = SECRET_PREFIX + randomBytes(32).toString("base64url");
  const key = await w.tx.apiKey.create({
    data: {
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      name: input.name.trim(),
      publicKey,
      secretHash: hashSecret(secret),
      secretHint: secret.slice(0, SECRET_PREFIX.length + 4),
      scopes,
      orgWide,
      createdById: ctx.actorUserId,
    },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "apikey.created",
    targetType: "api_key",
    targetId: key.id,
    after: { name: key.name, publicKey, scopes, orgWide },
  });
  return { id: key.id, name: key.name, publicKey, secret, scopes, orgWide };
}

export async function revokeApiKey(w: AuditedTx, ctx: ProjectCtx, input: { id: string }) {
  const key = await w.tx.apiKey.findFirst({ where: { id: input.id, projectId: ctx.projectId } });
  if (!key) throw notFound("API key");
  if (key.revokedAt) throw new AppError("CONFLICT", "This key is already revoked");
  const revokedAt = new Date();
  // Compare-and-set: two concurrent revocations cannot both succeed (or both be audited).
  const revoked = await w.tx.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt } });
  if (revoked.count !== 1) throw new AppError("CONFLICT", "This key is already revoked");
  await notifyApiKeyChanged(w, { keyId: key.id, secretHash: key.secretHash });
  const snapshot = { name: key.name, publicKey: key.publicKey, scopes: key.scopes };
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "apikey.revoked",
    targetType: "api_key",
    targetId: key.id,
    before: { ...snapshot, revokedAt: null },
    after: { ...snapshot, revokedAt },
  });
  return { id: key.id };
}

export async function listApiKeys(db: ReadDb, projectId: string) {
  return db.apiKey.findMany({
    where: { projectId },
    orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
    select: {
      id: true,
      name: true,
      publicKey: true,
      secretHint: true,
      scopes: true,
      orgWide: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      rateLimitPerMinute: true,
      monthlyQuota: true,
      createdBy: { select: { email: true } },
    },
  });
}

export type ApiKeyPrincipal = {
  keyId: string;
  publicKey: string;
  orgId: string;
  projectId: string;
  scopes: string[];
  /** Organization-wide key: audit:read covers organization-level events, not only the project's. */
  orgWide: boolean;
  /** Gateway limits (null: unlimited). */
  rateLimitPerMinute: number | null;
  monthlyQuota: number | null;
};

/** How often a key's last use is written, at most (usage bookkeeping, not a governed change). */
export const LAST_USED_EVERY_MS = 60_000;

/** The active (unrevoked) key with this secret hash, or null. Callers cache it (server/public-api). */
export async function findActiveApiKey(db: ReadDb, secretHash: string) {
  const key = await db.apiKey.findUnique({
    where: { secretHash },
    select: {
      id: true,
      publicKey: true,
      orgId: true,
      projectId: true,
      scopes: true,
      orgWide: true,
      revokedAt: true,
      lastUsedAt: true,
      rateLimitPerMinute: true,
      monthlyQuota: true,
    },
  });
  return key && !key.revokedAt ? key : null;
}

/**
 * Records a key's use, at most once per LAST_USED_EVERY_MS across all instances (the condition
 * makes concurrent writers no-ops). Bookkeeping, not a governed change: no audit event.
 */
export async function touchApiKeyLastUsed(db: Db, keyId: string, now = new Date()): Promise<void> {
  await db.apiKey.updateMany({
    where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_EVERY_MS) } }] },
    data: { lastUsedAt: now },
  });
}
