// Per-key gateway limits are decided by PostgreSQL, so two Keel processes (here two GatewayLimits,
// each on its own connection pool as two processes would be) share one limit exactly: a burst
// split between them admits what a single instance would, never one call more.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { GatewayLimits, type KeyLimits } from "./limits";
import { GatewayError } from "./wire";
import { admitKeyCall, closeTelemetryPool } from "../telemetry/store";

// A second process's connections: a pool of its own on the same database.
const otherPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const otherProcess = new GatewayLimits((keyId, limits) => admitKeyCall(keyId, limits, otherPool));
const thisProcess = new GatewayLimits();

afterAll(async () => {
  await otherPool.end();
  await closeTelemetryPool();
});

/** Fires `n` calls at once, alternating between the two instances; returns the refusals. */
async function burst(key: KeyLimits, n: number): Promise<GatewayError[]> {
  const outcomes = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      (i % 2 ? otherProcess : thisProcess).admit(key).then(
        () => null,
        (error: unknown) => error,
      ),
    ),
  );
  for (const o of outcomes) if (o !== null && !(o instanceof GatewayError)) throw o;
  return outcomes.filter((o): o is GatewayError => o !== null);
}

async function monthUsage(keyId: string): Promise<number> {
  const { rows } = await otherPool.query<{ requests: string }>(
    "SELECT requests FROM telemetry.key_usage WHERE key_id = $1 AND month = date_trunc('month', now() AT TIME ZONE 'UTC')::date",
    [keyId],
  );
  return rows[0] ? Number(rows[0].requests) : 0;
}

describe("gateway limits across instances", () => {
  it("admits exactly the rate limit from a burst split between two instances, and refills by the minute", async () => {
    // 5 a minute: one slot every 12 s, so the burst cannot see a refill while it runs.
    const key = { keyId: randomUUID(), rateLimitPerMinute: 5, monthlyQuota: null };
    const refused = await burst(key, 24);
    expect(refused).toHaveLength(24 - 5);
    for (const r of refused) {
      expect(r).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
      const wait = Number(r.headers["retry-after"]);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(12);
    }
    // Twelve seconds pass (the bucket's clock moved back, rather than a test that sleeps): one more call, from either instance.
    await otherPool.query("UPDATE gateway_rate_limits SET tat = tat - 12 WHERE key_id = $1", [key.keyId]);
    expect(await burst(key, 6)).toHaveLength(5);
  });

  it("admits exactly N for limits whose step is not a whole number of microseconds", async () => {
    // 60 s / 7 is 8.571428… s: a full bucket still holds exactly 7.
    const key = { keyId: randomUUID(), rateLimitPerMinute: 7, monthlyQuota: null };
    expect(await burst(key, 20)).toHaveLength(13);
  });

  it("counts a monthly quota exactly across instances and never past it", async () => {
    const key = { keyId: randomUUID(), rateLimitPerMinute: null, monthlyQuota: 9 };
    const refused = await burst(key, 30);
    expect(refused).toHaveLength(21);
    for (const r of refused) expect(r).toMatchObject({ status: 429, code: "insufficient_quota" });
    expect(await monthUsage(key.keyId)).toBe(9);
    // Raising the quota lets exactly the difference through.
    expect(await burst({ ...key, monthlyQuota: 12 }, 10)).toHaveLength(7);
    expect(await monthUsage(key.keyId)).toBe(12);
  });

  it("does not count calls the rate limit refused against the quota", async () => {
    const key = { keyId: randomUUID(), rateLimitPerMinute: 3, monthlyQuota: 100 };
    const refused = await burst(key, 10);
    expect(refused.map((r) => r.code)).toEqual(Array(7).fill("rate_limit_exceeded"));
    expect(await monthUsage(key.keyId)).toBe(3);
  });

  it("keeps the month's usage that the trace logger counted before a quota was set", async () => {
    const keyId = randomUUID();
    await otherPool.query("INSERT INTO telemetry.key_usage (key_id, month, requests) VALUES ($1, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 4)", [
      keyId,
    ]);
    expect(await burst({ keyId, rateLimitPerMinute: null, monthlyQuota: 5 }, 3)).toHaveLength(2);
  });

  it("keeps rate-limit rows out of the write-ahead log (an unlogged table)", async () => {
    const { rows } = await otherPool.query<{ relpersistence: string }>("SELECT relpersistence FROM pg_class WHERE oid = 'gateway_rate_limits'::regclass");
    expect(rows[0]?.relpersistence).toBe("u");
  });
});
