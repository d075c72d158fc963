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

  it("loses a slot per rate limit, pauses only for a long Retry-After, and grows back one slot per limit successes", async () => {
    let now = 1_000;
    const limiter = new AdaptiveLimiter(8, () => now);
    const holder = await limiter.acquire();
    limiter.onRateLimited(1_000);
    expect(limiter.stats()).toMatchObject({ limit: 7, pausedUntil: 0 });
    for (let i = 0; i < 3; i++) limiter.onRateLimited(null);
    limiter.onRateLimited(10_500);
    expect(limiter.stats()).toMatchObject({ limit: 3, pausedUntil: 11_500 });
    let started = false;
    const pending = limiter.acquire().then((release) => {
      started = true;
      release();
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(false);
    now = 11_600;
    holder(); // a release re-checks the waiters against the (advanced) clock
    await pending;
    expect(started).toBe(true);
    for (let i = 0; i < 3; i++) limiter.onSuccess();
    expect(limiter.stats().limit).toBe(4);
    for (let i = 0; i < 10; i++) limiter.onRateLimited(null);
    expect(limiter.stats().limit).toBe(1);
  });
});
