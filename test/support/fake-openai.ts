// A real local HTTP server speaking the OpenAI chat completions API (/v1/chat/completions), its
// embeddings API (/v1/embeddings, floats only) and Anthropic's Messages API (/v1/messages), for
// tests of the provider clients and of anything that calls a provider. Deterministic replies
// ("Echo: <last user message>"; choice i > 0 of `n` choices says "Echo <i>: …"), usage in the
// vendor's shape, log probabilities when asked (one token a word), tool_choice honoured ("none",
// "required", a named tool; otherwise the first tool is called, except after a tool result, which
// gets a text answer so agent loops end), SSE streaming, and scriptable trouble: failures with a
// status (and Retry-After), delays, streams cut off mid-way. Every request is recorded for assertions.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary fields
  body: any;
  /** Date.now() when the request arrived. */
  at: number;
};

export type FakeProviderServer = {
  /** OpenAI-style base URL, ending in /v1. */
  url: string;
  /** Anthropic-style base URL (the client appends /v1/messages). */
  anthropicUrl: string;
  requests: RecordedRequest[];
  /** The next `n` requests fail with `status` (and these headers, e.g. Retry-After). */
  failNext(n: number, status: number, headers?: Record<string, string>, message?: string): void;
  /** The next `n` requests wait `ms` before answering. */
  delayNext(ms: number, n?: number): void;
  /** The next streamed response is cut off (socket destroyed) after `chunks` text chunks. */
  breakNextStream(chunks: number): void;
  /** Pause between streamed chunks (default 0). */
  setChunkDelay(ms: number): void;
  /** Every request waits this long before answering (default 0), e.g. 200 ms like a real model. */
  setLatency(ms: number): void;
  /** This share of requests (0..1, chosen by a seeded generator) answers 429 with Retry-After. */
  setRateLimitShare(share: number, retryAfterSeconds?: number): void;
  /** The most requests that were in flight at once since the last reset. */
  readonly maxInFlight: number;
  /** Forget scripted behaviour and recorded requests. */
  reset(): void;
  close(): Promise<void>;
};

type Message = { role: string; content: unknown };
type Failure = { status: number; headers: Record<string, string>; message: string };

/** Keys starting with this are refused with a 401 whose message echoes the key, as some providers do. */
export const FAKE_BAD_KEY_PREFIX = "sk-bad";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const estimate = (text: string) => Math.ceil(text.length / 4);
const textOf = (content: unknown) => (typeof content === "string" ? content : JSON.stringify(content));

function replyFor(body: { messages?: Message[]; response_format?: { type?: string }; system?: unknown }): string {
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  const said = lastUser ? textOf(lastUser.content) : "";
  if (body.response_format?.type === "json_object" || body.response_format?.type === "json_schema") {
    // A judge's rubric ("Rate …"): a score that depends on the answer, like a real judge.
    if (/^Rate\b/.test(said))
      return JSON.stringify({
        score: /Paris/.test(said) ? 5 : 2,
        reasoning: /Paris/.test(said) ? "Names the capital correctly." : "Does not name the capital.",
      });
    return JSON.stringify({ echo: said });
  }
  return `Echo: ${said}`;
}

function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

