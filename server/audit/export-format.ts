// Audit exports, the parts an external auditor's machine runs: the file formats (JSON Lines and
// CSV, one row per event, oldest first, with every hashed field plus prev_hash and hash), the
// manifest and its Ed25519 signature, and the offline verifier behind
// `npx keel audit verify-export`. Free of server-only imports on purpose: no database, no
// network, nothing but the file, the manifest and the public key.
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import { canonicalJson, eventHash, GENESIS_HASH, type HashedEvent, type JsonValue } from "./canonical";

/** CSV columns, in order (JSON Lines objects carry the same names in camelCase). */
export const CSV_COLUMNS = [
  "seq",
  "created_at",
  "org_id",
  "project_id",
  "actor_type",
  "actor_id",
  "actor_label",
  "actor_role",
  "action",
  "target_type",
  "target_id",
  "outcome",
  "request_id",
  "ip",
  "user_agent",
  "before",
  "after",
  "prev_hash",
  "hash",
] as const;

export type ExportFormat = "jsonl" | "csv";

export type ExportFilters = {
  from: string | null;
  to: string | null;
  project: string | null;
  action: string | null;
  actor: string | null;
  targetType: string | null;
  targetId: string | null;
  outcome: string | null;
  q: string | null;
};

export type ExportManifest = {
  kind: "keel.audit-export";
  formatVersion: 1;
  exportId: string;
  organization: { id: string; slug: string };
  format: ExportFormat;
  filters: ExportFilters;
  /** No filter but a time range: the rows are consecutive events, so the file carries its chain. */
  contiguous: boolean;
  rowCount: number;
  firstSeq: string | null;
  lastSeq: string | null;
  fileSha256: string;
  /** The chain hash at the last included event (equal to its `hash`). */
  chainHash: string | null;
  exportedAt: string;
  exporter: { type: string; label: string };
  publicKeyId: string;
  signatureAlgorithm: "Ed25519";
  /** Base64 Ed25519 signature over the canonical JSON of every other field. */
  signature: string;
};

export function manifestPayload(manifest: Omit<ExportManifest, "signature"> | ExportManifest): string {
  const { signature: _omit, ...rest } = manifest as ExportManifest;
  // Through JSON first: the payload is what the manifest file holds (no undefined fields).
  return canonicalJson(JSON.parse(JSON.stringify(rest)) as JsonValue);
}

export function publicKeyId(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/** Reads a public key given as PEM text or as the base64 of its DER (SubjectPublicKeyInfo). */
export function readPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes("BEGIN PUBLIC KEY")) return createPublicKey(trimmed);
  return createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
}

// ---- CSV reading (RFC 4180, as PostgreSQL writes it: NULL is an unquoted empty field) -----------

type Field = { value: string; quoted: boolean };

/** Splits CSV text into records of fields; reports where a quote is left open. */
export function parseCsv(text: string): { records: { fields: Field[]; line: number }[]; error: string | null } {
  const records: { fields: Field[]; line: number }[] = [];
  let fields: Field[] = [];
  let value = "";
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          value += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === "\n") line++;
        value += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      inQuotes = true;
      quoted = true;
      atFieldStart = false;
    } else if (c === ",") {
      fields.push({ value, quoted });
      value = "";
      quoted = false;
      atFieldStart = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      fields.push({ value, quoted });
      records.push({ fields, line: recordLine });
      fields = [];
      value = "";
      quoted = false;
      atFieldStart = true;
      line++;
      recordLine = line;
    } else {
      value += c;
      atFieldStart = false;
    }
  }
  if (inQuotes) return { records, error: `a quoted field opened on line ${recordLine} is never closed (the file is cut short)` };
  if (value !== "" || quoted || fields.length) {
    fields.push({ value, quoted });
    records.push({ fields, line: recordLine });
  }
  return { records, error: null };
}

// ---- Verifying --------------------------------------------------------------------------------

export type ExportRow = HashedEvent & { prevHash: string; hash: string };

export type VerifyExportResult = { ok: true; rows: number; checks: string[] } | { ok: false; problem: string; checks: string[] };

function parseJsonl(text: string): { rows: ExportRow[]; problem: string | null } {
  const rows: ExportRow[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    try {
      rows.push(JSON.parse(lines[i]!) as ExportRow);
    } catch {
      const cut = i === lines.length - 1 && !text.endsWith("\n");
      return { rows, problem: cut ? `the file stops in the middle of line ${i + 1} (row ${i + 1}): it is cut short` : `line ${i + 1} is not valid JSON` };
    }
  }
  return { rows, problem: null };
}

function parseCsvRows(text: string): { rows: ExportRow[]; problem: string | null } {
  const { records, error } = parseCsv(text);
  if (error) return { rows: [], problem: error };
  const header = records.shift();
  if (!header || header.fields.map((f) => f.value).join(",") !== CSV_COLUMNS.join(",")) return { rows: [], problem: "the CSV header is not the audit export's" };
  const rows: ExportRow[] = [];
  for (const [i, r] of records.entries()) {
    if (r.fields.length !== CSV_COLUMNS.length) return { rows, problem: `row ${i + 1} (line ${r.line}) has ${r.fields.length} fields, not ${CSV_COLUMNS.length}${i === records.length - 1 ? ": the file is cut short" : ""}` };
    const get = (name: (typeof CSV_COLUMNS)[number]) => r.fields[CSV_COLUMNS.indexOf(name)]!;
    const text = (name: (typeof CSV_COLUMNS)[number]) => get(name).value;
    const nullable = (name: (typeof CSV_COLUMNS)[number]) => (get(name).value === "" && !get(name).quoted ? null : get(name).value);
    let before: JsonValue;
    let after: JsonValue;
    try {
      before = JSON.parse(text("before")) as JsonValue;
      after = JSON.parse(text("after")) as JsonValue;
    } catch {
      return { rows, problem: `row ${i + 1} (line ${r.line}): before/after is not valid JSON` };
    }
    rows.push({
      seq: text("seq"),
      createdAt: text("created_at"),
      orgId: text("org_id"),
      projectId: nullable("project_id"),
      actorType: text("actor_type"),
      actorId: nullable("actor_id"),
      actorLabel: text("actor_label"),
      actorRole: nullable("actor_role"),
      action: text("action"),
      targetType: text("target_type"),
      targetId: nullable("target_id"),
      outcome: text("outcome"),
      requestId: nullable("request_id"),
      ip: nullable("ip"),
      userAgent: nullable("user_agent"),
      before,
      after,
      prevHash: text("prev_hash"),
      hash: text("hash"),
    });
  }
  return { rows, problem: null };
}

