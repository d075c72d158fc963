import "server-only";
// The OpenAI-compatible gateway: POST /api/gateway/v1/chat/completions, answered by the custom
// server before Next (like the public API) with an API key holding `gateway:invoke`.
//
//   model "prompt:<name>@<label>"  renders the version the label points at with the request's
//                                  `variables`, then appends the request's own messages, and calls
//                                  the prompt's provider connection and model.
//   any other model name           passes through the project's gateway connection.
//
// Guardrails run on the input (before the model sees it) and on the output (before the client
// does); a JSON Schema violation gets one automatic re-ask. A timeout, network failure or 5xx goes
// to the fallback connection once. Every call is logged as a trace in the background.
//
// POST /v1/responses (responses.ts) is translated into the same chat request and runs the same
// pipeline (serve()); POST /v1/embeddings (embeddings.ts) passes through to the connection;
// GET /v1/models and /v1/models/{id} describe the deployed prompts.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { renderPrompt } from "../contracts/templates";
import { estimateCost, ProviderError, type ChatMessage, type CompletionRequest, type CompletionResult, type StreamEvent, type TokenLogprob } from "../providers";
import type { ApiKeyCache, Principal } from "../public-api/key-cache";
import { requireKeyPermission } from "../rbac/access";
import { GATEWAY_ROUTES, type GatewayRoute } from "./routes";
import { parseCredentials, readJsonBody } from "../public-api/input";
import { describeIssues, HttpError } from "../public-api/errors";
import { AppError, HTTP_STATUS } from "../errors";
import type { StoredSpan } from "../telemetry/store";
import { GatewayConfig, type Connection, type ProjectGateway } from "./config";
import { maskPii, PII_ENTITIES, type CheckResult, type CompiledGuardrails, type Violation } from "./guardrails";
import { GatewayLimits } from "./limits";
import { TraceLogger } from "./logger";
import { badRequest, chatCompletionRequest, chunkLine, completionBody, GatewayError, refusedParameter, requestParameters, toChatMessages, toolCallsDelta, toTools, WIRE_NAMES, type ChatCompletionRequest } from "./wire";
import { requestVariables } from "./variables";
import { parseResponsesRequest, responseBody, responsesStream, toChatRequest } from "./responses";
import { embeddingsHandler } from "./embeddings";

export const GATEWAY_PREFIX = "/api/gateway/";
const [COMPLETIONS, MODELS, RESPONSES, EMBEDDINGS, MODEL] = GATEWAY_ROUTES;
const MODEL_PREFIX = MODEL.path.slice(0, MODEL.path.indexOf("{"));
const MAX_GATEWAY_BODY = 4 * 1_048_576;
const MAX_LOGGED_BYTES = 64 * 1024;
const DEFAULT_LABEL = "production";

type Target = { connection: Connection; model: string };
type Call = {
  principal: Principal;
  project: ProjectGateway;
  body: ChatCompletionRequest;
  messages: ChatMessage[];
  request: Omit<CompletionRequest, "model" | "messages">;
  primary: Target;
  fallback: Target | null;
  guardrails: CompiledGuardrails | null;
  prompt: { name: string; version: number; label: string } | null;
  variables: Record<string, string> | null;
  trace: { traceId: string; spanId: string; parentSpanId: string | null; startUs: number };
  violations: Violation[];
  usedFallback: boolean;
  /** The wire API the call came in on (chat completions unless said). */
  api?: "responses";
};

/** Where a streamed answer goes, in the wire format of the API the call came in on. */
type StreamSink = {
  /** Sends the status line and headers (nothing was sent before) and the stream's opening events. */
  open(model: string, headers: string[]): void;
  text(piece: string, logprobs?: TokenLogprob[]): void;
  /** The last events; ends the response. */
  finish(result: CompletionResult): void;
  /** A failure after open(): an error in the stream's format; ends the response. */
  fail(error: GatewayError): void;
};

/** One request in one wire format: the chat request the pipeline runs on and how to answer it. */
type Exchange = {
  chat: ChatCompletionRequest;
  api?: Call["api"];
  body(call: Call, result: CompletionResult): unknown;
  sink(call: Call, res: ServerResponse): StreamSink;
};

