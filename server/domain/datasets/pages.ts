import "server-only";
// Reads the Langfuse-compatible dataset API needs beyond queries.ts: a dataset by name that may be
// missing (the caller words its own 404), a page of the live datasets with their total, and the
// dataset version current at a moment.
import type { ReadDb } from "../../db/client";

export function findDatasetByName(db: ReadDb, projectId: string, name: string) {
  return db.dataset.findUnique({ where: { projectId_name: { projectId, name } } });
}

export async function listLiveDatasetsPage(db: ReadDb, projectId: string, page: { skip: number; take: number }) {
  const where = { projectId, archivedAt: null };
  const [total, rows] = await Promise.all([
    db.dataset.count({ where }),
    db.dataset.findMany({ where, orderBy: { name: "asc" }, skip: page.skip, take: page.take }),
  ]);
  return { total, rows };
}

/** The newest version created at or before `at`; 0 when the dataset had none yet. */
export async function versionAt(db: ReadDb, datasetId: string, at: Date): Promise<number> {
  const found = await db.datasetVersion.findFirst({ where: { datasetId, createdAt: { lte: at } }, orderBy: { version: "desc" }, select: { version: true } });
  return found?.version ?? 0;
}
