import "server-only";
// The prompt registry over the public API: fetch a prompt by label or version (the hot path,
// served from the in-process cache with a strong ETag), list prompts and versions, save a version
// (creating the prompt when new) and move an unprotected label. Changes go through the domain
// functions on the audited path with the API key as the actor. Also Langfuse's
// GET /api/public/v2/prompts/{name}, so applications using @langfuse/client can point it at Keel.
import { getDb } from "../db/client";
import { MissingAuditEventError, runAudited } from "../audit/mutation";
import { moveLabel } from "../domain/prompts/labels";
import { getPromptByName, listPrompts, resolvePrompt } from "../domain/prompts/queries";
import { HttpError } from "./errors";
import { PROMPT_CACHE_CONTROL } from "./http";
import { promptIdOf, recordLabelRefusal, refuseLargeTemplates, saveVersion, servePrompt, toPromptResponse } from "./prompt-handlers";
import { defineRoute, type PublicRoute } from "./route-table";
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
} from "./schemas";

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
      const labelsOf = (version: number) =>
        [...prompt.labels.filter((l) => l.version === version).map((l) => l.name), ...(version === prompt.latestVersion ? ["latest"] : [])].sort();
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
        return recordLabelRefusal(error, actor, { ...ctx, routeId }, { name: params.name, label: params.label, version: body.version });
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
