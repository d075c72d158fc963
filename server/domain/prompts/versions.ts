import "server-only";
// Prompts and their immutable versions. Version numbers come from a counter on the prompt row,
// incremented under that row's lock, so concurrent saves get 1..N with no gaps or duplicates.
// Saves carry the version they were based on: if someone saved in between, the save is refused
// with CONFLICT so the editor can show what changed instead of silently branching.
import { createHash } from "node:crypto";
import type { AuditedTx } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { canonicalJson, type JsonValue } from "../../audit/canonical";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import type { VersionContent } from "../../contracts/prompts";
import { contentProblems, extractVariables, extractVariablesFromMessages, meaningfulDeclarations } from "../../contracts/templates";
import { notifyPromptChanged } from "./changes";

export type ProjectCtx = { orgId: string; projectId: string };

export function contentHash(content: VersionContent): string {
  const body: Record<string, unknown> =
    content.type === "text"
      ? { type: "text", template: content.template, config: content.config }
      : { type: "chat", messages: content.messages, config: content.config };
  // Declared descriptions/defaults are part of the content; versions declaring nothing keep the
  // hash they had before declarations existed.
  const declared = meaningfulDeclarations(content.variableDetails);
  if (Object.keys(declared).length) body.variableDetails = declared;
  return createHash("sha256")
    .update(canonicalJson(JSON.parse(JSON.stringify(body)) as JsonValue))
    .digest("hex");
}

function variablesOf(content: VersionContent): string[] {
  return content.type === "text" ? extractVariables(content.template) : extractVariablesFromMessages(content.messages);
}

function author(actor: Actor) {
  return { authorType: actor.type, authorId: actor.id, authorLabel: actor.label };
}

export async function createPrompt(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { name: string; description?: string; tags?: string[]; content: VersionContent; commitMessage: string },
) {
  let prompt;
  try {
    prompt = await w.tx.prompt.create({
      data: { projectId: ctx.projectId, name: input.name, type: input.content.type, description: input.description?.trim() ?? "", tags: input.tags ?? [] },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A prompt named "${input.name}" already exists in this project`, { field: "name" });
    throw error;
  }
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "prompt.created",
    targetType: "prompt",
    targetId: prompt.id,
    after: { name: prompt.name, type: prompt.type, description: prompt.description, tags: prompt.tags },
  });
  const version = await createVersion(w, ctx, { promptId: prompt.id, content: input.content, commitMessage: input.commitMessage, basedOnVersion: 0 });
  return { prompt, version };
}

export async function createVersion(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { promptId: string; content: VersionContent; commitMessage: string; basedOnVersion?: number | null },
) {
  // The row lock serialises saves of this prompt until commit.
  const locked = await w.tx.$queryRaw<{ id: string; name: string; type: string; latest_version: number }[]>`
    SELECT id, name, type::text AS type, latest_version FROM prompts WHERE id = ${input.promptId}::uuid AND project_id = ${ctx.projectId}::uuid FOR UPDATE`;
  const prompt = locked[0];
  if (!prompt) throw notFound("Prompt");
  if (prompt.type !== input.content.type) {
    throw new AppError("BAD_REQUEST", `"${prompt.name}" is a ${prompt.type} prompt; a version must be ${prompt.type} too`, { field: "type" });
  }
  if (input.basedOnVersion != null && input.basedOnVersion !== prompt.latest_version) {
    const latest = await w.tx.promptVersion.findUnique({
      where: { promptId_version: { promptId: prompt.id, version: prompt.latest_version } },
      select: { authorLabel: true },
    });
    throw new AppError(
      "CONFLICT",
      `Version ${prompt.latest_version} was saved by ${latest?.authorLabel ?? "someone"} after you started from version ${input.basedOnVersion}. Review their changes before saving.`,
      { field: "basedOnVersion" },
    );
  }
  // Checked here too (not only by the input schemas), so every path that saves a version agrees.
  const problem = contentProblems(input.content, input.content.variableDetails)[0];
  if (problem)
    throw new AppError(
      "BAD_REQUEST",
      problem.path[0] === "variableDetails" ? `variableDetails.${String(problem.path[1])}: ${problem.message}` : problem.message,
      { field: ["content", ...problem.path].join(".") },
    );
  // A provider named by the config must be this project's: versions are immutable, and one naming
  // another project's connection would only fail later, at every call.
  const providerId = input.content.config.providerId;
  if (providerId && !(await w.tx.providerConnection.findFirst({ where: { id: providerId, projectId: ctx.projectId }, select: { id: true } }))) {
    throw new AppError("NOT_FOUND", "No provider connection with this id in this project", { field: "config.providerId" });
  }
  const hash = contentHash(input.content);
  if (prompt.latest_version > 0) {
    const latest = await w.tx.promptVersion.findUnique({
      where: { promptId_version: { promptId: prompt.id, version: prompt.latest_version } },
      select: { contentHash: true },
    });
    if (latest?.contentHash === hash) {
      throw new AppError("CONFLICT", `Nothing changed: this is identical to version ${prompt.latest_version}`);
    }
  }
  const number = prompt.latest_version + 1;
  await w.tx.prompt.update({ where: { id: prompt.id }, data: { latestVersion: number } });
  const version = await w.tx.promptVersion.create({
    data: {
      promptId: prompt.id,
      version: number,
      template: input.content.type === "text" ? input.content.template : null,
      messages: input.content.type === "chat" ? input.content.messages : undefined,
      variables: variablesOf(input.content),
      variableDetails: meaningfulDeclarations(input.content.variableDetails),
      config: input.content.config as object,
      commitMessage: input.commitMessage,
      contentHash: hash,
      basedOnVersion: input.basedOnVersion || null,
      ...author(w.actor),
    },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "prompt.version.created",
    targetType: "prompt",
    targetId: prompt.id,
    after: {
      name: prompt.name,
      version: number,
      contentHash: hash,
      commitMessage: input.commitMessage,
      variables: version.variables,
      variableDetails: meaningfulDeclarations(input.content.variableDetails),
    },
  });
  await notifyPromptChanged(w, ctx.projectId, prompt.name);
  return version;
}

export async function updatePromptDetails(w: AuditedTx, ctx: ProjectCtx, input: { promptId: string; description: string; tags: string[] }) {
  const before = await w.tx.prompt.findFirst({ where: { id: input.promptId, projectId: ctx.projectId } });
  if (!before) throw notFound("Prompt");
  const after = await w.tx.prompt.update({ where: { id: before.id }, data: { description: input.description.trim(), tags: input.tags } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "prompt.updated",
    targetType: "prompt",
    targetId: before.id,
    before: { description: before.description, tags: before.tags },
    after: { description: after.description, tags: after.tags },
  });
  // Tags are part of what the public API serves, so cached copies must go.
  await notifyPromptChanged(w, ctx.projectId, before.name);
  return after;
}
