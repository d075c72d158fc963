import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "./limiter";

describe("AdaptiveLimiter", () => {
  it("never lets more than the limit run at once", async () => {
    const limiter = new AdaptiveLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await limiter.acquire();
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        release();
      }),
    );
    expect(peak).toBe(3);
  });

  it("halves on a rate limit, pauses for Retry-After, and grows back one slot per limit successes", async () => {
    let now = 1_000;
    const limiter = new AdaptiveLimiter(8, () => now);
    limiter.onRateLimited(500);
    expect(limiter.stats()).toMatchObject({ limit: 4, pausedUntil: 1_500 });
    let started = false;
    const pending = limiter.acquire().then((release) => {
      started = true;
      release();
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(false);
    now = 1_600;
    await new Promise((r) => setTimeout(r, 600));
    await pending;
    expect(started).toBe(true);
    for (let i = 0; i < 4; i++) limiter.onSuccess();
    expect(limiter.stats().limit).toBe(5);
    limiter.onRateLimited(null);
    limiter.onRateLimited(null);
    limiter.onRateLimited(null);
    expect(limiter.stats().limit).toBe(1);
  });
});
