import "server-only";
// Each organization's Ed25519 key pair for the audit trail: it signs export manifests and chain
// checkpoints. Created on first use (audited); the private key is encrypted at rest with the
// instance's encryption key (and re-encrypted by key rotation), the public key is shown in the
// audit settings and downloadable, so anyone can check a manifest without Keel.
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import type { AuditedTx } from "./mutation";
import { decryptSecret, encryptSecret, EncryptionConfigError } from "../crypto/secrets";
import { AppError } from "../errors";
import { manifestPayload, publicKeyId, type ExportManifest } from "./export-format";
import { canonicalJson, type JsonValue } from "./canonical";

const PURPOSE = "audit-signing-key";

async function signingKey(w: AuditedTx, orgId: string) {
  const existing = await w.tx.auditSigningKey.findUnique({ where: { orgId } });
  if (existing) return { row: existing, created: false };
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const keyId = publicKeyId(publicPem);
  // Two exports starting at once: the unique org_id keeps one key; the loser reads the winner's.
  let sealed: string;
  try {
    sealed = encryptSecret(privatePem, PURPOSE);
  } catch (error) {
    if (error instanceof EncryptionConfigError) {
      throw new AppError(
        "CONFLICT",
        "This Keel server has no KEEL_ENCRYPTION_KEY configured, so it cannot keep the key that signs audit exports and checkpoints",
      );
    }
    throw error;
  }
  await w.tx
    .$executeRaw`INSERT INTO audit_signing_keys (id, org_id, public_key, key_id, private_key_encrypted) VALUES (gen_random_uuid(), ${orgId}::uuid, ${publicPem}, ${keyId}, ${sealed}) ON CONFLICT (org_id) DO NOTHING`;
  const row = await w.tx.auditSigningKey.findUniqueOrThrow({ where: { orgId } });
  const created = row.keyId === keyId;
  if (created)
    w.record({
      orgId,
      action: "audit.signing_key.created",
      targetType: "organization",
      targetId: orgId,
      after: { keyId, algorithm: "Ed25519", publicKey: publicPem },
    });
  return { row, created };
}

function signWith(row: { privateKeyEncrypted: string }, payload: string): string {
  const key = createPrivateKey(decryptSecret(row.privateKeyEncrypted, PURPOSE));
  return sign(null, Buffer.from(payload), key).toString("base64");
}

export async function signManifest(w: AuditedTx, orgId: string, unsigned: Omit<ExportManifest, "signature" | "publicKeyId">): Promise<ExportManifest> {
  const { row } = await signingKey(w, orgId);
  const withKey = { ...unsigned, publicKeyId: row.keyId };
  return { ...withKey, signature: signWith(row, manifestPayload(withKey)) };
}

/** Signs any canonical JSON value (chain checkpoints) with the organization's key. */
export async function signValue(w: AuditedTx, orgId: string, value: JsonValue): Promise<{ signature: string; keyId: string }> {
  const { row } = await signingKey(w, orgId);
  return { signature: signWith(row, canonicalJson(value)), keyId: row.keyId };
}

/** Creates the key now if missing (the settings page offers it before any export). */
export async function ensureSigningKey(w: AuditedTx, orgId: string) {
  const { row, created } = await signingKey(w, orgId);
  if (!created) w.unchanged();
  return { publicKey: row.publicKey, keyId: row.keyId, createdAt: row.createdAt };
}
