import "server-only";
// Datasets themselves: create, describe (name, description, JSON Schemas), archive and restore,
// and delete an unused dataset with its history.
import type { AuditedTx } from "../../audit/mutation";
import { AppError, isUniqueViolation, notFound } from "../../errors";
import { Prisma } from "../../db/generated/client";
import { compileSchema } from "./schemas";
import { prepareItem, isProblem } from "./content";
import type { ProjectCtx } from "./store";

type SchemaInput = Record<string, unknown> | null;

function conflictOnName(error: unknown, name: string): never {
  if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A dataset named "${name}" already exists in this project`, { field: "name" });
  throw error;
}

function checkSchemas(input: { inputSchema?: SchemaInput; expectedSchema?: SchemaInput }) {
  if (input.inputSchema) compileSchema(input.inputSchema, "inputSchema");
  if (input.expectedSchema) compileSchema(input.expectedSchema, "expectedSchema");
}

const snapshot = (d: { name: string; description: string; inputSchema: unknown; expectedSchema: unknown }) => ({
  name: d.name,
  description: d.description,
  inputSchema: d.inputSchema ?? null,
  expectedSchema: d.expectedSchema ?? null,
});

export async function createDataset(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { name: string; description?: string; inputSchema?: SchemaInput; expectedSchema?: SchemaInput },
) {
  checkSchemas(input);
  const dataset = await w.tx.dataset
    .create({
      data: {
        projectId: ctx.projectId,
        name: input.name,
        description: input.description?.trim() ?? "",
        inputSchema: (input.inputSchema ?? undefined) as object | undefined,
        expectedSchema: (input.expectedSchema ?? undefined) as object | undefined,
      },
    })
    .catch((error: unknown) => conflictOnName(error, input.name));
  w.record({ orgId: ctx.orgId, projectId: ctx.projectId, action: "dataset.created", targetType: "dataset", targetId: dataset.id, after: snapshot(dataset) });
  return dataset;
}

/**
 * Renames, re-describes or changes the schemas. New schemas must accept every item of the latest
 * version, otherwise the change is refused naming the first item that fails.
 */
export async function updateDataset(
  w: AuditedTx,
  ctx: ProjectCtx,
  input: { id: string; name?: string; description?: string; inputSchema?: SchemaInput; expectedSchema?: SchemaInput },
) {
  const rows = await w.tx.$queryRaw<{ id: string }[]>`SELECT id FROM datasets WHERE id = ${input.id}::uuid AND project_id = ${ctx.projectId}::uuid FOR UPDATE`;
  if (!rows[0]) throw notFound("Dataset");
  const current = await w.tx.dataset.findUniqueOrThrow({ where: { id: input.id } });
  const next = {
    name: input.name ?? current.name,
    description: input.description !== undefined ? input.description.trim() : current.description,
    inputSchema: input.inputSchema !== undefined ? input.inputSchema : (current.inputSchema as SchemaInput),
    expectedSchema: input.expectedSchema !== undefined ? input.expectedSchema : (current.expectedSchema as SchemaInput),
  };
  const before = snapshot(current);
  if (JSON.stringify(snapshot(next)) === JSON.stringify(before)) {
    w.unchanged();
    return current;
  }
  checkSchemas(next);
  const schemasChanged = JSON.stringify([next.inputSchema, next.expectedSchema]) !== JSON.stringify([before.inputSchema, before.expectedSchema]);
  if (schemasChanged && (next.inputSchema || next.expectedSchema)) await assertItemsFit(w, input.id, current.latestVersion, next);
  const updated = await w.tx.dataset
    .update({
      where: { id: input.id },
      data: {
        name: next.name,
        description: next.description,
        // Prisma's JSON null needs its sentinel; a plain null would mean "no change".
        inputSchema: (next.inputSchema as Prisma.InputJsonObject | null) ?? DbNull(),
        expectedSchema: (next.expectedSchema as Prisma.InputJsonObject | null) ?? DbNull(),
      },
    })
    .catch((error: unknown) => conflictOnName(error, next.name));
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.updated",
    targetType: "dataset",
    targetId: input.id,
    before,
    after: snapshot(updated),
  });
  return updated;
}

const DbNull = () => Prisma.DbNull;

async function assertItemsFit(w: AuditedTx, datasetId: string, version: number, schemas: { inputSchema: SchemaInput; expectedSchema: SchemaInput }) {
  if (version === 0) return;
  const validators = {
    input: schemas.inputSchema ? compileSchema(schemas.inputSchema, "inputSchema") : null,
    expected: schemas.expectedSchema ? compileSchema(schemas.expectedSchema, "expectedSchema") : null,
  };
  let after = 0;
  for (;;) {
    const batch = await w.tx.$queryRaw<{ position: number; input: unknown; expected: unknown }[]>(
      Prisma.sql`SELECT position, input, expected FROM dataset_item_revisions
       WHERE dataset_id = ${datasetId}::uuid AND valid_to = 2147483647 AND position > ${after} ORDER BY position LIMIT 2000`,
    );
    for (const row of batch) {
      const result = prepareItem({ input: row.input, expected: row.expected }, validators);
      if (isProblem(result)) {
        throw new AppError("BAD_REQUEST", `Item #${row.position} does not fit the new schema: ${result.field} ${result.message}`, {
          field: result.field.startsWith("expected") ? "expectedSchema" : "inputSchema",
        });
      }
    }
    if (batch.length < 2000) return;
    after = batch[batch.length - 1]!.position;
  }
}

