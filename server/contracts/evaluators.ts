// Evaluator kinds and their configurations, shared by the UI forms, the tRPC procedures and the
// public API. Client code may import this file. Patterns (a regex, a JSON Schema's `pattern`s) are
// checked here against the linear-time engine (./patterns.ts); that a JSON Schema compiles is
// checked on the server at save time: server/domain/evaluations/evaluators.ts.
import { z } from "zod";
import { jsonChecked, safeString, text } from "./fields";
import { addPatternIssue, schemaPatternProblem } from "./patterns";
import { labelName, promptName } from "./prompts";

export const EVALUATOR_KINDS = [
  "exact_match",
  "contains",
  "not_contains",
  "regex",
  "valid_json",
  "json_schema",
  "levenshtein",
  "numeric",
  "length",
  "latency",
  "cost",
  "llm_judge",
] as const;
export type EvaluatorKind = (typeof EVALUATOR_KINDS)[number];

/** For the UI: a label and a one-line description per kind. */
export const EVALUATOR_KIND_INFO: Record<EvaluatorKind, { label: string; description: string }> = {
  exact_match: { label: "Exact match", description: "The output equals the expected output (JSON is compared by value)." },
  contains: { label: "Contains", description: "The output contains a text (by default the expected output)." },
  not_contains: { label: "Does not contain", description: "The output does not contain a text (by default the expected output)." },
  regex: { label: "Regular expression", description: "The output matches a regular expression." },
  valid_json: { label: "Valid JSON", description: "The output is valid JSON (a ```json fenced block counts)." },
  json_schema: { label: "JSON Schema", description: "The output is JSON that matches a JSON Schema." },
  levenshtein: { label: "Similarity", description: "Edit-distance similarity to the expected output reaches a threshold." },
  numeric: { label: "Numeric", description: "The first number in the output equals the expected one, within a tolerance." },
  length: { label: "Length", description: "The output's length in characters or words is within bounds." },
  latency: { label: "Latency", description: "The call took at most a given time." },
  cost: { label: "Cost", description: "The call cost at most a given amount." },
  llm_judge: { label: "LLM judge", description: "A model grades the output with a versioned Keel prompt." },
};

/** The variables a judge prompt may use. */
export const JUDGE_PROMPT_VARIABLES = ["input", "output", "expected"] as const;

export const evaluatorName = z
  .string()
  .min(1, "is required")
  .max(100, "must be at most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may use letters, digits, . _ and - (starting with a letter or digit)");

/** Longest pattern, contains-value and serialised JSON Schema accepted. */
export const MAX_EVALUATOR_TEXT = 10_000;
export const MAX_EVALUATOR_SCHEMA_CHARS = 100_000;

const REGEX_FLAGS = /^(?!.*(.).*\1)[imsu]*$/;

export const exactMatchConfig = z.strictObject({
  kind: z.literal("exact_match"),
  caseSensitive: z.boolean().default(true),
  trim: z.boolean().default(true),
});

const containsFields = {
  /** Omitted: the item's expected output. */
  value: text(MAX_EVALUATOR_TEXT).min(1, "must not be empty").optional(),
  caseSensitive: z.boolean().default(false),
};
export const containsConfig = z.strictObject({ kind: z.literal("contains"), ...containsFields });
export const notContainsConfig = z.strictObject({ kind: z.literal("not_contains"), ...containsFields });

const storedRegexConfig = z.strictObject({
  kind: z.literal("regex"),
  pattern: safeString().min(1, "is required").max(MAX_EVALUATOR_TEXT, `must be at most ${MAX_EVALUATOR_TEXT} characters`),
  flags: safeString().regex(REGEX_FLAGS, "may use only the flags i, m, s and u, each at most once").default(""),
});
/** The pattern must run on Keel's linear-time engine: no backreferences, no lookaround. */
export const regexConfig = storedRegexConfig.superRefine((config, ctx) => {
  if (REGEX_FLAGS.test(config.flags)) addPatternIssue(ctx, ["pattern"], config.pattern, config.flags);
});

export const validJsonConfig = z.strictObject({ kind: z.literal("valid_json") });

const storedJsonSchemaConfig = z.strictObject({
  kind: z.literal("json_schema"),
  schema: jsonChecked(z.record(text(1_000), z.unknown(), { error: "must be a JSON Schema object" })).refine(
    (schema) => JSON.stringify(schema).length <= MAX_EVALUATOR_SCHEMA_CHARS,
    `must be at most ${MAX_EVALUATOR_SCHEMA_CHARS} characters as JSON`,
  ),
});
/** Its `pattern`s run on the same engine as regex evaluators. */
export const jsonSchemaConfig = storedJsonSchemaConfig.superRefine((config, ctx) => {
  const problem = schemaPatternProblem(config.schema);
  if (problem) ctx.addIssue({ code: "custom", path: ["schema"], message: problem });
});

export const levenshteinConfig = z.strictObject({
  kind: z.literal("levenshtein"),
  threshold: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").default(0.8),
  caseSensitive: z.boolean().default(false),
});

export const numericConfig = z.strictObject({
  kind: z.literal("numeric"),
  /** Absolute difference allowed, or a fraction of the expected value when `relative` (0.05 = 5%). */
  tolerance: z.number().min(0, "must be 0 or more").max(1e12, "must be at most 1e12").default(0),
  relative: z.boolean().default(false),
});

