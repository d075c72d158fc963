// Prompt shapes shared by the editor, the tRPC procedures and the public API.
import { z } from "zod";
import { jsonRecord, safeString, text } from "./fields";
import { contentProblems, isVariableName, VARIABLE_NAME_RULE } from "./templates";

/** 1 MB: larger templates are refused (413 over the public API). */
export const MAX_TEMPLATE_BYTES = 1_000_000;
export const RESERVED_LABELS = ["latest"] as const;
export const DEFAULT_ENVIRONMENTS = [
  { name: "development", description: "Where changes are tried first" },
  { name: "staging", description: "Pre-release checks" },
  { name: "production", description: "What applications serve to users" },
] as const;

export const promptName = z
  .string()
  .min(1, "is required")
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, "may use letters, digits, . _ - and / between folder names");

export const labelName = z
  .string()
  .min(1, "is required")
  .max(40, "must be at most 40 characters")
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "may use lowercase letters, digits, - and _");

/** A new environment (environments.create): its label's name, what it is for, whether it starts protected. */
export const environmentInput = z.object({ name: labelName, description: text(300).default(""), protected: z.boolean().default(false) });
export type EnvironmentInput = z.infer<typeof environmentInput>;

const templateText = safeString().max(MAX_TEMPLATE_BYTES, "is larger than 1 MB");

export const chatMessage = z.object({
  role: z.enum(["system", "user", "assistant"], { error: "must be system, user or assistant" }),
  content: templateText,
});
export type ChatMessage = z.infer<typeof chatMessage>;

export const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: text(64)
      .min(1)
      .regex(/^[\w-]+$/, "may use letters, digits, _ and -"),
    schema: jsonRecord(1_000),
    strict: z.boolean().optional(),
  }),
]);

export const toolDefinition = z.object({
  name: text(64)
    .min(1)
    .regex(/^[\w-]+$/, "may use letters, digits, _ and -"),
  description: text(1000).optional(),
  parameters: jsonRecord(1_000),
});

export const modelConfig = z
  .object({
    providerId: z.uuid("is not a valid provider id").nullable().optional(),
    model: text(120).optional(),
    temperature: z.number().min(0, "must be between 0 and 2").max(2, "must be between 0 and 2").optional(),
    maxTokens: z.number().int("must be a whole number").min(1).max(1_000_000).optional(),
    topP: z.number().min(0).max(1).optional(),
    stop: z.array(text(100)).max(4, "may have at most 4 entries").optional(),
    responseFormat: responseFormat.optional(),
    tools: z.array(toolDefinition).max(64).optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof modelConfig>;

// ---- declared variables ---------------------------------------------------------------------

export const MAX_VARIABLE_DESCRIPTION = 500;
/** 10,000 characters: a default is a value, not a second template. */
export const MAX_VARIABLE_DEFAULT = 10_000;
export const MAX_DECLARED_VARIABLES = 200;

export const variableName = text(100).refine(isVariableName, `is not a variable name: a name ${VARIABLE_NAME_RULE}`);

/** One variable's declaration; `default: null` (or left out) means it has none ("" is a default). */
export const variableDeclaration = z
  .object({
    description: text(MAX_VARIABLE_DESCRIPTION).trim().default(""),
    default: safeString()
      .max(MAX_VARIABLE_DEFAULT, `must be at most ${MAX_VARIABLE_DEFAULT.toLocaleString("en-US")} characters`)
      .nullable()
      .default(null),
  })
  .strict();

/** Declarations keyed by variable name; each name must be one the content uses. */
export const variableDetails = z
  .record(variableName, variableDeclaration)
  .refine((v) => Object.keys(v).length <= MAX_DECLARED_VARIABLES, `may declare at most ${MAX_DECLARED_VARIABLES} variables`);
export type VariableDetailsInput = z.infer<typeof variableDetails>;

/** The content of a version: what is hashed and compared. Not checked for saving (the playground runs drafts). */
export const versionContentDraft = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), template: templateText, config: modelConfig.default({}), variableDetails: variableDetails.default({}) }),
  z.object({
    type: z.literal("chat"),
    messages: z.array(chatMessage).min(1, "needs at least one message").max(200),
    config: modelConfig.default({}),
    variableDetails: variableDetails.default({}),
  }),
]);

/** Content a version can be saved with: no empty template or message, valid {{ }} syntax, declarations of used variables only. */
export const versionContent = versionContentDraft.superRefine((content, ctx) => {
  for (const p of contentProblems(content, content.variableDetails)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
});
type ParsedContent = z.infer<typeof versionContentDraft>;
/** Content as domain code builds it: declarations may be left out (none). */
export type VersionContent = ParsedContent extends infer T
  ? T extends unknown
    ? Omit<T, "variableDetails"> & { variableDetails?: VariableDetailsInput }
    : never
  : never;

export const commitMessage = text(500).trim().min(1, "is required: say what changed");
export const promptTags = z
  .array(
    text(40)
      .min(1)
      .regex(/^[\w.-]+$/, "may use letters, digits, . _ -"),
  )
  .max(20)
  .default([]);