function hashedOf(row: ExportRow): HashedEvent {
  return {
    orgId: row.orgId,
    projectId: row.projectId,
    seq: String(row.seq),
    createdAt: row.createdAt,
    actorType: row.actorType,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    actorRole: row.actorRole,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    before: row.before,
    after: row.after,
    outcome: row.outcome,
    requestId: row.requestId,
    ip: row.ip,
    userAgent: row.userAgent,
  };
}

/**
 * Checks an export offline: the manifest's signature with the organization's public key, the
 * file's SHA-256 against the manifest, the row count and sequence range, every row's hash, and —
 * for a contiguous export — the chain from row to row (from the genesis hash when it starts at
 * event 1). Stops at the first problem and says exactly where it is.
 */
export function verifyExport(file: Buffer, manifest: ExportManifest, publicKey: KeyObject): VerifyExportResult {
  const checks: string[] = [];
  const fail = (problem: string): VerifyExportResult => ({ ok: false, problem, checks });
  if (manifest?.kind !== "keel.audit-export" || manifest.formatVersion !== 1) return fail("the manifest is not a Keel audit export manifest (kind/formatVersion)");
  let signatureOk = false;
  try {
    signatureOk = verifySignature(null, Buffer.from(manifestPayload(manifest)), publicKey, Buffer.from(manifest.signature ?? "", "base64"));
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) return fail("the manifest's signature does not match: the manifest was altered, or it was signed with another key");
  const der = publicKey.export({ type: "spki", format: "der" });
  if (createHash("sha256").update(der).digest("hex").slice(0, 16) !== manifest.publicKeyId) return fail(`the manifest names key ${manifest.publicKeyId}, not the key given`);
  checks.push(`manifest signature valid (Ed25519, key ${manifest.publicKeyId})`);
  const sha = createHash("sha256").update(file).digest("hex");
  if (sha !== manifest.fileSha256) {
    const parsed = manifest.format === "csv" ? parseCsvRows(file.toString("utf8")) : parseJsonl(file.toString("utf8"));
    const where = parsed.problem ? `; ${parsed.problem}` : parsed.rows.length !== manifest.rowCount ? `; it has ${parsed.rows.length} rows, the manifest says ${manifest.rowCount}` : "";
    return fail(`the file's SHA-256 is ${sha}, the manifest says ${manifest.fileSha256}: the file was changed${where}`);
  }
  checks.push(`file SHA-256 matches (${sha})`);
  const { rows, problem } = manifest.format === "csv" ? parseCsvRows(file.toString("utf8")) : parseJsonl(file.toString("utf8"));
  if (problem) return fail(problem);
  if (rows.length !== manifest.rowCount) return fail(`the file has ${rows.length} rows, the manifest says ${manifest.rowCount}`);
  if ((rows[0]?.seq ?? null) !== manifest.firstSeq || (rows.at(-1)?.seq ?? null) !== manifest.lastSeq) {
    return fail(`the file runs from event ${rows[0]?.seq ?? "-"} to ${rows.at(-1)?.seq ?? "-"}, the manifest says ${manifest.firstSeq ?? "-"} to ${manifest.lastSeq ?? "-"}`);
  }
  for (const [i, row] of rows.entries()) {
    if (row.orgId !== manifest.organization.id) return fail(`row ${i + 1} (event ${row.seq}) belongs to another organization`);
    if (i > 0 && BigInt(row.seq) <= BigInt(rows[i - 1]!.seq)) return fail(`row ${i + 1} (event ${row.seq}) is out of order: it follows event ${rows[i - 1]!.seq}`);
    if (eventHash(row.prevHash, hashedOf(row)) !== row.hash) return fail(`row ${i + 1} (event ${row.seq}) was altered: its content does not hash to its recorded hash`);
  }
  checks.push(`${rows.length} row hashes recomputed`);
  if (manifest.contiguous) {
    for (const [i, row] of rows.entries()) {
      if (i === 0) {
        if (row.seq === "1" && row.prevHash !== GENESIS_HASH) return fail("event 1 does not start from the genesis hash");
        continue;
      }
      const prev = rows[i - 1]!;
      if (BigInt(row.seq) !== BigInt(prev.seq) + 1n) return fail(`event ${BigInt(prev.seq) + 1n} is missing between rows ${i} and ${i + 1}`);
      if (row.prevHash !== prev.hash) return fail(`the chain breaks at event ${row.seq}: it does not link to event ${prev.seq}`);
    }
    checks.push(rows[0]?.seq === "1" ? "hash chain intact from the genesis hash" : `hash chain intact from event ${rows[0]?.seq ?? "-"}`);
  }
  if ((rows.at(-1)?.hash ?? null) !== manifest.chainHash) return fail(`the last row's hash is not the manifest's chain hash`);
  if (rows.length) checks.push(`chain hash at event ${manifest.lastSeq} matches the manifest`);
  return { ok: true, rows: rows.length, checks };
}
