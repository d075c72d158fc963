import "server-only";
// A deployment request's evidence pack as a file: JSON (for compliance archives and tools) or a
// printable, self-contained HTML page (print it to PDF from the browser).
import { z } from "zod";
import { AppError } from "../errors";
import { roleHasPermission } from "../contracts/permissions";
import { buildEvidencePack, renderEvidenceHtml } from "../domain/deployments/evidence";
import type { ProjectHttpContext } from "./http-routes";

export async function handleEvidenceExport(ctx: ProjectHttpContext): Promise<Response> {
  const number = z.coerce.number().int().min(1).max(2_147_483_647).safeParse(ctx.params.number);
  if (!number.success) throw new AppError("BAD_REQUEST", "The request number must be a whole number from 1", { field: "number" });
  const format = new URL(ctx.req.url).searchParams.get("format") ?? "json";
  if (format !== "json" && format !== "html") throw new AppError("BAD_REQUEST", "format must be json or html", { field: "format" });
  const pack = await buildEvidencePack(ctx.db, ctx.project.id, number.data, {
    type: "user",
    id: ctx.user.id,
    role: ctx.role,
    canApprove: roleHasPermission(ctx.role, "deployment:approve"),
  });
  const base = `evidence-${ctx.project.slug}-request-${pack.request.number}`;
  if (format === "html") {
    return new Response(renderEvidenceHtml(pack), {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        "x-keel-pack-sha256": pack.packSha256,
      },
    });
  }
  return new Response(JSON.stringify(pack, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${base}.json"`,
      "cache-control": "no-store",
      "x-keel-pack-sha256": pack.packSha256,
    },
  });
}
