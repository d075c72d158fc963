import "server-only";
// Langfuse's prompt management endpoints, so `@langfuse/client` (v4, v5) and `langfuse` (v3)
// pointed at Keel can create versions, list prompts and move labels. Fetching a prompt
// (GET /api/public/v2/prompts/{name}) is in prompt-routes.ts. Writes reuse the v1 routes' path
// (saveVersion, moveLabel on the audited path with the API key as the actor), so Keel's rules
// hold: labels are the project's environments, `latest` is implicit, protected environments
// refuse direct moves (403, recorded as a denied change) and versions are never duplicated.
import { z } from "zod";
import { getDb } from "../db/client";
import { runAudited, type AuditedTx } from "../audit/mutation";
import type { Actor } from "../audit/actor";
import { jsonChecked, jsonRecord, safeString, text } from "../contracts/fields";
import {
  chatMessage,
  labelName,
  MAX_TEMPLATE_BYTES,
  modelConfig,
  promptName,
  promptTags,
  RESERVED_LABELS,
  type ChatMessage,
  type ModelConfig,
} from "../contracts/prompts";
import { moveLabel } from "../domain/prompts/labels";
import { listPromptsWithVersions, resolvePrompt } from "../domain/prompts/queries";
import { describeIssues, HttpError } from "./errors";
import { promptIdOf, recordLabelRefusal, refuseLargeTemplates, saveVersion, toLangfuseResponse } from "./prompt-handlers";
import { defineRoute, type PublicRoute } from "./route-table";
import { langfusePromptResponse, versionQuery } from "./schemas";
import type { CreateVersionBody } from "./schemas";

const TAG = "Langfuse compatibility";
const DEFAULT_COMMIT_MESSAGE = "Saved through the Langfuse API";

// ---- shapes ----------------------------------------------------------------------------------

const labelList = z.array(labelName).max(20, "may have at most 20 labels");

const createBody = z.object({
  name: promptName.describe("The prompt's name (`/` makes folders). Created when new."),
  type: z.enum(["text", "chat"], { error: 'must be "text" or "chat"' }).optional().describe("Default `text`."),
  prompt: z
    .union([safeString().max(MAX_TEMPLATE_BYTES, "is larger than 1 MB"), z.array(jsonRecord())], {
      error: "must be a string (text) or a list of messages (chat)",
    })
    .describe("The template (text) or the messages `[{ role, content }]` (chat; roles system, user, assistant). Placeholder messages are refused."),
  config: jsonChecked(z.unknown())
    .optional()
    .describe(
      "Keel's model configuration: model, temperature, maxTokens (or max_tokens), topP (or top_p), stop, responseFormat, tools, providerId. Other keys are refused.",
    ),
  labels: labelList.optional().describe("Environments to point at the new version (`latest` is implicit). Protected environments refuse with 403."),
  tags: promptTags.unwrap().optional().describe("The prompt's tags (they apply to every version)."),
  commitMessage: text(500).nullable().optional(),
});

export const langfuseMeta = z.object({ page: z.int(), limit: z.int(), totalItems: z.int(), totalPages: z.int() }).strict();

const listResponse = z
  .object({
    data: z.array(
      z
        .object({
          name: z.string(),
          type: z.enum(["text", "chat"]),
          versions: z.array(z.int()),
          labels: z.array(z.string()),
          tags: z.array(z.string()),
          lastUpdatedAt: z.iso.datetime(),
          lastConfig: modelConfig,
        })
        .strict(),
    ),
    meta: langfuseMeta,
  })
  .strict();

export const langfusePageQuery = {
  page: z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be 1 or more")
    .max(1_000_000)
    .default(1)
    .describe("1-based page number."),
  limit: z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 100")
    .max(100, "must be between 1 and 100")
    .default(50),
};

const listQuery = z.object({
  name: promptName.optional().describe("Only the prompt with this name."),
  label: labelName.optional().describe("Only prompts with this label, and only the version it points at."),
  tag: text(40).optional().describe("Only prompts with this tag."),
  ...langfusePageQuery,
  fromUpdatedAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional().describe("Only versions created at or after this time."),
  toUpdatedAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional().describe("Only versions created before this time."),
});

const versionParams = z.object({
  name: promptName.describe("The prompt's name; send folders as `%2F`."),
  version: versionQuery.describe("The version whose labels change."),
});

const updateBody = z.object({
  newLabels: labelList.describe(
    "Environments to point at this version (each leaves the version it pointed at). Labels already on the version stay. `latest` is implicit.",
  ),
});

