import "server-only";
// Keel's egress policy: the one way Keel's server makes an outbound request (provider calls,
// webhook deliveries, the audit checkpoint sink, and any future outbound code; eslint forbids
// bare fetch / http.request elsewhere under server/). A request may connect only to a public
// address, unless KEEL_EGRESS_ALLOW names the address range or the host (server/net/egress-allow.ts).
//
// The check is made on the address actually connected to: the agents resolve names through a
// lookup hook that refuses the connection when any address the name resolves to is refused, and
// the socket connects to the address that same lookup returned, so a rebinding DNS answer cannot
// slip in between check and connect. Address literals (which node:net connects to without a
// lookup) are checked before connecting; the connected socket's remote address is checked once
// more. Redirects are never followed: a 3xx is the answer.
//
// Callers also check URLs when they are saved (checkUrlForSave): a clear 400 naming the field.
// Messages never say what a refused address answered, or what a name resolved to.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";
import { AppError } from "../errors";
import { setting } from "../env";
import { isHostAllowed, literalVerdict, parseAddress, parseEgressAllow, refusalOf, refusedText, type EgressPolicy } from "./egress-allow";

let current: EgressPolicy | null = null;

/**
 * The policy in force: KEEL_EGRESS_ALLOW as validated at start-up (server/env.ts), parsed once and
 * again only when the variable changes (tests set it with `vi.stubEnv`).
 */
export function getEgressPolicy(): EgressPolicy {
  const raw = (setting("KEEL_EGRESS_ALLOW") ?? "").trim();
  if (!current || current.source !== raw) current = parseEgressAllow(raw);
  return current;
}

/** A connection the policy refuses. Its message names the kind of address, never the address or the answer. */
export class EgressRefusedError extends Error {
  readonly code = "EGRESS_REFUSED";
  readonly reason: string;
  constructor(reason: string) {
    super(`refused by Keel's egress policy (${reason})`);
    this.name = "EgressRefusedError";
    this.reason = reason;
  }
}

/** The refusal inside whatever a request threw (fetch-style errors carry it as their cause). */
export function egressRefusalIn(error: unknown): EgressRefusedError | null {
  if (error instanceof EgressRefusedError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof EgressRefusedError ? cause : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** node:net's lookup hook: resolves like dns.lookup, refusing when any address the name has is refused. */
function checkedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  const policy = getEgressPolicy();
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, options.all ? [] : "");
    if (!isHostAllowed(policy, hostname)) {
      for (const a of addresses) {
        const reason = refusalOf(policy, a.address);
        if (reason) return callback(new EgressRefusedError(reason), options.all ? [] : "");
      }
    }
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), options.all ? [] : "");
    if (options.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  });
}

type ConnectionCallback = (error: Error | null, stream: Duplex) => void;

/**
 * Wraps an agent's createConnection: refuses Unix sockets and refused address literals, adds the
 * checked lookup, and checks the connected socket's remote address once more.
 */
function guardedConnection(
  options: http.ClientRequestArgs,
  callback: ConnectionCallback | undefined,
  create: (options: http.ClientRequestArgs) => Duplex | null | undefined,
): Duplex | null | undefined {
  const policy = getEgressPolicy();
  const host = options.host ?? options.hostname ?? "localhost";
  const fail = (error: Error) => {
    if (!callback) throw error;
    callback(error, undefined as unknown as Duplex);
    return undefined;
  };
  if (options.socketPath) return fail(new EgressRefusedError("Unix socket"));
  const hostAllowed = isHostAllowed(policy, host);
  const literal = parseAddress(host);
  if (literal && !hostAllowed) {
    const reason = refusalOf(policy, literal);
    if (reason) return fail(new EgressRefusedError(reason));
  }
  const socket = create({ ...options, lookup: checkedLookup as unknown as http.ClientRequestArgs["lookup"] });
  if (socket && !hostAllowed) {
    socket.once("connect", () => {
      const remote = (socket as Duplex & { remoteAddress?: string }).remoteAddress;
      const reason = remote ? refusalOf(getEgressPolicy(), remote) : "address that could not be checked";
      if (reason) socket.destroy(new EgressRefusedError(reason));
    });
  }
  return socket;
}

// Pooled sockets are keyed by the policy they were checked under (stamped on the request's options,
// which the agent also uses when a socket is freed): one checked under a wider policy is not
// reused after it narrows (only tests change it while running).
function poolKey(name: string, options: object | undefined): string {
  const stamped = options as { keelEgressPolicy?: string } | undefined;
  if (stamped && stamped.keelEgressPolicy === undefined) stamped.keelEgressPolicy = getEgressPolicy().source;
  return `${name}|${stamped?.keelEgressPolicy ?? getEgressPolicy().source}`;
}

class EgressHttpAgent extends http.Agent {
  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback) {
    return guardedConnection(options, callback, (o) => super.createConnection(o, callback));
  }
  override getName(options?: http.ClientRequestArgs): string {
    return poolKey(super.getName(options), options);
  }
}

class EgressHttpsAgent extends https.Agent {
  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback) {
    return guardedConnection(options, callback, (o) => super.createConnection(o, callback));
  }
  override getName(options?: https.RequestOptions): string {
    return poolKey(super.getName(options), options);
  }
}

