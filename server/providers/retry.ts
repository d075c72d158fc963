import "server-only";
// Bounded retries with exponential back-off and jitter, honouring the provider's Retry-After.
// Retries happen only where repeating is safe: before a completion is returned, and for a
// stream only until its first event reached the caller (after that a retry would duplicate
// text the caller has already shown).
import { abortedError, ProviderError } from "./errors";

export type RetryPolicy = {
  maxRetries: number;
  retryBaseMs: number;
  maxRetryDelayMs: number;
  /** Injected by tests; Math.random otherwise. */
  random?: () => number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, retryBaseMs: 500, maxRetryDelayMs: 30_000 };

/** Timeouts, conflicts, rate limits and server errors; never other 4xx (the request is wrong). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The provider's own verdict (OpenAI and Anthropic send `x-should-retry`) wins over the status. */
export function shouldRetryResponse(status: number, headers: Headers): boolean {
  const verdict = headers.get("x-should-retry");
  if (verdict === "true") return true;
  if (verdict === "false") return false;
  return isRetryableStatus(status);
}

/** Retry-After as milliseconds: `retry-after-ms`, delay-seconds or an HTTP date; null if absent or unreadable. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | null {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number.parseFloat(value) * 1000);
  // An HTTP date names the day ("Wed, 21 Oct 2026 07:28:00 GMT"); Date.parse alone would also
  // accept things like "-3".
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Attempt n (1-based) failed: wait base·2^(n-1), scaled by a random factor in [0.5, 1) so clients spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const exponential = Math.min(policy.retryBaseMs * 2 ** (attempt - 1), policy.maxRetryDelayMs);
  return Math.round(exponential * (0.5 + 0.5 * (policy.random ?? Math.random)()));
}

export function retryDelay(error: ProviderError, attempt: number, policy: RetryPolicy): number {
  if (error.retryAfterMs !== null) return Math.min(error.retryAfterMs, policy.maxRetryDelayMs);
  return backoffDelay(attempt, policy);
}

/** Waits, or throws the "aborted" ProviderError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  // Attempts classify their own failures; anything else is a bug, surfaced as is.
  throw error;
}

/** Runs `attempt(n)` until it succeeds, fails for good, or retries run out. */
export async function withRetries<T>(policy: RetryPolicy, signal: AbortSignal | undefined, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const e = asProviderError(error);
      if (!e.retryable || n > policy.maxRetries || signal?.aborted) throw e;
      await sleep(retryDelay(e, n, policy), signal);
    }
  }
}

/** As withRetries, for a stream: an attempt may be retried only while it has yielded nothing. */
export async function* streamWithRetries<T>(policy: RetryPolicy, signal: AbortSignal | undefined, attempt: (n: number) => AsyncIterable<T>): AsyncGenerator<T> {
  for (let n = 1; ; n++) {
    let yielded = false;
    try {
      for await (const item of attempt(n)) {
        yielded = true;
        yield item;
      }
      return;
    } catch (error) {
      const e = asProviderError(error);
      if (yielded || !e.retryable || n > policy.maxRetries || signal?.aborted) throw e;
      await sleep(retryDelay(e, n, policy), signal);
    }
  }
}
