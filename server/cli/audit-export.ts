// `keel audit export` and `keel audit verify-export`. The export goes through the same streaming
// domain function as the web app and the API (the CLI is the actor); the verification is the
// downloadable keel-verify.mjs and reads only the two files and the public key: no database, no
// network.
import { createWriteStream, writeFileSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { ExportFilters } from "../audit/export-format";
import { verifyFiles, type VerifyExportResult } from "../audit/verifier/keel-verify.mjs";

type ExportOptions = {
  org: string;
  out: string;
  format: string;
  from?: string;
  to?: string;
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  project?: string;
  q?: string;
  actorLabel: string;
};

export async function exportAuditFromCli(opts: ExportOptions) {
  const { getDb } = await import("../db/client");
  const { systemActor } = await import("../audit/actor");
  const { startAuditExport } = await import("../domain/audit/export");
  const { auditFilters } = await import("../contracts/audit");
  if (opts.format !== "jsonl" && opts.format !== "csv") throw new Error("--format must be jsonl or csv");
  const org = await getDb().organization.findUnique({ where: { slug: opts.org }, select: { id: true } });
  if (!org) throw new Error(`No organization "${opts.org}"`);
  const parsed = auditFilters.safeParse({
    from: opts.from,
    to: opts.to,
    action: opts.action,
    actor: opts.actor,
    targetType: opts.targetType,
    targetId: opts.targetId,
    project: opts.project,
    q: opts.q,
  });
  if (!parsed.success) throw new Error(`--${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message}`);
  const d = parsed.data;
  const filters: ExportFilters = {
    from: d.from ?? null,
    to: d.to ?? null,
    project: d.project || null,
    action: d.action || null,
    actor: d.actor || null,
    targetType: d.targetType ?? null,
    targetId: d.targetId || null,
    outcome: d.outcome ?? null,
    q: d.q || null,
  };
  const exp = await startAuditExport({ orgId: org.id, format: opts.format, filters, actor: systemActor(opts.actorLabel) });
  let bytes = 0;
  const file = createWriteStream(opts.out);
  await pipeline(
    Readable.from(exp.body),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        bytes += chunk.length;
        yield chunk;
      }
    },
    file,
  );
  const manifest = await exp.manifest;
  const manifestPath = `${opts.out}.manifest.json`;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { rowCount: manifest.rowCount, bytes, sha256: manifest.fileSha256, manifestPath, publicKeyId: manifest.publicKeyId };
}

/** The downloadable verifier (verifier/keel-verify.mjs) on the three files: the same code, the same answers. */
export function verifyExportFromCli(filePath: string, manifestPath: string, publicKeyArg: string): VerifyExportResult {
  return verifyFiles(filePath, manifestPath, publicKeyArg);
}
