import "server-only";
// Every gateway call is logged as one generation span (OpenTelemetry GenAI names where they
// exist), written in the background by the TraceLogger; PII a guardrail found is masked in it.
import { estimateCost, type CompletionResult } from "../providers";
import type { StoredSpan } from "../telemetry/store";
import type { Call } from "./call";
import { maskPii, PII_ENTITIES } from "./guardrails";
import { countsUsageWhenLogged } from "./limits";
import type { TraceLogger } from "./logger";
import type { GatewayError } from "./wire";

const MAX_LOGGED_BYTES = 64 * 1024;

function cap(text: string | null): string | null {
  if (text === null || text.length <= MAX_LOGGED_BYTES) return text;
  return `${text.slice(0, MAX_LOGGED_BYTES)}…`;
}

export function logCall(logger: TraceLogger, call: Call, outcome: { result?: CompletionResult; error?: GatewayError | Error; endUs: number }) {
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
  logger.log(call.principal.projectId, call.principal.keyId, span, countsUsageWhenLogged(call.principal));
}
