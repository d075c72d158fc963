// How many model calls may be in flight: never more than the limit (the run's concurrency, and
// each provider connection's), halved when the provider answers "rate limited" and grown back by
// one per success (AIMD, as TCP does), and paused entirely until a Retry-After has passed.
// Pure and in-process: each worker bounds its own calls.

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

  /** The provider said "too many requests": halve the limit and wait as long as it asked. */
  onRateLimited(retryAfterMs: number | null): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successesSinceChange = 0;
    if (retryAfterMs !== null && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
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
  const configured = Number(process.env.KEEL_EVAL_PROVIDER_CONCURRENCY);
  return Number.isInteger(configured) && configured > 0 ? configured : 32;
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
