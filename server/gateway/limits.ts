import "server-only";
// Per-key gateway limits, shared by every Keel instance on the database: a rate limit of N calls
// a minute (a token bucket refilled continuously) and a monthly quota (calls this calendar month,
// UTC). Both are decided by PostgreSQL in one statement per call (admitKeyCall in the telemetry
// store), so two instances, or twenty, admit exactly what one would. Keys without limits cost no
// round trip; their calls are counted in the month's usage by the trace logger instead.
import { admitKeyCall, type KeyAdmission } from "../telemetry/store";
import { GatewayError } from "./wire";

export type KeyLimits = { keyId: string; rateLimitPerMinute: number | null; monthlyQuota: number | null };

type Admit = (keyId: string, limits: { perMinute: number | null; monthlyQuota: number | null }) => Promise<KeyAdmission>;

export class GatewayLimits {
  constructor(private readonly admitCall: Admit = admitKeyCall) {}

  /**
   * Throws a 429 in OpenAI's format when the key is over its rate limit or quota; otherwise the
   * call is admitted (and, for a key with a quota, counted in this month's usage).
   */
  async admit(key: KeyLimits): Promise<void> {
    if (key.rateLimitPerMinute === null && key.monthlyQuota === null) return;
    const admission = await this.admitCall(key.keyId, { perMinute: key.rateLimitPerMinute, monthlyQuota: key.monthlyQuota });
    const refused = refusal(key, admission);
    if (refused) throw refused;
  }
}

/** Whether the trace logger counts this key's calls in the month's usage (admit() already did for a key with a quota). */
export function countsUsageWhenLogged(key: KeyLimits): boolean {
  return key.monthlyQuota === null;
}

/** The 429 a refused admission answers with (null: admitted). */
export function refusal(key: KeyLimits, admission: KeyAdmission): GatewayError | null {
  if (!admission.rateOk && key.rateLimitPerMinute !== null) {
    const waitS = Math.max(1, Math.ceil(admission.waitSeconds ?? 0));
    return new GatewayError(
      429,
      "rate_limit_exceeded",
      `Rate limit reached for this API key: ${key.rateLimitPerMinute} requests per minute. Try again in ${waitS} s.`,
      "rate_limit_exceeded",
      null,
      { "retry-after": String(waitS) },
    );
  }
  if (!admission.quotaOk && key.monthlyQuota !== null) {
    return new GatewayError(
      429,
      "insufficient_quota",
      `This API key has used its monthly quota of ${key.monthlyQuota} gateway requests; it resets on the 1st (UTC) or when an admin raises it.`,
      "insufficient_quota",
    );
  }
  return null;
}
