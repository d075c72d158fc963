import "server-only";
// The prompt registry over the public API: fetch a prompt by label or version (the hot path,
// served from the in-process cache with a strong ETag), list prompts and versions, save a version
// (creating the prompt when new) and move an unprotected label. Changes go through the domain
// functions on the audited path with the API key as the actor. Also Langfuse's
// GET /api/public/v2/prompts/{name}, so applications using @langfuse/client can point it at Keel.
import { createHash } from "node:crypto";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import { MissingAuditEventError, recordDenied, runAudited } from "../audit/mutation";
import { MAX_TEMPLATE_BYTES, type VersionContent } from "../contracts/prompts";
import { createPrompt, createVersion, updatePromptDetails } from "../domain/prompts/versions";
import { moveLabel } from "../domain/prompts/labels";
import { getPromptByName, listPrompts, resolvePrompt, type ResolvedPrompt } from "../domain/prompts/queries";
import { defineRoute, HttpError, PROMPT_CACHE_CONTROL, type PublicRoute, type Reply } from "./http";
import type { CachedBody, PromptCache } from "./prompt-cache";
import type { Actor } from "../audit/actor";
import {
  createVersionBody,
  getPromptQuery,
  labelParams,
  langfusePromptResponse,
  listPromptsQuery,
  moveLabelBody,
  moveLabelResponse,
  promptListResponse,
  promptNameParams,
  promptResponse,
  versionListResponse,
  type CreateVersionBody,
  type PromptResponse,
} from "./schemas";

type Want = { label: string } | { version: number };

// ---- serialization ---------------------------------------------------------------------------

export function toPromptResponse(p: ResolvedPrompt): PromptResponse {
  const common = {
    variables: p.variables,
    config: p.config,
    labels: p.labels,
    tags: p.tags,
    commitMessage: p.commitMessage,
    contentHash: p.contentHash,
    createdAt: p.createdAt.toISOString(),
  };
  return p.type === "text"
    ? { name: p.name, version: p.version, type: "text", prompt: p.template ?? "", messages: null, ...common }
    : { name: p.name, version: p.version, type: "chat", prompt: null, messages: p.messages ?? [], ...common };
}

function toLangfuseResponse(p: ResolvedPrompt) {
  return {
    name: p.name,
    version: p.version,
    type: p.type,
    prompt: p.type === "text" ? (p.template ?? "") : (p.messages ?? []).map((m) => ({ role: m.role, content: m.content })),
    config: p.config,
    labels: p.labels,
    tags: p.tags,
    commitMessage: p.commitMessage,
  };
}

/**
 * Serialized once per cache fill. The strong ETag is `"<content hash>-<body hash>"`: the first
 * part names the content, the second changes with anything else in the body (labels move, tags).
 */
function toCachedBody(body: unknown, contentHash: string): CachedBody {
  const payload = Buffer.from(JSON.stringify(body));
  const digest = createHash("sha256").update(payload).digest("base64url").slice(0, 22);
  return { payload, etag: `"${contentHash.slice(0, 16)}-${digest}"` };
}

// ---- helpers ---------------------------------------------------------------------------------

function wantOf(query: { label?: string; version?: number }): Want {
  if (query.label !== undefined && query.version !== undefined) throw new HttpError("BAD_REQUEST", "Give either label or version, not both", "version");
  return query.version !== undefined ? { version: query.version } : { label: query.label ?? "production" };
}

async function promptIdOf(projectId: string, name: string): Promise<string> {
  const prompt = await getDb().prompt.findUnique({ where: { projectId_name: { projectId, name } }, select: { id: true } });
  if (!prompt) throw new HttpError("NOT_FOUND", `No prompt named "${name}"`, "name");
  return prompt.id;
}

/** Why resolving found nothing: the prompt, or the label/version of an existing one (cold path). */
async function notFound(projectId: string, name: string, want: Want): Promise<HttpError> {
  await promptIdOf(projectId, name);
  return "version" in want
    ? new HttpError("NOT_FOUND", `"${name}" has no version ${want.version}`, "version")
    : new HttpError("NOT_FOUND", `No version of "${name}" is labelled "${want.label}"`, "label");
}

async function servePrompt(
  ctx: { principal: { projectId: string }; params: { name: string }; query: { label?: string; version?: number }; services: { prompts: PromptCache } },
  format: "v1" | "langfuse",
): Promise<Reply> {
  const want = wantOf(ctx.query);
  const { projectId } = ctx.principal;
  const { name } = ctx.params;
  const variant = `${format}${"version" in want ? `#${want.version}` : `@${want.label}`}`;
  const cached = await ctx.services.prompts.get(projectId, name, variant, async () => {
    const resolved = await resolvePrompt(getDb(), projectId, name, want);
    if (!resolved) return null;
    return toCachedBody(format === "v1" ? toPromptResponse(resolved) : toLangfuseResponse(resolved), resolved.contentHash);
  });
  if (!cached) throw await notFound(projectId, name, want);
  return { status: 200, cached };
}

