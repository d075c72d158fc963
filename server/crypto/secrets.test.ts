import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  generateEncryptionKey,
  getKeyring,
  keyIdOf,
  loadKeyring,
  parseSecret,
  secretHint,
  SecretDecryptionError,
} from "./secrets";

const KEY_A = generateEncryptionKey();
const KEY_B = generateEncryptionKey();
const ringA = loadKeyring({ KEEL_ENCRYPTION_KEY: KEY_A });
const ringB = loadKeyring({ KEEL_ENCRYPTION_KEY: KEY_B });
const idOf = (key: string) => keyIdOf(Buffer.from(key, "base64url"));

/** Flips one bit of one base64url field of a blob. */
function tamper(blob: string, field: 2 | 3 | 4): string {
  const parts = blob.split(":");
  const bytes = Buffer.from(parts[field]!, "base64url");
  bytes[0] = bytes[0]! ^ 1;
  parts[field] = bytes.toString("base64url");
  return parts.join(":");
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips, including unicode and the empty string", () => {
    for (const plaintext of ["sk-proj-abc123", "ключ 🔑 with spaces", "", "x".repeat(10_000)]) {
      const blob = encryptSecret(plaintext, "provider-api-key", ringA);
      expect(decryptSecret(blob, "provider-api-key", ringA)).toBe(plaintext);
    }
  });

  it("writes a self-describing v1 blob naming the key, without the plaintext", () => {
    const blob = encryptSecret("sk-very-secret-value", "provider-api-key", ringA);
    const parts = blob.split(":");
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe("v1");
    expect(parts[1]).toBe(idOf(KEY_A));
    expect(parts[1]).toMatch(/^[0-9a-f]{12}$/);
    expect(blob).not.toContain("secret");
    const parsed = parseSecret(blob);
    expect(parsed.iv).toHaveLength(12);
    expect(parsed.tag).toHaveLength(16);
  });

  it("uses a fresh IV every time, so equal secrets give different blobs", () => {
    const blobs = Array.from({ length: 200 }, () => encryptSecret("same", "provider-api-key", ringA));
    expect(new Set(blobs.map((b) => b.split(":")[2])).size).toBe(200);
    expect(new Set(blobs).size).toBe(200);
  });

  it("refuses a blob moved to another purpose (AAD)", () => {
    const blob = encryptSecret("sk-abc", "provider-api-key", ringA);
    expect(() => decryptSecret(blob, "webhook-secret", ringA)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(blob, "webhook-secret", ringA)).toThrow(/failed authentication.*"webhook-secret"/);
  });

  it.each([
    [2, "IV"],
    [3, "tag"],
    [4, "ciphertext"],
  ] as const)("detects a tampered field %i (%s)", (field, _name) => {
    const blob = encryptSecret("sk-abcdefgh", "provider-api-key", ringA);
    expect(() => decryptSecret(tamper(blob, field), "provider-api-key", ringA)).toThrow(/failed authentication/);
  });

  it("refuses a truncated tag instead of checking fewer bytes", () => {
    const blob = encryptSecret("sk-abc", "provider-api-key", ringA);
    const parts = blob.split(":");
    parts[3] = Buffer.from(parts[3]!, "base64url").subarray(0, 4).toString("base64url");
    expect(() => decryptSecret(parts.join(":"), "provider-api-key", ringA)).toThrow(/not an encrypted secret/);
  });

  it("refuses a blob whose key id was swapped for another configured key", () => {
    const both = loadKeyring({ KEEL_ENCRYPTION_KEY: KEY_A, KEEL_ENCRYPTION_PREVIOUS_KEYS: KEY_B });
    const blob = encryptSecret("sk-abc", "provider-api-key", both);
    const forged = blob.replace(idOf(KEY_A), idOf(KEY_B));
    expect(() => decryptSecret(forged, "provider-api-key", both)).toThrow(/failed authentication/);
  });

  it.each(["", "plain text", "v1:abc", "v2:0123456789ab:a:b:c", "v1:XYZ:a:b:c", "v1:0123456789ab:!!:b:c"])("names malformed input %j", (blob) => {
    expect(() => decryptSecret(blob, "provider-api-key", ringA)).toThrow(SecretDecryptionError);
  });

  it("decrypts with a previous key and encrypts with the current one", () => {
    const old = encryptSecret("sk-old", "provider-api-key", ringA);
    const rotated = loadKeyring({ KEEL_ENCRYPTION_KEY: KEY_B, KEEL_ENCRYPTION_PREVIOUS_KEYS: `${generateEncryptionKey()}, ${KEY_A}` });
    expect(decryptSecret(old, "provider-api-key", rotated)).toBe("sk-old");
    expect(parseSecret(encryptSecret("sk-new", "provider-api-key", rotated)).keyId).toBe(idOf(KEY_B));
  });

  it("names the unknown key and the variable to set", () => {
    const blob = encryptSecret("sk-abc", "provider-api-key", ringA);
    expect(() => decryptSecret(blob, "provider-api-key", ringB)).toThrow(
      `encrypted with key ${idOf(KEY_A)}, which is not configured (set KEEL_ENCRYPTION_PREVIOUS_KEYS)`,
    );
  });
});

