import "server-only";
// Rollback targets: versions this environment served before (from the label history, moves made
// before it was protected included), newest first, without the one it serves now.
import type { ReadDb } from "../../db/client";
import { AppError } from "../../errors";

export async function rollbackTargets(db: ReadDb, projectId: string, q: { environment: string; prompt: string }) {
  const prompt = await db.prompt.findUnique({ where: { projectId_name: { projectId, name: q.prompt } }, select: { id: true } });
  if (!prompt) throw new AppError("NOT_FOUND", `No prompt named "${q.prompt}"`, { field: "prompt" });
  const [events, current] = await Promise.all([
    db.promptLabelEvent.findMany({ where: { promptId: prompt.id, label: q.environment }, orderBy: { at: "desc" }, take: 500 }),
    db.promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: q.environment } } }),
  ]);
  const seen = new Set<number>();
  const out: { version: number; lastDeployedAt: Date; movedBy: string }[] = [];
  for (const e of events) {
    if (seen.has(e.toVersion) || e.toVersion === current?.version) continue;
    seen.add(e.toVersion);
    out.push({ version: e.toVersion, lastDeployedAt: e.at, movedBy: e.actorLabel });
  }
  return { current: current?.version ?? null, targets: out };
}
