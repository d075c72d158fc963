import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { id, text } from "../../contracts/fields";
import { promptName } from "../../contracts/prompts";
import {
  DATASET_ITEM_SOURCES,
  MAX_ITEMS_PER_ADD,
  bulkFieldOperation,
  changeMessage,
  datasetName,
  datasetVersionNumber,
  itemContent,
  itemTag,
  jsonSchemaDocument,
} from "../../contracts/datasets";
import { createDataset, deleteDataset, setDatasetArchived, updateDataset } from "../../domain/datasets/datasets";
import { addItems, archiveItems, tagItems, updateItem } from "../../domain/datasets/items";
import { bulkEditItems, fieldCounts } from "../../domain/datasets/bulk";
import {
  browseItems,
  datasetByName,
  diffVersions,
  getDataset,
  getItem,
  listDatasets,
  listVersions,
  variableCoverage,
  versionTags,
} from "../../domain/datasets/queries";
import { getVersion } from "../../domain/prompts/queries";
import type { VariableDeclarations } from "../../contracts/templates";
import { AppError } from "../../errors";

const pageSize = z.union([z.literal(25), z.literal(50), z.literal(100)], { error: "must be 25, 50 or 100" }).default(50);
const page = z.number().int().min(1, "must be 1 or more").max(1_000_000).default(1);
const itemIds = z.array(id).min(1, "select at least one item").max(10_000, "may name at most 10,000 items");

