#!/usr/bin/env node
// keel-verify.mjs — checks a Keel audit export offline, with nothing but Node.js (18 or newer):
// no dependencies, no network, no Keel repository. It is the verifier Keel itself uses (the
// server, `npx keel audit verify-export` and the audit page's download are this one file), so
// what it accepts is exactly what Keel accepts.
//
//   node keel-verify.mjs <export.jsonl|export.csv> <export.manifest.json> --public-key <key.pem | base64 DER>
//
// It checks the manifest's Ed25519 signature with the organization's public key, the file's
// SHA-256 against the manifest, the row count and sequence range, every row's hash and, for a
// contiguous export, the hash chain from row to row. Prints "ok: …" per check, then
// "VERIFIED: N events" (exit code 0) or "FAILED: <where and why>" (exit code 3; 2 for bad usage).
// Licensed Apache-2.0, like Keel.
import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

// ---- Canonical JSON and the event hash ---------------------------------------------------------

/** JSON with object keys sorted recursively and no whitespace, so equal values hash equally. */
export function canonicalJson(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  // Plain loops and string concatenation: dataset imports hash every row with this.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalJson(value[i]);
    return out + "]";
  }
  const keys = Object.keys(value).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    out += (i ? "," : "") + JSON.stringify(k) + ":" + canonicalJson(value[k]);
  }
  return out + "}";
}

export const GENESIS_HASH = "0".repeat(64);

/** sha256(prevHash + "\n" + canonical JSON of the hashed fields), hex. */
export function eventHash(prevHash, event) {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(event)).digest("hex");
}

// ---- The manifest ------------------------------------------------------------------------------

/** What the signature covers: the canonical JSON of every manifest field but `signature`. */
export function manifestPayload(manifest) {
  const { signature: _omit, ...rest } = manifest;
  // Through JSON first: the payload is what the manifest file holds (no undefined fields).
  return canonicalJson(JSON.parse(JSON.stringify(rest)));
}

/** Reads a public key given as PEM text or as the base64 of its DER (SubjectPublicKeyInfo). */
export function readPublicKey(text) {
  const trimmed = text.trim();
  if (trimmed.includes("BEGIN PUBLIC KEY")) return createPublicKey(trimmed);
  return createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
}

