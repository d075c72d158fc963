// What every role process (`npx keel web|worker|ingest`, and the same commands under `npm start`)
// does around its work: wait for the request to stop, and close its database connections once the
// work has stopped, so nothing it held is cut by the database going away first.
import cluster from "node:cluster";

export type StopReason = "SIGTERM" | "SIGINT" | "parent gone";

/**
 * Resolves when this process should stop. On its own: SIGTERM or SIGINT (Ctrl-C). Under `npm
 * start`: SIGTERM only, or its parent going away (even killed), so it never runs on as an orphan;
 * a Ctrl-C reaches every process of the terminal's group, the web and ingest processes too (node:
 * cluster cannot give them a group of their own), and the supervisor, which got the same Ctrl-C,
 * stops the roles in order and the database last.
 */
export function untilStopped(supervised: boolean): Promise<StopReason> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    if (supervised) {
      process.on("SIGINT", () => {});
      const parent = process.ppid;
      setInterval(() => process.ppid !== parent && resolve("parent gone"), 1_000).unref();
    } else process.once("SIGINT", () => resolve("SIGINT"));
    // A second signal while stopping changes nothing: KEEL_SHUTDOWN_SECONDS bounds the stop.
  });
}

/**
 * Tells the supervisor (a node:cluster primary) that this process cannot do its work at all (its
 * port is taken), so a first start fails with that reason instead of restarting for ever.
 */
export function reportFatal(message: string): void {
  if (cluster.isWorker && process.send) process.send({ keel: "fatal", message });
}

/** Closes what any role may have opened on the database: the job queue, Prisma, the telemetry pool. */
export async function closeConnections(): Promise<void> {
  await (await import("../../queue/boss")).stopBoss().catch(() => {});
  const { closeReadOnlyDb, getDb } = await import("../../db/client");
  await getDb()
    .$disconnect()
    .catch(() => {});
  await closeReadOnlyDb().catch(() => {});
  await (await import("../../telemetry/store")).closeTelemetryPool().catch(() => {});
}
