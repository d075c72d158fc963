import { describe, expect, it } from "vitest";
import { GatewayLimits } from "./limits";
import { GatewayError } from "./wire";

const key = { keyId: "k1", rateLimitPerMinute: null, monthlyQuota: 5 };

describe("gateway quota check", () => {
  it("reads usage again after a failed read instead of refusing the key until restart", async () => {
    let reads = 0;
    let stored = 0;
    const limits = new GatewayLimits(async () => {
      reads++;
      if (reads === 1) throw new Error("Connection terminated unexpectedly");
      return stored;
    });
    const now = Date.now();
    await expect(limits.admit(key, now)).rejects.toThrow("Connection terminated unexpectedly");
    // The next call reads again (the failure is not cached) and is admitted: 4 of 5 used.
    stored = 4;
    await expect(limits.admit(key, now + 1)).resolves.toBeUndefined();
    expect(reads).toBe(2);
    // The quota still holds: that was the fifth call.
    const over = await limits.admit(key, now + 2).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(GatewayError);
    expect((over as GatewayError).status).toBe(429);
  });

  it("shares one read among concurrent calls", async () => {
    let reads = 0;
    const limits = new GatewayLimits(async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 10));
      return 0;
    });
    await Promise.all(Array.from({ length: 5 }, () => limits.admit(key, Date.UTC(2026, 11, 7))));
    expect(reads).toBe(1);
  });
});
