// Canonical JSON and the event hash. Kept free of server-only imports: the offline verifier
// (and later the export manifest checker) uses the same code.
import { createHash } from "node:crypto";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** JSON with object keys sorted recursively and no whitespace, so equal values hash equally. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  // Plain loops and string concatenation: dataset imports hash every row with this.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalJson(value[i] as JsonValue);
    return out + "]";
  }
  const keys = Object.keys(value).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out += (i ? "," : "") + JSON.stringify(k) + ":" + canonicalJson(value[k] as JsonValue);
  }
  return out + "}";
}

export const GENESIS_HASH = "0".repeat(64);

/** The fields that are hashed; everything an auditor relies on is in here. */
export type HashedEvent = {
  orgId: string;
  projectId: string | null;
  seq: string;
  createdAt: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: JsonValue;
  after: JsonValue;
  outcome: string;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
};

export function eventHash(prevHash: string, event: HashedEvent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(event as unknown as JsonValue)).digest("hex");
}

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
