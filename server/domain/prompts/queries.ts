import "server-only";
// Reading prompts: lists, one prompt with its versions and labels, one version, and resolving a
// name + label/version the way applications ask for it. Always scoped by project in the query.
import type { ReadDb } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import type { ChatMessage, ModelConfig } from "../../contracts/prompts";
import { declarationsFor, type VariableDeclarations } from "../../contracts/templates";

export async function listPrompts(db: ReadDb, projectId: string, filter: { search?: string; tag?: string; limit: number; cursor?: string }) {
  const where: Prisma.PromptWhereInput = {
    projectId,
    ...(filter.search
      ? { OR: [{ name: { contains: filter.search, mode: "insensitive" } }, { description: { contains: filter.search, mode: "insensitive" } }] }
      : {}),
    ...(filter.tag ? { tags: { has: filter.tag } } : {}),
    ...(filter.cursor ? { name: { gt: filter.cursor } } : {}),
  };
  const rows = await db.prompt.findMany({
    where,
    orderBy: { name: "asc" },
    take: filter.limit + 1,
    select: {
      id: true,
      name: true,
      type: true,
      description: true,
      tags: true,
      latestVersion: true,
      updatedAt: true,
      labels: { select: { name: true, version: true }, orderBy: { name: "asc" } },
    },
  });
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? items[items.length - 1]!.name : null };
}

export async function getPromptByName(db: ReadDb, projectId: string, name: string) {
  return db.prompt.findUnique({
    where: { projectId_name: { projectId, name } },
    include: {
      labels: { orderBy: { name: "asc" } },
      versions: {
        orderBy: { version: "desc" },
        select: {
          id: true,
          version: true,
          commitMessage: true,
          authorLabel: true,
          authorType: true,
          createdAt: true,
          contentHash: true,
          variables: true,
          basedOnVersion: true,
        },
      },
    },
  });
}

export async function getVersion(db: ReadDb, projectId: string, name: string, version: number) {
  return db.promptVersion.findFirst({ where: { version, prompt: { projectId, name } }, include: { prompt: { select: { id: true, name: true, type: true } } } });
}

export type ResolvedPrompt = {
  promptId: string;
  name: string;
  type: "text" | "chat";
  version: number;
  template: string | null;
  messages: ChatMessage[] | null;
  variables: string[];
  /** Every variable with its declared description and default (null: none). */
  variableDetails: VariableDeclarations;
  config: ModelConfig;
  labels: string[];
  tags: string[];
  commitMessage: string;
  contentHash: string;
  createdAt: Date;
};

/**
 * The version an application asked for: by number, or by label (`latest` is the newest version).
 * Null when the prompt, label or version does not exist.
 */
export async function resolvePrompt(
  db: ReadDb,
  projectId: string,
  name: string,
  want: { label: string } | { version: number },
): Promise<ResolvedPrompt | null> {
  const prompt = await db.prompt.findUnique({ where: { projectId_name: { projectId, name } }, include: { labels: true } });
  if (!prompt) return null;
  let number: number | undefined;
  if ("version" in want) number = want.version;
  else if (want.label === "latest") number = prompt.latestVersion;
  else number = prompt.labels.find((l) => l.name === want.label)?.version;
  if (!number) return null;
  const version = await db.promptVersion.findUnique({ where: { promptId_version: { promptId: prompt.id, version: number } } });
  if (!version) return null;
  const labels = prompt.labels.filter((l) => l.version === number).map((l) => l.name);
  if (number === prompt.latestVersion) labels.push("latest");
  return {
    promptId: prompt.id,
    name: prompt.name,
    type: prompt.type,
    version: number,
    template: version.template,
    messages: (version.messages as ChatMessage[] | null) ?? null,
    variables: version.variables,
    variableDetails: declarationsFor(version.variables, version.variableDetails as VariableDeclarations | null),
    config: version.config as ModelConfig,
    labels: labels.sort(),
    tags: prompt.tags,
    commitMessage: version.commitMessage,
    contentHash: version.contentHash,
    createdAt: version.createdAt,
  };
}

export async function listEnvironments(db: ReadDb, projectId: string) {
  return db.environment.findMany({ where: { projectId }, orderBy: { createdAt: "asc" } });
}

/**
 * Prompts a page at a time (page numbers, with the total) and, per prompt, the version numbers
 * that match: all of them, the one a label points at, or those created in a time range. What
 * Langfuse's prompt list answers (GET /api/public/v2/prompts).
 */
export async function listPromptsWithVersions(
  db: ReadDb,
  projectId: string,
  filter: { name?: string; label?: string; tag?: string; from?: Date; to?: Date; page: number; limit: number },
) {
  const createdAt = filter.from || filter.to ? { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } : undefined;
  const where: Prisma.PromptWhereInput = {
    projectId,
    latestVersion: { gt: 0 },
    ...(filter.name ? { name: filter.name } : {}),
    ...(filter.tag ? { tags: { has: filter.tag } } : {}),
    ...(filter.label && filter.label !== "latest" ? { labels: { some: { name: filter.label } } } : {}),
    ...(createdAt ? { versions: { some: { createdAt } } } : {}),
  };
  const [total, rows] = await Promise.all([
    db.prompt.count({ where }),
    db.prompt.findMany({
      where,
      orderBy: { name: "asc" },
      skip: (filter.page - 1) * filter.limit,
      take: filter.limit,
      include: {
        labels: { orderBy: { name: "asc" } },
        versions: { where: createdAt ? { createdAt } : {}, orderBy: { version: "desc" }, select: { version: true, config: true, createdAt: true } },
      },
    }),
  ]);
  const items = rows.map((p) => {
    const wanted = filter.label === undefined ? null : filter.label === "latest" ? p.latestVersion : p.labels.find((l) => l.name === filter.label)?.version;
    const versions = wanted === null ? p.versions : p.versions.filter((v) => v.version === wanted);
    const newest = versions[0];
    return {
      name: p.name,
      type: p.type,
      tags: p.tags,
      versions: versions.map((v) => v.version).reverse(),
      labels: [...new Set([...p.labels.map((l) => l.name), "latest"])].sort(),
      lastUpdatedAt: newest?.createdAt ?? p.updatedAt,
      lastConfig: (newest?.config ?? {}) as ModelConfig,
    };
  });
  return { items, total };
}

export async function promptIdByName(db: ReadDb, projectId: string, name: string): Promise<string | null> {
  const prompt = await db.prompt.findUnique({ where: { projectId_name: { projectId, name } }, select: { id: true } });
  return prompt?.id ?? null;
}

/** What saving a version needs to know of an existing prompt. */
export function promptSummaryByName(db: ReadDb, projectId: string, name: string) {
  return db.prompt.findUnique({ where: { projectId_name: { projectId, name } }, select: { id: true, description: true, tags: true } });
}
