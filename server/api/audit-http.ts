import "server-only";
// Audit exports for signed-in auditors, admins and owners: the filtered events streamed as a file
// (backpressure: the stream is pulled as the browser reads), its export id in Keel-Export-Id, and
// the signed manifest once the file was read to the end.
import { z } from "zod";
import { AppError } from "../errors";
import { auditFilters } from "../contracts/audit";
import type { ExportFilters } from "../audit/export-format";
import { getExportManifest, startAuditExport } from "../domain/audit/export";
import type { OrgHttpContext } from "./http-routes";
import { KEEL_VERIFY_SHA256, KEEL_VERIFY_SOURCE } from "../audit/verifier/source.generated";

/** Reads the filters from the query string; a bad one is a 400 naming it. */
export function exportFiltersFrom(search: URLSearchParams): { format: "csv" | "jsonl"; filters: ExportFilters } {
  const format = search.get("format") ?? "jsonl";
  if (format !== "csv" && format !== "jsonl") throw new AppError("BAD_REQUEST", "format must be jsonl or csv", { field: "format" });
  const raw = Object.fromEntries(
    ["from", "to", "project", "action", "actor", "targetType", "targetId", "outcome", "q"].flatMap((k) => (search.get(k) ? [[k, search.get(k)]] : [])),
  );
  const parsed = auditFilters.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_REQUEST", `${issue.path.join(".")}: ${issue.message}`, { field: issue.path.join(".") });
  }
  const d = parsed.data;
  const empty = (v: string | undefined) => (v ? v : null);
  return {
    format,
    filters: {
      from: empty(d.from),
      to: empty(d.to),
      project: empty(d.project),
      action: empty(d.action),
      actor: empty(d.actor),
      targetType: empty(d.targetType),
      targetId: empty(d.targetId),
      outcome: empty(d.outcome),
      q: empty(d.q),
    },
  };
}

export async function handleAuditExport(ctx: OrgHttpContext): Promise<Response> {
  const { format, filters } = exportFiltersFrom(new URL(ctx.req.url).searchParams);
  const exp = await startAuditExport({ orgId: ctx.org.id, format, filters, actor: ctx.actor });
  const iterator = exp.body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": exp.contentType,
      "content-disposition": `attachment; filename="${exp.fileName}"`,
      "cache-control": "no-store",
      "keel-export-id": exp.exportId,
      "x-keel-row-count": String(exp.rowCount),
    },
  });
}

export async function handleAuditManifest(ctx: OrgHttpContext): Promise<Response> {
  const id = z.uuid().safeParse(ctx.params.id);
  if (!id.success) throw new AppError("BAD_REQUEST", "The export id is not an id", { field: "id" });
  const { manifest, fileName } = await getExportManifest(ctx.org.id, id.data);
  return new Response(`${JSON.stringify(manifest, null, 2)}\n`, {
    // Named after its file, as the CLI names it: <file>.manifest.json.
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName}.manifest.json"`,
      "cache-control": "no-store",
    },
  });
}

/** The offline verifier as one file an auditor runs with plain Node (the same code Keel runs). */
export async function handleAuditVerifier(_ctx: OrgHttpContext): Promise<Response> {
  return new Response(KEEL_VERIFY_SOURCE, {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "content-disposition": 'attachment; filename="keel-verify.mjs"',
      "cache-control": "no-store",
      "keel-verifier-sha256": KEEL_VERIFY_SHA256,
    },
  });
}
