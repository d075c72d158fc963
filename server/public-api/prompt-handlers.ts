import "server-only";
// What the prompt routes do: serialize a resolved prompt once per cache fill (v1 and Langfuse
// shapes, strong ETag), serve it from the cache (the hot path: no promise, no query on a hit),
// explain a 404, and save a version through the domain (creating the prompt when new).
import { createHash } from "node:crypto";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import { recordDenied, runAudited, type AuditedTx } from "../audit/mutation";
import type { Actor } from "../audit/actor";
import { MAX_TEMPLATE_BYTES, type VersionContent } from "../contracts/prompts";
import { contentHash, createPrompt, createVersion, updatePromptDetails } from "../domain/prompts/versions";
import { promptIdByName, promptSummaryByName, resolvePrompt, type ResolvedPrompt } from "../domain/prompts/queries";
import { setting } from "../env";
import { isDatabaseUnavailable } from "../db/unavailable";
import { HttpError } from "./errors";
import { JSON_TYPE, withHeaders } from "./http";
import type { Reply } from "./route-table";
import type { CachedBody, PromptCache } from "./prompt-cache";
import type { CreateVersionBody, PromptResponse } from "./schemas";

type Want = { label: string } | { version: number };

// ---- serialization ---------------------------------------------------------------------------

export function toPromptResponse(p: ResolvedPrompt): PromptResponse {
  const common = {
    variables: p.variables,
    variableDetails: p.variableDetails,
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

export function toLangfuseResponse(p: ResolvedPrompt) {
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
  return withHeaders(payload, `"${contentHash.slice(0, 16)}-${digest}"`);
}

// ---- helpers ---------------------------------------------------------------------------------

function wantOf(query: { label?: string; version?: number }): Want {
  return query.version !== undefined ? { version: query.version } : { label: query.label ?? "production" };
}

export async function promptIdOf(projectId: string, name: string): Promise<string> {
  const id = await promptIdByName(getDb(), projectId, name);
  if (!id) throw new HttpError("NOT_FOUND", `No prompt named "${name}"`, "name");
  return id;
}

/** Why resolving found nothing: the prompt, or the label/version of an existing one (cold path). */
async function notFound(projectId: string, name: string, want: Want): Promise<HttpError> {
  await promptIdOf(projectId, name);
  return "version" in want
    ? new HttpError("NOT_FOUND", `"${name}" has no version ${want.version}`, "version")
    : new HttpError("NOT_FOUND", `No version of "${name}" is labelled "${want.label}"`, "label");
}

// Variant names ("v1@production", "langfuse#3") by their parts, built once: the same string object
// every time, found without building a string per request.
const variantTables = {
  v1: { labels: new Map<string, string>(), versions: new Map<number, string>() },
  langfuse: { labels: new Map<string, string>(), versions: new Map<number, string>() },
};
function variantOf(format: "v1" | "langfuse", label: string | undefined, version: number | undefined): string {
  const table = variantTables[format];
  if (version !== undefined) {
    let variant = table.versions.get(version);
    if (variant === undefined) {
      if (table.versions.size >= 10_000) table.versions.clear();
      table.versions.set(version, (variant = `${format}#${version}`));
    }
    return variant;
  }
  const name = label ?? "production";
  let variant = table.labels.get(name);
  if (variant === undefined) {
    if (table.labels.size >= 10_000) table.labels.clear();
    table.labels.set(name, (variant = `${format}@${name}`));
  }
  return variant;
}

/** The hot path: a cache hit is answered without a promise, a closure or a query. */
export function servePrompt(
  ctx: { principal: { projectId: string }; params: { name: string }; query: { label?: string; version?: number }; services: { prompts: PromptCache } },
  format: "v1" | "langfuse",
): Reply | Promise<Reply> {
  const { label, version } = ctx.query;
  if (label !== undefined && version !== undefined) throw new HttpError("BAD_REQUEST", "Give either label or version, not both", "version");
  const { projectId } = ctx.principal;
  const { name } = ctx.params;
  const variant = variantOf(format, label, version);
  const hit = ctx.services.prompts.peek(projectId, name, variant);
  if (hit) return { status: 200, cached: hit };
  return loadPrompt(ctx.services.prompts, projectId, name, variant, wantOf(ctx.query), format);
}

async function loadPrompt(cache: PromptCache, projectId: string, name: string, variant: string, want: Want, format: "v1" | "langfuse"): Promise<Reply> {
  let body: CachedBody | null;
  try {
    body = await cache.load(projectId, name, variant, async () => {
      const resolved = await resolvePrompt(getDb(), projectId, name, want);
      if (!resolved) return null;
      return toCachedBody(format === "v1" ? toPromptResponse(resolved) : toLangfuseResponse(resolved), resolved.contentHash);
    });
  } catch (error) {
    const stale = isDatabaseUnavailable(error) ? cache.lastGood(projectId, name, variant, setting("KEEL_PROMPT_STALE_IF_ERROR_SECONDS") * 1000) : null;
    if (!stale) throw error;
    return { status: 200, cached: staleBody(stale.body, stale.ageSeconds) };
  }
  if (!body) throw await notFound(projectId, name, want);
  return { status: 200, cached: body };
}

/**
 * A last good body served while the database is unavailable: the same body and ETag, with `Age`
 * (how long ago it was last known current) and `Keel-Stale` saying why it may be out of date.
 * `no-store` keeps a shared cache from holding on to it.
 */
function staleBody(body: CachedBody, ageSeconds: number): CachedBody {
  const headers = ["content-type", JSON_TYPE, "content-length", String(body.payload.length), "etag", body.etag];
  headers.push("cache-control", "private, no-store", "age", String(ageSeconds), STALE_HEADER, "database-unavailable");
  return { payload: body.payload, etag: body.etag, headers };
}

/** Names a prompt answer given from the last good copy while the database was unavailable. */
export const STALE_HEADER = "keel-stale";

/** 413 for a template over 1 MB even when the whole body is under the body limit. */
export function refuseLargeTemplates(raw: unknown) {
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

export type SaveOptions = {
  /** Runs in the same transaction once the version exists (e.g. moving labels onto it). */
  then?: (w: AuditedTx, version: { version: number }) => Promise<void>;
  /**
   * Content identical to the newest version reuses that version instead of refusing with 409
   * (Langfuse clients re-create prompts from scripts; Keel never stores a duplicate version).
   */
  reuseIdentical?: boolean;
};

export async function saveVersion(actor: Actor, ctx: { orgId: string; projectId: string }, name: string, body: CreateVersionBody, options: SaveOptions = {}) {
  const content: VersionContent =
    body.type === "text"
      ? { type: "text", template: body.prompt, config: body.config ?? {}, variableDetails: body.variableDetails ?? {} }
      : { type: "chat", messages: body.messages, config: body.config ?? {}, variableDetails: body.variableDetails ?? {} };
  const find = () => promptSummaryByName(getDb(), ctx.projectId, name);
  let existing = await find();
  if (!existing) {
    if (body.basedOnVersion)
      throw new HttpError("CONFLICT", `There is no prompt named "${name}" yet, so nothing to base version ${body.basedOnVersion} on`, "basedOnVersion");
    try {
      return await runAudited(actor, async (w) => {
        const { version } = await createPrompt(w, ctx, { name, description: body.description, tags: body.tags, content, commitMessage: body.commitMessage });
        await options.then?.(w, version);
        return version;
      });
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
    if (options.reuseIdentical && body.basedOnVersion == null) {
      const latest = await w.tx.promptVersion.findFirst({ where: { promptId: prompt.id }, orderBy: { version: "desc" } });
      if (latest && latest.contentHash === contentHash(content)) {
        w.unchanged();
        await options.then?.(w, latest);
        return latest;
      }
    }
    const version = await createVersion(w, ctx, {
      promptId: prompt.id,
      content,
      commitMessage: body.commitMessage,
      basedOnVersion: body.basedOnVersion ?? null,
    });
    await options.then?.(w, version);
    return version;
  });
}

/**
 * A label move refused because the environment is protected is recorded as a denied change
 * (the change itself rolled back); other errors pass through untouched. Rethrows either way.
 */
export async function recordLabelRefusal(
  error: unknown,
  actor: Actor,
  where: { orgId: string; projectId: string; routeId: string },
  details: Record<string, unknown>,
): Promise<never> {
  if (error instanceof AppError && error.code === "FORBIDDEN") {
    await recordDenied(actor, {
      orgId: where.orgId,
      projectId: where.projectId,
      action: "access.denied",
      targetType: "procedure",
      targetId: where.routeId,
      after: { reason: error.message, ...details },
    });
  }
  throw error;
}