/** 413 for a template over 1 MB even when the whole body is under the body limit. */
function refuseLargeTemplates(raw: unknown) {
  if (typeof raw !== "object" || raw === null) return;
  const body = raw as { prompt?: unknown; messages?: unknown };
  const tooLarge = (field: string) =>
    new HttpError("PAYLOAD_TOO_LARGE", `${field}: is larger than 1 MB (${MAX_TEMPLATE_BYTES.toLocaleString("en-US")} bytes)`, field);
  if (typeof body.prompt === "string" && Buffer.byteLength(body.prompt) > MAX_TEMPLATE_BYTES) throw tooLarge("prompt");
  if (Array.isArray(body.messages)) {
    body.messages.forEach((m: unknown, i) => {
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof content === "string" && Buffer.byteLength(content) > MAX_TEMPLATE_BYTES) throw tooLarge(`messages.${i}.content`);
    });
  }
}

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

async function saveVersion(actor: Actor, ctx: { orgId: string; projectId: string }, name: string, body: CreateVersionBody) {
  const content: VersionContent =
    body.type === "text" ? { type: "text", template: body.prompt, config: body.config ?? {} } : { type: "chat", messages: body.messages, config: body.config ?? {} };
  const find = () => getDb().prompt.findUnique({ where: { projectId_name: { projectId: ctx.projectId, name } }, select: { id: true, description: true, tags: true } });
  let existing = await find();
  if (!existing) {
    if (body.basedOnVersion) throw new HttpError("CONFLICT", `There is no prompt named "${name}" yet, so nothing to base version ${body.basedOnVersion} on`, "basedOnVersion");
    try {
      const { version } = await runAudited(actor, (w) => createPrompt(w, ctx, { name, description: body.description, tags: body.tags, content, commitMessage: body.commitMessage }));
      return version;
    } catch (error) {
      // Someone created it at the same moment: save ours as its next version instead.
      if (!(error instanceof AppError && error.code === "CONFLICT" && error.field === "name")) throw error;
      existing = await find();
      if (!existing) throw error;
    }
  }
  const prompt = existing;
  return runAudited(actor, async (w) => {
    const description = body.description?.trim() ?? prompt.description;
    const tags = body.tags ?? prompt.tags;
    if (description !== prompt.description || !sameTags(tags, prompt.tags)) {
      await updatePromptDetails(w, ctx, { promptId: prompt.id, description, tags });
    }
    return createVersion(w, ctx, { promptId: prompt.id, content, commitMessage: body.commitMessage, basedOnVersion: body.basedOnVersion ?? null });
  });
}

// ---- routes ----------------------------------------------------------------------------------

const etagHeaders = { ETag: "Strong validator of this representation; send it back as If-None-Match.", "Cache-Control": PROMPT_CACHE_CONTROL };

