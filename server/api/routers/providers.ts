import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { id } from "../../contracts/fields";
import { modelPriceInput, providerChanges, providerInput } from "../../contracts/providers";
import { createProviderConnection, deleteProviderConnection, listProviders, updateProviderConnection } from "../../domain/providers/connections";
import { listModelPrices, setModelPrice } from "../../domain/providers/prices";

export const providersRouter = createRouter({
  list: projectProcedure("provider:read").query(({ ctx }) => listProviders(ctx.db, ctx.project.id)),
  create: projectProcedure("provider:manage")
    .input(providerInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createProviderConnection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  update: projectProcedure("provider:manage")
    .input(providerChanges)
    .mutation(({ ctx, input }) => ctx.audited((w) => updateProviderConnection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
  delete: projectProcedure("provider:manage")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => ctx.audited((w) => deleteProviderConnection(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});

export const modelPricesRouter = createRouter({
  list: projectProcedure("provider:read").query(({ ctx }) => listModelPrices(ctx.db, ctx.project.id)),
  set: projectProcedure("provider:manage")
    .input(modelPriceInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => setModelPrice(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input))),
});
