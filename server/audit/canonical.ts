// Canonical JSON and the event hash. Their one implementation is the self-contained offline
// verifier (verifier/keel-verify.mjs, the file auditors download): what Keel hashes and what an
// auditor's copy checks cannot drift apart.
export { canonicalJson, eventHash, GENESIS_HASH, type HashedEvent, type JsonValue } from "./verifier/keel-verify.mjs";
import type { JsonValue } from "./verifier/keel-verify.mjs";

const SECRET_KEY = /^(password|passwordHash|newPassword|currentPassword|secret|secretKey|secretHash|token|tokenHash|apiKey|apiKeyEncrypted)$/i;

/**
 * Prepare a before/after snapshot for the audit log: secrets redacted, dates as ISO strings,
 * bigints as strings, undefined dropped, NUL characters (refused by jsonb) removed.
 */
export function toAuditJson(value: unknown, key = ""): JsonValue {
  if (value === undefined || value === null) return null;
  if (key && SECRET_KEY.test(key) && value !== "") return "[redacted]";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value.replaceAll("\u0000", "");
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((v) => toAuditJson(v));
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toAuditJson(v, k);
    }
    return out;
  }
  return String(value);
}
