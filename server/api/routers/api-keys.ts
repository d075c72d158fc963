import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { id } from "../../contracts/fields";
import { apiKeyInput } from "../../contracts/api-keys";
import { createApiKey, listApiKeys, revokeApiKey } from "../../domain/api-keys/api-keys";
import { setApiKeyLimits } from "../../domain/observability/settings";
import { apiKeyLimitsInput } from "../../contracts/observability";

export const apiKeysRouter = createRouter({
  list: projectProcedure("apikey:read").query(({ ctx }) => listApiKeys(ctx.db, ctx.project.id)),
  create: projectProcedure("apikey:create", { stepUp: true })
    .input(apiKeyInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createApiKey(w, { orgId: ctx.org.id, projectId: ctx.project.id, actorUserId: ctx.user.id }, input))),
  revoke: projectProcedure("apikey:revoke")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => ctx.audited((w) => revokeApiKey(w, { orgId: ctx.org.id, projectId: ctx.project.id, actorUserId: ctx.user.id }, input))),
  setLimits: projectProcedure("apikey:create")
    .input(apiKeyLimitsInput.extend({ id }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setApiKeyLimits(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});
