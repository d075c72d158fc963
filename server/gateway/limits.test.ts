// The gateway's answers to a refused admission. Admission itself is decided by PostgreSQL
// (admitKeyCall): limits.int.test.ts checks it across instances on a real database.
import { describe, expect, it } from "vitest";
import { countsUsageWhenLogged, GatewayLimits, refusal } from "./limits";
import { GatewayError } from "./wire";

const key = { keyId: "k1", rateLimitPerMinute: 30, monthlyQuota: 5 };
const admitted = { rateOk: true, quotaOk: true, waitSeconds: null };

describe("gateway limits", () => {
  it("answers a rate-limited call with OpenAI's 429 and a Retry-After of whole seconds, at least 1", () => {
    const late = refusal(key, { rateOk: false, quotaOk: true, waitSeconds: 1.2 });
    expect(late).toBeInstanceOf(GatewayError);
    expect(late).toMatchObject({ status: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded", headers: { "retry-after": "2" } });
    expect(late?.message).toBe("Rate limit reached for this API key: 30 requests per minute. Try again in 2 s.");
    // A slot a fraction of a millisecond away still says 1 s (0 would invite an immediate retry).
    expect(refusal(key, { rateOk: false, quotaOk: true, waitSeconds: 0.0004 })?.headers["retry-after"]).toBe("1");
  });

  it("answers a call over the monthly quota with insufficient_quota", () => {
    const over = refusal(key, { rateOk: true, quotaOk: false, waitSeconds: null });
    expect(over).toMatchObject({ status: 429, type: "insufficient_quota", code: "insufficient_quota" });
    expect(over?.message).toMatch(/monthly quota of 5 gateway requests; it resets on the 1st \(UTC\)/);
    expect(refusal(key, admitted)).toBeNull();
  });

  it("asks the database nothing for a key without limits, and leaves its usage to the trace logger", async () => {
    let asked = 0;
    const limits = new GatewayLimits(async () => {
      asked++;
      return admitted;
    });
    await limits.admit({ keyId: "free", rateLimitPerMinute: null, monthlyQuota: null });
    expect(asked).toBe(0);
    await limits.admit(key);
    expect(asked).toBe(1);
    expect(countsUsageWhenLogged({ keyId: "free", rateLimitPerMinute: null, monthlyQuota: null })).toBe(true);
    expect(countsUsageWhenLogged({ keyId: "rated", rateLimitPerMinute: 10, monthlyQuota: null })).toBe(true);
    expect(countsUsageWhenLogged(key)).toBe(false);
  });

  it("throws the refusal it is given", async () => {
    const limits = new GatewayLimits(async () => ({ rateOk: false, quotaOk: true, waitSeconds: 3 }));
    await expect(limits.admit(key)).rejects.toMatchObject({ status: 429, headers: { "retry-after": "3" } });
  });
});
