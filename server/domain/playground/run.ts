import "server-only";
// Playground runs: render a version (or an unsaved draft) with the user's variables and stream a
// real model call. Not a governed change (nothing in Keel changes), so no audit event; runs are
// rate limited per user because they cost money.
import type { ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import type { ChatMessage, ModelConfig, VersionContent } from "../../contracts/prompts";
import { renderPrompt, type VariableDeclarations } from "../../contracts/templates";
import { createProvider, estimateCost, ProviderError } from "../../providers";
import { providerForCall } from "../providers/connections";
import { projectPriceRows } from "../providers/prices";
import { consumeRateLimit } from "./rate-limit";
import { logger } from "../../runtime/log";

const log = logger("playground");

export const PLAYGROUND_RUNS_PER_MINUTE = 30;

export type PlaygroundSource = { kind: "version"; name: string; version: number } | { kind: "draft"; content: VersionContent };

export type PlaygroundEvent =
  | { type: "rendered"; messages: ChatMessage[]; missing: string[]; unused: string[]; defaulted: string[] }
  | { type: "delta"; text: string }
  | { type: "done"; text: string; usage: { inputTokens: number; outputTokens: number }; latencyMs: number; costUsd: number | null; model: string }
  | { type: "error"; message: string };

async function loadContent(db: ReadDb, projectId: string, source: PlaygroundSource): Promise<VersionContent> {
  if (source.kind === "draft") return source.content;
  const v = await db.promptVersion.findFirst({
    where: { version: source.version, prompt: { projectId, name: source.name } },
    include: { prompt: { select: { type: true } } },
  });
  if (!v) throw new AppError("NOT_FOUND", `"${source.name}" has no version ${source.version}`, { field: "source" });
  const config = v.config as ModelConfig;
  const variableDetails = (v.variableDetails ?? {}) as VariableDeclarations;
  return v.prompt.type === "text"
    ? { type: "text", template: v.template ?? "", config, variableDetails }
    : { type: "chat", messages: (v.messages as ChatMessage[]) ?? [], config, variableDetails };
}

/** Validates, rate-limits and renders before anything streams, so bad input is a clean 4xx. */
export async function preparePlaygroundRun(
  db: ReadDb,
  ctx: { projectId: string; userId: string },
  input: { providerId: string; model?: string; source: PlaygroundSource; variables: Record<string, string>; config?: Partial<ModelConfig> },
) {
  const connection = await providerForCall(db, ctx.projectId, input.providerId);
  const content = await loadContent(db, ctx.projectId, input.source);
  const config = { ...content.config, ...input.config };
  const model = input.model || config.model || connection.defaultModel;
  if (!model) throw new AppError("BAD_REQUEST", "Choose a model: neither the version nor the provider names one", { field: "model" });
  // The one rule (contracts/templates.ts): a sent value ("" included), else the default, else refused.
  const rendered = renderPrompt(content, content.variableDetails, input.variables);
  if (rendered.error) throw new AppError("BAD_REQUEST", `${rendered.error} (fill them in, or declare defaults in the prompt version)`, { field: "variables" });
  await consumeRateLimit(getDb(), `playground:${ctx.userId}`, PLAYGROUND_RUNS_PER_MINUTE, 60_000, "playground runs");
  const prices = await projectPriceRows(db, ctx.projectId);
  return { connection, model, config, rendered, prices };
}

export async function* streamPlaygroundRun(prepared: Awaited<ReturnType<typeof preparePlaygroundRun>>, signal?: AbortSignal): AsyncGenerator<PlaygroundEvent> {
  const { connection, model, config, rendered, prices } = prepared;
  yield { type: "rendered", messages: rendered.messages, missing: rendered.missing, unused: rendered.unused, defaulted: rendered.defaulted };
  const provider = createProvider(connection, { timeoutMs: 60_000, maxRetries: 2 });
  try {
    for await (const event of provider.stream({
      model,
      messages: rendered.messages,
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      stop: config.stop,
      responseFormat: config.responseFormat,
      tools: config.tools,
      signal,
    })) {
      if (event.type === "delta") yield event;
      else {
        const { result } = event;
        // The Simulated provider costs nothing; say so rather than "no price".
        const costUsd = connection.kind === "simulated" ? 0 : estimateCost(result.model || model, result.usage, prices);
        yield { type: "done", text: result.text, usage: result.usage, latencyMs: result.latencyMs, costUsd, model: result.model || model };
      }
    }
  } catch (error) {
    if (error instanceof ProviderError) yield { type: "error", message: error.message };
    else {
      log.error("a run failed", { error });
      yield { type: "error", message: "The run failed on our side. The error was logged." };
    }
  }
}
