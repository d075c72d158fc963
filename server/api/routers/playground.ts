import "server-only";
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { id, safeString, text } from "../../contracts/fields";
import { modelConfig, promptName, versionContentDraft } from "../../contracts/prompts";
import { preparePlaygroundRun, streamPlaygroundRun } from "../../domain/playground/run";

const source = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("version"), name: promptName, version: z.number().int().min(1).max(2_147_483_647) }),
  // A draft runs as it is (its syntax is checked when it is saved, not when it is tried).
  z.object({ kind: z.literal("draft"), content: versionContentDraft }),
]);

export const playgroundRouter = createRouter({
  // Streams: the client reads it through httpBatchStreamLink.
  run: projectProcedure("playground:run")
    .input(
      z.object({
        providerId: id,
        model: text(120).optional(),
        source,
        variables: z.record(text(100), safeString().max(200_000)).refine((v) => Object.keys(v).length <= 200, "has too many variables"),
        config: modelConfig.partial().optional(),
      }),
    )
    .mutation(async ({ ctx, input, signal }) => {
      const prepared = await preparePlaygroundRun(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id }, input);
      return streamPlaygroundRun(prepared, signal);
    }),
});
