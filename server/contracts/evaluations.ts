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
};

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
