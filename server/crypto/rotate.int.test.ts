// Key rotation against a real database: values under an old key end up under the new one, each
// organization touched gets one audit event in a chain that still verifies, and a value that
// cannot be decrypted stops the whole rotation without changing anything.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../audit/chain";
import { getDb } from "../db/client";
import { rotateEncryptionKeys } from "./rotate";
import { decryptSecret, encryptSecret, generateEncryptionKey, loadKeyring, parseSecret, type Keyring } from "./secrets";
import { auditEventsOf, createTestOrg, createUser, lastSeq, uniqueSlug } from "@/test/support/factories";

const OLD = generateEncryptionKey();
const NEW = generateEncryptionKey();
const oldRing = loadKeyring({ KEEL_ENCRYPTION_KEY: OLD });
const newOnly = loadKeyring({ KEEL_ENCRYPTION_KEY: NEW });

const saved = { key: process.env.KEEL_ENCRYPTION_KEY, previous: process.env.KEEL_ENCRYPTION_PREVIOUS_KEYS };
beforeEach(() => {
  // The deployment after an operator rotates: new current key, the old one kept for reading.
  process.env.KEEL_ENCRYPTION_KEY = NEW;
  process.env.KEEL_ENCRYPTION_PREVIOUS_KEYS = OLD;
});
afterEach(() => {
  for (const [name, value] of [
    ["KEEL_ENCRYPTION_KEY", saved.key],
    ["KEEL_ENCRYPTION_PREVIOUS_KEYS", saved.previous],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

// Fixture rows written directly: the provider-connection domain functions belong to another
// module; what matters here is the stored ciphertext.
async function addConnection(projectId: string, apiKey: string | null, keyring: Keyring, purpose = "provider-api-key") {
  return getDb().providerConnection.create({
    data: {
      projectId,
      name: uniqueSlug("conn"),
      kind: "openai_compatible",
      baseUrl: "https://api.openai.com/v1",
      apiKeyEncrypted: apiKey === null ? null : encryptSecret(apiKey, purpose, keyring),
    },
  });
}

async function storedBlob(id: string) {
  return (await getDb().providerConnection.findUniqueOrThrow({ where: { id } })).apiKeyEncrypted;
}

describe("rotateEncryptionKeys", () => {
  it("re-encrypts old rows under the current key, audits each organization once, and keeps the chain valid", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const untouched = await createTestOrg();
    const a1 = await addConnection(a.project.id, "sk-a-one", oldRing);
    const a2 = await addConnection(a.project.id, "sk-a-two", oldRing);
    const b1 = await addConnection(b.project.id, "sk-b-one", oldRing);
    const current = await addConnection(untouched.project.id, "sk-already-new", newOnly);
    const keyless = await addConnection(untouched.project.id, null, newOnly);
    // An organization's single sign-on client secret is rotated with the rest.
    const sso = await getDb().ssoConnection.create({
      data: {
        orgId: b.org.id,
        issuer: "https://idp.example.com",
        clientId: "keel",
        clientSecretEncrypted: encryptSecret("sso-secret", "sso-client-secret", oldRing),
        clientSecretHint: "…",
      },
    });
    const currentBlobBefore = await storedBlob(current.id);
    const seqBefore = { a: await lastSeq(a.org.id), b: await lastSeq(b.org.id), untouched: await lastSeq(untouched.org.id) };

    const result = await rotateEncryptionKeys(getDb(), { actorLabel: "cli:test@host" });

    expect(result).toEqual({
      keyId: newOnly.current.id,
      tables: {
        provider_connections: { rotated: 3, alreadyCurrent: 1 },
        webhooks: { rotated: 0, alreadyCurrent: 0 },
        audit_signing_keys: { rotated: 0, alreadyCurrent: 0 },
        sso_connections: { rotated: 1, alreadyCurrent: 0 },
        user_totp: { rotated: 0, alreadyCurrent: 0 },
      },
      organizations: 2,
    });
    // Readable with the new key alone: the old one can now be removed from the environment.
    for (const [row, plaintext] of [
      [a1, "sk-a-one"],
      [a2, "sk-a-two"],
      [b1, "sk-b-one"],
      [current, "sk-already-new"],
    ] as const) {
      const blob = (await storedBlob(row.id))!;
      expect(parseSecret(blob).keyId).toBe(newOnly.current.id);
      expect(decryptSecret(blob, "provider-api-key", newOnly)).toBe(plaintext);
    }
    expect(await storedBlob(current.id)).toBe(currentBlobBefore);
    expect(await storedBlob(keyless.id)).toBeNull();
    const ssoBlob = (await getDb().ssoConnection.findUniqueOrThrow({ where: { id: sso.id } })).clientSecretEncrypted;
    expect(decryptSecret(ssoBlob, "sso-client-secret", newOnly)).toBe("sso-secret");

    const eventsA = await auditEventsOf(a.org.id, seqBefore.a);
    expect(eventsA).toHaveLength(1);
    expect(eventsA[0]).toMatchObject({
      action: "settings.encryption.rotated",
      actorType: "system",
      actorLabel: "cli:test@host",
      targetType: "organization",
      targetId: a.org.id,
      outcome: "success",
      before: { keyIds: [oldRing.current.id] },
      after: { keyId: newOnly.current.id, rows: 2 },
    });
    expect((await auditEventsOf(b.org.id, seqBefore.b))[0]?.after).toEqual({ keyId: newOnly.current.id, rows: 2 });
    expect(await auditEventsOf(untouched.org.id, seqBefore.untouched)).toHaveLength(0);
    for (const t of [a, b, untouched]) expect(await verifyAuditChain(getDb(), t.org.id)).toMatchObject({ ok: true });

    // A second run finds nothing to do: no changes, no events.
    const again = await rotateEncryptionKeys(getDb());
    expect(again).toEqual({
      keyId: newOnly.current.id,
      tables: {
        provider_connections: { rotated: 0, alreadyCurrent: 4 },
        webhooks: { rotated: 0, alreadyCurrent: 0 },
        audit_signing_keys: { rotated: 0, alreadyCurrent: 0 },
        sso_connections: { rotated: 0, alreadyCurrent: 1 },
        user_totp: { rotated: 0, alreadyCurrent: 0 },
      },
      organizations: 0,
    });
    expect(await auditEventsOf(a.org.id, seqBefore.a)).toHaveLength(1);
  });

  it("changes nothing when one value is under a key that is not configured, and names the row", async () => {
    const t = await createTestOrg();
    const good = await addConnection(t.project.id, "sk-good", oldRing);
    const lost = await addConnection(t.project.id, "sk-lost", loadKeyring({ KEEL_ENCRYPTION_KEY: generateEncryptionKey() }));
    const goodBefore = await storedBlob(good.id);
    const seq = await lastSeq(t.org.id);
    try {
      await expect(rotateEncryptionKeys(getDb())).rejects.toThrow(
        new RegExp(`provider_connections.api_key_encrypted of row ${lost.id}: .*which is not configured`),
      );
      expect(await storedBlob(good.id)).toBe(goodBefore);
      expect(await lastSeq(t.org.id)).toBe(seq);
    } finally {
      await getDb().providerConnection.delete({ where: { id: lost.id } });
    }
    // Once the bad row is gone, the rest rotates.
    expect((await rotateEncryptionKeys(getDb())).tables.provider_connections?.rotated).toBeGreaterThanOrEqual(1);
    expect(parseSecret((await storedBlob(good.id))!).keyId).toBe(newOnly.current.id);
  });

  it("refuses a value encrypted for another purpose instead of re-labelling it", async () => {
    const t = await createTestOrg();
    const swapped = await addConnection(t.project.id, "whsec-123", oldRing, "webhook-secret");
    try {
      await expect(rotateEncryptionKeys(getDb())).rejects.toThrow(/failed authentication/);
    } finally {
      await getDb().providerConnection.delete({ where: { id: swapped.id } });
    }
  });

  it("re-encrypts a person's own secrets, recording it in each organization they belong to, and those of a person in no organization too", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const person = a.users.editor;
    await getDb().membership.create({ data: { orgId: b.org.id, userId: person.id, role: "viewer" } });
    const loner = await createUser();
    for (const [userId, secret] of [
      [person.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"],
      [loner.id, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"],
    ] as const) {
      await getDb().userTotp.create({ data: { userId, secretEncrypted: encryptSecret(secret, "totp-secret", oldRing), confirmedAt: new Date() } });
    }
    const seq = { a: await lastSeq(a.org.id), b: await lastSeq(b.org.id) };
    const result = await rotateEncryptionKeys(getDb());
    expect(result.tables.user_totp).toEqual({ rotated: 2, alreadyCurrent: 0 });
    for (const [userId, secret] of [
      [person.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"],
      [loner.id, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"],
    ] as const) {
      const blob = (await getDb().userTotp.findUniqueOrThrow({ where: { userId } })).secretEncrypted;
      expect(decryptSecret(blob, "totp-secret", newOnly)).toBe(secret);
    }
    for (const [org, after] of [
      [a, seq.a],
      [b, seq.b],
    ] as const) {
      const events = await auditEventsOf(org.org.id, after);
      expect(events.map((e) => [e.action, (e.after as { rows: number }).rows])).toEqual([["settings.encryption.rotated", 1]]);
    }
    // Only the secret of a person in no organization is left under an old key: it still rotates.
    await getDb().userTotp.update({
      where: { userId: loner.id },
      data: { secretEncrypted: encryptSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "totp-secret", oldRing) },
    });
    expect((await rotateEncryptionKeys(getDb())).tables.user_totp).toEqual({ rotated: 1, alreadyCurrent: 1 });
    expect(parseSecret((await getDb().userTotp.findUniqueOrThrow({ where: { userId: loner.id } })).secretEncrypted).keyId).toBe(newOnly.current.id);
  });
});
