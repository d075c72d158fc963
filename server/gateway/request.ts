import "server-only";
// The front of the gateway pipeline: the API key and its scope, the request body, and the plan
// of the call (prompt model or pass-through, rendered messages, parameters, primary and fallback
// connections, the guardrails that apply). Everything the caller got wrong is refused here,
// before a provider is called.
import type { IncomingMessage } from "node:http";
import { renderPrompt } from "../contracts/templates";
import { AppError } from "../errors";
import type { ApiKeyCache, Principal } from "../public-api/key-cache";
import { HttpError } from "../public-api/errors";
import { parseCredentials, readJsonBody } from "../public-api/input";
import { requireKeyPermission } from "../rbac/access";
import { DEFAULT_LABEL, hex, traceContext, type Call, type Target } from "./call";
import type { Connection, GatewayConfig } from "./config";
import type { GatewayRoute } from "./routes";
import { badRequest, GatewayError, requestParameters, toChatMessages, toTools, WIRE_NAMES, type ChatCompletionRequest } from "./wire";
import { requestVariables } from "./variables";

const MAX_GATEWAY_BODY = 4 * 1_048_576;

export async function authenticate(keys: ApiKeyCache, req: IncomingMessage, route: GatewayRoute): Promise<Principal> {
  // Authorization: Bearer (OpenAI clients), or the key alone in api-key (Azure OpenAI clients)
  // or x-api-key (Anthropic-style clients).
  const alone = [req.headers["api-key"], req.headers["x-api-key"]].find((v): v is string => typeof v === "string" && v.trim() !== "");
  const credentials = parseCredentials(req.headers.authorization) ?? (alone ? { secret: alone.trim() } : null);
  if (!credentials)
    throw new GatewayError(
      401,
      "invalid_request_error",
      "Send a Keel API key: Authorization: Bearer sk-keel-… (or an api-key / x-api-key header)",
      "invalid_api_key",
    );
  const found = keys.authenticate(credentials.secret, credentials.publicKey);
  const principal = found instanceof Promise ? await found : found;
  if (!principal) throw new GatewayError(401, "invalid_request_error", "Invalid or revoked API key", "invalid_api_key");
  const denied = requireKeyPermission(principal, route.permission, route.scope);
  if (denied) throw new GatewayError(403, "permission_error", denied.message, "insufficient_scope");
  return principal;
}

export async function readRaw(req: IncomingMessage): Promise<unknown> {
  try {
    return await readJsonBody(req, MAX_GATEWAY_BODY);
  } catch (error) {
    if (error instanceof HttpError)
      throw new GatewayError(
        error.code === "PAYLOAD_TOO_LARGE" ? 413 : error.code === "UNSUPPORTED_MEDIA_TYPE" ? 415 : 400,
        "invalid_request_error",
        error.message,
        null,
        null,
        error.headers,
      );
    throw error;
  }
}

const KIND_NAMES: Record<string, string> = { openai_compatible: "OpenAI-compatible", anthropic: "Anthropic", simulated: "simulated" };

/** A 400 naming the parameter the call's provider cannot carry, and the provider. */
function unsupported(parameter: keyof typeof WIRE_NAMES, request: Call["request"], connection: Connection): GatewayError {
  const name = parameter === "openaiExtras" ? (Object.keys(request.openaiExtras ?? {})[0] ?? "openai") : WIRE_NAMES[parameter];
  const value = parameter === "n" ? ` > 1` : parameter === "toolChoice" && typeof request.toolChoice === "string" ? ` "${request.toolChoice}"` : "";
  return new GatewayError(
    400,
    "invalid_request_error",
    `\`${name}\`${value} is not supported by the ${KIND_NAMES[connection.kind] ?? connection.kind} provider "${connection.name}" this call goes to`,
    "unsupported_parameter",
    name,
  );
}

export async function planCall(
  config: GatewayConfig,
  principal: Principal,
  body: ChatCompletionRequest,
  startUs: number,
  headers: IncomingMessage["headers"],
): Promise<Call> {
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
      throw new GatewayError(
        404,
        "invalid_request_error",
        `The model \`${body.model}\` does not exist: no prompt "${name}" with a version labelled "${label}" in this project`,
        "model_not_found",
        "model",
      );
    }
    variables = sent ?? {};
    // The one rule (contracts/templates.ts): a sent value, else the version's default, else 400.
    const rendered = renderPrompt(
      resolved.type === "text" ? { type: "text", template: resolved.template ?? "" } : { type: "chat", messages: resolved.messages ?? [] },
      resolved.variableDetails,
      variables,
    );
    if (rendered.error)
      throw badRequest(
        `${rendered.error} (prompt "${name}": send them in \`variables\`, metadata.keel_variables or a Keel-Variables header, or declare defaults in the prompt version)`,
        "variables",
        "missing_variables",
      );
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
    if (!connectionId)
      throw badRequest(
        'This project has no gateway connection for plain model names: choose one in Settings → Observability, or call a deployed prompt with model "prompt:<name>@<label>"',
        "model",
        "no_gateway_connection",
      );
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
  if (choice !== undefined && choice !== "none" && !request.tools?.length)
    throw badRequest("`tool_choice` needs `tools` (neither the request nor the prompt has any)", "tool_choice");
  if (typeof choice === "object" && !request.tools?.some((t) => t.name === choice.name))
    throw badRequest(`\`tool_choice\` names "${choice.name}", which is not one of the tools`, "tool_choice");
  if (body.stream && (request.n ?? 1) > 1)
    throw badRequest("`n` > 1 cannot be streamed through Keel's gateway: send stream: false for several choices", "n", "unsupported_parameter");

  const primaryConnection = await config.connection(principal.projectId, connectionId, settings.gatewayTimeoutMs).catch((error: unknown) => {
    // A version saved before save-time checks (or whose provider was deleted since) names a
    // connection this project does not have: the caller's problem to fix, not a server error.
    if (error instanceof AppError && error.code === "NOT_FOUND") {
      throw new GatewayError(
        422,
        "invalid_request_error",
        prompt ? `The prompt "${prompt.name}" names a provider connection this project does not have` : "The project's gateway connection no longer exists",
        "provider_not_found",
        "model",
      );
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
    if (request.logprobs)
      throw badRequest("`logprobs` cannot be combined with the output guardrails that apply to this call", "logprobs", "unsupported_parameter");
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