// ---- mapping Langfuse's request onto Keel's version content ------------------------------------

/** Langfuse configs are free JSON; Keel's are model settings. Snake-case spellings are accepted. */
function configOf(raw: unknown): ModelConfig {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new HttpError("BAD_REQUEST", "config: must be a JSON object", "config");
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    renamed[key === "max_tokens" ? "maxTokens" : key === "top_p" ? "topP" : key === "response_format" ? "responseFormat" : key] = value;
  }
  const parsed = modelConfig.safeParse(renamed);
  if (parsed.success) return parsed.data;
  const { message, field } = describeIssues(parsed.error, { value: renamed });
  throw new HttpError(
    "BAD_REQUEST",
    `config.${message} (a Keel prompt config holds model, temperature, maxTokens, topP, stop, responseFormat, tools and providerId)`,
    field ? `config.${field}` : "config",
  );
}

function messagesOf(raw: Record<string, unknown>[]): ChatMessage[] {
  if (raw.length === 0) throw new HttpError("BAD_REQUEST", "prompt: needs at least one message", "prompt");
  return raw.map((m, i) => {
    if (m.type === "placeholder") {
      throw new HttpError(
        "BAD_REQUEST",
        `prompt.${i}: placeholder messages ({ type: "placeholder" }) are not supported by Keel; write the messages into the prompt`,
        `prompt.${i}`,
      );
    }
    const { type: _type, ...message } = m;
    const parsed = chatMessage.strict().safeParse(message);
    if (parsed.success) return parsed.data;
    const { message: problem, field } = describeIssues(parsed.error, { value: message });
    throw new HttpError("BAD_REQUEST", `prompt.${i}.${problem}`, field ? `prompt.${i}.${field}` : `prompt.${i}`);
  });
}

function versionBodyOf(body: z.infer<typeof createBody>): CreateVersionBody {
  const type = body.type ?? (Array.isArray(body.prompt) ? "chat" : "text");
  const common = { config: configOf(body.config), commitMessage: body.commitMessage?.trim() || DEFAULT_COMMIT_MESSAGE, tags: body.tags };
  if (type === "text") {
    if (typeof body.prompt !== "string") throw new HttpError("BAD_REQUEST", "prompt: must be a string for a text prompt", "prompt");
    return { type: "text", prompt: body.prompt, ...common };
  }
  if (!Array.isArray(body.prompt)) throw new HttpError("BAD_REQUEST", "prompt: must be a list of messages for a chat prompt", "prompt");
  return { type: "chat", messages: messagesOf(body.prompt), ...common };
}

/** Points each label at the version, in the caller's transaction (`latest` needs no move). */
async function moveLabels(w: AuditedTx, ctx: { orgId: string; projectId: string }, promptId: string, version: number, labels: readonly string[]) {
  for (const label of new Set(labels)) {
    if ((RESERVED_LABELS as readonly string[]).includes(label)) continue;
    await moveLabel(w, ctx, { promptId, label, version });
  }
}

async function langfuseVersion(projectId: string, name: string, version: number) {
  const resolved = await resolvePrompt(getDb(), projectId, name, { version });
  if (!resolved) throw new Error(`Version ${version} of "${name}" vanished after saving`);
  return toLangfuseResponse(resolved);
}

function refusal(actor: Actor, principal: { orgId: string; projectId: string }, routeId: string, details: Record<string, unknown>) {
  return (error: unknown) => recordLabelRefusal(error, actor, { orgId: principal.orgId, projectId: principal.projectId, routeId }, details);
}

// ---- routes ----------------------------------------------------------------------------------

