import "server-only";
// The HTTP layer shared by the vendor clients: one attempt of a JSON POST under a timeout
// combined with the caller's signal, failures turned into ProviderErrors (with the key
// redacted), and a server-sent-events reader for streams. Calls go through Keel's egress policy
// (server/net/egress.ts); a connection failure says only that the provider could not be reached.
import { egressFetch, egressRefusalIn } from "../net/egress";
import { abortedError, ProviderError, redact } from "./errors";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, shouldRetryResponse, type RetryPolicy } from "./retry";
import type { ProviderOptions } from "./types";

export type Transport = {
  /** How errors name the provider: the connection's name, or the API host. */
  label: string;
  /** egressFetch; tests may pass a fake. */
  fetch: typeof fetch;
  timeoutMs: number;
  policy: RetryPolicy;
  /** Redacted from every message (the API key). */
  secrets: string[];
};

export const DEFAULT_TIMEOUT_MS = 60_000;

export function createTransport(baseUrl: string, apiKey: string | null | undefined, name: string | undefined, options: ProviderOptions = {}): Transport {
  return {
    label: name?.trim() || hostOf(baseUrl),
    fetch: options.fetch ?? egressFetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    policy: {
      maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      retryBaseMs: options.retryBaseMs ?? DEFAULT_RETRY_POLICY.retryBaseMs,
      maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxRetryDelayMs,
    },
    secrets: [...(apiKey ? [apiKey] : []), ...credentialsIn(baseUrl)],
  };
}

/** Credentials some deployments put in the base URL itself (user-info, `?api-key=`). */
function credentialsIn(url: string): string[] {
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.username), decodeURIComponent(u.password), u.username, u.password, ...u.searchParams.values()].filter((s) => s.length >= 4);
  } catch {
    return [];
  }
}

/** Only the host: a base URL may carry credentials (user-info, `?api-key=`) that must not be shown. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the provider";
  }
}

/** Appends a path to a base URL's path, keeping its query string (`?api-version=…` gateways). */
export function joinUrl(base: string, path: string): string {
  try {
    const url = new URL(base);
    url.pathname = url.pathname.replace(/\/+$/, "") + path;
    return url.toString();
  } catch {
    // Not a URL: fetch will say so, as a network error naming the provider.
    return base.replace(/\/+$/, "") + path;
  }
}

/**
 * One attempt's signal: the caller's signal combined with a timeout that `touch()` restarts, so
 * a stream may run long as long as chunks keep coming.
 */
export type Deadline = { signal: AbortSignal; touch(): void; clear(): void; readonly timedOut: boolean };

export function startDeadline(caller: AbortSignal | undefined, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException("The provider did not answer in time", "TimeoutError"));
    }, timeoutMs);
  };
  arm();
  // The caller's abort is passed on by a listener that clear() removes, not AbortSignal.any: on
  // Node 20 that builds a transferable, weakly tracked signal per call, a measurable part of a
  // gateway call's CPU (bench/README.md).
  const passOn = () => controller.abort(caller!.reason);
  if (caller?.aborted) passOn();
  else caller?.addEventListener("abort", passOn, { once: true });
  return {
    signal: controller.signal,
    touch: arm,
    clear: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", passOn);
    },
    get timedOut() {
      return timedOut;
    },
  };
}

/** Turns whatever an attempt threw into a ProviderError. */
export function classifyError(error: unknown, t: Transport, deadline: Deadline, caller: AbortSignal | undefined): ProviderError {
  if (error instanceof ProviderError) return error;
  if (caller?.aborted) return abortedError();
  if (deadline.timedOut) {
    return new ProviderError({ code: "timeout", message: `${t.label} did not answer within ${formatSeconds(t.timeoutMs)}.`, retryable: true });
  }
  const refused = egressRefusalIn(error);
  if (refused) return new ProviderError({ code: "network", message: redact(`Keel did not call ${t.label}: ${refused.message}.`, t.secrets), retryable: false });
  // No errno or socket message: "refused", "reset" and "closed" would tell ports apart (a scanner).
  return new ProviderError({ code: "network", message: redact(`Could not reach ${t.label}.`, t.secrets), retryable: true });
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** The provider's explanation from an error body (OpenAI `{error:{message}}`, Anthropic `{type:"error",error:{message}}`). */
export function errorMessageOf(body: string): string | null {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof json.error === "string") return json.error;
    if (typeof json.error?.message === "string") return json.error.message;
    if (typeof json.message === "string") return json.message;
  } catch {
    // Not JSON (an HTML page from a proxy, say): the status line says enough.
  }
  return null;
}

const MAX_MESSAGE = 500;

export function providerMessage(t: Transport, message: string): string {
  const clipped = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  return redact(clipped, t.secrets);
}

async function httpError(res: Response, t: Transport): Promise<ProviderError> {
  const body = await res.text().catch(() => "");
  const explanation = errorMessageOf(body) ?? (res.statusText || "no details");
  return new ProviderError({
    code: "http",
    status: res.status,
    message: providerMessage(t, `${t.label} returned ${res.status}: ${explanation}`),
    retryable: shouldRetryResponse(res.status, res.headers),
    retryAfterMs: parseRetryAfter(res.headers),
  });
}

/** POSTs JSON; resolves with a 2xx response, throws the provider's error otherwise. */
export async function postJson(t: Transport, url: string, headers: Record<string, string>, body: unknown, deadline: Deadline): Promise<Response> {
  const res = await t.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
    signal: deadline.signal,
  });
  if (!res.ok) throw await httpError(res, t);
  return res;
}

export async function readJson<T>(res: Response, t: Transport): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderError({ code: "invalid_response", status: res.status, message: `${t.label} answered with something that is not JSON.` });
  }
}

export function parseEventData<T>(data: string, t: Transport): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new ProviderError({ code: "invalid_response", message: `${t.label} sent a stream event that is not JSON.` });
  }
}

export type SseEvent = { event: string; data: string };

/** Parses a text/event-stream body (any chunking, LF/CR/CRLF line ends); `onChunk` runs per received chunk. */
export async function* readSse(body: ReadableStream<Uint8Array> | null, onChunk: () => void): AsyncGenerator<SseEvent> {
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let finished = false;
  const takeLine = (line: string): SseEvent | null => {
    if (line === "") {
      const out = data.length ? { event: event || "message", data: data.join("\n") } : null;
      event = "";
      data = [];
      return out;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    return null;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        buffer += decoder.decode();
      } else {
        onChunk();
        buffer += decoder.decode(value, { stream: true });
      }
      // A CR at the very end may be the first half of a CRLF split across chunks.
      const complete = !done && buffer.endsWith("\r") ? buffer.slice(0, -1) : buffer;
      const lines = complete.split(/\r\n|\r|\n/);
      buffer = (lines.pop() ?? "") + buffer.slice(complete.length);
      for (const line of lines) {
        const ev = takeLine(line);
        if (ev) yield ev;
      }
      if (done) {
        // Some servers omit the blank line after the last event.
        const last = takeLine(buffer) ?? takeLine("");
        if (last) yield last;
        return;
      }
    }
  } finally {
    // Stopped early (the caller broke off, or an error): release the connection.
    if (!finished) await reader.cancel().catch(() => {});
  }
}