function inputTokens(body: { messages?: Message[]; system?: unknown }): number {
  const system = body.system === undefined ? 0 : estimate(textOf(body.system));
  return system + (body.messages ?? []).reduce((sum, m) => sum + estimate(textOf(m.content)), 0);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

const openAIError = (message: string, type = "invalid_request_error") => ({ error: { message, type, code: null } });
const anthropicError = (message: string, type = "invalid_request_error") => ({ type: "error", error: { type, message } });

export async function startFakeOpenAI(): Promise<FakeProviderServer> {
  const requests: RecordedRequest[] = [];
  let failures: Failure[] = [];
  let delays: number[] = [];
  let breakAfter: number | null = null;
  let chunkDelay = 0;
  let latency = 0;
  let rateLimitShare = 0;
  let rateLimitRetryAfter = 1;
  let seed = 42;
  let inFlight = 0;
  let maxInFlight = 0;
  // mulberry32: the same sequence of 429s on every run.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** Writes SSE events; returns false when the stream was cut off on purpose. */
  async function writeEvents(res: ServerResponse, events: { event?: string; data: unknown; text?: boolean }[]): Promise<boolean> {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const cut = breakAfter;
    breakAfter = null;
    let textChunks = 0;
    for (const e of events) {
      if (res.destroyed) return false;
      if (e.text && cut !== null && textChunks >= cut) {
        // Let what was written reach the client first: destroying drops unflushed writes.
        await sleep(50);
        res.socket?.destroy();
        return false;
      }
      res.write(`${e.event ? `event: ${e.event}\n` : ""}data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}\n\n`);
      if (e.text) textChunks += 1;
      if (chunkDelay) await sleep(chunkDelay);
    }
    res.end();
    return true;
  }

  async function openAI(res: ServerResponse, body: RecordedRequest["body"], headers: IncomingHttpHeaders) {
    const auth = headers.authorization ?? "";
    if (auth.startsWith(`Bearer ${FAKE_BAD_KEY_PREFIX}`)) {
      return sendJson(
        res,
        401,
        openAIError(`Incorrect API key provided: ${auth.slice(7)}. You can find your API key at https://example.test.`, "invalid_api_key"),
      );
    }
    if (!body?.model) return sendJson(res, 400, openAIError("you must provide a model parameter"));
    const choice = body.tool_choice;
    const tools = (body.tools ?? []) as { function: { name: string } }[];
    // Like a model, it answers in text once it has a tool's result (agent loops end), unless a tool is forced.
    const answered = (body.messages ?? []).at(-1)?.role === "tool" && choice !== "required";
    const tool =
      choice === "none"
        ? undefined
        : typeof choice === "object" && choice
          ? tools.find((t) => t.function.name === choice.function?.name)?.function
          : answered
            ? undefined
            : tools[0]?.function;
    const id = `chatcmpl-${requests.length}`;
    const usage = { prompt_tokens: inputTokens(body), completion_tokens: 0, total_tokens: 0 };
    const text = tool ? "" : replyFor(body);
    const args = JSON.stringify({ input: replyFor({ messages: body.messages }).slice(6) });
    const n = typeof body.n === "number" && body.n > 1 ? body.n : 1;
    const textOfChoice = (i: number) => (i === 0 || tool ? text : text.replace(/^Echo:/, `Echo ${i}:`));
    usage.completion_tokens = (tool ? estimate(args) : words(text).length) * n;
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const finish = tool ? "tool_calls" : "stop";
    const toolCall = tool && { id: "call_1", type: "function", function: { name: tool.name, arguments: args } };
    const top = typeof body.top_logprobs === "number" ? body.top_logprobs : 0;
    const logprob = (w: string, i: number) => ({
      token: w,
      logprob: -0.5 * (i + 1),
      bytes: [...Buffer.from(w)],
      top_logprobs: Array.from({ length: top }, (_, k) => ({ token: k ? `${w}~${k}` : w, logprob: -0.5 * (i + 1) - k, bytes: null })),
    });
    const logprobsOf = (t: string) => (body.logprobs ? { content: words(t).map(logprob), refusal: null } : null);

    if (!body.stream) {
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        model: body.model,
        choices: Array.from({ length: n }, (_, i) => ({
          index: i,
          message: { role: "assistant", content: tool ? null : textOfChoice(i), ...(toolCall && { tool_calls: [toolCall] }) },
          logprobs: logprobsOf(textOfChoice(i)),
          finish_reason: finish,
        })),
        usage,
      });
    }
    const chunk = (delta: object, finish_reason: string | null = null, logprobs: object | null = null) => ({
      id,
      object: "chat.completion.chunk",
      model: body.model,
      choices: [{ index: 0, delta, logprobs, finish_reason }],
    });
    const events: { data: unknown; text?: boolean }[] = [{ data: chunk({ role: "assistant", content: "" }) }];
    if (toolCall) {
      events.push({ data: chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: tool.name, arguments: "" } }] }) });
      for (const piece of args.match(/.{1,5}/g) ?? []) events.push({ data: chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }), text: true });
    } else {
      for (const [i, w] of words(text).entries())
        events.push({ data: chunk({ content: w }, null, body.logprobs ? { content: [logprob(w, i)] } : null), text: true });
    }
    events.push({ data: chunk({}, finish) });
    if (body.stream_options?.include_usage) events.push({ data: { id, object: "chat.completion.chunk", model: body.model, choices: [], usage } });
    events.push({ data: "[DONE]" });
    await writeEvents(res, events);
  }

  /** Deterministic vectors: 8 dimensions (or `dimensions`), from the characters of each input. */
  function embeddings(res: ServerResponse, body: RecordedRequest["body"]) {
    if (!body?.model) return sendJson(res, 400, openAIError("you must provide a model parameter"));
    const inputs: unknown[] =
      typeof body.input === "string" ? [body.input] : Array.isArray(body.input) && typeof body.input[0] === "number" ? [body.input] : (body.input ?? []);
    if (!inputs.length) return sendJson(res, 400, openAIError("'$.input' is invalid"));
    const size = typeof body.dimensions === "number" ? body.dimensions : 8;
    const vector = (input: unknown) => {
      const text = typeof input === "string" ? input : JSON.stringify(input);
      return Array.from({ length: size }, (_, i) => ((text.charCodeAt(i % Math.max(1, text.length)) || 0) % 97) / 97 + i / 1000);
    };
    const tokens = inputs.reduce<number>((sum, x) => sum + (typeof x === "string" ? estimate(x) : Array.isArray(x) ? x.length : 0), 0);
    return sendJson(res, 200, {
      object: "list",
      data: inputs.map((x, index) => ({ object: "embedding", index, embedding: vector(x) })),
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function anthropic(res: ServerResponse, body: RecordedRequest["body"], headers: IncomingHttpHeaders) {
    const key = String(headers["x-api-key"] ?? "");
    if (key.startsWith(FAKE_BAD_KEY_PREFIX)) return sendJson(res, 401, anthropicError(`invalid x-api-key: ${key}`, "authentication_error"));
    if (headers["anthropic-version"] !== "2023-06-01") return sendJson(res, 400, anthropicError("anthropic-version: header is required"));
    if (!body?.model) return sendJson(res, 400, anthropicError("model: Field required"));
    if (typeof body.max_tokens !== "number") return sendJson(res, 400, anthropicError("max_tokens: Field required"));
    if ((body.messages ?? []).some((m: Message) => m.role === "system")) return sendJson(res, 400, anthropicError('messages: Unexpected role "system"'));
    const choice = body.tool_choice as { type?: string; name?: string } | undefined;
    const tool =
      choice?.type === "none"
        ? undefined
        : choice?.type === "tool"
          ? (body.tools ?? []).find((t: { name: string }) => t.name === choice.name)
          : body.tools?.[0];
    const id = `msg_${requests.length}`;
    const text = replyFor(body);
    const input = { input: replyFor({ messages: body.messages }).slice(6) };
    const usage = { input_tokens: inputTokens(body), output_tokens: tool ? estimate(JSON.stringify(input)) : words(text).length };
    const stopReason = tool ? "tool_use" : "end_turn";

    if (!body.stream) {
      const content = tool ? [{ type: "tool_use", id: "toolu_1", name: tool.name, input }] : [{ type: "text", text }];
      return sendJson(res, 200, { id, type: "message", role: "assistant", model: body.model, content, stop_reason: stopReason, stop_sequence: null, usage });
    }
    const ev = (type: string, data: object, text = false) => ({ event: type, data: { type, ...data }, text });
    const events = [
      ev("message_start", {
        message: {
          id,
          type: "message",
          role: "assistant",
          model: body.model,
          content: [],
          stop_reason: null,
          usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
        },
      }),
    ];
    if (tool) {
      events.push(ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: "toolu_1", name: tool.name, input: {} } }));
      for (const piece of JSON.stringify(input).match(/.{1,5}/g) ?? [])
        events.push(ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: piece } }, true));
    } else {
      events.push(ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }), ev("ping", {}));
      for (const w of words(text)) events.push(ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: w } }, true));
    }
    events.push(
      ev("content_block_stop", { index: 0 }),
      ev("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }),
      ev("message_stop", {}),
    );
    await writeEvents(res, events);
  }

  const server = createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    try {
      const raw = await readBody(req);
      let body: RecordedRequest["body"];
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      requests.push({ method: req.method ?? "GET", path, headers: req.headers, body, at: Date.now() });
      const isAnthropic = path === "/v1/messages";

      // Scripted behaviour is claimed on arrival, so a request still waiting out its delay
      // (its client long gone) cannot take a failure meant for a later request.
      const delay = delays.shift() ?? latency;
      const failure =
        failures.shift() ??
        (rateLimitShare > 0 && random() < rateLimitShare
          ? { status: 429, headers: { "retry-after": String(rateLimitRetryAfter) }, message: "Rate limit reached" }
          : undefined);
      if (delay) await sleep(delay);
      if (failure)
        return sendJson(
          res,
          failure.status,
          isAnthropic ? anthropicError(failure.message, "api_error") : openAIError(failure.message, "server_error"),
          failure.headers,
        );

      if (req.method !== "POST") return sendJson(res, 405, openAIError("method not allowed"));
      if (path === "/v1/chat/completions") return await openAI(res, body, req.headers);
      if (path === "/v1/embeddings") return embeddings(res, body);
      if (isAnthropic) return await anthropic(res, body, req.headers);
      return sendJson(res, 404, openAIError(`no route ${path}`));
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, openAIError(String(error)));
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/v1`,
    anthropicUrl: origin,
    requests,
    setLatency(ms) {
      latency = ms;
    },
    setRateLimitShare(share, retryAfterSeconds = 1) {
      rateLimitShare = share;
      rateLimitRetryAfter = retryAfterSeconds;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    failNext(n, status, headers = {}, message = `Simulated failure (${status})`) {
      for (let i = 0; i < n; i++) failures.push({ status, headers, message });
    },
    delayNext(ms, n = 1) {
      for (let i = 0; i < n; i++) delays.push(ms);
    },
    breakNextStream(chunks) {
      breakAfter = chunks;
    },
    setChunkDelay(ms) {
      chunkDelay = ms;
    },
    reset() {
      requests.length = 0;
      latency = 0;
      rateLimitShare = 0;
      seed = 42;
      maxInFlight = inFlight;
      failures = [];
      delays = [];
      breakAfter = null;
      chunkDelay = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