export type GatewayOptions = { keys: ApiKeyCache; config?: GatewayConfig; limits?: GatewayLimits; logger?: TraceLogger };

export type Gateway = {
  handle(req: IncomingMessage, res: ServerResponse, target: string, base: readonly string[]): Promise<void>;
  logger: TraceLogger;
  close(): Promise<void>;
};

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const nowUs = () => Math.round(performance.timeOrigin * 1000 + performance.now() * 1000);

/** W3C traceparent: the caller's trace continues through the gateway. */
function traceContext(header: string | string[] | undefined): { traceId: string; parentSpanId: string | null } {
  const m = typeof header === "string" ? /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(header.trim()) : null;
  if (m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!)) return { traceId: m[1]!, parentSpanId: m[2]! };
  return { traceId: hex(16), parentSpanId: null };
}

function sendJson(res: ServerResponse, base: readonly string[], status: number, body: unknown, extra: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  const headers = [...base, "content-type", "application/json", "content-length", String(Buffer.byteLength(payload))];
  for (const [k, v] of Object.entries(extra)) headers.push(k, v);
  res.writeHead(status, headers);
  res.end(payload);
}

function cap(text: string | null): string | null {
  if (text === null || text.length <= MAX_LOGGED_BYTES) return text;
  return `${text.slice(0, MAX_LOGGED_BYTES)}…`;
}

/** A provider failure worth a second connection: no answer, a broken one, or a server error. */
function shouldFallback(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  return error.code === "timeout" || error.code === "network" || error.code === "invalid_response" || (error.code === "http" && (error.status ?? 0) >= 500);
}

function providerFailure(call: Call, errors: { target: Target; error: unknown }[]): GatewayError {
  const reasons = errors.map(({ target, error }) => `${target.connection.name} (${target.model}): ${error instanceof Error ? error.message : String(error)}`);
  const last = errors.at(-1)?.error;
  const status = last instanceof ProviderError && last.status === 429 ? 429 : 502;
  const after = call.fallback && errors.length > 1 ? " after falling back" : "";
  return new GatewayError(status, "provider_error", `The model provider failed${after}: ${reasons.join("; ")}`.slice(0, 2_000), status === 429 ? "provider_rate_limited" : "provider_error");
}

const KIND_NAMES: Record<string, string> = { openai_compatible: "OpenAI-compatible", anthropic: "Anthropic", simulated: "simulated" };

/** A 400 naming the parameter the call's provider cannot carry, and the provider. */
function unsupported(parameter: keyof typeof WIRE_NAMES, request: Call["request"], connection: Connection): GatewayError {
  const name = parameter === "openaiExtras" ? (Object.keys(request.openaiExtras ?? {})[0] ?? "openai") : WIRE_NAMES[parameter];
  const value = parameter === "n" ? ` > 1` : parameter === "toolChoice" && typeof request.toolChoice === "string" ? ` "${request.toolChoice}"` : "";
  return new GatewayError(400, "invalid_request_error", `\`${name}\`${value} is not supported by the ${KIND_NAMES[connection.kind] ?? connection.kind} provider "${connection.name}" this call goes to`, "unsupported_parameter", name);
}

