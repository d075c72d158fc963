import "server-only";
import { z } from "zod";
import { dateTime, name, pageNumber, text } from "../../contracts/fields";
import { createRouter, projectProcedure } from "../trpc";
import { roleHasPermission, type Role } from "../../contracts/permissions";
import { createRequestInput, justification, webhookInput } from "../../contracts/deployments";
import { labelName } from "../../contracts/prompts";
import { approveRequest, cancelRequest, createRequest, deployIfDue, overrideFreeze, rejectRequest } from "../../domain/deployments/requests";
import { deployedAt, deploymentHistory, getRequest, listRequests, pendingForApprover, type Reader } from "../../domain/deployments/queries";
import { buildEvidencePack } from "../../domain/deployments/evidence";
import { rollbackTargets } from "../../domain/deployments/targets";
import { previewGate } from "../../domain/deployments/gate";
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, redeliver, updateWebhook } from "../../domain/deployments/webhooks";
import { AppError } from "../../errors";

const scope = (ctx: { org: { id: string }; project: { id: string } }) => ({ orgId: ctx.org.id, projectId: ctx.project.id });
const requestNumber = z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647);
const page = { page: pageNumber.default(1), pageSize: z.union([z.literal(25), z.literal(50), z.literal(100)]).default(25) };
const promptName = name(200);

export function readerOf(ctx: { user: { id: string }; role: Role }): Reader {
  return { type: "user", id: ctx.user.id, role: ctx.role, canApprove: roleHasPermission(ctx.role, "deployment:approve") };
}

export const deploymentsRouter = createRouter({
  list: projectProcedure("deployment:read")
    .input(z.object({ status: z.enum(["open", "closed", "all"]).default("open"), environment: labelName.optional(), prompt: promptName.optional(), ...page }))
    .query(({ ctx, input }) => listRequests(ctx.db, ctx.project.id, input)),
  get: projectProcedure("deployment:read")
    .input(z.object({ number: requestNumber }))
    .query(({ ctx, input }) => getRequest(ctx.db, ctx.project.id, input.number, readerOf(ctx))),
  evidence: projectProcedure("deployment:read")
    .input(z.object({ number: requestNumber }))
    .query(({ ctx, input }) => buildEvidencePack(ctx.db, ctx.project.id, input.number, readerOf(ctx))),
  pendingCount: projectProcedure("deployment:read").query(({ ctx }) => pendingForApprover(ctx.db, ctx.project.id, readerOf(ctx))),
  history: projectProcedure("deployment:read")
    .input(z.object({ environment: labelName.optional(), prompt: promptName.optional(), ...page }))
    .query(({ ctx, input }) => deploymentHistory(ctx.db, ctx.project.id, input)),
  at: projectProcedure("deployment:read")
    .input(z.object({ environment: labelName, at: dateTime(), prompt: promptName.optional() }))
    .query(({ ctx, input }) => deployedAt(ctx.db, ctx.project.id, input)),
  /** The gate a promotion of this version would meet, before the request is made. */
  gatePreview: projectProcedure("deployment:read")
    .input(
      z.object({
        prompt: promptName,
        version: z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647),
        environment: labelName,
      }),
    )
    .query(({ ctx, input }) => previewGate(ctx.db, ctx.project.id, input)),
  rollbackTargets: projectProcedure("deployment:read")
    .input(z.object({ environment: labelName, prompt: promptName }))
    .query(({ ctx, input }) => rollbackTargets(ctx.db, ctx.project.id, input)),

  request: projectProcedure("deployment:request")
    .input(createRequestInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createRequest(w, scope(ctx), input))),
  cancel: projectProcedure("deployment:request")
    .input(z.object({ number: requestNumber, reason: text(2000).trim().default("") }))
    .mutation(({ ctx, input }) => ctx.audited((w) => cancelRequest(w, scope(ctx), input, ctx.role === "owner" || ctx.role === "admin"))),
  deployNow: projectProcedure("deployment:request")
    .input(z.object({ number: requestNumber }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await ctx.audited((w) => deployIfDue(w, scope(ctx), input));
      if (!outcome.deployed) throw new AppError("CONFLICT", outcome.reason);
      return outcome;
    }),
  approve: projectProcedure("deployment:approve", { stepUp: true })
    .input(z.object({ number: requestNumber, comment: text(2000).trim().default("") }))
    .mutation(({ ctx, input }) => ctx.audited((w) => approveRequest(w, scope(ctx), input))),
  reject: projectProcedure("deployment:approve", { stepUp: true })
    .input(z.object({ number: requestNumber, comment: justification }))
    .mutation(({ ctx, input }) => ctx.audited((w) => rejectRequest(w, scope(ctx), input))),
  overrideFreeze: projectProcedure("deployment:override", { stepUp: true })
    .input(z.object({ number: requestNumber, reason: name(2000, "Breaking a change freeze needs a reason") }))
    .mutation(({ ctx, input }) => ctx.audited((w) => overrideFreeze(w, scope(ctx), input))),
});

const webhookId = z.uuid({ error: "is not a webhook id" });

export const webhooksRouter = createRouter({
  list: projectProcedure("webhook:read").query(({ ctx }) => listWebhooks(ctx.db, ctx.project.id)),
  deliveries: projectProcedure("webhook:read")
    .input(z.object({ webhookId, ...page }))
    .query(({ ctx, input }) => listDeliveries(ctx.db, ctx.project.id, input)),
  create: projectProcedure("webhook:manage")
    .input(webhookInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createWebhook(w, scope(ctx), input))),
  update: projectProcedure("webhook:manage")
    .input(webhookInput.partial().extend({ id: webhookId, active: z.boolean().optional() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => updateWebhook(w, scope(ctx), input))),
  delete: projectProcedure("webhook:manage")
    .input(z.object({ id: webhookId }))
    .mutation(({ ctx, input }) => ctx.audited((w) => deleteWebhook(w, scope(ctx), input))),
  redeliver: projectProcedure("webhook:manage")
    .input(z.object({ deliveryId: z.uuid({ error: "is not a delivery id" }) }))
    .mutation(({ ctx, input }) => ctx.audited((w) => redeliver(w, scope(ctx), input))),
});
