import "server-only";
// POST /api/gateway/v1/embeddings: OpenAI's embeddings API, passed through to the project's
// gateway connection when its provider serves embeddings (OpenAI-compatible ones; the simulated
// provider answers deterministic vectors so demos work; Anthropic has none: a 400 says so).
// Input guardrails run on the texts (a block is a 400, a mask changes what is embedded); the
// call is logged as one span with gen_ai.operation.name "embeddings", its input tokens and cost.
// No fallback: the fallback connection's model is a chat model.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { jsonChecked } from "../contracts/fields";
import { AppError } from "../errors";
import { estimateCost, ProviderError, type EmbeddingResult } from "../providers";
import type { Principal } from "../public-api/key-cache";
import { describeIssues } from "../public-api/errors";
import type { StoredSpan } from "../telemetry/store";
import type { GatewayConfig } from "./config";
import { maskPii, PII_ENTITIES, type Violation } from "./guardrails";
import { countsUsageWhenLogged, type GatewayLimits } from "./limits";
import type { TraceLogger } from "./logger";
import { badRequest, GatewayError } from "./wire";

/** OpenAI's own limit per request. */
export const MAX_EMBEDDING_INPUTS = 2_048;
const MAX_LOGGED_BYTES = 64 * 1024;

const token = z.number().int().min(0).max(10_000_000);
const nonEmpty = z.string().min(1, "must not be empty");

export const embeddingsRequest = jsonChecked(
  z
    .object({
      model: z.string({ error: "is required" }).trim().min(1, "is required").max(300),
      input: z.union(
        [
          nonEmpty,
          z.array(nonEmpty).min(1, "must not be empty").max(MAX_EMBEDDING_INPUTS),
          z.array(token).min(1, "must not be empty").max(100_000),
          z.array(z.array(token).min(1, "must not be empty").max(100_000)).min(1, "must not be empty").max(MAX_EMBEDDING_INPUTS),
        ],
        { error: "must be a string, an array of strings, an array of token ids or an array of token id arrays" },
      ),
      dimensions: z.number().int().min(1).max(65_536).optional(),
      encoding_format: z.enum(["float", "base64"], { error: "must be float or base64" }).optional(),
      user: z.string().max(256).optional(),
    })
    .loose(),
);

/** An embedding as OpenAI's base64 encoding: little-endian float32s. */
export function toBase64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buffer.writeFloatLE(x, i * 4));
  return buffer.toString("base64");
}

export function embeddingsBody(result: EmbeddingResult, format: "float" | "base64") {
  return {
    object: "list",
    data: result.embeddings.map((embedding, index) => ({ object: "embedding", index, embedding: format === "base64" ? toBase64(embedding) : embedding })),
    model: result.model,
    usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
  };
}

type Deps = {
  config: GatewayConfig;
  limits: GatewayLimits;
  logger: TraceLogger;
  authenticate(req: IncomingMessage): Promise<Principal>;
  readRaw(req: IncomingMessage): Promise<unknown>;
  sendJson(res: ServerResponse, base: readonly string[], status: number, body: unknown, extra?: Record<string, string>): void;
  traceContext(header: string | string[] | undefined): { traceId: string; parentSpanId: string | null };
  nowUs(): number;
  hex(bytes: number): string;
};

function providerFailure(connection: string, model: string, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const rateLimited = error instanceof ProviderError && error.status === 429;
  const status = rateLimited ? 429 : 502;
  const reason = error instanceof Error ? error.message : String(error);
  return new GatewayError(
    status,
    "provider_error",
    `The model provider failed: ${connection} (${model}): ${reason}`.slice(0, 2_000),
    rateLimited ? "provider_rate_limited" : "provider_error",
  );
}