export const datasetsRouter = createRouter({
  list: projectProcedure("dataset:read")
    .input(z.object({ search: text(100).trim().optional(), includeArchived: z.boolean().default(false) }))
    .query(({ ctx, input }) => listDatasets(ctx.db, ctx.project.id, input)),

  get: projectProcedure("dataset:read")
    .input(z.object({ name: datasetName }))
    .query(({ ctx, input }) => getDataset(ctx.db, ctx.project.id, input.name)),

  create: projectProcedure("dataset:write")
    .input(
      z.object({
        name: datasetName,
        description: text(2000).default(""),
        inputSchema: jsonSchemaDocument.optional(),
        expectedSchema: jsonSchemaDocument.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const dataset = await ctx.audited((w) => createDataset(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input));
      return { id: dataset.id, name: dataset.name };
    }),

  update: projectProcedure("dataset:write")
    .input(
      z.object({
        name: datasetName,
        newName: datasetName.optional(),
        description: text(2000).optional(),
        inputSchema: jsonSchemaDocument.optional(),
        expectedSchema: jsonSchemaDocument.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      const updated = await ctx.audited((w) =>
        updateDataset(
          w,
          { orgId: ctx.org.id, projectId: ctx.project.id },
          { id: datasetId, name: input.newName, description: input.description, inputSchema: input.inputSchema, expectedSchema: input.expectedSchema },
        ),
      );
      return { name: updated.name };
    }),

  setArchived: projectProcedure("dataset:write")
    .input(z.object({ name: datasetName, archived: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      const updated = await ctx.audited((w) =>
        setDatasetArchived(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { id: datasetId, archived: input.archived }),
      );
      return { name: updated.name, archived: updated.archivedAt !== null };
    }),

  delete: projectProcedure("dataset:delete")
    .input(z.object({ name: datasetName, confirmName: text(100) }))
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) => deleteDataset(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { id: datasetId, confirmName: input.confirmName }));
    }),

  versions: projectProcedure("dataset:read")
    .input(z.object({ name: datasetName, before: datasetVersionNumber.optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(async ({ ctx, input }) => {
      const dataset = await datasetByName(ctx.db, ctx.project.id, input.name);
      return listVersions(ctx.db, dataset.id, input);
    }),

  items: projectProcedure("dataset:read")
    .input(
      z.object({
        name: datasetName,
        version: datasetVersionNumber.optional(),
        page,
        pageSize,
        search: text(200).trim().optional(),
        tag: itemTag.optional(),
        source: z.enum(DATASET_ITEM_SOURCES).optional(),
      }),
    )
    .query(async ({ ctx, input }) => browseItems(ctx.db, await datasetByName(ctx.db, ctx.project.id, input.name), input)),

  item: projectProcedure("dataset:read")
    .input(z.object({ name: datasetName, itemId: id, version: datasetVersionNumber.optional() }))
    .query(async ({ ctx, input }) => getItem(ctx.db, await datasetByName(ctx.db, ctx.project.id, input.name), input.itemId, input.version)),

  tags: projectProcedure("dataset:read")
    .input(z.object({ name: datasetName, version: datasetVersionNumber.optional() }))
    .query(async ({ ctx, input }) => versionTags(ctx.db, await datasetByName(ctx.db, ctx.project.id, input.name), input.version)),

  diff: projectProcedure("dataset:read")
    .input(
      z.object({
        name: datasetName,
        from: datasetVersionNumber,
        to: datasetVersionNumber,
        page,
        pageSize,
        kind: z.enum(["added", "removed", "changed"]).optional(),
      }),
    )
    .query(async ({ ctx, input }) => diffVersions(ctx.db, await datasetByName(ctx.db, ctx.project.id, input.name), input)),

  /** The pre-run check: which items of a dataset version lack a prompt version's variables, which defaults cover, which will fail. */
  coverage: projectProcedure("dataset:read")
    .input(z.object({ name: datasetName, version: datasetVersionNumber.optional(), promptName, promptVersion: z.number().int().min(1).max(2_147_483_647) }))
    .query(async ({ ctx, input }) => {
      const dataset = await datasetByName(ctx.db, ctx.project.id, input.name);
      const prompt = await getVersion(ctx.db, ctx.project.id, input.promptName, input.promptVersion);
      if (!prompt) throw new AppError("NOT_FOUND", `"${input.promptName}" has no version ${input.promptVersion}`, { field: "promptVersion" });
      return variableCoverage(ctx.db, dataset, prompt.variables, prompt.variableDetails as VariableDeclarations, input.version);
    }),

  addItems: projectProcedure("dataset:write")
    .input(
      z.object({
        name: datasetName,
        items: z
          .array(itemContent)
          .min(1, "add at least one item")
          .max(MAX_ITEMS_PER_ADD, `may add at most ${MAX_ITEMS_PER_ADD} items at once; import a file for more`),
        message: changeMessage,
        // People add items by hand or from the playground; other sources are recorded by the server.
        source: z.object({ type: z.enum(["manual", "playground"]), ref: text(300).nullable().default(null) }).default({ type: "manual", ref: null }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) =>
        addItems(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { datasetId, items: input.items, source: input.source, message: input.message }),
      );
    }),

  updateItem: projectProcedure("dataset:write")
    .input(z.object({ name: datasetName, itemId: id, content: itemContent, message: changeMessage }))
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) =>
        updateItem(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { datasetId, itemId: input.itemId, content: input.content, message: input.message }),
      );
    }),

  archiveItems: projectProcedure("dataset:write")
    .input(z.object({ name: datasetName, itemIds, message: changeMessage }))
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) =>
        archiveItems(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { datasetId, itemIds: input.itemIds, message: input.message }),
      );
    }),

  tagItems: projectProcedure("dataset:write")
    .input(
      z.object({ name: datasetName, itemIds, add: z.array(itemTag).max(20).default([]), remove: z.array(itemTag).max(20).default([]), message: changeMessage }),
    )
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) => tagItems(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { datasetId, ...input }));
    }),

  /** The input fields of a version's items with how many items have each (bulk edit previews). */
  fields: projectProcedure("dataset:read")
    .input(z.object({ name: datasetName, version: datasetVersionNumber.optional() }))
    .query(async ({ ctx, input }) => fieldCounts(ctx.db, await datasetByName(ctx.db, ctx.project.id, input.name), input.version)),

  /** Adds, renames or drops an input field on every item (or the selected ones): one new version. */
  bulkEdit: projectProcedure("dataset:write")
    .input(z.object({ name: datasetName, operation: bulkFieldOperation, itemIds: itemIds.optional(), message: changeMessage }))
    .mutation(async ({ ctx, input }) => {
      const { id: datasetId } = await datasetByName(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) =>
        bulkEditItems(
          w,
          { orgId: ctx.org.id, projectId: ctx.project.id },
          { datasetId, operation: input.operation, itemIds: input.itemIds, message: input.message },
        ),
      );
    }),
});
