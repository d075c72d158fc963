import "server-only";
// Reads for the home page that no other router offers (the rest of the page composes existing
// procedures: runs.list, deployments.list/pendingCount, reviews.mine, audit.status/exports).
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import { recentPrompts } from "../../domain/home/recent";

export const homeRouter = createRouter({
  /** The project's most recently changed prompts. */
  recentPrompts: projectProcedure("prompt:read")
    .input(z.object({ limit: z.number().int().min(1).max(20).default(5) }))
    .query(({ ctx, input }) => recentPrompts(ctx.db, ctx.project.id, input.limit)),
});