export async function setDatasetArchived(w: AuditedTx, ctx: ProjectCtx, input: { id: string; archived: boolean }) {
  const dataset = await w.tx.dataset.findFirst({ where: { id: input.id, projectId: ctx.projectId } });
  if (!dataset) throw notFound("Dataset");
  if ((dataset.archivedAt !== null) === input.archived) {
    w.unchanged();
    return dataset;
  }
  const updated = await w.tx.dataset.update({ where: { id: dataset.id }, data: { archivedAt: input.archived ? new Date() : null } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: input.archived ? "dataset.archived" : "dataset.restored",
    targetType: "dataset",
    targetId: dataset.id,
    before: { name: dataset.name, archived: !input.archived },
    after: { name: dataset.name, archived: input.archived },
  });
  return updated;
}

const FOREIGN_KEY_VIOLATION = "23503";

/** A delete refused by a foreign key (PostgreSQL 23503, or 23001 for ON DELETE RESTRICT), however Prisma wraps it. */
function isForeignKeyViolation(error: unknown): boolean {
  type Cause = { kind?: string; originalCode?: string; code?: string };
  const e = error as { code?: string; meta?: { driverAdapterError?: { cause?: Cause } }; cause?: Cause } | undefined;
  const cause = e?.meta?.driverAdapterError?.cause ?? e?.cause;
  return (
    e?.code === "P2003" ||
    cause?.kind === "RestrictViolation" ||
    cause?.kind === "ForeignKeyConstraintViolation" ||
    [FOREIGN_KEY_VIOLATION, "23001"].includes(cause?.originalCode ?? cause?.code ?? "")
  );
}

/**
 * Deletes a dataset with all its versions and items. Refused while anything (an evaluation run)
 * references one of its versions: archive it instead.
 */
export async function deleteDataset(w: AuditedTx, ctx: ProjectCtx, input: { id: string; confirmName: string }) {
  const rows = await w.tx.$queryRaw<{ id: string; name: string; latest_version: number }[]>`
    SELECT id, name, latest_version FROM datasets WHERE id = ${input.id}::uuid AND project_id = ${ctx.projectId}::uuid FOR UPDATE`;
  const dataset = rows[0];
  if (!dataset) throw notFound("Dataset");
  if (input.confirmName !== dataset.name) throw new AppError("BAD_REQUEST", `Type the dataset's name ("${dataset.name}") to confirm`, { field: "confirmName" });
  const latest = await w.tx.datasetVersion.findUnique({
    where: { datasetId_version: { datasetId: dataset.id, version: dataset.latest_version } },
    select: { itemCount: true },
  });
  try {
    // The history guard lets deletes through only for the dataset named in this setting.
    await w.tx.$executeRaw`SELECT set_config('keel.purge', ${`dataset:${dataset.id}`}, true)`;
    await w.tx.$executeRaw`DELETE FROM dataset_item_revisions WHERE dataset_id = ${dataset.id}::uuid`;
    await w.tx.$executeRaw`DELETE FROM dataset_versions WHERE dataset_id = ${dataset.id}::uuid`;
    await w.tx.$executeRaw`DELETE FROM datasets WHERE id = ${dataset.id}::uuid`;
    await w.tx.$executeRaw`SELECT set_config('keel.purge', '', true)`;
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new AppError("CONFLICT", `"${dataset.name}" is used by an evaluation and cannot be deleted; archive it instead`);
    }
    throw error;
  }
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "dataset.deleted",
    targetType: "dataset",
    targetId: dataset.id,
    before: { name: dataset.name, latestVersion: dataset.latest_version, itemCount: latest?.itemCount ?? 0 },
  });
  return { name: dataset.name };
}
