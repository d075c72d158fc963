// Evaluation run shapes shared by the UI, tRPC, the public API and the CLI. Client-importable.
import { z } from "zod";
import { text } from "./fields";
import { promptName, labelName } from "./prompts";
import { datasetName, itemTag } from "./datasets";

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_STATUSES: readonly RunStatus[] = ["completed", "failed", "cancelled"];

export const MAX_REPETITIONS = 10;
export const MAX_RUN_CONCURRENCY = 64;
export const MAX_RUN_ITEMS = 100_000;

const int = (min: number, max: number) => z.number().int("must be a whole number").min(min, `must be ${min} or more`).max(max, `must be at most ${max}`);

export const createRunInput = z
  .object({
    prompt: z.object({
      name: promptName,
      /** A version number, or a label (`production`, `latest`, ...). Default: latest. */
      version: int(1, 2_147_483_647).optional(),
      label: labelName.optional(),
    }),
    dataset: z.object({ name: datasetName, version: int(1, 2_147_483_647).optional() }),
    /** Only the items with this tag (split). */
    tag: itemTag.optional(),
    /** Evaluator names; each runs at its latest version, which the run records. */
    evaluators: z.array(text(100).min(1)).max(20, "may use at most 20 evaluators").default([]),
    /** Default: the version's configured provider, else the project's Simulated provider. */
    providerId: z.uuid("is not a valid id").optional(),
    model: text(120).min(1).optional(),
    temperature: z.number().min(0, "must be 0 or more").max(2, "must be at most 2").optional(),
    maxTokens: int(1, 200_000).optional(),
    repetitions: int(1, MAX_REPETITIONS).default(1),
    concurrency: int(1, MAX_RUN_CONCURRENCY).default(8),
  })
  .refine((v) => !(v.prompt.version && v.prompt.label), { message: "give a version or a label, not both", path: ["prompt", "label"] });
export type CreateRunInput = z.input<typeof createRunInput>;

/** One evaluator's result on one call, as stored with the item. */
export type ItemScore = { evaluatorVersionId: string; name: string; score: number; passed: boolean; explanation: string };

export type EvaluatorSummary = {
  evaluatorVersionId: string;
  name: string;
  kind: string;
  n: number;
  mean: number;
  ciLow: number;
  ciHigh: number;
  passRate: number;
  passLow: number;
  passHigh: number;
};

export type RunSummary = {
  items: number;
  done: number;
  errors: number;
  evaluators: EvaluatorSummary[];
  latencyP50: number | null;
  latencyP95: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  /** Items answered more than once (repetitions > 1): mean per-item variance of each evaluator's score. */
  consistency: { name: string; meanVariance: number }[] | null;
  /** The most frequent error messages of the errored items, most frequent first (at most 3). Absent in summaries written before it existed. */
  errorMessages?: { message: string; count: number }[];
};

// ---- Outcomes -----------------------------------------------------------------------------------
// A run's status says where its worker is; its outcome says what it measured. Errored items are
// never scored (the summary's statistics cover answered items only), so a run needs enough
// answered items before its scores mean anything: below this share a run is shown but never
// plotted as a score, compared by default or counted by a deployment gate.

/** The share of a run's calls that must have been answered for its scores to count. */
export const MIN_USABLE_SHARE = 0.5;

export const RUN_OUTCOMES = ["queued", "running", "completed", "completed_with_errors", "failed", "cancelled"] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
export const OUTCOME_LABELS: Record<RunOutcome, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  completed_with_errors: "Completed with errors",
  failed: "Failed",
  cancelled: "Cancelled",
};

type SummaryCounts = Pick<RunSummary, "items" | "done" | "errors">;

/** completed: every call answered; completed_with_errors: some calls errored; failed: no usable result (or the worker stopped it). */
export function runOutcome(status: RunStatus | string, summary: SummaryCounts | null | undefined): RunOutcome {
  if (status === "completed") return summary && summary.errors > 0 ? "completed_with_errors" : "completed";
  return (RUN_OUTCOMES as readonly string[]).includes(status) ? (status as RunOutcome) : "failed";
}

/** Whether a finished run answered enough of its calls (MIN_USABLE_SHARE) for its scores to count. */
export function isUsableRun(status: RunStatus | string, summary: SummaryCounts | null | undefined): boolean {
  if (status !== "completed" || !summary || summary.items === 0 || summary.done === 0) return false;
  return summary.done / summary.items >= MIN_USABLE_SHARE;
}

/** "0 of 48 answers", "45 of 48 answers". */
export function answeredText(summary: Pick<RunSummary, "items" | "done">): string {
  return `${summary.done.toLocaleString("en-US")} of ${summary.items.toLocaleString("en-US")} ${summary.items === 1 ? "answer" : "answers"}`;
}

/** One line on what a finished run measured, e.g. "completed with errors: 3 of 48 items failed". */
export function outcomeText(status: RunStatus | string, summary: (SummaryCounts & Pick<RunSummary, "errorMessages">) | null | undefined): string {
  const outcome = runOutcome(status, summary);
  if (!summary) return OUTCOME_LABELS[outcome].toLowerCase();
  const failedItems = `${summary.errors.toLocaleString("en-US")} of ${summary.items.toLocaleString("en-US")} ${summary.items === 1 ? "item" : "items"} failed`;
  const top = summary.errorMessages?.[0]?.message;
  if (outcome === "completed_with_errors") return `completed with errors: ${failedItems}${top ? ` (most often: ${top})` : ""}`;
  if (outcome === "failed") return `failed: ${answeredText(summary)}${top ? `: ${top}` : ""}`;
  return OUTCOME_LABELS[outcome].toLowerCase();
}

/** Error messages by frequency (most frequent first, ties by message), at most `limit`. */
export function commonErrors(errors: readonly (string | null)[], limit = 3): { message: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of errors) {
    const message = (e ?? "No message").trim() || "No message";
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([message, count]) => ({ message, count }))
    .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
    .slice(0, limit);
}

/** One call of a run, side by side with the dataset item it answered (the results table's row). */
export type ResultRow = {
  position: number;
  repetition: number;
  itemId: string;
  status: "pending" | "running" | "done" | "error";
  input: Record<string, unknown>;
  expected: unknown;
  rendered: unknown;
  output: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: string | null;
  error: string | null;
  scores: ItemScore[] | null;
};
