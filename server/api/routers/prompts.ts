import "server-only";
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createRouter, projectProcedure } from "../trpc";
import { dateTime, text } from "../../contracts/fields";
import { commitMessage, labelName, promptName, promptTags, versionContent } from "../../contracts/prompts";
import { createPrompt, createVersion, updatePromptDetails } from "../../domain/prompts/versions";
import { labelHistory, moveLabel, versionAt } from "../../domain/prompts/labels";
import { getPromptByName, getVersion, listEnvironments, listPrompts } from "../../domain/prompts/queries";
import type { ReadDb } from "../../db/client";

const versionNumber = z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647, "is out of range");

async function promptIdOf(db: ReadDb, projectId: string, name: string): Promise<string> {
  const prompt = await db.prompt.findUnique({ where: { projectId_name: { projectId, name } }, select: { id: true } });
  if (!prompt) throw new TRPCError({ code: "NOT_FOUND", message: `No prompt named "${name}"` });
  return prompt.id;
}

export const promptsRouter = createRouter({
  list: projectProcedure("prompt:read")
    .input(
      z.object({
        search: text(200).trim().optional(),
        tag: text(40).optional(),
        cursor: promptName.optional(),
        limit: z.number().int().min(1).max(200).default(100),
      }),
    )
    .query(({ ctx, input }) => listPrompts(ctx.db, ctx.project.id, input)),

  get: projectProcedure("prompt:read")
    .input(z.object({ name: promptName }))
    .query(async ({ ctx, input }) => {
      const prompt = await getPromptByName(ctx.db, ctx.project.id, input.name);
      if (!prompt) throw new TRPCError({ code: "NOT_FOUND", message: `No prompt named "${input.name}"` });
      return { ...prompt, environments: await listEnvironments(ctx.db, ctx.project.id) };
    }),

  version: projectProcedure("prompt:read")
    .input(z.object({ name: promptName, version: versionNumber }))
    .query(async ({ ctx, input }) => {
      const version = await getVersion(ctx.db, ctx.project.id, input.name, input.version);
      if (!version) throw new TRPCError({ code: "NOT_FOUND", message: `"${input.name}" has no version ${input.version}` });
      return version;
    }),

  create: projectProcedure("prompt:write")
    .input(z.object({ name: promptName, description: text(2000).default(""), tags: promptTags, content: versionContent, commitMessage }))
    .mutation(async ({ ctx, input }) => {
      const { prompt, version } = await ctx.audited((w) => createPrompt(w, { orgId: ctx.org.id, projectId: ctx.project.id }, input));
      return { name: prompt.name, version: version.version };
    }),

  createVersion: projectProcedure("prompt:write")
    .input(z.object({ name: promptName, content: versionContent, commitMessage, basedOnVersion: z.number().int().min(0).max(2_147_483_647).nullable() }))
    .mutation(async ({ ctx, input }) => {
      const promptId = await promptIdOf(ctx.db, ctx.project.id, input.name);
      const version = await ctx.audited((w) => createVersion(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { ...input, promptId }));
      return { name: input.name, version: version.version, contentHash: version.contentHash };
    }),

  updateDetails: projectProcedure("prompt:write")
    .input(z.object({ name: promptName, description: text(2000), tags: promptTags }))
    .mutation(async ({ ctx, input }) => {
      const promptId = await promptIdOf(ctx.db, ctx.project.id, input.name);
      const updated = await ctx.audited((w) => updatePromptDetails(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { promptId, ...input }));
      return { name: updated.name, description: updated.description, tags: updated.tags };
    }),

  moveLabel: projectProcedure("label:move")
    .input(z.object({ name: promptName, label: labelName, version: versionNumber }))
    .mutation(async ({ ctx, input }) => {
      const promptId = await promptIdOf(ctx.db, ctx.project.id, input.name);
      return ctx.audited((w) => moveLabel(w, { orgId: ctx.org.id, projectId: ctx.project.id }, { promptId, label: input.label, version: input.version }));
    }),

  labelHistory: projectProcedure("prompt:read")
    .input(z.object({ name: promptName, label: labelName.optional() }))
    .query(async ({ ctx, input }) => labelHistory(ctx.db, await promptIdOf(ctx.db, ctx.project.id, input.name), input.label)),

  versionAt: projectProcedure("prompt:read")
    .input(z.object({ name: promptName, label: labelName, at: dateTime() }))
    .query(async ({ ctx, input }) => ({
      label: input.label,
      at: input.at,
      version: await versionAt(ctx.db, await promptIdOf(ctx.db, ctx.project.id, input.name), input.label, input.at),
    })),
});
