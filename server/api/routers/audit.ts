import "server-only";
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createRouter, orgProcedure } from "../trpc";
import { slug, text } from "../../contracts/fields";
import { AUDIT_TARGET_TYPES } from "../../contracts/audit";
import { getAuditEvent, listAuditEvents } from "../../domain/audit/explore";
import { verifyAuditChain } from "../../audit/chain";

const seq = z.coerce.bigint({ error: "must be a whole number" }).positive("must be positive").max(9_223_372_036_854_775_807n, "is out of range");

export const auditRouter = createRouter({
  list: orgProcedure("audit:read")
    .input(
      z.object({
        projectSlug: slug.optional(),
        actor: text(254).trim().optional(),
        action: z.string().max(80).regex(/^[a-z_.]*$/, "is not an action name").optional(),
        targetType: z.enum(AUDIT_TARGET_TYPES).optional(),
        targetId: text(80).trim().optional(),
        outcome: z.enum(["success", "denied"]).optional(),
        cursor: seq.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      let projectId: string | undefined;
      if (input.projectSlug) {
        const project = await ctx.db.project.findFirst({ where: { orgId: ctx.org.id, slug: input.projectSlug }, select: { id: true } });
        if (!project) throw new TRPCError({ code: "NOT_FOUND", message: "Project not found" });
        projectId = project.id;
      }
      return listAuditEvents(ctx.db, ctx.org.id, { ...input, projectId, actor: input.actor || undefined, action: input.action || undefined, targetId: input.targetId || undefined }, { cursor: input.cursor, limit: input.limit });
    }),
  get: orgProcedure("audit:read")
    .input(z.object({ seq }))
    .query(async ({ ctx, input }) => {
      const event = await getAuditEvent(ctx.db, ctx.org.id, input.seq);
      if (!event) throw new TRPCError({ code: "NOT_FOUND", message: `Event ${input.seq} not found` });
      return event;
    }),
  verify: orgProcedure("audit:read").query(({ ctx }) => verifyAuditChain(ctx.db, ctx.org.id)),
});
