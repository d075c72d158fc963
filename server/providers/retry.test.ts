import { describe, expect, it } from "vitest";
import { ProviderError } from "./errors";
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryDelay, sleep, streamWithRetries, withRetries, type RetryPolicy } from "./retry";

const policy: RetryPolicy = { maxRetries: 3, retryBaseMs: 100, maxRetryDelayMs: 30_000 };
const retryable = (retryAfterMs: number | null = null) => new ProviderError({ code: "http", status: 503, message: "busy", retryable: true, retryAfterMs });

describe("isRetryableStatus", () => {
  it("retries 408, 409, 429 and 5xx only", () => {
    expect([408, 409, 429, 500, 502, 503, 504, 529].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it("reads delay-seconds, fractions and retry-after-ms", () => {
    expect(parseRetryAfter(h({ "retry-after": "2" }))).toBe(2000);
    expect(parseRetryAfter(h({ "retry-after": "0.5" }))).toBe(500);
    expect(parseRetryAfter(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
    expect(parseRetryAfter(h({ "retry-after": "Wed, 21 Oct 2026 07:28:05 GMT" }), now)).toBe(5000);
    expect(parseRetryAfter(h({ "retry-after": "Wed, 21 Oct 2026 07:27:00 GMT" }), now)).toBe(0);
  });
  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(h({}))).toBeNull();
    expect(parseRetryAfter(h({ "retry-after": "soon" }))).toBeNull();
    expect(parseRetryAfter(h({ "retry-after": "-3" }))).toBeNull();
  });
});

describe("back-off", () => {
  it("doubles per attempt with jitter in [50%, 100%], capped", () => {
    const low = { ...policy, random: () => 0 };
    const high = { ...policy, random: () => 0.999999 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, low))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, high))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(20, { ...high, maxRetryDelayMs: 5000 })).toBe(5000);
  });
  it("prefers Retry-After, capped at maxRetryDelayMs", () => {
    expect(retryDelay(retryable(1500), 1, policy)).toBe(1500);
    expect(retryDelay(retryable(3_600_000), 1, policy)).toBe(30_000);
    expect(retryDelay(retryable(0), 3, policy)).toBe(0);
  });
});

describe("withRetries", () => {
  const fast = { ...policy, retryBaseMs: 1 };
  it("retries retryable errors up to maxRetries, then throws the last", async () => {
    let calls = 0;
    await expect(
      withRetries(fast, undefined, async () => {
        calls += 1;
        throw retryable();
      }),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(4);
  });
  it("does not retry a non-retryable error", async () => {
    let calls = 0;
    await expect(
      withRetries(fast, undefined, async () => {
        calls += 1;
        throw new ProviderError({ code: "http", status: 400, message: "bad" });
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(calls).toBe(1);
  });
  it("passes the attempt number and returns the first success", async () => {
    const seen: number[] = [];
    const value = await withRetries(fast, undefined, async (n) => {
      seen.push(n);
      if (n < 3) throw retryable();
      return "ok";
    });
    expect(value).toBe("ok");
    expect(seen).toEqual([1, 2, 3]);
  });
  it("surfaces bugs (non-ProviderErrors) without retrying", async () => {
    let calls = 0;
    await expect(
      withRetries(fast, undefined, async () => {
        calls += 1;
        throw new TypeError("bug");
      }),
    ).rejects.toThrow("bug");
    expect(calls).toBe(1);
  });
});

describe("streamWithRetries", () => {
  const fast = { ...policy, retryBaseMs: 1 };
  it("retries while nothing was yielded, never after", async () => {
    let calls = 0;
    const out: string[] = [];
    const source = async function* (n: number) {
      calls = n;
      if (n === 1) throw retryable();
      yield "a";
      if (n === 2) throw retryable();
    };
    await expect(
      (async () => {
        for await (const x of streamWithRetries(fast, undefined, source)) out.push(x);
      })(),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(2);
    expect(out).toEqual(["a"]);
  });
});

describe("sleep", () => {
  it("rejects with an aborted ProviderError when the signal fires", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const started = Date.now();
    await expect(sleep(5000, controller.signal)).rejects.toMatchObject({ code: "aborted" });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(sleep(10, AbortSignal.abort())).rejects.toMatchObject({ code: "aborted" });
  });
});
