import "server-only";
// The gateway's trace logger: every call becomes a span, written in the background. Logging must
// never slow or fail a response, so calls are queued in memory and flushed in batches (every
// FLUSH_MS, or sooner when BATCH_SIZE spans wait), one batch per project through the telemetry
// store. A full queue drops the oldest spans and counts them; a failed flush is logged and its
// spans are retried once with the next batch. Calls of keys without a quota are counted in the
// month's usage here, with their spans; a key with a quota was counted when admitted (limits.ts).
import { writeSpans, type StoredSpan } from "../telemetry/store";
import { logger } from "../runtime/log";

const log = logger("gateway");

const FLUSH_MS = 200;
const BATCH_SIZE = 500;
const MAX_QUEUED = 20_000;

type Entry = { projectId: string; keyId: string; span: StoredSpan; countUsage: boolean; retried: boolean };

export type TraceLoggerStats = { queued: number; written: number; dropped: number; failedFlushes: number };

export class TraceLogger {
  private queue: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly stats: TraceLoggerStats = { queued: 0, written: 0, dropped: 0, failedFlushes: 0 };

  constructor(private readonly write: typeof writeSpans = writeSpans) {}

  /** Queues a call's span; `countUsage`: also count the call in the key's monthly usage (see countsUsageWhenLogged). */
  log(projectId: string, keyId: string, span: StoredSpan, countUsage: boolean): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push({ projectId, keyId, span, countUsage, retried: false });
    if (this.queue.length >= BATCH_SIZE) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes everything queued so far (tests and shutdown wait for it). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.writeBatch(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    if (this.queue.length && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  private async writeBatch(batch: Entry[]): Promise<void> {
    const byProject = new Map<string, Entry[]>();
    for (const e of batch) {
      const list = byProject.get(e.projectId) ?? [];
      list.push(e);
      byProject.set(e.projectId, list);
    }
    for (const [projectId, entries] of byProject) {
      // Quota counting rides along with the spans: one row per key, in the same transaction.
      const perKey = new Map<string, number>();
      for (const e of entries) if (e.countUsage && !e.retried) perKey.set(e.keyId, (perKey.get(e.keyId) ?? 0) + 1);
      try {
        const [first, ...rest] = [...perKey];
        await this.write(
          projectId,
          entries.map((e) => e.span),
          first ? { keyId: first[0], requests: first[1] } : undefined,
        );
        for (const [keyId, requests] of rest) await this.write(projectId, [], { keyId, requests });
        this.stats.written += entries.length;
      } catch (error) {
        this.stats.failedFlushes++;
        log.error(`writing ${entries.length} call trace(s) failed`, { projectId, error });
        const again = entries.filter((e) => !e.retried).map((e) => ({ ...e, retried: true }));
        this.stats.dropped += entries.length - again.length;
        this.queue.unshift(...again);
      }
    }
  }

  snapshot(): TraceLoggerStats {
    return { ...this.stats, queued: this.queue.length };
  }
}