// Keep-alive agents shared by every outbound request: the gateway's provider calls reuse
// connections (measured cheaper per call than the WHATWG fetch), and every socket in the pools
// was checked when it connected.
const agents: Record<string, http.Agent> = {
  "http:": new EgressHttpAgent({ keepAlive: true, maxSockets: 256 }),
  "https:": new EgressHttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

/**
 * The policy's agent for a URL's protocol ("http:" or "https:"), for libraries that make their
 * own requests with node:http (openid-client under next-auth: server/auth/sso-http.ts).
 */
export function egressAgentFor(protocol: string): http.Agent | undefined {
  return agents[protocol];
}

/** A response body larger than this is cut off with an error (a provider's JSON answer is far smaller). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

function urlOf(input: Parameters<typeof fetch>[0]): URL {
  return new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
}

function headersOf(init: RequestInit): Record<string, string> {
  const h = init.headers;
  if (!h) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h);
  return { ...(h as Record<string, string>) };
}

type Sent = { response: http.IncomingMessage; request: http.ClientRequest };

/** One request through the policy's agents; resolves when the response's headers arrive. */
function send(input: Parameters<typeof fetch>[0], init: RequestInit): Promise<Sent> {
  return new Promise<Sent>((resolve, reject) => {
    let url: URL;
    try {
      url = urlOf(input);
    } catch (error) {
      reject(new TypeError("fetch failed: invalid URL", { cause: error }));
      return;
    }
    const agent = agents[url.protocol];
    if (!agent) {
      reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
      return;
    }
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      reject(new TypeError("egressFetch sends string bodies only"));
      return;
    }
    const body = init.body ?? undefined;
    const headers = headersOf(init);
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method: init.method ?? "GET", headers, agent, signal: init.signal ?? undefined },
      (response) => resolve({ response, request }),
    );
    request.on("error", (error) => reject(egressRefusalIn(error) ?? new TypeError("fetch failed", { cause: error })));
    request.end(body);
  });
}

const EMPTY = Buffer.alloc(0);

/**
 * A whole answer held in memory: text(), json() and arrayBuffer() read its bytes directly. A WHATWG
 * Response over a buffer reads it back through a web stream, which on Node 20 was a measurable part
 * of a gateway call's CPU (bench/README.md). Its `body` is null: event streams are never buffered.
 */
class BufferedResponse extends Response {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  override async text(): Promise<string> {
    return this.#bytes.toString("utf8");
  }

  override async json(): Promise<unknown> {
    return JSON.parse(this.#bytes.toString("utf8"));
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.buffer.slice(this.#bytes.byteOffset, this.#bytes.byteOffset + this.#bytes.byteLength) as ArrayBuffer;
  }
}

/**
 * A `fetch` for outbound calls, over the policy's keep-alive agents. It implements what Keel's
 * callers use: a request with a string body, plain headers and a signal. A JSON answer is read
 * whole (up to MAX_RESPONSE_BYTES), an event stream is handed over as a web stream. Redirects
 * are not followed (`redirect` is ignored: a 3xx is the answer). Failures look like fetch's
 * (TypeError "fetch failed" with the socket error as its cause), except a refused target, which
 * rejects with the EgressRefusedError itself.
 */
export const egressFetch: typeof fetch = async (input, init = {}) => {
  const { response: res } = await send(input, init);
  const responseHeaders = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  const meta = { status, statusText: res.statusMessage ?? "", headers: responseHeaders };
  if ((res.headers["content-type"] ?? "").includes("text/event-stream")) {
    return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, meta);
  }
  return new Promise<Response>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        reject(new TypeError("fetch failed: the response is too large"));
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => resolve(new BufferedResponse(status === 204 || status === 304 ? EMPTY : Buffer.concat(chunks), meta)));
    res.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
  });
};

/**
 * A POST whose answer matters only by its status (webhooks, the checkpoint sink): the body is
 * read and thrown away, never kept, so nothing a target says can be shown back.
 */
export async function egressPost(url: string, init: { headers: Record<string, string>; body: string; signal?: AbortSignal }): Promise<{ status: number }> {
  const { response } = await send(url, { method: "POST", ...init });
  let size = 0;
  response.on("data", (chunk: Buffer) => {
    size += chunk.length;
    // Keep-alive is not worth reading a long answer for.
    if (size > 64 * 1024) response.destroy();
  });
  response.on("error", () => {});
  return { status: response.statusCode ?? 502 };
}

// ---- Save-time checks ----------------------------------------------------------------------------

const SAVE_LOOKUP_MS = 3_000;

/** What a name resolves to at save time, or null when it does not resolve (now). */
async function resolveForSave(hostname: string): Promise<dns.LookupAddress[] | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SAVE_LOOKUP_MS)));
  try {
    return await Promise.race([dns.promises.lookup(hostname, { all: true }).catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why the policy refuses a URL as saved, or null: not http(s), an address literal that is refused
 * (WHATWG URL has already turned `2130706433` into 127.0.0.1), or a name that resolves to a refused
 * address. A name that does not resolve (yet) passes: the call-time check still applies.
 */
export async function refusalOfUrl(url: string): Promise<string | null> {
  const policy = getEgressPolicy();
  const verdict = literalVerdict(policy, url);
  if (verdict === "allowed") return null;
  if ("refused" in verdict) return verdict.refused;
  const addresses = await resolveForSave(verdict.name);
  for (const a of addresses ?? []) {
    const reason = refusalOf(policy, a.address);
    if (reason) return refusedText(`its host name resolves to a ${reason}`);
  }
  return null;
}

/** Throws a 400 naming the field when the policy refuses the URL (see refusalOfUrl). */
export async function checkUrlForSave(url: string, field: string): Promise<void> {
  const reason = await refusalOfUrl(url);
  if (reason) throw new AppError("BAD_REQUEST", `${field}: ${reason}`, { field });
}
