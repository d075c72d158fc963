import "server-only";
// Request and response shapes of the public API. Handlers validate with them, tests parse real
// responses with them (strict: an undocumented field fails), and the OpenAPI document is generated
// from them (openapi.ts), so the three cannot drift apart. Field rules come from
// server/contracts/prompts.ts, the same ones the web app's editor and tRPC procedures use.
import { z } from "zod";
import { text } from "../contracts/fields";
import { chatMessage, commitMessage, labelName, modelConfig, promptName, promptTags, variableDetails, versionContentDraft } from "../contracts/prompts";
import { contentProblems } from "../contracts/templates";

const MAX_INT = 2_147_483_647;

const [textContent, chatContent] = versionContentDraft.options;
const templateText = textContent.shape.template;
const chatMessages = chatContent.shape.messages;

/** `?version=` in a query string. */
export const versionQuery = z.coerce
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be 1 or more")
  .max(MAX_INT, "is out of range");

/** A version number in a JSON body. */
const versionNumber = z.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be 1 or more").max(MAX_INT, "is out of range");

// ---- path and query parameters ---------------------------------------------------------------

export const promptNameParams = z.object({
  name: promptName.describe(
    "The prompt's name. Folders are separated by `/`: send it as `%2F` (always unambiguous) or as a raw `/` (see the path rules in docs/api.md).",
  ),
});

export const labelParams = promptNameParams.extend({
  label: labelName.describe("The label (environment) to move, e.g. `staging`."),
});

export const getPromptQuery = z.object({
  label: labelName
    .optional()
    .describe("Serve the version this label points at (`latest`: the newest version). Defaults to `production` when neither label nor version is given."),
  version: versionQuery.optional().describe("Serve this version number. Give either label or version, not both."),
});

export const listPromptsQuery = z.object({
  limit: z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 200")
    .max(200, "must be between 1 and 200")
    .default(50)
    .describe("Page size (1–200, default 50)."),
  cursor: promptName.optional().describe("`nextCursor` from the previous page."),
  search: text(200).trim().optional().describe("Case-insensitive substring of the name or description."),
  tag: text(40).optional().describe("Only prompts with this tag."),
});

// ---- request bodies --------------------------------------------------------------------------

const createVersionCommon = {
  config: modelConfig.optional().describe("Model configuration (model, temperature, maxTokens, topP, stop, responseFormat, tools, providerId)."),
  variableDetails: variableDetails
    .optional()
    .describe(
      'Declared variables by name: `{ "tone": { "description": "How to sound", "default": "calm" } }`. `default` is used when a caller sends no value for the variable (null or left out: none; `""` is a default). Every name must appear in the template or messages.',
    ),
  commitMessage: commitMessage.describe("What changed in this version (required)."),
  description: text(2000).optional().describe("The prompt's description: set when given (on creation, or changed on an existing prompt)."),
  tags: promptTags.unwrap().optional().describe("The prompt's tags: set when given (they apply to the prompt, not to one version)."),
  basedOnVersion: z
    .number({ error: "must be a whole number or null" })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(MAX_INT, "is out of range")
    .nullable()
    .optional()
    .describe(
      "Optimistic concurrency: the version you started from (0: you expect to create the prompt). If someone saved in between, the request fails with 409 CONFLICT.",
    ),
};

export const createVersionBody = z
  .discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("text"), prompt: templateText.describe("The template; `{{variable}}` placeholders."), ...createVersionCommon }).strict(),
      z
        .object({
          type: z.literal("chat"),
          messages: chatMessages.describe("The messages; `{{variable}}` placeholders in their content."),
          ...createVersionCommon,
        })
        .strict(),
    ],
    { error: 'must be "text" or "chat"' },
  )
  // The same checks as the web app's editor: no empty template or message, valid {{ }} syntax, declarations of used variables only.
  .superRefine((body, ctx) => {
    const content = body.type === "text" ? { type: "text" as const, template: body.prompt } : { type: "chat" as const, messages: body.messages };
    for (const p of contentProblems(content, body.variableDetails))
      ctx.addIssue({ code: "custom", path: p.path[0] === "template" ? ["prompt"] : p.path, message: p.message });
  });