export const promptRoutes: PublicRoute[] = [
  defineRoute({
    method: "GET",
    path: "/api/public/v1/prompts",
    operationId: "listPrompts",
    summary: "List prompts",
    description: "The project's prompts by name, a page at a time.",
    tag: "Prompts",
    scope: "prompts:read",
    permission: "prompt:read",
    query: listPromptsQuery,
    responses: { 200: { description: "A page of prompts.", schema: promptListResponse } },
    errors: [],
    async handle({ principal, query }) {
      const page = await listPrompts(getDb(), principal.projectId, query);
      return {
        status: 200,
        body: {
          data: page.items.map((p) => ({
            name: p.name,
            type: p.type,
            description: p.description,
            tags: p.tags,
            latestVersion: p.latestVersion,
            labels: p.labels,
            updatedAt: p.updatedAt.toISOString(),
          })),
          nextCursor: page.nextCursor,
        },
      };
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v1/prompts/{name}",
    folderParam: "name",
    operationId: "getPrompt",
    summary: "Fetch a prompt",
    description:
      "The version a label points at (default `production`), or a version by number. Answered from an in-process cache that every change invalidates at once. Send the `ETag` back as `If-None-Match` to get `304 Not Modified` while nothing changed.",
    tag: "Prompts",
    scope: "prompts:read",
    permission: "prompt:read",
    params: promptNameParams,
    query: getPromptQuery,
    responses: {
      200: { description: "The prompt version.", schema: promptResponse, headers: etagHeaders },
      304: { description: "Not modified: the ETag in If-None-Match is still current.", headers: etagHeaders },
    },
    errors: [404],
    handle: (ctx) => servePrompt(ctx, "v1"),
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v1/prompts/{name}/versions",
    folderParam: "name",
    operationId: "listPromptVersions",
    summary: "List a prompt's versions",
    description: "Every version, newest first, with its labels and metadata but without its content.",
    tag: "Prompts",
    scope: "prompts:read",
    permission: "prompt:read",
    params: promptNameParams,
    responses: { 200: { description: "The versions.", schema: versionListResponse } },
    errors: [404],
    async handle({ principal, params }) {
      const prompt = await getPromptByName(getDb(), principal.projectId, params.name);
      if (!prompt) throw new HttpError("NOT_FOUND", `No prompt named "${params.name}"`, "name");
      const labelsOf = (version: number) => [
        ...prompt.labels.filter((l) => l.version === version).map((l) => l.name),
        ...(version === prompt.latestVersion ? ["latest"] : []),
      ].sort();
      return {
        status: 200,
        body: {
          name: prompt.name,
          type: prompt.type,
          data: prompt.versions.map((v) => ({
            version: v.version,
            labels: labelsOf(v.version),
            commitMessage: v.commitMessage,
            contentHash: v.contentHash,
            variables: v.variables,
            author: { type: v.authorType, label: v.authorLabel },
            basedOnVersion: v.basedOnVersion,
            createdAt: v.createdAt.toISOString(),
          })),
        },
      };
    },
  }),

  defineRoute({
    method: "POST",
    path: "/api/public/v1/prompts/{name}/versions",
    folderParam: "name",
    operationId: "createPromptVersion",
    summary: "Save a new version",
    description:
      "Saves the content as the prompt's next version, creating the prompt when it does not exist yet. The new version gets no label but `latest`: move one with the labels route. Audited with the API key as the actor.",
    tag: "Prompts",
    scope: "prompts:write",
    permission: "prompt:write",
    params: promptNameParams,
    body: createVersionBody,
    inspectBody: refuseLargeTemplates,
    responses: { 201: { description: "The new version (as GET returns it).", schema: promptResponse, headers: { Location: "Where to fetch this version." } } },
    errors: [409, 413, 415],
    async handle({ principal, params, body, actor }) {
      const ctx = { orgId: principal.orgId, projectId: principal.projectId };
      const version = await saveVersion(actor, ctx, params.name, body);
      const resolved = await resolvePrompt(getDb(), principal.projectId, params.name, { version: version.version });
      if (!resolved) throw new Error(`Version ${version.version} of "${params.name}" vanished after saving`);
      return {
        status: 201,
        body: toPromptResponse(resolved),
        headers: { location: `/api/public/v1/prompts/${encodeURIComponent(params.name)}?version=${version.version}` },
      };
    },
  }),

  defineRoute({
    method: "PUT",
    path: "/api/public/v1/prompts/{name}/labels/{label}",
    folderParam: "name",
    operationId: "movePromptLabel",
    summary: "Move a label",
    description:
      "Points an unprotected label (environment) at a version. Protected environments refuse with 403 (they move only through approved deployments); the refusal is recorded in the audit log. Audited with the API key as the actor.",
    tag: "Prompts",
    scope: "prompts:write",
    permission: "label:move",
    params: labelParams,
    body: moveLabelBody,
    responses: { 200: { description: "Where the label points now.", schema: moveLabelResponse } },
    errors: [404, 413, 415],
    async handle({ principal, params, body, actor, routeId }) {
      const ctx = { orgId: principal.orgId, projectId: principal.projectId };
      const promptId = await promptIdOf(principal.projectId, params.name);
      try {
        const moved = await runAudited(actor, (w) => moveLabel(w, ctx, { promptId, label: params.label, version: body.version }));
        return {
          status: 200,
          body: { name: params.name, label: moved.label, version: moved.version, previousVersion: moved.fromVersion, changed: moved.changed },
        };
      } catch (error) {
        // moveLabel records nothing when the label already points there (the only way it
        // completes without an event), and runAudited rolls that back: nothing changed.
        if (error instanceof MissingAuditEventError) {
          return { status: 200, body: { name: params.name, label: params.label, version: body.version, previousVersion: body.version, changed: false } };
        }
        if (error instanceof AppError && error.code === "FORBIDDEN") {
          await recordDenied(actor, {
            orgId: principal.orgId,
            projectId: principal.projectId,
            action: "access.denied",
            targetType: "procedure",
            targetId: routeId,
            after: { reason: error.message, name: params.name, label: params.label, version: body.version },
          });
        }
        throw error;
      }
    },
  }),

  defineRoute({
    method: "GET",
    path: "/api/public/v2/prompts/{name}",
    folderParam: "name",
    operationId: "getPromptLangfuse",
    summary: "Fetch a prompt (Langfuse-compatible)",
    description:
      "Langfuse's prompt endpoint and response shape, for `@langfuse/client` / the Langfuse SDKs pointed at Keel (`baseUrl`, Basic auth with the public and secret key). Chat prompts come as `prompt: [{ role, content }]`. Same cache and ETag rules as the v1 route.",
    tag: "Langfuse compatibility",
    scope: "prompts:read",
    permission: "prompt:read",
    params: promptNameParams,
    query: getPromptQuery,
    responses: {
      200: { description: "The prompt version in Langfuse's shape.", schema: langfusePromptResponse, headers: etagHeaders },
      304: { description: "Not modified: the ETag in If-None-Match is still current.", headers: etagHeaders },
    },
    errors: [404],
    handle: (ctx) => servePrompt(ctx, "langfuse"),
  }),
];
