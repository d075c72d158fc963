// Prompt shapes shared by the editor, the tRPC procedures and the public API.
import { z } from "zod";
import { jsonRecord, safeString, text } from "./fields";

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
    name: text(64).min(1).regex(/^[\w-]+$/, "may use letters, digits, _ and -"),
    schema: jsonRecord(1_000),
    strict: z.boolean().optional(),
  }),
]);

export const toolDefinition = z.object({
  name: text(64).min(1).regex(/^[\w-]+$/, "may use letters, digits, _ and -"),
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

/** The content of a version: what is hashed and compared. */
export const versionContent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), template: templateText, config: modelConfig.default({}) }),
  z.object({ type: z.literal("chat"), messages: z.array(chatMessage).min(1, "needs at least one message").max(200), config: modelConfig.default({}) }),
]);
export type VersionContent = z.infer<typeof versionContent>;

export const commitMessage = text(500).trim().min(1, "is required: say what changed");
export const promptTags = z.array(text(40).min(1).regex(/^[\w.-]+$/, "may use letters, digits, . _ -")).max(20).default([]);