describe("loadKeyring", () => {
  it("accepts base64 (openssl rand -base64 32) and base64url keys", () => {
    const bytes = randomBytes(32);
    const std = loadKeyring({ KEEL_ENCRYPTION_KEY: bytes.toString("base64") });
    const url = loadKeyring({ KEEL_ENCRYPTION_KEY: ` ${bytes.toString("base64url")}\n` });
    expect(std.current.id).toBe(url.current.id);
    expect(std.current.bytes.equals(bytes)).toBe(true);
  });

  it("requires KEEL_ENCRYPTION_KEY", () => {
    expect(() => loadKeyring({})).toThrow(/KEEL_ENCRYPTION_KEY is not set/);
    expect(() => loadKeyring({ KEEL_ENCRYPTION_KEY: "  " })).toThrow(/KEEL_ENCRYPTION_KEY is not set/);
  });

  it("names a key of the wrong length", () => {
    expect(() => loadKeyring({ KEEL_ENCRYPTION_KEY: randomBytes(16).toString("base64") })).toThrow(
      /KEEL_ENCRYPTION_KEY must decode to 32 bytes, but decodes to 16/,
    );
    // A hex key is valid base64 text but the wrong length: caught, not silently used.
    expect(() => loadKeyring({ KEEL_ENCRYPTION_KEY: randomBytes(32).toString("hex") })).toThrow(/decodes to 48/);
  });

  it("names a key that is not base64", () => {
    expect(() => loadKeyring({ KEEL_ENCRYPTION_KEY: "not a key!" })).toThrow(/KEEL_ENCRYPTION_KEY is not valid base64 or base64url/);
  });

  it("names the bad entry of KEEL_ENCRYPTION_PREVIOUS_KEYS", () => {
    const env = { KEEL_ENCRYPTION_KEY: KEY_A, KEEL_ENCRYPTION_PREVIOUS_KEYS: `${KEY_B},short` };
    expect(() => loadKeyring(env)).toThrow(/KEEL_ENCRYPTION_PREVIOUS_KEYS \(entry 2\) must decode to 32 bytes/);
    expect(() => loadKeyring({ KEEL_ENCRYPTION_KEY: KEY_A, KEEL_ENCRYPTION_PREVIOUS_KEYS: "%%%" })).toThrow(
      /KEEL_ENCRYPTION_PREVIOUS_KEYS \(entry 1\) is not valid base64/,
    );
  });

  it("ignores empty entries and keeps the current key current when it is also listed as previous", () => {
    const ring = loadKeyring({ KEEL_ENCRYPTION_KEY: KEY_A, KEEL_ENCRYPTION_PREVIOUS_KEYS: `${KEY_A},,${KEY_B},` });
    expect(ring.current.id).toBe(idOf(KEY_A));
    expect([...ring.byId.keys()].sort()).toEqual([idOf(KEY_A), idOf(KEY_B)].sort());
  });
});

describe("the process keyring", () => {
  const saved = { key: process.env.KEEL_ENCRYPTION_KEY, previous: process.env.KEEL_ENCRYPTION_PREVIOUS_KEYS };
  afterEach(() => {
    for (const [name, value] of [
      ["KEEL_ENCRYPTION_KEY", saved.key],
      ["KEEL_ENCRYPTION_PREVIOUS_KEYS", saved.previous],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("is read from process.env once and re-read when the variables change", () => {
    process.env.KEEL_ENCRYPTION_KEY = KEY_A;
    delete process.env.KEEL_ENCRYPTION_PREVIOUS_KEYS;
    const first = getKeyring();
    expect(getKeyring()).toBe(first);
    const blob = encryptSecret("sk-env", "provider-api-key");
    expect(parseSecret(blob).keyId).toBe(idOf(KEY_A));

    process.env.KEEL_ENCRYPTION_KEY = KEY_B;
    expect(() => decryptSecret(blob, "provider-api-key")).toThrow(/not configured/);
    process.env.KEEL_ENCRYPTION_PREVIOUS_KEYS = KEY_A;
    expect(decryptSecret(blob, "provider-api-key")).toBe("sk-env");
  });

  it("reports a missing key when first used, not at import", () => {
    delete process.env.KEEL_ENCRYPTION_KEY;
    expect(() => encryptSecret("x", "provider-api-key")).toThrow(/KEEL_ENCRYPTION_KEY is not set/);
  });
});

describe("generateEncryptionKey", () => {
  it("returns distinct base64url keys that load", () => {
    const key = generateEncryptionKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateEncryptionKey()).not.toBe(key);
    expect(loadKeyring({ KEEL_ENCRYPTION_KEY: key }).current.bytes).toHaveLength(32);
  });
});

describe("secretHint", () => {
  it("shows the first 3 and last 4 characters of a long key", () => {
    expect(secretHint("sk-proj-0123456789abcdefab12")).toBe("sk-…ab12");
    expect(secretHint("  sk-ant-api03-abcdefghijklmnop9876 \n")).toBe("sk-…9876");
  });
  it("shows less of short secrets, never more than a third", () => {
    for (let n = 0; n <= 40; n++) {
      const s = "k".repeat(n);
      const shown = secretHint(s).replace("…", "").length;
      expect(shown * 3).toBeLessThanOrEqual(n);
    }
    expect(secretHint("abcdefgh")).toBe("…gh");
    expect(secretHint("abc")).toBe("…");
  });
});