const lengthBound = z.number().int("must be a whole number").min(0, "must be 0 or more").max(10_000_000, "must be at most 10,000,000");
export const lengthConfig = z
  .strictObject({
    kind: z.literal("length"),
    min: lengthBound.optional(),
    max: lengthBound.optional(),
    unit: z.enum(["chars", "words"], { error: "must be chars or words" }).default("chars"),
  })
  .superRefine((config, ctx) => {
    if (config.min === undefined && config.max === undefined) ctx.addIssue({ code: "custom", path: ["min"], message: "set min, max or both" });
    if (config.min !== undefined && config.max !== undefined && config.min > config.max)
      ctx.addIssue({ code: "custom", path: ["max"], message: "must be at least min" });
  });

export const latencyConfig = z.strictObject({
  kind: z.literal("latency"),
  maxMs: z.number().int("must be a whole number").min(1, "must be at least 1").max(3_600_000, "must be at most 3,600,000 (one hour)"),
});

export const costConfig = z.strictObject({
  kind: z.literal("cost"),
  maxUsd: z.number().min(0, "must be 0 or more").max(1_000, "must be at most 1000"),
});

const scalePoint = z.number().int("must be a whole number").min(-100, "must be between -100 and 100").max(100, "must be between -100 and 100");
export const llmJudgeConfig = z
  .strictObject({
    kind: z.literal("llm_judge"),
    promptName,
    /** Exactly one of promptVersion and promptLabel. */
    promptVersion: z.number().int("must be a whole number").min(1, "must be 1 or more").max(2_147_483_647, "is out of range").optional(),
    promptLabel: labelName.optional(),
    providerId: z.uuid("is not a valid provider id"),
    /** Omitted: the model of the judge prompt's config. */
    model: text(120).trim().min(1, "must not be empty").optional(),
    scale: z.strictObject({ min: scalePoint, max: scalePoint }).default({ min: 1, max: 5 }),
    passAt: z.number().min(-100, "must be between -100 and 100").max(100, "must be between -100 and 100").default(4),
  })
  .superRefine((config, ctx) => {
    const hasVersion = config.promptVersion !== undefined;
    if (hasVersion === (config.promptLabel !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["promptVersion"], message: "set either promptVersion or promptLabel (exactly one)" });
    }
    if (config.scale.min >= config.scale.max) ctx.addIssue({ code: "custom", path: ["scale", "max"], message: "must be greater than scale.min" });
    else if (config.passAt < config.scale.min || config.passAt > config.scale.max) {
      ctx.addIssue({ code: "custom", path: ["passAt"], message: `must be within the scale (${config.scale.min} to ${config.scale.max})` });
    }
  });

const evaluatorUnion = <R extends typeof storedRegexConfig, J extends typeof storedJsonSchemaConfig>(regex: R, jsonSchema: J) =>
  z.discriminatedUnion(
    "kind",
    [
      exactMatchConfig,
      containsConfig,
      notContainsConfig,
      regex,
      validJsonConfig,
      jsonSchema,
      levenshteinConfig,
      numericConfig,
      lengthConfig,
      latencyConfig,
      costConfig,
      llmJudgeConfig,
    ],
    { error: `must be one of ${EVALUATOR_KINDS.join(", ")}` },
  );

/** What a save accepts. */
export const evaluatorConfig = evaluatorUnion(regexConfig, jsonSchemaConfig);
/**
 * A saved configuration as read back: without the pattern checks, so one saved before them (say,
 * with a backreference) still loads, and the evaluator reports per item that it cannot run.
 */
export const storedEvaluatorConfig = evaluatorUnion(storedRegexConfig, storedJsonSchemaConfig);
/** A parsed configuration (defaults applied). */
export type EvaluatorConfig = z.infer<typeof evaluatorConfig>;
/** A configuration as sent by a form or an API client (defaults optional). */
export type EvaluatorConfigInput = z.input<typeof evaluatorConfig>;
export type EvaluatorConfigOf<K extends EvaluatorKind> = Extract<EvaluatorConfig, { kind: K }>;

/**
 * What evaluators.create takes (besides the project), with the configuration checked in full: the
 * evaluator form pipes into it. The procedure takes it with only the configuration's outline and
 * leaves the configuration to the domain, which checks it with evaluatorConfig and names the field
 * the same way (config.pattern).
 */
export const createEvaluatorInput = z.object({ name: evaluatorName, description: text(2000).default(""), config: evaluatorConfig });
/** What evaluators.saveVersion takes (besides the project); see createEvaluatorInput. */
export const saveEvaluatorVersionInput = z.object({
  name: evaluatorName,
  config: evaluatorConfig,
  commitMessage: text(500).default(""),
  description: text(2000).optional(),
});

/** Whether scoring an item needs its expected output (items without one then fail). */
export function needsExpectedOutput(config: EvaluatorConfig): boolean {
  switch (config.kind) {
    case "exact_match":
    case "levenshtein":
    case "numeric":
      return true;
    case "contains":
    case "not_contains":
      return config.value === undefined;
    default:
      return false;
  }
}
