import "server-only";
// Model prices for cost estimates: the built-in table (server/providers/cost.ts) overlaid with
// the project's own rows.
import type { ReadDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { DEFAULT_PRICES, DEFAULT_PRICES_AS_OF } from "../../providers/cost";

type ProjectCtx = { orgId: string; projectId: string };

export async function listModelPrices(db: ReadDb, projectId: string) {
  const rows = await db.modelPrice.findMany({ where: { projectId }, orderBy: { model: "asc" } });
  const project = rows.map((r) => ({
    model: r.model,
    inputPerMillion: Number(r.inputPerMillion),
    outputPerMillion: Number(r.outputPerMillion),
    source: "project" as const,
  }));
  const overridden = new Set(project.map((p) => p.model));
  const defaults = Object.entries(DEFAULT_PRICES)
    .filter(([model]) => !overridden.has(model))
    .map(([model, price]) => ({ model, ...price, source: "default" as const }));
  return { asOf: DEFAULT_PRICES_AS_OF, prices: [...project, ...defaults].sort((a, b) => a.model.localeCompare(b.model)) };
}

export async function projectPriceRows(db: ReadDb, projectId: string) {
  return db.modelPrice.findMany({ where: { projectId }, select: { model: true, inputPerMillion: true, outputPerMillion: true } });
}

export async function setModelPrice(w: AuditedTx, ctx: ProjectCtx, input: { model: string; inputPerMillion: number; outputPerMillion: number }) {
  const before = await w.tx.modelPrice.findUnique({ where: { projectId_model: { projectId: ctx.projectId, model: input.model } } });
  const row = await w.tx.modelPrice.upsert({
    where: { projectId_model: { projectId: ctx.projectId, model: input.model } },
    create: { projectId: ctx.projectId, model: input.model, inputPerMillion: input.inputPerMillion, outputPerMillion: input.outputPerMillion },
    update: { inputPerMillion: input.inputPerMillion, outputPerMillion: input.outputPerMillion },
  });
  const price = (r: { inputPerMillion: unknown; outputPerMillion: unknown }) => ({
    inputPerMillion: Number(r.inputPerMillion),
    outputPerMillion: Number(r.outputPerMillion),
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "model_price.set",
    targetType: "model_price",
    targetId: row.id,
    before: before
      ? { model: input.model, ...price(before), source: "project" }
      : { model: input.model, ...(DEFAULT_PRICES[input.model] ?? {}), source: DEFAULT_PRICES[input.model] ? "default" : "none" },
    after: { model: input.model, ...price(row) },
  });
  return { model: row.model, ...price(row) };
}
