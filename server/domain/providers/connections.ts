import "server-only";
// Provider connections: where a project's model calls go. API keys are encrypted at rest
// (server/crypto) and never leave the server after saving: reads return only a hint, and audit
// snapshots record that a key was set, never the key. Every project has a built-in "Simulated"
// connection so prompts can be tried with no network. Base URLs must pass Keel's egress policy
// when saved (server/net/egress.ts), and again at every call.
import type { ReadDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { decryptSecret, encryptSecret, EncryptionConfigError, secretHint } from "../../crypto/secrets";
import type { ProviderConnectionConfig } from "../../providers/types";
import { checkUrlForSave } from "../../net/egress";

export const SIMULATED_PROVIDER_NAME = "Simulated";
const PURPOSE = "provider-api-key";

type ProjectCtx = { orgId: string; projectId: string };

const PUBLIC_FIELDS = { id: true, name: true, kind: true, baseUrl: true, apiKeyHint: true, defaultModel: true, createdAt: true, updatedAt: true } as const;

function snapshot(p: { name: string; kind: string; baseUrl: string | null; apiKeyHint: string | null; defaultModel: string | null }) {
  return { name: p.name, kind: p.kind, baseUrl: p.baseUrl, apiKeyHint: p.apiKeyHint, defaultModel: p.defaultModel };
}

function encrypt(apiKey: string): string {
  try {
    return encryptSecret(apiKey, PURPOSE);
  } catch (error) {
    if (error instanceof EncryptionConfigError) {
      throw new AppError("BAD_REQUEST", "This Keel server has no KEEL_ENCRYPTION_KEY configured, so it cannot store provider API keys", { field: "apiKey" });
    }
    throw error;
  }
}

export async function createSimulatedProvider(w: AuditedTx, ctx: ProjectCtx) {
  const p = await w.tx.providerConnection.create({
    data: { projectId: ctx.projectId, name: SIMULATED_PROVIDER_NAME, kind: "simulated", defaultModel: "simulated-1" },
  });
  w.record({ orgId: ctx.orgId, projectId: ctx.projectId, action: "provider.created", targetType: "provider", targetId: p.id, after: snapshot(p) });
  return p;
}

export async function listProviders(db: ReadDb, projectId: string) {
  const rows = await db.providerConnection.findMany({ where: { projectId }, orderBy: [{ kind: "desc" }, { name: "asc" }], select: PUBLIC_FIELDS });
  return rows.map((r) => ({ ...r, builtIn: r.kind === "simulated" }));
}

export type ProviderInput = { name: string; kind: "openai_compatible" | "anthropic"; baseUrl: string; apiKey?: string | null; defaultModel?: string | null };

export async function createProviderConnection(w: AuditedTx, ctx: ProjectCtx, input: ProviderInput) {
  await checkUrlForSave(input.baseUrl, "baseUrl");
  try {
    const p = await w.tx.providerConnection.create({
      data: {
        projectId: ctx.projectId,
        name: input.name.trim(),
        kind: input.kind,
        baseUrl: input.baseUrl,
        apiKeyEncrypted: input.apiKey ? encrypt(input.apiKey) : null,
        apiKeyHint: input.apiKey ? secretHint(input.apiKey) : null,
        defaultModel: input.defaultModel || null,
      },
      select: PUBLIC_FIELDS,
    });
    w.record({ orgId: ctx.orgId, projectId: ctx.projectId, action: "provider.created", targetType: "provider", targetId: p.id, after: snapshot(p) });
    return p;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A provider named "${input.name}" already exists`, { field: "name" });
    throw error;
  }
}

export async function updateProviderConnection(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { id: string; name?: string; baseUrl?: string; apiKey?: string | null; defaultModel?: string | null },
) {
  const before = await w.tx.providerConnection.findFirst({ where: { id: input.id, projectId: ctx.projectId } });
  if (!before) throw notFound("Provider");
  if (before.kind === "simulated") throw new AppError("BAD_REQUEST", "The built-in Simulated provider cannot be changed");
  // Only a changed URL is checked: a narrower policy must not stop renaming or rotating a key.
  if (input.baseUrl !== undefined && input.baseUrl !== before.baseUrl) await checkUrlForSave(input.baseUrl, "baseUrl");
  try {
    const after = await w.tx.providerConnection.update({
      where: { id: before.id },
      data: {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
        ...(input.defaultModel !== undefined ? { defaultModel: input.defaultModel || null } : {}),
        // undefined keeps the key; null removes it; a string replaces it.
        ...(input.apiKey !== undefined
          ? { apiKeyEncrypted: input.apiKey ? encrypt(input.apiKey) : null, apiKeyHint: input.apiKey ? secretHint(input.apiKey) : null }
          : {}),
      },
      select: PUBLIC_FIELDS,
    });
    w.record({
      orgId: ctx.orgId,
      projectId: ctx.projectId,
      action: "provider.updated",
      targetType: "provider",
      targetId: before.id,
      before: snapshot(before),
      after: { ...snapshot(after), ...(input.apiKey !== undefined ? { apiKeyReplaced: true } : {}) },
    });
    return after;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A provider named "${input.name}" already exists`, { field: "name" });
    throw error;
  }
}

export async function deleteProviderConnection(w: AuditedTx, ctx: ProjectCtx, input: { id: string }) {
  const before = await w.tx.providerConnection.findFirst({ where: { id: input.id, projectId: ctx.projectId } });
  if (!before) throw notFound("Provider");
  if (before.kind === "simulated") throw new AppError("BAD_REQUEST", "The built-in Simulated provider cannot be deleted");
  await w.tx.providerConnection.delete({ where: { id: before.id } });
  w.record({ orgId: ctx.orgId, projectId: ctx.projectId, action: "provider.deleted", targetType: "provider", targetId: before.id, before: snapshot(before) });
  return { id: before.id };
}

/** The connection with its key decrypted, for making a call. Server-side only. */
export async function providerForCall(db: ReadDb, projectId: string, id: string): Promise<ProviderConnectionConfig & { defaultModel: string | null }> {
  const p = await db.providerConnection.findFirst({ where: { id, projectId } });
  if (!p) throw new AppError("NOT_FOUND", "Provider not found", { field: "providerId" });
  return {
    kind: p.kind,
    name: p.name,
    baseUrl: p.baseUrl,
    apiKey: p.apiKeyEncrypted ? decryptSecret(p.apiKeyEncrypted, PURPOSE) : null,
    defaultModel: p.defaultModel,
  };
}
