// How many model calls may be in flight: never more than the limit (the run's concurrency, and
// each provider connection's). Every "rate limited" answer lowers the limit by one and every
// `limit` successes raise it by one, so a provider that keeps refusing is soon called one request
// at a time, while an occasional 429 costs almost nothing. The refused request itself waits out
// its Retry-After (the caller does that, with its slot released); a long Retry-After (≥ 10 s, a
// real quota wall) also pauses new calls until it has passed. Pure and in-process: each worker
// bounds its own calls.
import { setting } from "../../env";

/** A Retry-After this long means a quota wall, not a blip: new calls wait too. */
export const LONG_RETRY_AFTER_MS = 10_000;

export type LimiterStats = { inFlight: number; limit: number; max: number; pausedUntil: number };

export class AdaptiveLimiter {
  private inFlight = 0;
  private limit: number;
  private pausedUntil = 0;
  private successesSinceChange = 0;
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly max: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new Error("A limiter needs a maximum of at least 1");
    this.limit = max;
  }

  stats(): LimiterStats {
    return { inFlight: this.inFlight, limit: this.limit, max: this.max, pausedUntil: this.pausedUntil };
  }

  /** Waits for a slot; the returned function gives it back (call it exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (!this.canStart()) {
      if (signal?.aborted) throw signal.reason ?? new Error("aborted");
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        this.schedulePauseEnd();
      });
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.wake();
    };
  }

  /** A call succeeded: grow back towards the maximum, one slot per `limit` successes. */
  onSuccess(): void {
    if (this.limit >= this.max) return;
    this.successesSinceChange++;
    if (this.successesSinceChange >= this.limit) {
      this.limit++;
      this.successesSinceChange = 0;
      this.wake();
    }
  }

  /** The provider said "too many requests": one slot fewer; a long Retry-After pauses new calls too. */
  onRateLimited(retryAfterMs: number | null): void {
    // Successes keep counting across an occasional refusal: a 5% background of 429s must not
    // wear the limit down, only a run of them.
    this.limit = Math.max(1, this.limit - 1);
    if (retryAfterMs !== null && retryAfterMs >= LONG_RETRY_AFTER_MS) this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
  }

  private canStart(): boolean {
    return this.inFlight < this.limit && this.now() >= this.pausedUntil;
  }

  private wake(): void {
    // Wake everyone: each re-checks; at most the free slots proceed.
    const waiting = this.waiters.splice(0);
    for (const resolve of waiting) resolve();
  }

  private schedulePauseEnd(): void {
    const wait = this.pausedUntil - this.now();
    if (wait <= 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, wait);
    this.timer.unref?.();
  }
}

/** Calls in flight per provider connection and process: KEEL_EVAL_PROVIDER_CONCURRENCY (default 32). */
export function providerConcurrency(): number {
  return setting("KEEL_EVAL_PROVIDER_CONCURRENCY");
}

/** One limiter per provider connection in this process, shared by every run using it. */
const byProvider = new Map<string, AdaptiveLimiter>();

export function providerLimiter(providerKey: string): AdaptiveLimiter {
  let limiter = byProvider.get(providerKey);
  if (!limiter) {
    limiter = new AdaptiveLimiter(providerConcurrency());
    byProvider.set(providerKey, limiter);
  }
  return limiter;
}
