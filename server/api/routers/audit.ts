import "server-only";
import { KEEL_VERIFY_SHA256 } from "../../audit/verifier/source.generated";
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createRouter, orgProcedure } from "../trpc";
import { slug } from "../../contracts/fields";
import { auditFilters } from "../../contracts/audit";
import { getAuditEvent, listAuditEvents } from "../../domain/audit/explore";
import { listExports } from "../../domain/audit/export";
import { chainStatus, startVerification } from "../../domain/audit/verification";
import { verifyAuditChain } from "../../audit/chain";

const seq = z.coerce.bigint({ error: "must be a whole number" }).positive("must be positive").max(9_223_372_036_854_775_807n, "is out of range");

export const auditRouter = createRouter({
  list: orgProcedure("audit:read")
    .input(
      auditFilters.extend({
        /** Kept for links made before `project`. */
        projectSlug: slug.optional(),
        cursor: seq.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      let projectId: string | undefined;
      const projectSlug = input.project || input.projectSlug;
      if (projectSlug) {
        const project = await ctx.db.project.findFirst({ where: { orgId: ctx.org.id, slug: projectSlug }, select: { id: true } });
        if (!project) throw new TRPCError({ code: "NOT_FOUND", message: "Project not found" });
        projectId = project.id;
      }
      if (input.from && input.to && Date.parse(input.from) >= Date.parse(input.to))
        throw new TRPCError({ code: "BAD_REQUEST", message: "to: must be after from" });
      const { cursor, limit, project: _p, projectSlug: _s, ...filters } = input;
      const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== "")) as typeof filters;
      return listAuditEvents(ctx.db, ctx.org.id, { ...clean, projectId }, { cursor, limit });
    }),
  get: orgProcedure("audit:read")
    .input(z.object({ seq }))
    .query(async ({ ctx, input }) => {
      const event = await getAuditEvent(ctx.db, ctx.org.id, input.seq);
      if (!event) throw new TRPCError({ code: "NOT_FOUND", message: `Event ${input.seq} not found` });
      return event;
    }),
  /** Synchronous verification (small chains; the CLI and tests). The panel uses verifyNow. */
  verify: orgProcedure("audit:read").query(({ ctx }) => verifyAuditChain(ctx.db, ctx.org.id)),
  /** Head, the latest verification (with progress while it runs), latest checkpoint, retention, public key. */
  status: orgProcedure("audit:read").query(async ({ ctx }) => ({
    ...(await chainStatus(ctx.db, ctx.org.id)),
    verifier: { fileName: "keel-verify.mjs", sha256: KEEL_VERIFY_SHA256 },
  })),
  /** Starts a background verification of the whole chain (audited). */
  verifyNow: orgProcedure("audit:read").mutation(({ ctx }) => ctx.audited((w) => startVerification(w, ctx.org.id))),
  /** Finished exports with their manifest facts, newest first. */
  exports: orgProcedure("audit:read").query(({ ctx }) => listExports(ctx.db, ctx.org.id)),
});
