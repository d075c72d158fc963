import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { id, requiredText, text } from "../../contracts/fields";
import { createProviderConnection, deleteProviderConnection, listProviders, updateProviderConnection } from "../../domain/providers/connections";
import { listModelPrices, setModelPrice } from "../../domain/providers/prices";

const baseUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(500);
const apiKey = text(500).min(1, "is required").regex(/^[\x21-\x7e]+$/, "must be printable characters without spaces");
const model = text(120).trim();
const price = z.number().min(0, "cannot be negative").max(100_000, "is too large");

export const providersRouter = createRouter({
  list: projectProcedure("provider:read").query(({ ctx }) => listProviders(ctx.db, ctx.project.id)),
  create: projectProcedure("provider:manage")
    .input(z.object({ name: requiredText(80), kind: z.enum(["openai_compatible", "anthropic"]), baseUrl, apiKey: apiKey.optional(), defaultModel: model.optional() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => createProviderConnection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  update: projectProcedure("provider:manage")
    .input(z.object({ id, name: requiredText(80).optional(), baseUrl: baseUrl.optional(), apiKey: apiKey.nullable().optional(), defaultModel: model.nullable().optional() }))
    .mutation(({ ctx, input }) => ctx.audited((w) => updateProviderConnection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  delete: projectProcedure("provider:manage")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => ctx.audited((w) => deleteProviderConnection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});

export const modelPricesRouter = createRouter({
  list: projectProcedure("provider:read").query(({ ctx }) => listModelPrices(ctx.db, ctx.project.id)),
  set: projectProcedure("provider:manage")
    .input(z.object({ model: model.min(1, "is required"), inputPerMillion: price, outputPerMillion: price }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setModelPrice(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});
