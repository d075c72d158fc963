import "server-only";
// Per-key gateway limits. The rate limit is a token bucket per key in this process (N requests a
// minute, refilled continuously; with several instances each enforces it on its own share). The
// monthly quota counts the key's calls this calendar month (UTC): the stored count (telemetry
// key_usage, written with the call traces), refreshed every few seconds, plus this process's calls
// since that read.
import { monthlyUsage } from "../telemetry/store";
import { GatewayError } from "./wire";

type Bucket = { tokens: number; at: number; capacity: number };
type Usage = { stored: number; since: number; loadedAt: number; month: string; loading: Promise<void> | null };

const USAGE_TTL_MS = 5_000;

export class GatewayLimits {
  private readonly buckets = new Map<string, Bucket>();
  private readonly usage = new Map<string, Usage>();

  constructor(private readonly readUsage: (keyId: string) => Promise<number> = monthlyUsage) {}

  /** Throws a 429 in OpenAI's format when the key is over its rate limit or quota; counts the call otherwise. */
  async admit(key: { keyId: string; rateLimitPerMinute: number | null; monthlyQuota: number | null }, now = Date.now()): Promise<void> {
    if (key.rateLimitPerMinute !== null) this.take(key.keyId, key.rateLimitPerMinute, now);
    if (key.monthlyQuota !== null) {
      const used = await this.used(key.keyId, now);
      if (used.stored + used.since >= key.monthlyQuota) {
        throw new GatewayError(
          429,
          "insufficient_quota",
          `This API key has used its monthly quota of ${key.monthlyQuota} gateway requests; it resets on the 1st (UTC) or when an admin raises it.`,
          "insufficient_quota",
        );
      }
      used.since++;
    }
  }

  private take(keyId: string, perMinute: number, now: number) {
    let bucket = this.buckets.get(keyId);
    if (!bucket || bucket.capacity !== perMinute) {
      bucket = { tokens: perMinute, at: now, capacity: perMinute };
      this.buckets.set(keyId, bucket);
    }
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000);
    bucket.at = now;
    if (bucket.tokens < 1) {
      const waitS = Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / perMinute));
      throw new GatewayError(
        429,
        "rate_limit_exceeded",
        `Rate limit reached for this API key: ${perMinute} requests per minute. Try again in ${waitS} s.`,
        "rate_limit_exceeded",
        null,
        { "retry-after": String(waitS) },
      );
    }
    bucket.tokens -= 1;
  }

  private async used(keyId: string, now: number): Promise<Usage> {
    const month = new Date(now).toISOString().slice(0, 7);
    let entry = this.usage.get(keyId);
    if (!entry || entry.month !== month) {
      entry = { stored: 0, since: 0, loadedAt: 0, month, loading: null };
      this.usage.set(keyId, entry);
    }
    if (now - entry.loadedAt > USAGE_TTL_MS) {
      const current = entry;
      current.loading ??= this.readUsage(keyId)
        .then((stored) => {
          // The stored figure includes the calls whose traces were written; the logger flushes
          // within a second of a call, so at most the last second's calls of this process are
          // missed at a refresh: a quota can be exceeded by about that many, never more.
          current.stored = stored;
          current.since = 0;
          current.loadedAt = Date.now();
        })
        .finally(() => {
          // Also after a failed read: the calls waiting on it fail, the next one reads again
          // (a rejected promise left here would refuse this key until restart).
          current.loading = null;
        });
      await current.loading;
    }
    return entry;
  }
}
