import "server-only";
// From production back into the governed loop: a trace's generation becomes a dataset item or a
// review item (by hand from the trace view, or by a routing rule). These are governed changes:
// each goes through the audited path of the dataset or the queue it changes.
import type { AuditedTx } from "../../audit/mutation";
import { AppError } from "../../errors";
import type { SpanView } from "../../contracts/observability";
import type { ItemScore } from "../../contracts/evaluations";
import { findGeneration, traceScores } from "../../telemetry/queries";
import { addItems } from "../datasets/items";
import { addItemsToQueue } from "../reviews/queues";

type ProjectCtx = { orgId: string; projectId: string };

/** The attribute under which the gateway (and SDKs that want to) record a prompt's variables. */
export const VARIABLES_ATTRIBUTE = "keel.prompt.variables";

async function generationOf(ctx: ProjectCtx, traceId: string, spanId?: string): Promise<SpanView> {
  const span = await findGeneration(ctx.projectId, traceId, spanId);
  if (!span)
    throw new AppError("NOT_FOUND", spanId ? `No span ${spanId} in trace ${traceId}` : `No trace ${traceId} in this project`, {
      field: spanId ? "spanId" : "traceId",
    });
  return span;
}

/**
 * The item input a generation stands for: the prompt's variables when they were recorded (what a
 * prompt's dataset holds), otherwise the captured input itself.
 */
export function itemInputOf(span: Pick<SpanView, "attributes" | "input">): Record<string, unknown> {
  return inputOf(span.attributes[VARIABLES_ATTRIBUTE], span.input);
}

export function inputOf(recorded: unknown, input: string | null): Record<string, unknown> {
  if (typeof recorded === "string") {
    try {
      const parsed = JSON.parse(recorded) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Not JSON: fall through to the raw input.
    }
  } else if (recorded && typeof recorded === "object" && !Array.isArray(recorded)) {
    return recorded as Record<string, unknown>;
  }
  // A captured message list: the last user turn is what was asked.
  if (input?.startsWith("[")) {
    try {
      const messages = JSON.parse(input) as unknown;
      if (Array.isArray(messages)) {
        const lastUser = messages.findLast((m): m is { role: string } => !!m && typeof m === "object" && (m as { role?: unknown }).role === "user");
        const text = lastUser ? outputText(JSON.stringify([lastUser])) : null;
        if (text !== null) return { input: text };
      }
    } catch {
      // Not JSON: keep the text as it is.
    }
  }
  return { input: input ?? "" };
}

/**
 * A captured output as people read it: the assistant's text when the span recorded a message list
 * (GenAI `gen_ai.output.messages`, `[{ role, content }]`), the text itself otherwise.
 */
export function outputText(output: string | null): string | null {
  if (output === null || !output.startsWith("[")) return output;
  try {
    const messages = JSON.parse(output) as unknown;
    if (!Array.isArray(messages)) return output;
    const parts = messages.flatMap((m) => {
      if (!m || typeof m !== "object") return [];
      const content = (m as { content?: unknown; parts?: unknown }).content ?? (m as { parts?: unknown }).parts;
      if (typeof content === "string") return [content];
      if (Array.isArray(content))
        return content.flatMap((p) =>
          p && typeof p === "object" && typeof (p as { content?: unknown; text?: unknown }).content === "string"
            ? [(p as { content: string }).content]
            : typeof (p as { text?: unknown }).text === "string"
              ? [(p as { text: string }).text]
              : [],
        );
      return [];
    });
    return parts.length ? parts.join("\n") : output;
  } catch {
    return output;
  }
}

export async function addTraceToDataset(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { traceId: string; spanId?: string; dataset: string; expected?: string | null; tags: string[] },
) {
  const span = await generationOf(ctx, input.traceId, input.spanId);
  const dataset = await w.tx.dataset.findFirst({ where: { projectId: ctx.projectId, name: input.dataset }, select: { id: true, archivedAt: true } });
  if (!dataset) throw new AppError("NOT_FOUND", `No dataset named "${input.dataset}"`, { field: "dataset" });
  if (dataset.archivedAt) throw new AppError("CONFLICT", `"${input.dataset}" is archived`, { field: "dataset" });
  const expected = input.expected === undefined ? outputText(span.output) : input.expected;
  const result = await addItems(w, ctx, {
    datasetId: dataset.id,
    items: [
      {
        input: itemInputOf(span),
        expected: expected ?? undefined,
        metadata: {
          traceId: input.traceId,
          spanId: span.spanId,
          model: span.model,
          promptName: span.promptName,
          promptVersion: span.promptVersion,
          environment: span.environment,
        },
        tags: input.tags,
      },
    ],
    source: { type: "trace", ref: `${input.traceId}:${span.spanId}` },
    message: `From trace ${input.traceId}`,
  });
  return { ...result, dataset: input.dataset };
}

/** Sends a trace's generation to a review queue (by hand, or as a routing rule's action). */
export async function sendTraceToQueue(w: AuditedTx, ctx: ProjectCtx, input: { traceId: string; spanId?: string; queue: string; from?: string }) {
  const span = await generationOf(ctx, input.traceId, input.spanId);
  const recorded = await traceScores(ctx.projectId, input.traceId);
  // Shown to reviewers like an evaluation's automatic scores (ItemScore), when the queue shows them.
  const scores: ItemScore[] = recorded.map((s) => ({
    evaluatorVersionId: s.id,
    name: `${s.name} (${s.source === "api" ? "feedback" : "online"})`,
    score: s.value ?? 0,
    passed: s.dataType === "boolean" ? s.value === 1 : (s.value ?? 0) > 0,
    explanation: [s.stringValue, s.comment].filter(Boolean).join(" — "),
  }));
  return addItemsToQueue(w, ctx, {
    name: input.queue,
    from: input.from ?? `trace ${input.traceId}`,
    items: [
      {
        sourceType: "trace",
        sourceRef: {
          traceId: input.traceId,
          spanId: span.spanId,
          promptName: span.promptName,
          promptVersion: span.promptVersion,
          environment: span.environment,
          model: span.model,
        },
        input: itemInputOf(span),
        expected: null,
        output: outputText(span.output),
        autoScores: scores.length ? scores : null,
      },
    ],
  });
}
