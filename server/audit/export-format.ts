// Audit exports, the parts an external auditor's machine runs: the file formats (JSON Lines and
// CSV, one row per event, oldest first, with every hashed field plus prev_hash and hash), the
// manifest and its Ed25519 signature, and the offline verifier. The verifier itself (CSV reading,
// row and chain hashes, the signature check) is verifier/keel-verify.mjs: one plain-Node file with
// no dependencies that `npx keel audit verify-export` runs and the audit page offers for
// download, so both check exactly the same way. Free of server-only imports on purpose.
import { createHash, createPublicKey } from "node:crypto";
import { manifestPayload as payloadOf } from "./verifier/keel-verify.mjs";

export { CSV_COLUMNS, readPublicKey, verifyExport } from "./verifier/keel-verify.mjs";

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
  return payloadOf(manifest);
}

export function publicKeyId(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}