export function embeddingsHandler(deps: Deps) {
  const { config, limits, logger } = deps;

  return async function embeddings(req: IncomingMessage, res: ServerResponse, base: readonly string[]) {
    const startUs = deps.nowUs();
    const principal = await deps.authenticate(req);
    await limits.admit(principal);
    const raw = await deps.readRaw(req);
    const parsed = embeddingsRequest.safeParse(raw);
    if (!parsed.success) {
      const { message, field } = describeIssues(parsed.error, { value: raw });
      throw badRequest(message, field ?? null);
    }
    const body = parsed.data;
    if (body.model.startsWith("prompt:"))
      throw badRequest("Deployed prompts are chat prompts: embeddings take the provider's embedding model name (e.g. text-embedding-3-small)", "model");
    const project = await config.project(principal.projectId);
    const connectionId = project.settings.gatewayConnectionId;
    if (!connectionId)
      throw badRequest("This project has no gateway connection for embeddings: choose one in Settings → Observability", "model", "no_gateway_connection");
    const connection = await config.connection(principal.projectId, connectionId, project.settings.gatewayTimeoutMs).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw new GatewayError(422, "invalid_request_error", "The project's gateway connection no longer exists", "provider_not_found", "model");
      throw error;
    });
    const embed = connection.provider.embed?.bind(connection.provider);
    if (!embed)
      throw badRequest(
        `The project's gateway connection "${connection.name}" (${connection.kind}) does not serve embeddings: choose an OpenAI-compatible connection for the gateway`,
        "model",
        "embeddings_not_supported",
      );

    let input: string[] | number[][] =
      typeof body.input === "string"
        ? [body.input]
        : body.input.length && typeof body.input[0] === "number"
          ? [body.input as number[]]
          : (body.input as string[] | number[][]);
    const context = deps.traceContext(req.headers.traceparent);
    const trace = { traceId: context.traceId, spanId: deps.hex(8), parentSpanId: context.parentSpanId };
    const violations: Violation[] = [];

    const log = (outcome: { result?: EmbeddingResult; error?: Error }) => {
      const { result, error } = outcome;
      const attributes: Record<string, unknown> = {
        "gen_ai.operation.name": "embeddings",
        "keel.gateway.connection": connection.name,
        "keel.api_key": principal.publicKey,
      };
      if (body.user) attributes["user.id"] = body.user;
      if (body.dimensions !== undefined) attributes["gen_ai.embeddings.dimension.count"] = body.dimensions;
      else if (result?.embeddings[0]) attributes["gen_ai.embeddings.dimension.count"] = result.embeddings[0].length;
      const scrub = violations.some((v) => v.kind === "pii") ? (text: string) => maskPii(text, PII_ENTITIES).text : (text: string) => text;
      const logged = JSON.stringify(input);
      const endUs = Math.max(deps.nowUs(), startUs);
      const span: StoredSpan = {
        traceId: trace.traceId,
        spanId: trace.spanId,
        parentSpanId: trace.parentSpanId,
        name: `gateway embeddings ${body.model}`,
        kind: 2,
        startUs,
        endUs,
        statusCode: error ? 2 : 1,
        statusMessage: error ? error.message.slice(0, 1_000) : null,
        serviceName: "keel-gateway",
        // A model call, as OTLP-ingested embeddings spans are (span-row.ts): its tokens and cost
        // count in the trace's and the dashboards' totals, which only add up model calls.
        isGeneration: true,
        model: result?.model ?? body.model,
        provider: connection.kind,
        inputTokens: result ? result.usage.inputTokens : null,
        outputTokens: result ? 0 : null,
        costUsd: result ? estimateCost(result.model || body.model, { inputTokens: result.usage.inputTokens, outputTokens: 0 }, project.prices) : null,
        promptName: null,
        promptVersion: null,
        environment: null,
        userId: body.user ?? null,
        sessionId: null,
        input: scrub(logged.length <= MAX_LOGGED_BYTES ? logged : `${logged.slice(0, MAX_LOGGED_BYTES)}…`),
        output: result
          ? `${result.embeddings.length} embedding${result.embeddings.length === 1 ? "" : "s"} of ${result.embeddings[0]?.length ?? 0} dimensions`
          : null,
        attributes,
        events: [],
        source: "gateway",
        guardrails: violations.map((v) => ({ rule: v.rule, kind: v.kind, stage: v.stage, action: v.action, detail: v.detail })),
      };
      logger.log(principal.projectId, principal.keyId, span, countsUsageWhenLogged(principal));
    };

    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const guardrails = config.guardrailsFor(project, null, null);
      if (guardrails?.hasInput) {
        if (typeof input[0] !== "string") throw badRequest("This project's input guardrails check text: send the input as text, not token ids", "input");
        input = (input as string[]).map((text) => {
          const checked = guardrails.checkInput(text);
          violations.push(...checked.violations);
          if (checked.blocked) {
            const v = checked.blocked;
            throw new GatewayError(400, "invalid_request_error", `Blocked by guardrail "${v.rule}" (${v.kind}, ${v.stage}): ${v.detail}`, "guardrail_blocked");
          }
          return checked.text;
        });
      }
      let result: EmbeddingResult;
      try {
        result = await embed({
          model: body.model,
          input,
          ...(body.dimensions !== undefined ? { dimensions: body.dimensions } : {}),
          ...(body.user !== undefined ? { user: body.user } : {}),
          signal: abort.signal,
        });
      } catch (error) {
        throw providerFailure(connection.name, body.model, error);
      }
      const headers: Record<string, string> = { "x-keel-trace-id": trace.traceId };
      const flagged = [...new Set(violations.filter((v) => v.action === "flag").map((v) => v.rule))];
      if (flagged.length) headers["x-keel-guardrails-flagged"] = flagged.join(", ").slice(0, 500);
      deps.sendJson(res, base, 200, embeddingsBody(result, body.encoding_format ?? "float"), headers);
      log({ result });
    } catch (error) {
      log({ error: error instanceof Error ? error : new Error(String(error)) });
      if (error instanceof GatewayError) error.headers["x-keel-trace-id"] = trace.traceId;
      throw error;
    }
  };
}
