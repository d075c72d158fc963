import "server-only";
// The audit trail over the public API, for compliance tooling: stream the organization's filtered
// events as JSON Lines or CSV (the export id in `Keel-Export-Id`), then fetch the signed manifest
// that `npx keel audit verify-export` checks offline. A project key exports only its project's
// events (and reads only those exports' manifests); an organization-wide key, which only an owner
// can create, exports the whole organization's. Exporting is audited with the key as the actor.
import { z } from "zod";
import { auditFilters } from "../contracts/audit";
import { getExportManifest, startAuditExport } from "../domain/audit/export";
import type { ExportFilters } from "../audit/export-format";
import { defineRoute, type PublicRoute } from "./route-table";

const manifestSchema = z
  .object({
    kind: z.literal("keel.audit-export"),
    formatVersion: z.literal(1),
    exportId: z.string(),
    organization: z.object({ id: z.string(), slug: z.string() }),
    format: z.enum(["jsonl", "csv"]),
    filters: z.record(z.string(), z.string().nullable()),
    contiguous: z.boolean().describe("No filter but a time range: the rows are consecutive events and the file carries its hash chain."),
    rowCount: z.number().int(),
    firstSeq: z.string().nullable(),
    lastSeq: z.string().nullable(),
    fileSha256: z.string(),
    chainHash: z.string().nullable().describe("The chain hash at the last included event."),
    exportedAt: z.string(),
    exporter: z.object({ type: z.string(), label: z.string() }),
    publicKeyId: z.string(),
    signatureAlgorithm: z.literal("Ed25519"),
    signature: z.string().describe("Base64 Ed25519 signature over the canonical JSON (sorted keys, no whitespace) of every other field."),
  })
  .strict();

export const auditRoutes: PublicRoute[] = [
  defineRoute({
    method: "GET",
    path: "/api/public/v1/audit/export",
    replica: true,
    recordsAudit: true,
    operationId: "exportAuditEvents",
    summary: "Export audit events",
    description:
      "Streams the audit events a key may see (a project key: its project's; an organization-wide key: the whole organization's), oldest first, filtered, as JSON Lines or CSV with every hashed field and each event's `prevHash` and `hash`. The response names the export in `Keel-Export-Id`; once the file was read to the end, its signed manifest is at `GET /api/public/v1/audit/exports/{id}/manifest`. A time range with no events is an empty file with a valid manifest.",
    tag: "Audit",
    scope: "audit:read",
    permission: "audit:read",
    query: auditFilters.extend({ format: z.enum(["jsonl", "csv"], { error: "must be jsonl or csv" }).default("jsonl") }),
    responses: {
      200: {
        description: "The file, streamed.",
        contentTypes: ["application/x-ndjson", "text/csv"],
        headers: {
          "Keel-Export-Id": "The export's id: its manifest is at /api/public/v1/audit/exports/{id}/manifest",
          "Content-Disposition": "attachment; filename=audit-<org>-<time>.<format>",
        },
      },
    },
    errors: [404],
    async handle({ principal, query, actor }) {
      const { format, ...rest } = query;
      const empty = (v: string | undefined) => (v ? v : null);
      const filters: ExportFilters = {
        from: empty(rest.from),
        to: empty(rest.to),
        project: empty(rest.project),
        action: empty(rest.action),
        actor: empty(rest.actor),
        targetType: empty(rest.targetType),
        targetId: empty(rest.targetId),
        outcome: empty(rest.outcome),
        q: empty(rest.q),
      };
      const exp = await startAuditExport({
        orgId: principal.orgId,
        format,
        filters,
        actor,
        onlyProjectId: principal.orgWide ? undefined : principal.projectId,
      });
      return {
        status: 200,
        stream: exp.body,
        headers: {
          "content-type": exp.contentType,
          "content-disposition": `attachment; filename="${exp.fileName}"`,
          "keel-export-id": exp.exportId,
          "x-keel-row-count": String(exp.rowCount),
        },
      };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/public/v1/audit/exports/{id}/manifest",
    operationId: "getAuditExportManifest",
    summary: "An audit export's signed manifest",
    description:
      "Filters, row count, first and last sequence numbers, the file's SHA-256, the chain hash at the last event, export time and exporter, signed with the organization's Ed25519 key (its public key is in the audit settings). 404 until the export was read to the end.",
    tag: "Audit",
    scope: "audit:read",
    permission: "audit:read",
    params: z.object({ id: z.uuid({ error: "must be an export id" }) }),
    responses: { 200: { description: "The manifest.", schema: manifestSchema } },
    errors: [404],
    async handle({ principal, params }) {
      return { status: 200, body: (await getExportManifest(principal.orgId, params.id, principal.orgWide ? undefined : principal.projectId)).manifest };
    },
  }),
];
