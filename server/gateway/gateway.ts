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
//
// The stages live beside this file: request.ts (key, body, plan), guardrail-checks.ts,
// provider-call.ts (fallback, re-ask, streaming), response.ts (headers, chunks) and telemetry.ts
// (the span); this file routes and runs them in order.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiKeyCache } from "../public-api/key-cache";
import { GATEWAY_ROUTES, type GatewayRoute } from "./routes";
import { describeIssues } from "../public-api/errors";
import { AppError, HTTP_STATUS } from "../errors";
import { GatewayConfig } from "./config";
import { GatewayLimits } from "./limits";
import { TraceLogger } from "./logger";
import { badRequest, chatCompletionRequest, completionBody, GatewayError, refusedParameter } from "./wire";
import { parseResponsesRequest, responseBody, responsesStream, toChatRequest } from "./responses";
import { embeddingsHandler } from "./embeddings";
import { DEFAULT_LABEL, hex, nowUs, sendJson, traceContext, type Call, type Exchange } from "./call";
import { authenticate as authenticateKey, planCall, readRaw } from "./request";
import { checkInput } from "./guardrail-checks";
import { completeChecked, streamCall } from "./provider-call";
import { chatSink, responseHeaders } from "./response";
import { logCall } from "./telemetry";
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable";
import { requestIdOf } from "../public-api/http";
import { logger as createLogger, logRequestFailure } from "../runtime/log";

export const GATEWAY_PREFIX = "/api/gateway/";
/** This process's log lines (not the call traces, which `TraceLogger` stores). */
const lines = createLogger("gateway");
const CLIENT_GONE = new Set(["ERR_STREAM_PREMATURE_CLOSE", "ECONNRESET", "EPIPE"]);
const [COMPLETIONS, MODELS, RESPONSES, EMBEDDINGS, MODEL] = GATEWAY_ROUTES;
const MODEL_PREFIX = MODEL.path.slice(0, MODEL.path.indexOf("{"));

export type GatewayOptions = { keys: ApiKeyCache; config?: GatewayConfig; limits?: GatewayLimits; logger?: TraceLogger };

export type Gateway = {
  handle(req: IncomingMessage, res: ServerResponse, target: string, base: readonly string[]): Promise<void>;
  logger: TraceLogger;
  close(): Promise<void>;
};

export function createGateway(options: GatewayOptions): Gateway {
  const config = options.config ?? new GatewayConfig();
  const limits = options.limits ?? new GatewayLimits();
  const logger = options.logger ?? new TraceLogger();
  const authenticate = (req: IncomingMessage, route: GatewayRoute) => authenticateKey(options.keys, req, route);
  const log = (call: Call, outcome: Parameters<typeof logCall>[2]) => logCall(logger, call, outcome);

  /** The pipeline every chat-shaped call runs through, whatever its wire format. */
  async function serve(req: IncomingMessage, res: ServerResponse, base: readonly string[], route: GatewayRoute, exchange: (raw: unknown) => Exchange) {
    const startUs = nowUs();
    const principal = await authenticate(req, route);
    await limits.admit(principal);
    const ex = exchange(await readRaw(req));
    const body = ex.chat;
    const call = await planCall(config, principal, body, startUs, req.headers);
    if (ex.api) call.api = ex.api;
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const sink = body.stream ? ex.sink(call, res) : null;
    try {
      checkInput(call);
      if (sink) {
        const result = await streamCall(call, sink, base, abort.signal);
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
    sendJson(res, base, 200, {
      object: "list",
      data: labels.map((l) => ({ id: `prompt:${l.prompt}@${l.label}`, object: "model", created: Math.floor(l.updatedAt.getTime() / 1000), owned_by: "keel" })),
    });
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
    const notFound = () =>
      new GatewayError(
        404,
        "invalid_request_error",
        `The model \`${id.slice(0, 300)}\` does not exist: Keel's gateway describes its deployed prompts (prompt:<name>@<label>); plain model names are the provider's`,
        "model_not_found",
        "model",
      );
    if (!id.startsWith("prompt:")) throw notFound();
    const ref = id.slice("prompt:".length);
    const at = ref.lastIndexOf("@");
    const name = (at < 0 ? ref : ref.slice(0, at)).trim();
    const label = (at < 0 ? DEFAULT_LABEL : ref.slice(at + 1)).trim() || DEFAULT_LABEL;
    const found = name ? (await config.labels(principal.projectId)).find((l) => l.prompt === name && l.label === label) : undefined;
    if (!found) throw notFound();
    sendJson(res, base, 200, {
      id: `prompt:${found.prompt}@${found.label}`,
      object: "model",
      created: Math.floor(found.updatedAt.getTime() / 1000),
      owned_by: "keel",
    });
  }

  const embeddings = embeddingsHandler({
    config,
    limits,
    logger,
    authenticate: (req) => authenticate(req, EMBEDDINGS),
    readRaw,
    sendJson,
    traceContext,
    nowUs,
    hex,
  });

  return {
    logger,
    async handle(req, res, target, base) {
      const q = target.indexOf("?");
      const path = (q < 0 ? target : target.slice(0, q)).replace(/\/+$/, "");
      try {
        if (path === COMPLETIONS.path) {
          if (req.method !== "POST")
            throw new GatewayError(405, "invalid_request_error", `Method ${req.method} is not allowed here (allowed: POST)`, null, null, { allow: "POST" });
          await chatCompletions(req, res, base);
          return;
        }
        if (path === RESPONSES.path || path === EMBEDDINGS.path) {
          if (req.method !== "POST")
            throw new GatewayError(405, "invalid_request_error", `Method ${req.method} is not allowed here (allowed: POST)`, null, null, { allow: "POST" });
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
        throw new GatewayError(
          404,
          "invalid_request_error",
          `No gateway route ${path}: Keel's gateway serves POST /api/gateway/v1/chat/completions, /responses and /embeddings, GET /api/gateway/v1/models`,
          "unknown_url",
        );
      } catch (error) {
        const route = `${req.method} ${path}`;
        if (res.headersSent) {
          const code = (error as { code?: unknown }).code;
          // A client that went away is not a failure of ours.
          if (!(error instanceof GatewayError) && !CLIENT_GONE.has(code as string))
            lines.error(`${route} failed after responding`, { route, requestId: requestIdOf(req), error });
          res.destroy();
          return;
        }
        if (error instanceof GatewayError) return sendJson(res, base, error.status, error.body(), error.headers);
        if (error instanceof AppError && error.code !== "INTERNAL") {
          const status = HTTP_STATUS[error.code];
          return sendJson(res, base, status, new GatewayError(status, "invalid_request_error", error.message, null, error.field ?? null).body());
        }
        // One line per failure that is ours; the client has the same id in X-Request-Id.
        if (isDatabaseUnavailable(error)) {
          logRequestFailure(lines, { route, status: 503, requestId: requestIdOf(req), error });
          return sendJson(res, base, 503, new GatewayError(503, "service_unavailable", DATABASE_UNAVAILABLE_MESSAGE).body(), {
            "retry-after": String(DATABASE_RETRY_AFTER_SECONDS),
          });
        }
        logRequestFailure(lines, { route, status: 500, requestId: requestIdOf(req), error });
        sendJson(res, base, 500, new GatewayError(500, "server_error", "Something went wrong on our side. The error was logged.").body());
      }
    },
    async close() {
      config.close();
      await logger.flush();
    },
  };
}
