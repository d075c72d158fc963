import "server-only";
// What a person's home page lists that no other page orders that way: the project's most recently
// changed prompts (a new version, details, a label moved). Scoped by project in the query.
import type { ReadDb } from "../../db/client";

export async function recentPrompts(db: ReadDb, projectId: string, limit: number) {
  return db.prompt.findMany({
    where: { projectId },
    orderBy: [{ updatedAt: "desc" }, { name: "asc" }],
    take: limit,
    select: { name: true, latestVersion: true, updatedAt: true, labels: { select: { name: true, version: true }, orderBy: { name: "asc" } } },
  });
}
