import "server-only";
// The single error type provider clients throw. Its message is safe to show to the person who
// ran the prompt: the provider's own explanation, never the API key or request headers.

export type ProviderErrorCode =
  /** The provider answered with a non-2xx status (or an error event inside a stream). */
  | "http"
  /** No answer (or, in a stream, no next chunk) within the timeout. */
  | "timeout"
  /** Connection refused, reset, DNS failure, TLS failure. */
  | "network"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /** A 2xx answer Keel could not understand. */
  | "invalid_response";

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  /** The HTTP status when the provider answered with one. */
  readonly status: number | null;
  /** Whether trying again may succeed (rate limits, overload, network trouble). */
  readonly retryable: boolean;
  /** How long the provider asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | null;

  constructor(init: { code: ProviderErrorCode; message: string; status?: number | null; retryable?: boolean; retryAfterMs?: number | null }) {
    super(init.message);
    this.name = "ProviderError";
    this.code = init.code;
    this.status = init.status ?? null;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

export function abortedError(): ProviderError {
  return new ProviderError({ code: "aborted", message: "The request was cancelled." });
}

/** Removes every occurrence of the given secrets (the API key) from text shown to people. */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.replaceAll(s, "[redacted]");
  return out;
}
