// Types of keel-verify.mjs (plain JavaScript so it can be downloaded and run alone).
import type { KeyObject } from "node:crypto";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

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

export type VerifyExportResult = { ok: true; rows: number; checks: string[] } | { ok: false; problem: string; checks: string[] };
type CsvField = { value: string; quoted: boolean };

export declare function canonicalJson(value: JsonValue): string;
export declare const GENESIS_HASH: string;
export declare function eventHash(prevHash: string, event: HashedEvent): string;
export declare function manifestPayload(manifest: object): string;
export declare function readPublicKey(text: string): KeyObject;
export declare function keyIdOf(publicKey: KeyObject): string;
export declare const CSV_COLUMNS: readonly [
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
];
export declare function parseCsv(text: string): { records: { fields: CsvField[]; line: number }[]; error: string | null };
export declare function verifyExport(file: Buffer, manifest: object, publicKey: KeyObject): VerifyExportResult;
export declare function verifyFiles(filePath: string, manifestPath: string, publicKeyArg: string): VerifyExportResult;
export declare function report(result: VerifyExportResult, log?: (line: string) => void): number;
