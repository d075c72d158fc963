import "server-only";
// The worker's telemetry tasks: folding ingested counts into the dashboard rollups (every second),
// online evaluation and random-sample routing over newly ingested generations (every
// KEEL_ONLINE_EVAL_SECONDS, default 5), and retention (hourly: whole day
// partitions dropped, shorter per-project retention deleted). Each runs in one process at a time
// across all workers (advisory locks), so any number of workers can run them.
import { getDb, type ReadDb } from "../../db/client";
import { DEFAULT_TELEMETRY_SETTINGS } from "../../contracts/observability";
import { exclusively, foldRollups, sweepRetention } from "../../telemetry/store";
import { runOnlinePass } from "./feedback";
import { setting } from "../../env";
import { logger, repeatLimited } from "../../runtime/log";

const telemetryLog = logger("telemetry");
/** Upkeep runs every second: while the database is away, one line per 10 s. */
const failures = repeatLimited(telemetryLog);

export async function sweepTelemetryRetention(now = Date.now()) {
  const db = getDb() as unknown as ReadDb;
  const [projects, settings] = await Promise.all([
    db.project.findMany({ select: { id: true } }),
    db.telemetrySettings.findMany({ select: { projectId: true, retentionDays: true } }),
  ]);
  const days = new Map(settings.map((s) => [s.projectId, s.retentionDays]));
  return sweepRetention(
    projects.map((p) => ({ projectId: p.id, retentionDays: days.get(p.id) ?? DEFAULT_TELEMETRY_SETTINGS.retentionDays })),
    DEFAULT_TELEMETRY_SETTINGS.retentionDays,
    now,
  );
}

export function startTelemetryUpkeep(log: (line: string) => void = (line) => telemetryLog.info(line)): { stop(): Promise<void> } {
  const seconds = setting("KEEL_ONLINE_EVAL_SECONDS");
  let current: Promise<unknown> | null = null;
  let lastSweep = 0;
  const tick = () => {
    if (current) return;
    current = (async () => {
      // Drain what arrived (several passes when a burst came in), then stop until the next tick.
      for (let i = 0; i < 20; i++) {
        const pass = await exclusively("online-evaluation", () => runOnlinePass());
        if (!pass || pass.generations < 500) break;
      }
      if (Date.now() - lastSweep > 3_600_000) {
        lastSweep = Date.now();
        const swept = await exclusively("retention", () => sweepTelemetryRetention());
        if (swept && (swept.droppedPartitions.length || swept.deletedSpans))
          log(`retention: dropped ${swept.droppedPartitions.length} day partition(s), deleted ${swept.deletedSpans} span(s)`);
      }
    })()
      .catch((error: unknown) => failures.error("upkeep failed", { error }))
      .finally(() => (current = null));
  };
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  let folding: Promise<unknown> | null = null;
  const fold = setInterval(() => {
    folding ??= foldRollups()
      .catch((error: unknown) => failures.error("folding rollups failed", { error }))
      .finally(() => (folding = null));
  }, 1_000);
  fold.unref();
  return {
    async stop() {
      clearInterval(timer);
      clearInterval(fold);
      await Promise.all([current, folding]);
    },
  };
}