export function createGateway(options: GatewayOptions): Gateway {
  const config = options.config ?? new GatewayConfig();
  const limits = options.limits ?? new GatewayLimits();
  const logger = options.logger ?? new TraceLogger();

  async function authenticate(req: IncomingMessage, route: GatewayRoute): Promise<Principal> {
    // Authorization: Bearer (OpenAI clients), or the key alone in api-key (Azure OpenAI clients)
    // or x-api-key (Anthropic-style clients).
    const alone = [req.headers["api-key"], req.headers["x-api-key"]].find((v): v is string => typeof v === "string" && v.trim() !== "");
    const credentials = parseCredentials(req.headers.authorization) ?? (alone ? { secret: alone.trim() } : null);
    if (!credentials) throw new GatewayError(401, "invalid_request_error", "Send a Keel API key: Authorization: Bearer sk-keel-… (or an api-key / x-api-key header)", "invalid_api_key");
    const found = options.keys.authenticate(credentials.secret, credentials.publicKey);
    const principal = found instanceof Promise ? await found : found;
    if (!principal) throw new GatewayError(401, "invalid_request_error", "Invalid or revoked API key", "invalid_api_key");
    const denied = requireKeyPermission(principal, route.permission, route.scope);
    if (denied) throw new GatewayError(403, "permission_error", denied.message, "insufficient_scope");
    return principal;
  }

  async function readRaw(req: IncomingMessage): Promise<unknown> {
    try {
      return await readJsonBody(req, MAX_GATEWAY_BODY);
    } catch (error) {
      if (error instanceof HttpError) throw new GatewayError(error.code === "PAYLOAD_TOO_LARGE" ? 413 : error.code === "UNSUPPORTED_MEDIA_TYPE" ? 415 : 400, "invalid_request_error", error.message, null, null, error.headers);
      throw error;
    }
  }

  async function plan(principal: Principal, body: ChatCompletionRequest, startUs: number, headers: IncomingMessage["headers"]): Promise<Call> {
    const project = await config.project(principal.projectId);
    const { settings } = project;
    let messages = toChatMessages(body.messages);
    let prompt: Call["prompt"] = null;
    let variables: Record<string, string> | null = null;
    const sent = requestVariables(body, headers["keel-variables"]);
    let connectionId: string | null;
    let model: string | undefined;
    const request: Call["request"] = {};

    if (body.model.startsWith("prompt:")) {
      const ref = body.model.slice("prompt:".length);
      const at = ref.lastIndexOf("@");
      const name = (at < 0 ? ref : ref.slice(0, at)).trim();
      const label = (at < 0 ? DEFAULT_LABEL : ref.slice(at + 1)).trim() || DEFAULT_LABEL;
      if (!name) throw badRequest('Name the prompt: model "prompt:<name>@<label>"', "model");
      const resolved = await config.prompt(principal.projectId, name, label);
      if (!resolved) {
        throw new GatewayError(404, "invalid_request_error", `The model \`${body.model}\` does not exist: no prompt "${name}" with a version labelled "${label}" in this project`, "model_not_found", "model");
      }
      variables = sent ?? {};
      // The one rule (contracts/templates.ts): a sent value, else the version's default, else 400.
      const rendered = renderPrompt(resolved.type === "text" ? { type: "text", template: resolved.template ?? "" } : { type: "chat", messages: resolved.messages ?? [] }, resolved.variableDetails, variables);
      if (rendered.error) throw badRequest(`${rendered.error} (prompt "${name}": send them in \`variables\`, metadata.keel_variables or a Keel-Variables header, or declare defaults in the prompt version)`, "variables", "missing_variables");
      messages = [...rendered.messages, ...messages];
      prompt = { name: resolved.name, version: resolved.version, label };
      const c = resolved.config;
      connectionId = c.providerId ?? settings.gatewayConnectionId ?? project.simulatedConnectionId;
      model = c.model;
      if (c.temperature !== undefined) request.temperature = c.temperature;
      if (c.maxTokens !== undefined) request.maxTokens = c.maxTokens;
      if (c.stop?.length) request.stop = c.stop;
      if (c.responseFormat) request.responseFormat = c.responseFormat;
      if (c.tools?.length) request.tools = c.tools;
    } else {
      if (sent) throw badRequest("`variables` only apply to prompt models (prompt:<name>@<label>)", "variables");
      connectionId = settings.gatewayConnectionId;
      if (!connectionId) throw badRequest("This project has no gateway connection for plain model names: choose one in Settings → Observability, or call a deployed prompt with model \"prompt:<name>@<label>\"", "model", "no_gateway_connection");
      model = body.model;
    }
    if (!messages.length) throw badRequest("Send at least one message", "messages");
    if (!connectionId) throw badRequest("The prompt names no provider connection and the project has none for the gateway", "model");

    // The request's own parameters override the prompt's; its tools are added to the prompt's (a
    // tool of the same name replaces the prompt's).
    const { tools: _tools, ...own } = requestParameters(body);
    Object.assign(request, own);
    const tools = toTools(body.tools ?? undefined);
    if (tools) request.tools = [...(request.tools ?? []).filter((t) => !tools.some((x) => x.name === t.name)), ...tools];
    const choice = request.toolChoice;
    if (choice !== undefined && choice !== "none" && !request.tools?.length) throw badRequest("`tool_choice` needs `tools` (neither the request nor the prompt has any)", "tool_choice");
    if (typeof choice === "object" && !request.tools?.some((t) => t.name === choice.name)) throw badRequest(`\`tool_choice\` names "${choice.name}", which is not one of the tools`, "tool_choice");
    if (body.stream && (request.n ?? 1) > 1) throw badRequest("`n` > 1 cannot be streamed through Keel's gateway: send stream: false for several choices", "n", "unsupported_parameter");

    const primaryConnection = await config.connection(principal.projectId, connectionId, settings.gatewayTimeoutMs).catch((error: unknown) => {
      // A version saved before save-time checks (or whose provider was deleted since) names a
      // connection this project does not have: the caller's problem to fix, not a server error.
      if (error instanceof AppError && error.code === "NOT_FOUND") {
        throw new GatewayError(422, "invalid_request_error", prompt ? `The prompt "${prompt.name}" names a provider connection this project does not have` : "The project's gateway connection no longer exists", "provider_not_found", "model");
      }
      throw error;
    });
    const primary = { connection: primaryConnection, model: model ?? primaryConnection.defaultModel ?? "simulated-1" };
    const refused = primaryConnection.provider.unsupported(request);
    if (refused) throw unsupported(refused, request, primaryConnection);
    const guardrails = config.guardrailsFor(project, prompt?.name ?? null, prompt?.label ?? null);
    if (guardrails?.hasOutput) {
      // Output guardrails check (and may mask) one text: more choices would go unchecked, and log
      // probabilities would spell out the tokens a mask hides.
      if ((request.n ?? 1) > 1) throw badRequest("`n` > 1 cannot be combined with the output guardrails that apply to this call", "n", "unsupported_parameter");
      if (request.logprobs) throw badRequest("`logprobs` cannot be combined with the output guardrails that apply to this call", "logprobs", "unsupported_parameter");
    }
    let fallback: Target | null = null;
    if (settings.fallbackConnectionId && settings.fallbackConnectionId !== connectionId) {
      const fb = await config.connection(principal.projectId, settings.fallbackConnectionId, settings.gatewayTimeoutMs);
      // A fallback that cannot carry this call's parameters is not used for it (the primary's answer or error stands).
      if (!fb.provider.unsupported(request)) fallback = { connection: fb, model: settings.fallbackModel ?? fb.defaultModel ?? primary.model };
    }
    const context = traceContext(headers.traceparent);
    return {
      principal,
      project,
      body,
      messages,
      request,
      primary,
      fallback,
      guardrails,
      prompt,
      variables,
      trace: { traceId: context.traceId, spanId: hex(8), parentSpanId: context.parentSpanId, startUs },
      violations: [],
      usedFallback: false,
    };
  }

  function blockedError(v: Violation): GatewayError {
    return new GatewayError(400, "invalid_request_error", `Blocked by guardrail "${v.rule}" (${v.kind}, ${v.stage}): ${v.detail}`, "guardrail_blocked");
  }

  /** Input guardrails: masks in place, throws on a block. */
  function checkInput(call: Call) {
    if (!call.guardrails?.hasInput) return;
    call.messages = call.messages.map((m) => {
      if (m.role === "assistant" || !m.content) return m;
      const checked: CheckResult = call.guardrails!.checkInput(m.content);
      call.violations.push(...checked.violations);
      if (checked.blocked) throw blockedError(checked.blocked);
      return checked.text === m.content ? m : { ...m, content: checked.text };
    });
  }

  function checkOutput(call: Call, text: string): CheckResult | null {
    if (!call.guardrails?.hasOutput || !text) return null;
    return call.guardrails.checkOutput(text);
  }

  async function complete(call: Call, messages: ChatMessage[], signal: AbortSignal): Promise<CompletionResult> {
    const errors: { target: Target; error: unknown }[] = [];
    for (const target of call.fallback ? [call.primary, call.fallback] : [call.primary]) {
      try {
        const result = await target.connection.provider.complete({ ...call.request, model: target.model, messages, signal });
        if (target !== call.primary) call.usedFallback = true;
        return result;
      } catch (error) {
        errors.push({ target, error });
        if (!shouldFallback(error)) break;
      }
    }
    throw providerFailure(call, errors);
  }

  /** A completion with output guardrails applied (one re-ask on a JSON Schema violation). */
  async function completeChecked(call: Call, signal: AbortSignal): Promise<CompletionResult> {
    let result = await complete(call, call.messages, signal);
    let checked = checkOutput(call, result.text);
    const schemaMiss = checked?.violations.find((v) => v.kind === "json_schema" && !v.cannotRun);
    if (checked && schemaMiss) {
      const reask: ChatMessage[] = [...call.messages, { role: "assistant", content: result.text }, { role: "user", content: call.guardrails!.reaskMessage(schemaMiss) }];
      const again = await complete(call, reask, signal);
      result = { ...again, usage: { inputTokens: result.usage.inputTokens + again.usage.inputTokens, outputTokens: result.usage.outputTokens + again.usage.outputTokens }, attempts: result.attempts + again.attempts };
      call.violations.push({ ...schemaMiss, action: "flag", detail: `${schemaMiss.detail} (re-asked once)` });
      checked = checkOutput(call, result.text);
    }
    if (checked) {
      call.violations.push(...checked.violations);
      if (checked.blocked) throw blockedError(checked.blocked);
      result = { ...result, text: checked.text };
    }
    return result;
  }

  function log(call: Call, outcome: { result?: CompletionResult; error?: GatewayError | Error; endUs: number }) {
    const { result, error } = outcome;
    const target = call.usedFallback && call.fallback ? call.fallback : call.primary;
    const attributes: Record<string, unknown> = {
      // A Responses API call is a chat call too (the GenAI conventions have no "responses" operation).
      "gen_ai.operation.name": "chat",
      ...(call.api ? { "keel.gateway.api": call.api } : {}),
      "keel.gateway.connection": target.connection.name,
      "keel.api_key": call.principal.publicKey,
    };
    if (call.usedFallback) attributes["keel.gateway.fallback"] = true;
    if (call.variables) attributes["keel.prompt.variables"] = JSON.stringify(call.variables);
    const r = call.request;
    if (r.user) attributes["user.id"] = r.user;
    // The request's parameters under OpenTelemetry's GenAI names where it has them.
    if (r.temperature !== undefined) attributes["gen_ai.request.temperature"] = r.temperature;
    if (r.maxTokens !== undefined) attributes["gen_ai.request.max_tokens"] = r.maxTokens;
    if (r.topP !== undefined) attributes["gen_ai.request.top_p"] = r.topP;
    if (r.seed !== undefined) attributes["gen_ai.request.seed"] = r.seed;
    if (r.n !== undefined && r.n !== 1) attributes["gen_ai.request.choice.count"] = r.n;
    if (r.presencePenalty !== undefined) attributes["gen_ai.request.presence_penalty"] = r.presencePenalty;
    if (r.frequencyPenalty !== undefined) attributes["gen_ai.request.frequency_penalty"] = r.frequencyPenalty;
    if (r.stop?.length) attributes["gen_ai.request.stop_sequences"] = JSON.stringify(r.stop);
    if (r.toolChoice !== undefined) attributes["keel.request.tool_choice"] = typeof r.toolChoice === "string" ? r.toolChoice : r.toolChoice.name;
    if (r.reasoningEffort !== undefined) attributes["keel.request.reasoning_effort"] = r.reasoningEffort;
    if (r.metadata) attributes["keel.request.metadata"] = JSON.stringify(r.metadata);
    if (result?.toolCalls?.length) attributes["gen_ai.response.tool_calls"] = JSON.stringify(result.toolCalls);
    const usage = result?.usage;
    // A call a PII rule fired on is logged masked, whatever the rule's mode: the trace store must
    // not keep what the guardrail kept from the provider.
    const scrub = call.violations.some((v) => v.kind === "pii") ? (text: string) => maskPii(text, PII_ENTITIES).text : (text: string) => text;
    const span: StoredSpan = {
      traceId: call.trace.traceId,
      spanId: call.trace.spanId,
      parentSpanId: call.trace.parentSpanId,
      name: call.prompt ? `gateway ${call.prompt.name}` : `gateway ${call.primary.model}`,
      kind: 2,
      startUs: call.trace.startUs,
      endUs: Math.max(outcome.endUs, call.trace.startUs),
      statusCode: error ? 2 : 1,
      statusMessage: error ? error.message.slice(0, 1_000) : null,
      serviceName: "keel-gateway",
      isGeneration: true,
      model: result?.model ?? target.model,
      provider: target.connection.kind,
      inputTokens: usage?.inputTokens ?? null,
      outputTokens: usage?.outputTokens ?? null,
      costUsd: usage ? estimateCost(result!.model || target.model, usage, call.project.prices) : null,
      promptName: call.prompt?.name ?? null,
      promptVersion: call.prompt?.version ?? null,
      environment: call.prompt?.label ?? null,
      userId: call.request.user ?? null,
      sessionId: null,
      input: cap(scrub(JSON.stringify(call.messages.map((m) => ({ role: m.role, content: m.content }))))),
      output: cap(result ? scrub(result.text) : null),
      attributes,
      events: [],
      source: "gateway",
      guardrails: call.violations.map((v) => ({ rule: v.rule, kind: v.kind, stage: v.stage, action: v.action, detail: v.detail })),
    };
    logger.log(call.principal.projectId, call.principal.keyId, span);
  }

  function responseHeaders(call: Call): Record<string, string> {
    const headers: Record<string, string> = { "x-keel-trace-id": call.trace.traceId };
    const flagged = [...new Set(call.violations.filter((v) => v.action === "flag").map((v) => v.rule))];
    if (flagged.length) headers["x-keel-guardrails-flagged"] = flagged.join(", ").slice(0, 500);
    if (call.usedFallback) headers["x-keel-fallback"] = call.fallback!.connection.name;
    return headers;
  }

  function streamHeaders(call: Call, base: readonly string[]): string[] {
    const headers = [...base, "content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache", "x-accel-buffering", "no"];
    for (const [k, v] of Object.entries(responseHeaders(call))) headers.push(k, v);
    return headers;
  }

  /** chat.completion.chunk events, then [DONE]. */
  function chatSink(call: Call, res: ServerResponse): StreamSink {
    const id = `chatcmpl-${call.trace.spanId}`;
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = call.body.stream_options?.include_usage === true;
    let model = call.primary.model;
    return {
      open(answering, headers) {
        model = answering;
        res.writeHead(200, headers);
        res.write(chunkLine(id, created, model, { role: "assistant", content: "" }, null));
      },
      text(piece, logprobs) {
        if (piece || logprobs) res.write(chunkLine(id, created, model, { content: piece }, null, undefined, logprobs));
      },
      finish(result) {
        if (result.toolCalls?.length) res.write(chunkLine(id, created, result.model, toolCallsDelta(result.toolCalls), null));
        res.write(chunkLine(id, created, result.model, {}, result.finishReason));
        if (includeUsage) res.write(chunkLine(id, created, result.model, {}, null, result.usage));
        res.end("data: [DONE]\n\n");
      },
      fail(error) {
        // Mid-stream: an error event in OpenAI's shape, then the end of the stream.
        res.end(`data: ${JSON.stringify(error.body())}\n\n`);
      },
    };
  }

  async function stream(call: Call, sink: StreamSink, base: readonly string[], signal: AbortSignal): Promise<CompletionResult> {
    // Output guardrails need the whole text before the client sees any of it.
    if (call.guardrails?.hasOutput) {
      const result = await completeChecked(call, signal);
      sink.open(result.model, streamHeaders(call, base));
      for (const piece of result.text.match(/[\s\S]{1,64}/g) ?? []) sink.text(piece);
      sink.finish(result);
      return result;
    }

    const errors: { target: Target; error: unknown }[] = [];
    for (const target of call.fallback ? [call.primary, call.fallback] : [call.primary]) {
      const iterator = target.connection.provider.stream({ ...call.request, model: target.model, messages: call.messages, signal })[Symbol.asyncIterator]();
      let first: IteratorResult<StreamEvent>;
      try {
        first = await iterator.next();
      } catch (error) {
        // Nothing was sent yet: the fallback can still answer.
        errors.push({ target, error });
        if (!shouldFallback(error)) break;
        continue;
      }
      if (target !== call.primary) call.usedFallback = true;
      sink.open(target.model, streamHeaders(call, base));
      for (let step = first; !step.done; step = await iterator.next()) {
        const event = step.value;
        if (event.type === "delta") {
          sink.text(event.text, event.logprobs);
        } else {
          sink.finish(event.result);
          return event.result;
        }
      }
      throw new Error("The provider's stream ended without a result");
    }
    throw providerFailure(call, errors);
  }

  /** The pipeline every chat-shaped call runs through, whatever its wire format. */
  async function serve(req: IncomingMessage, res: ServerResponse, base: readonly string[], route: GatewayRoute, exchange: (raw: unknown) => Exchange) {
    const startUs = nowUs();
    const principal = await authenticate(req, route);
    await limits.admit(principal);
    const ex = exchange(await readRaw(req));
    const body = ex.chat;
    const call = await plan(principal, body, startUs, req.headers);
    if (ex.api) call.api = ex.api;
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const sink = body.stream ? ex.sink(call, res) : null;
    try {
      checkInput(call);
      if (sink) {
        const result = await stream(call, sink, base, abort.signal);
        log(call, { result, endUs: nowUs() });
        return;
      }
      const result = await completeChecked(call, abort.signal);
      sendJson(res, base, 200, ex.body(call, result), responseHeaders(call));
      log(call, { result, endUs: nowUs() });
    } catch (error) {
      log(call, { error: error instanceof Error ? error : new Error(String(error)), endUs: nowUs() });
      if (res.headersSent) {
        sink?.fail(error instanceof GatewayError ? error : new GatewayError(502, "provider_error", "The model provider failed mid-stream"));
        if (!sink) res.destroy();
        return;
      }
      if (error instanceof GatewayError) error.headers["x-keel-trace-id"] = call.trace.traceId;
      throw error;
    }
  }

  async function chatCompletions(req: IncomingMessage, res: ServerResponse, base: readonly string[]) {
    await serve(req, res, base, COMPLETIONS, (raw) => {
      const refused = refusedParameter(raw);
      if (refused) throw refused;
      const parsed = chatCompletionRequest.safeParse(raw);
      if (!parsed.success) {
        const { message, field } = describeIssues(parsed.error, { value: raw });
        throw badRequest(message, field ?? null);
      }
      return {
        chat: parsed.data,
        body: (call, result) => completionBody(`chatcmpl-${call.trace.spanId}`, Math.floor(Date.now() / 1000), result.model, result),
        sink: chatSink,
      };
    });
  }

  async function responses(req: IncomingMessage, res: ServerResponse, base: readonly string[]) {
    await serve(req, res, base, RESPONSES, (raw) => {
      const request = parseResponsesRequest(raw);
      const created = Math.floor(Date.now() / 1000);
      return {
        chat: toChatRequest(request),
        api: "responses",
        body: (call, result) => responseBody(request, { id: `resp_${call.trace.spanId}`, created }, result),
        sink: (call, out) => responsesStream(out, request, { id: `resp_${call.trace.spanId}`, created }),
      };
    });
  }

  async function models(req: IncomingMessage, res: ServerResponse, base: readonly string[]) {
    // The deployed prompts a client can name (every label of every prompt); plain model names
    // pass through the gateway connection and are the provider's to list.
    const principal = await authenticate(req, MODELS);
    const labels = await config.labels(principal.projectId);
    sendJson(res, base, 200, { object: "list", data: labels.map((l) => ({ id: `prompt:${l.prompt}@${l.label}`, object: "model", created: Math.floor(l.updatedAt.getTime() / 1000), owned_by: "keel" })) });
  }

  /** One deployed prompt as a model (`prompt:<name>@<label>`, the name's `/` sent raw or %2F-encoded); anything else is the provider's to describe. */
  async function model(req: IncomingMessage, res: ServerResponse, base: readonly string[], encoded: string) {
    const principal = await authenticate(req, MODEL);
    let id: string;
    try {
      id = decodeURIComponent(encoded);
    } catch {
      throw badRequest("The model id in the path is not valid percent-encoding", "model");
    }
    const notFound = () => new GatewayError(404, "invalid_request_error", `The model \`${id.slice(0, 300)}\` does not exist: Keel's gateway describes its deployed prompts (prompt:<name>@<label>); plain model names are the provider's`, "model_not_found", "model");
    if (!id.startsWith("prompt:")) throw notFound();
    const ref = id.slice("prompt:".length);
    const at = ref.lastIndexOf("@");
    const name = (at < 0 ? ref : ref.slice(0, at)).trim();
    const label = (at < 0 ? DEFAULT_LABEL : ref.slice(at + 1)).trim() || DEFAULT_LABEL;
    const found = name ? (await config.labels(principal.projectId)).find((l) => l.prompt === name && l.label === label) : undefined;
    if (!found) throw notFound();
    sendJson(res, base, 200, { id: `prompt:${found.prompt}@${found.label}`, object: "model", created: Math.floor(found.updatedAt.getTime() / 1000), owned_by: "keel" });
  }

  const embeddings = embeddingsHandler({ config, limits, logger, authenticate: (req) => authenticate(req, EMBEDDINGS), readRaw, sendJson, traceContext, nowUs, hex });

  return {
    logger,
    async handle(req, res, target, base) {
      const q = target.indexOf("?");
      const path = (q < 0 ? target : target.slice(0, q)).replace(/\/+$/, "");
      try {
        if (path === COMPLETIONS.path) {
          if (req.method !== "POST") throw new GatewayError(405, "invalid_request_error", `Method ${req.method} is not allowed here (allowed: POST)`, null, null, { allow: "POST" });
          await chatCompletions(req, res, base);
          return;
        }
        if (path === RESPONSES.path || path === EMBEDDINGS.path) {
          if (req.method !== "POST") throw new GatewayError(405, "invalid_request_error", `Method ${req.method} is not allowed here (allowed: POST)`, null, null, { allow: "POST" });
          await (path === RESPONSES.path ? responses(req, res, base) : embeddings(req, res, base));
          return;
        }
        if (path === MODELS.path && (req.method === "GET" || req.method === "HEAD")) {
          await models(req, res, base);
          return;
        }
        if (path.startsWith(MODEL_PREFIX) && path.length > MODEL_PREFIX.length && (req.method === "GET" || req.method === "HEAD")) {
          await model(req, res, base, path.slice(MODEL_PREFIX.length));
          return;
        }
        throw new GatewayError(404, "invalid_request_error", `No gateway route ${path}: Keel's gateway serves POST /api/gateway/v1/chat/completions, /responses and /embeddings, GET /api/gateway/v1/models`, "unknown_url");
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof GatewayError) return sendJson(res, base, error.status, error.body(), error.headers);
        if (error instanceof AppError && error.code !== "INTERNAL") {
          const status = HTTP_STATUS[error.code];
          return sendJson(res, base, status, new GatewayError(status, "invalid_request_error", error.message, null, error.field ?? null).body());
        }
        console.error(`[gateway] ${req.method} ${path} failed:`, error);
        sendJson(res, base, 500, new GatewayError(500, "server_error", "Something went wrong on our side. The error was logged.").body());
      }
    },
    async close() {
      config.close();
      await logger.flush();
    },
  };
}
