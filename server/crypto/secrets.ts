import "server-only";
// Secrets at rest (provider API keys, later webhook secrets): AES-256-GCM under the key in
// KEEL_ENCRYPTION_KEY, stored as a self-describing string
//   v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>
// The keyId (first 12 hex chars of SHA-256 of the key) names the key a blob needs, so old
// keys can stay readable from KEEL_ENCRYPTION_PREVIOUS_KEYS while `rotate.ts` re-encrypts.
// The secret's purpose is the additional authenticated data: a blob copied into another
// column (another purpose) fails authentication instead of decrypting.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { setting } from "../env";

/** What a secret is for; bound into the ciphertext. Add a purpose per encrypted column. */
export type SecretPurpose = "provider-api-key" | (string & {});

export type EncryptionKey = { id: string; bytes: Buffer };
export type Keyring = {
  /** New secrets are encrypted with this key. */
  current: EncryptionKey;
  /** Every key that can decrypt: the current one and the previous ones, by id. */
  byId: ReadonlyMap<string, EncryptionKey>;
};

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CURRENT_VAR = "KEEL_ENCRYPTION_KEY";
const PREVIOUS_VAR = "KEEL_ENCRYPTION_PREVIOUS_KEYS";

/** Misconfigured KEEL_ENCRYPTION_* variables. */
export class EncryptionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncryptionConfigError";
  }
}

/** A blob that cannot be decrypted: malformed, altered, wrong purpose, or an unknown key. */
export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

/** A new random key for KEEL_ENCRYPTION_KEY: base64url of 32 bytes. */
export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString("base64url");
}

export function keyIdOf(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 12);
}

// Buffer.from(…, "base64") silently skips characters outside the alphabet, so a typo would
// yield a different key instead of an error: check the alphabet first. Both alphabets are
// accepted (`openssl rand -base64 32` and generateEncryptionKey() both work).
const BASE64_ANY = /^[A-Za-z0-9+/_-]+={0,2}$/;

function decodeKey(raw: string, where: string): EncryptionKey {
  const text = raw.trim();
  if (!BASE64_ANY.test(text)) {
    throw new EncryptionConfigError(`${where} is not valid base64 or base64url (generate a key with \`openssl rand -base64 32\`)`);
  }
  const bytes = Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64");
  if (bytes.length !== KEY_BYTES) {
    throw new EncryptionConfigError(
      `${where} must decode to ${KEY_BYTES} bytes, but decodes to ${bytes.length} (generate a key with \`openssl rand -base64 32\`)`,
    );
  }
  return { id: keyIdOf(bytes), bytes };
}

/** Reads and validates the keys; errors name the variable (and the entry) at fault. */
export function loadKeyring(env: Readonly<Record<string, string | undefined>> = process.env): Keyring {
  const currentRaw = env[CURRENT_VAR]?.trim();
  if (!currentRaw) {
    throw new EncryptionConfigError(
      `${CURRENT_VAR} is not set: it is needed to encrypt provider API keys (32 random bytes, base64; e.g. \`openssl rand -base64 32\`)`,
    );
  }
  const current = decodeKey(currentRaw, CURRENT_VAR);
  const byId = new Map<string, EncryptionKey>([[current.id, current]]);
  const previous = (env[PREVIOUS_VAR] ?? "").split(",").map((s) => s.trim());
  previous.forEach((raw, i) => {
    if (!raw) return; // tolerate "a,,b" and a trailing comma
    const key = decodeKey(raw, `${PREVIOUS_VAR} (entry ${i + 1})`);
    if (!byId.has(key.id)) byId.set(key.id, key);
  });
  return { current, byId };
}

// Cached per variable values rather than once per process, so a changed environment (tests,
// the embedded start generating a key) is picked up without a restart hook.
let cached: { current: string | undefined; previous: string | undefined; keyring: Keyring } | undefined;

/** The keyring from process.env, parsed once per distinct value of the variables. */
export function getKeyring(): Keyring {
  const current = setting(CURRENT_VAR);
  const previous = setting(PREVIOUS_VAR);
  if (!cached || cached.current !== current || cached.previous !== previous) {
    cached = { current, previous, keyring: loadKeyring(process.env) };
  }
  return cached.keyring;
}

function aad(purpose: SecretPurpose): Buffer {
  if (!purpose) throw new Error("a secret needs a purpose");
  return Buffer.from(purpose, "utf8");
}

export function encryptSecret(plaintext: string, purpose: SecretPurpose, keyring: Keyring = getKeyring()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.bytes, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(purpose));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyring.current.id, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(":");
}

export type ParsedSecret = { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer };

const B64URL = /^[A-Za-z0-9_-]*$/;
const MALFORMED = "is not an encrypted secret (expected v1:<keyId>:<iv>:<tag>:<ciphertext>)";

/** Splits a blob into its parts, checking shape only (no key needed). */
export function parseSecret(blob: string): ParsedSecret {
  const parts = blob.split(":");
  if (parts.length !== 5) throw new SecretDecryptionError(`The value ${MALFORMED}`);
  const [version, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  if (version !== VERSION)
    throw new SecretDecryptionError(`The value uses encryption format "${version.slice(0, 8)}", which this version of Keel does not read`);
  if (!/^[0-9a-f]{12}$/.test(keyId) || ![iv, tag, ciphertext].every((p) => B64URL.test(p))) throw new SecretDecryptionError(`The value ${MALFORMED}`);
  const parsed = { keyId, iv: Buffer.from(iv, "base64url"), tag: Buffer.from(tag, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url") };
  // An explicit tag length matters: GCM would otherwise accept a truncated (forgeable) tag.
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw new SecretDecryptionError(`The value ${MALFORMED}`);
  return parsed;
}

export function decryptSecret(blob: string, purpose: SecretPurpose, keyring: Keyring = getKeyring()): string {
  const { keyId, iv, tag, ciphertext } = parseSecret(blob);
  const key = keyring.byId.get(keyId);
  if (!key) throw new SecretDecryptionError(`The secret was encrypted with key ${keyId}, which is not configured (set ${PREVIOUS_VAR})`);
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(purpose));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(`The secret failed authentication: it was altered, or it is not a "${purpose}" secret`);
  }
}

/**
 * A display hint that lets people tell keys apart without revealing them: the first 3 and last
 * 4 characters of a long secret (`sk-…ab12`), less for short ones: never more than a third of it.
 */
export function secretHint(plaintext: string): string {
  const s = plaintext.trim();
  if (s.length >= 21) return `${s.slice(0, 3)}…${s.slice(-4)}`;
  if (s.length >= 8) return `…${s.slice(-2)}`;
  return "…";
}