export const langfusePromptRoutes: PublicRoute[] = [
  defineRoute({
    method: "POST",
    path: "/api/public/v2/prompts",
    operationId: "createPromptLangfuse",
    summary: "Create a prompt version (Langfuse-compatible)",
    description:
      "Langfuse's `prompt.create` / `createPrompt`: saves the content as the prompt's next version (creating the prompt when new) and points the given labels at it, in one audited transaction with the API key as the actor. Content identical to the newest version reuses that version (Keel stores no duplicate versions). Labels must be environments of the project; a protected one refuses with 403 and nothing is saved. Chat placeholder messages are refused (400).",
    tag: TAG,
    scope: "prompts:write",
    permission: "prompt:write",
    body: createBody,
    inspectBody: refuseLargeTemplates,
    responses: { 200: { description: "The version (Langfuse's prompt shape).", schema: langfusePromptResponse } },
    errors: [404, 409, 413, 415],
    async handle({ principal, body, actor, routeId }) {
      const ctx = { orgId: principal.orgId, projectId: principal.projectId };
      const content = versionBodyOf(body);
      const labels = body.labels ?? [];
      // Moving a label needs label:move on top of prompt:write (prompts:write grants both).
      if (labels.some((l) => l !== "latest") && !principal.permissions.has("label:move"))
        throw new HttpError("FORBIDDEN", "This API key may not move labels", "labels");
      const version = await saveVersion(actor, ctx, body.name, content, {
        reuseIdentical: true,
        then: async (w, saved) => {
          // Read in the transaction: a prompt created by this request is not visible outside it yet.
          const prompt = await w.tx.prompt.findUniqueOrThrow({
            where: { projectId_name: { projectId: principal.projectId, name: body.name } },
            select: { id: true },
          });
          await moveLabels(w, ctx, prompt.id, saved.version, labels);
        },
      }).catch(refusal(actor, principal, routeId, { name: body.name, labels }));
      return { status: 200, body: await langfuseVersion(principal.projectId, body.name, version.version) };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v2/prompts",
    operationId: "listPromptsLangfuse",
    summary: "List prompts (Langfuse-compatible)",
    description:
      "Langfuse's `api.prompts.list`: prompts by name with their version numbers, labels (with `latest`), tags, last update and the newest matching version's config, a page at a time.",
    tag: TAG,
    scope: "prompts:read",
    permission: "prompt:read",
    query: listQuery,
    responses: { 200: { description: "A page of prompts.", schema: listResponse } },
    errors: [],
    async handle({ principal, query }) {
      const { items, total } = await listPromptsWithVersions(getDb(), principal.projectId, {
        name: query.name,
        label: query.label,
        tag: query.tag,
        from: query.fromUpdatedAt ? new Date(query.fromUpdatedAt) : undefined,
        to: query.toUpdatedAt ? new Date(query.toUpdatedAt) : undefined,
        page: query.page,
        limit: query.limit,
      });
      return {
        status: 200,
        body: {
          data: items.map((p) => ({ ...p, lastUpdatedAt: p.lastUpdatedAt.toISOString() })),
          meta: { page: query.page, limit: query.limit, totalItems: total, totalPages: Math.ceil(total / query.limit) },
        },
      };
    },
  }),

  defineRoute({
    method: "PATCH",
    path: "/api/public/v2/prompts/{name}/versions/{version}",
    folderParam: "name",
    operationId: "updatePromptVersionLangfuse",
    summary: "Label a version (Langfuse-compatible)",
    description:
      "Langfuse's `prompt.update` / `updatePrompt`: points each of `newLabels` at this version, in one audited transaction with the API key as the actor. Labels must be environments of the project; a protected one refuses with 403 (it moves only through an approved deployment) and the refusal is recorded in the audit log. `latest` is implicit and cannot be moved.",
    tag: TAG,
    scope: "prompts:write",
    permission: "label:move",
    params: versionParams,
    body: updateBody,
    responses: { 200: { description: "The version with its labels (Langfuse's prompt shape).", schema: langfusePromptResponse } },
    errors: [404, 413, 415],
    async handle({ principal, params, body, actor, routeId }) {
      const ctx = { orgId: principal.orgId, projectId: principal.projectId };
      const promptId = await promptIdOf(principal.projectId, params.name);
      await runAudited(actor, async (w) => {
        const current = await w.tx.prompt.findUniqueOrThrow({ where: { id: promptId }, select: { latestVersion: true } });
        if (body.newLabels.includes("latest") && current.latestVersion !== params.version) {
          throw new HttpError(
            "BAD_REQUEST",
            `newLabels: "latest" always points at the newest version (${current.latestVersion}) and cannot be moved`,
            "newLabels",
          );
        }
        if (!body.newLabels.some((l) => l !== "latest")) {
          const exists = await w.tx.promptVersion.findUnique({ where: { promptId_version: { promptId, version: params.version } }, select: { id: true } });
          if (!exists) throw new HttpError("NOT_FOUND", `"${params.name}" has no version ${params.version}`, "version");
          w.unchanged();
          return;
        }
        await moveLabels(w, ctx, promptId, params.version, body.newLabels);
      }).catch(refusal(actor, principal, routeId, { name: params.name, version: params.version, labels: body.newLabels }));
      return { status: 200, body: await langfuseVersion(principal.projectId, params.name, params.version) };
    },
  }),
];