export type CreateVersionBody = z.infer<typeof createVersionBody>;

export const moveLabelBody = z.object({ version: versionNumber.describe("The version the label should point at.") }).strict();

// ---- responses -------------------------------------------------------------------------------

const promptCommon = {
  name: z.string(),
  version: z.int(),
  variables: z.array(z.string()).describe("`{{variable}}` names used by the template or messages, in order of appearance."),
  variableDetails: z
    .record(
      z.string(),
      z
        .object({
          description: z.string(),
          default: z.string().nullable().describe("Used when a caller sends no value; null: none (the variable is required)."),
        })
        .strict(),
    )
    .describe("Every variable with its declared description and default, keyed by name."),
  config: modelConfig,
  labels: z.array(z.string()).describe("Labels pointing at this version (`latest` when it is the newest)."),
  tags: z.array(z.string()),
  commitMessage: z.string(),
  contentHash: z.string().describe("SHA-256 of the canonical content (template or messages, and config)."),
  createdAt: z.iso.datetime(),
};

export const promptResponse = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), prompt: z.string().describe("The template."), messages: z.null(), ...promptCommon }).strict(),
  z.object({ type: z.literal("chat"), prompt: z.null(), messages: z.array(chatMessage).describe("The messages, in order."), ...promptCommon }).strict(),
]);
export type PromptResponse = z.infer<typeof promptResponse>;

export const promptListResponse = z
  .object({
    data: z.array(
      z
        .object({
          name: z.string(),
          type: z.enum(["text", "chat"]),
          description: z.string(),
          tags: z.array(z.string()),
          latestVersion: z.int(),
          labels: z
            .array(z.object({ name: z.string(), version: z.int() }).strict())
            .describe("Where each label points (without `latest`, which is `latestVersion`)."),
          updatedAt: z.iso.datetime(),
        })
        .strict(),
    ),
    nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
  })
  .strict();

export const versionListResponse = z
  .object({
    name: z.string(),
    type: z.enum(["text", "chat"]),
    data: z
      .array(
        z
          .object({
            version: z.int(),
            labels: z.array(z.string()),
            commitMessage: z.string(),
            contentHash: z.string(),
            variables: z.array(z.string()),
            author: z
              .object({ type: z.enum(["user", "api_key", "system"]), label: z.string().describe("Email of a person, or the public id of an API key.") })
              .strict(),
            basedOnVersion: z.int().nullable(),
            createdAt: z.iso.datetime(),
          })
          .strict(),
      )
      .describe("Every version, newest first, without its content (fetch one with `GET /api/public/v1/prompts/{name}?version=N`)."),
  })
  .strict();

export const moveLabelResponse = z
  .object({
    name: z.string(),
    label: z.string(),
    version: z.int(),
    previousVersion: z.int().nullable().describe("Where the label pointed before (null: nowhere)."),
    changed: z.boolean().describe("False when the label already pointed at this version."),
  })
  .strict();

export const whoamiResponse = z
  .object({
    publicKey: z.string(),
    scopes: z.array(z.string()),
    project: z.object({ slug: z.string(), name: z.string() }).strict(),
    organization: z.object({ slug: z.string(), name: z.string() }).strict(),
  })
  .strict();

/** Langfuse's prompt shape (GET /api/public/v2/prompts/{name}), what its SDKs parse. */
export const langfusePromptResponse = z.discriminatedUnion("type", [
  z
    .object({
      name: z.string(),
      version: z.int(),
      type: z.literal("text"),
      prompt: z.string(),
      config: modelConfig,
      labels: z.array(z.string()),
      tags: z.array(z.string()),
      commitMessage: z.string(),
    })
    .strict(),
  z
    .object({
      name: z.string(),
      version: z.int(),
      type: z.literal("chat"),
      prompt: z.array(chatMessage),
      config: modelConfig,
      labels: z.array(z.string()),
      tags: z.array(z.string()),
      commitMessage: z.string(),
    })
    .strict(),
]);