/** The first 16 hex digits of the SHA-256 of the key's DER: the id a manifest names. */
export function keyIdOf(publicKey) {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

// ---- CSV reading (RFC 4180, as PostgreSQL writes it: NULL is an unquoted empty field) -----------

/** CSV columns, in order (JSON Lines objects carry the same names in camelCase). */
export const CSV_COLUMNS = ["seq", "created_at", "org_id", "project_id", "actor_type", "actor_id", "actor_label", "actor_role", "action", "target_type", "target_id", "outcome", "request_id", "ip", "user_agent", "before", "after", "prev_hash", "hash"];

/** Splits CSV text into records of fields; reports where a quote is left open. */
export function parseCsv(text) {
  const records = [];
  let fields = [];
  let value = "";
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
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

function parseJsonl(text) {
  const rows = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    try {
      rows.push(JSON.parse(lines[i]));
    } catch {
      const cut = i === lines.length - 1 && !text.endsWith("\n");
      return { rows, problem: cut ? `the file stops in the middle of line ${i + 1} (row ${i + 1}): it is cut short` : `line ${i + 1} is not valid JSON` };
    }
  }
  return { rows, problem: null };
}

function parseCsvRows(text) {
  const { records, error } = parseCsv(text);
  if (error) return { rows: [], problem: error };
  const header = records.shift();
  if (!header || header.fields.map((f) => f.value).join(",") !== CSV_COLUMNS.join(",")) return { rows: [], problem: "the CSV header is not the audit export's" };
  const rows = [];
  for (const [i, r] of records.entries()) {
    if (r.fields.length !== CSV_COLUMNS.length) return { rows, problem: `row ${i + 1} (line ${r.line}) has ${r.fields.length} fields, not ${CSV_COLUMNS.length}${i === records.length - 1 ? ": the file is cut short" : ""}` };
    const get = (name) => r.fields[CSV_COLUMNS.indexOf(name)];
    const text = (name) => get(name).value;
    const nullable = (name) => (get(name).value === "" && !get(name).quoted ? null : get(name).value);
    let before;
    let after;
    try {
      before = JSON.parse(text("before"));
      after = JSON.parse(text("after"));
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

function hashedOf(row) {
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

// ---- Verifying --------------------------------------------------------------------------------

/**
 * Checks an export: the manifest's signature with the organization's public key, the file's
 * SHA-256 against the manifest, the row count and sequence range, every row's hash, and — for a
 * contiguous export — the chain from row to row (from the genesis hash when it starts at event 1).
 * Stops at the first problem and says exactly where it is.
 */
export function verifyExport(file, manifest, publicKey) {
  const checks = [];
  const fail = (problem) => ({ ok: false, problem, checks });
  if (manifest?.kind !== "keel.audit-export" || manifest.formatVersion !== 1) return fail("the manifest is not a Keel audit export manifest (kind/formatVersion)");
  let signatureOk = false;
  try {
    signatureOk = verifySignature(null, Buffer.from(manifestPayload(manifest)), publicKey, Buffer.from(manifest.signature ?? "", "base64"));
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) return fail("the manifest's signature does not match: the manifest was altered, or it was signed with another key");
  if (keyIdOf(publicKey) !== manifest.publicKeyId) return fail(`the manifest names key ${manifest.publicKeyId}, not the key given`);
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
    if (i > 0 && BigInt(row.seq) <= BigInt(rows[i - 1].seq)) return fail(`row ${i + 1} (event ${row.seq}) is out of order: it follows event ${rows[i - 1].seq}`);
    if (eventHash(row.prevHash, hashedOf(row)) !== row.hash) return fail(`row ${i + 1} (event ${row.seq}) was altered: its content does not hash to its recorded hash`);
  }
  checks.push(`${rows.length} row hashes recomputed`);
  if (manifest.contiguous) {
    for (const [i, row] of rows.entries()) {
      if (i === 0) {
        if (row.seq === "1" && row.prevHash !== GENESIS_HASH) return fail("event 1 does not start from the genesis hash");
        continue;
      }
      const prev = rows[i - 1];
      if (BigInt(row.seq) !== BigInt(prev.seq) + 1n) return fail(`event ${BigInt(prev.seq) + 1n} is missing between rows ${i} and ${i + 1}`);
      if (row.prevHash !== prev.hash) return fail(`the chain breaks at event ${row.seq}: it does not link to event ${prev.seq}`);
    }
    checks.push(rows[0]?.seq === "1" ? "hash chain intact from the genesis hash" : `hash chain intact from event ${rows[0]?.seq ?? "-"}`);
  }
  if ((rows.at(-1)?.hash ?? null) !== manifest.chainHash) return fail(`the last row's hash is not the manifest's chain hash`);
  if (rows.length) checks.push(`chain hash at event ${manifest.lastSeq} matches the manifest`);
  return { ok: true, rows: rows.length, checks };
}

/** verifyExport on files: the export, its manifest, and the key (a PEM file, PEM text or base64 DER). */
export function verifyFiles(filePath, manifestPath, publicKeyArg) {
  let file;
  try {
    file = readFileSync(filePath);
  } catch {
    return { ok: false, problem: `cannot read ${filePath}`, checks: [] };
  }
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    return { ok: false, problem: `${manifestPath} is not valid JSON`, checks: [] };
  }
  const keyText = existsSync(publicKeyArg) ? readFileSync(publicKeyArg, "utf8") : publicKeyArg;
  let key;
  try {
    key = readPublicKey(keyText);
  } catch {
    return { ok: false, problem: "the public key is not a PEM or base64 DER Ed25519 key", checks: [] };
  }
  return verifyExport(file, manifest, key);
}

/** Prints the result as `keel audit verify-export` does; returns the exit code. */
export function report(result, log = console.log) {
  for (const line of result.checks) log(`ok: ${line}`);
  if (!result.ok) {
    log(`FAILED: ${result.problem}`);
    return 3;
  }
  log(`VERIFIED: ${result.rows} events`);
  return 0;
}

function main(argv) {
  const args = [];
  let publicKey = null;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--public-key") publicKey = argv[++i] ?? null;
    else if (a.startsWith("--public-key=")) publicKey = a.slice("--public-key=".length);
    else if (a === "-h" || a === "--help") help = true;
    else args.push(a);
  }
  if (help || args.length !== 2 || !publicKey) {
    console.error("usage: node keel-verify.mjs <export file> <manifest.json> --public-key <key.pem | PEM text | base64 DER>");
    return 2;
  }
  return report(verifyFiles(args[0], args[1], publicKey));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
