// Guardrail configurations as forms and the gateway's readers see them: the kinds, stages and
// limits, the kinds' wording, and the config shapes. Client code may import this file, so it holds
// only zod shapes, constants and the linear-time pattern check (./patterns.ts, also used by the
// evaluator forms). The checks that need ajv (a JSON Schema compiles) live server-side in
// server/gateway/guardrails/schemas.ts (`guardrailConfig`), which every save goes through: a form
// parsed here can still be refused by the server, whose error lands on the field it names.
import { z } from "zod";
import { jsonChecked, safeString, text } from "./fields";
import { compilePattern } from "./patterns";

export const GUARDRAIL_KINDS = ["pii", "regex_deny", "json_schema", "max_length"] as const;
export type GuardrailKind = (typeof GUARDRAIL_KINDS)[number];

export const GUARDRAIL_STAGES = ["input", "output", "both"] as const;
export type GuardrailStage = (typeof GUARDRAIL_STAGES)[number];

export const GUARDRAIL_ACTIONS = ["block", "flag"] as const;
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number];

export const PII_ENTITIES = ["email", "phone", "card", "iban"] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

export const PII_MODES = ["mask", "detect"] as const;

/** Kinds that only make sense on the model's reply. */
export const OUTPUT_ONLY_KINDS: readonly GuardrailKind[] = ["json_schema"];

export const MAX_DENY_PATTERNS = 50;
export const MAX_DENY_PATTERN_CHARS = 500;
export const MAX_LENGTH_LIMIT = 1_000_000;
export const MAX_SCHEMA_CHARS = 100_000;

/** For the UI: a label and a one-line description per kind. */
export const GUARDRAIL_KIND_INFO: Record<GuardrailKind, { label: string; description: string }> = {
  pii: { label: "PII", description: "Finds emails, phone numbers, card numbers and IBANs; masks them or reports them." },
  regex_deny: { label: "Deny patterns", description: "Matches regular expressions that must not appear." },
  json_schema: { label: "JSON Schema", description: "The model's reply must be JSON matching a schema (one automatic re-ask)." },
  max_length: { label: "Maximum length", description: "Limits the length of a message or reply in characters." },
};

export const piiGuardrailConfig = z.strictObject({
  kind: z.literal("pii"),
  entities: z
    .array(z.enum(PII_ENTITIES, { error: `must be one of ${PII_ENTITIES.join(", ")}` }))
    .min(1, "pick at least one entity")
    .refine((entities) => new Set(entities).size === entities.length, "must not repeat an entity"),
  /** mask: replace with [EMAIL], [PHONE], [CARD], [IBAN]; detect: only report. */
  mode: z.enum(PII_MODES, { error: "must be mask or detect" }).default("mask"),
});

const storedRegexDenyConfig = z.strictObject({
  kind: z.literal("regex_deny"),
  patterns: z
    .array(safeString().min(1, "must not be empty").max(MAX_DENY_PATTERN_CHARS, `must be at most ${MAX_DENY_PATTERN_CHARS} characters`))
    .min(1, "add at least one pattern")
    .max(MAX_DENY_PATTERNS, `must have at most ${MAX_DENY_PATTERNS} patterns`),
  caseInsensitive: z.boolean().default(false),
});

/** Why a deny pattern cannot be saved (cannot run on the engine, matches everything), or null. */
function denyPatternProblem(source: string, caseInsensitive: boolean): string | null {
  const compiled = compilePattern(source, caseInsensitive ? "i" : "");
  if (!compiled.ok) return compiled.problem;
  if (compiled.pattern.test("")) return "matches the empty text, so it would match every message";
  return null;
}

export const regexDenyGuardrailConfig = storedRegexDenyConfig.superRefine((config, ctx) => {
  config.patterns.forEach((pattern, index) => {
    const problem = denyPatternProblem(pattern, config.caseInsensitive);
    if (problem) ctx.addIssue({ code: "custom", path: ["patterns", index], message: problem });
  });
});

export const storedJsonSchemaConfig = z.strictObject({
  kind: z.literal("json_schema"),
  schema: jsonChecked(z.record(text(1_000), z.unknown(), { error: "must be a JSON Schema object" })),
});

/** Without the compile check (server-side, `jsonSchemaGuardrailConfig`). */
export const jsonSchemaFormConfig = storedJsonSchemaConfig.superRefine(({ schema }, ctx) => {
  if (JSON.stringify(schema).length > MAX_SCHEMA_CHARS)
    ctx.addIssue({ code: "custom", path: ["schema"], message: `must be at most ${MAX_SCHEMA_CHARS} characters as JSON` });
});

export const maxLengthGuardrailConfig = z.strictObject({
  kind: z.literal("max_length"),
  /** Characters as Unicode code points (an emoji counts once). */
  maxChars: z
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_LENGTH_LIMIT, `must be at most ${MAX_LENGTH_LIMIT.toLocaleString("en-US")}`),
});

export const GUARDRAIL_KIND_ERROR = { error: `must be one of ${GUARDRAIL_KINDS.join(", ")}` };
/** What a form checks before sending: everything but the JSON Schema compile (the server's `guardrailConfig` adds it). */
export const guardrailFormConfig = z.discriminatedUnion(
  "kind",
  [piiGuardrailConfig, regexDenyGuardrailConfig, jsonSchemaFormConfig, maxLengthGuardrailConfig],
  GUARDRAIL_KIND_ERROR,
);
/** A saved configuration as read back (the gateway, the edit form): without the pattern and schema checks. */
export const storedGuardrailConfig = z.discriminatedUnion(
  "kind",
  [piiGuardrailConfig, storedRegexDenyConfig, storedJsonSchemaConfig, maxLengthGuardrailConfig],
  GUARDRAIL_KIND_ERROR,
);
/** A parsed configuration (defaults applied). */
export type GuardrailConfig = z.infer<typeof guardrailFormConfig>;
/** A configuration as sent by a form or an API client (defaults optional). */
export type GuardrailConfigInput = z.input<typeof guardrailFormConfig>;
export type GuardrailConfigOf<K extends GuardrailKind> = Extract<GuardrailConfig, { kind: K }>;
