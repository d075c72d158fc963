import "server-only";
// Key rotation: re-encrypts every encrypted column under the current KEEL_ENCRYPTION_KEY in one
// audited transaction, so afterwards the previous keys can be removed from the environment.
// Columns register themselves in ENCRYPTED_COLUMNS; a capability that adds an encrypted
// column adds a line there (and a purpose) and rotation covers it.
import { systemActor } from "../audit/actor";
import { runAudited } from "../audit/mutation";
import type { Db, Tx } from "../db/client";
import { getDb } from "../db/client";
import { decryptSecret, encryptSecret, getKeyring, parseSecret, SecretDecryptionError, type Keyring, type SecretPurpose } from "./secrets";
import { raw, sql } from "../db/sql";

export type EncryptedColumn = {
  table: string;
  column: string;
  purpose: SecretPurpose;
  /** The table's key column (default "id"). */
  keyColumn?: string;
} & (
  | {
      /** SQL over the table (aliased `t`) giving the owning organization's id, for the audit event. */
      orgIdSql: string;
      userIdSql?: never;
    }
  | {
      /**
       * For a person's own secret (it belongs to no organization): SQL giving the owner's user id.
       * The rotation is recorded in every organization they are a member of, like their other
       * security events; a person in no organization has no log to record it in.
       */
      userIdSql: string;
      orgIdSql?: never;
    }
);

/** Every encrypted column. Identifiers here are trusted constants, interpolated into SQL. */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  {
    table: "provider_connections",
    column: "api_key_encrypted",
    purpose: "provider-api-key",
    orgIdSql: "(SELECT p.org_id FROM projects p WHERE p.id = t.project_id)",
  },
  {
    table: "webhooks",
    column: "secret_encrypted",
    purpose: "webhook-secret",
    orgIdSql: "(SELECT p.org_id FROM projects p WHERE p.id = t.project_id)",
  },
  {
    table: "audit_signing_keys",
    column: "private_key_encrypted",
    purpose: "audit-signing-key",
    orgIdSql: "t.org_id",
  },
  {
    table: "sso_connections",
    column: "client_secret_encrypted",
    purpose: "sso-client-secret",
    orgIdSql: "t.org_id",
  },
  {
    table: "user_totp",
    column: "secret_encrypted",
    purpose: "totp-secret",
    keyColumn: "user_id",
    userIdSql: "t.user_id",
  },
];

export type TableRotation = { rotated: number; alreadyCurrent: number };
export type RotationResult = {
  /** The current key everything is now encrypted with. */
  keyId: string;
  /** Per table (summed over its encrypted columns). */
  tables: Record<string, TableRotation>;
  /** Organizations that had rows re-encrypted; each got a settings.encryption.rotated event. */
  organizations: number;
};

type Row = { id: string; org_ids: string[]; value: string };

// runAudited rolls back a transaction that recorded no event; when nothing needed re-encrypting
// nothing changed either, so that rollback is the right outcome and this carries the counts out.
class NothingRotated extends Error {
  constructor(readonly result: RotationResult) {
    super("nothing to rotate");
  }
}

async function rotateColumn(tx: Tx, col: EncryptedColumn, keyring: Keyring, perOrg: Map<string, { rows: number; fromKeys: Set<string> }>) {
  // Identifiers and the org expression come from ENCRYPTED_COLUMNS (a fixed list in code, never
  // from a request), quoted; values are parameters.
  const q = (name: string) => raw(`"${name.replaceAll('"', '""')}"`);
  const table = q(col.table);
  const column = q(col.column);
  const key = q(col.keyColumn ?? "id");
  const orgIds =
    col.userIdSql !== undefined
      ? raw(`ARRAY(SELECT m.org_id::text FROM memberships m WHERE m.user_id = ${col.userIdSql} ORDER BY m.org_id)`)
      : raw(`ARRAY[(${col.orgIdSql})::text]`);
  // FOR UPDATE: an edit racing the rotation waits for it instead of being overwritten.
  const rows = await tx.$queryRaw<Row[]>(
    sql`SELECT t.${key}::text AS id, ${orgIds} AS org_ids, t.${column} AS value
       FROM ${table} t WHERE t.${column} IS NOT NULL ORDER BY t.${key} FOR UPDATE OF t`,
  );
  const counts: TableRotation = { rotated: 0, alreadyCurrent: 0 };
  for (const row of rows) {
    let keyId: string;
    let plaintext: string;
    try {
      keyId = parseSecret(row.value).keyId;
      if (keyId === keyring.current.id) {
        counts.alreadyCurrent += 1;
        continue;
      }
      plaintext = decryptSecret(row.value, col.purpose, keyring);
    } catch (error) {
      if (error instanceof SecretDecryptionError) throw new SecretDecryptionError(`${col.table}.${col.column} of row ${row.id}: ${error.message}`);
      throw error;
    }
    // updated_at is left alone on purpose: the connection's settings did not change.
    await tx.$executeRaw(sql`UPDATE ${table} SET ${column} = ${encryptSecret(plaintext, col.purpose, keyring)} WHERE ${key} = ${row.id}::uuid`);
    counts.rotated += 1;
    for (const orgId of row.org_ids) {
      const org = perOrg.get(orgId) ?? { rows: 0, fromKeys: new Set<string>() };
      org.rows += 1;
      org.fromKeys.add(keyId);
      perOrg.set(orgId, org);
    }
  }
  return counts;
}

/**
 * Re-encrypts every value not under the current key. All or nothing: a value that cannot be
 * decrypted (its key is not configured) aborts the whole rotation, naming the row.
 */
export async function rotateEncryptionKeys(
  db: Db = getDb(),
  options: { actorLabel?: string; keyring?: Keyring; columns?: readonly EncryptedColumn[] } = {},
): Promise<RotationResult> {
  const keyring = options.keyring ?? getKeyring();
  const columns = options.columns ?? ENCRYPTED_COLUMNS;
  try {
    return await runAudited(
      systemActor(options.actorLabel ?? "system:key-rotation"),
      async (w) => {
        const tables: Record<string, TableRotation> = {};
        const perOrg = new Map<string, { rows: number; fromKeys: Set<string> }>();
        for (const col of columns) {
          const counts = await rotateColumn(w.tx, col, keyring, perOrg);
          const sum = (tables[col.table] ??= { rotated: 0, alreadyCurrent: 0 });
          sum.rotated += counts.rotated;
          sum.alreadyCurrent += counts.alreadyCurrent;
        }
        const result: RotationResult = { keyId: keyring.current.id, tables, organizations: perOrg.size };
        if (Object.values(tables).every((c) => c.rotated === 0)) throw new NothingRotated(result);
        // Only secrets of people in no organization were re-encrypted: there is no log they belong
        // to (as when such a person revokes a session), and the change must still commit.
        if (perOrg.size === 0) w.unchanged();
        for (const [orgId, { rows, fromKeys }] of perOrg) {
          w.record({
            orgId,
            action: "settings.encryption.rotated",
            targetType: "organization",
            targetId: orgId,
            before: { keyIds: [...fromKeys].sort() },
            after: { keyId: keyring.current.id, rows },
          });
        }
        return result;
      },
      { db },
    );
  } catch (error) {
    if (error instanceof NothingRotated) return error.result;
    throw error;
  }
}
