import "server-only";
// Reading external (SDK) runs of a dataset: a page of them, newest first, and one by its name
// with its items in the order they finished.
import type { ReadDb } from "../../db/client";

export async function listExternalRunsPage(db: ReadDb, projectId: string, datasetId: string, page: { skip: number; take: number }) {
  const where = { projectId, source: "external" as const, datasetVersion: { datasetId } };
  const [total, runs] = await Promise.all([
    db.evaluationRun.count({ where }),
    db.evaluationRun.findMany({ where, orderBy: { number: "desc" }, skip: page.skip, take: page.take }),
  ]);
  return { total, runs };
}

export function findExternalRunWithItems(db: ReadDb, projectId: string, datasetId: string, name: string) {
  return db.evaluationRun.findFirst({
    where: { projectId, source: "external", name, datasetVersion: { datasetId } },
    include: { items: { orderBy: [{ finishedAt: "asc" }, { position: "asc" }, { repetition: "asc" }] } },
  });
}
