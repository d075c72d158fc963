import "server-only";
// Calling the provider: the primary connection, then the fallback once on a timeout, network
// failure, broken answer or 5xx; a JSON Schema miss of the output guardrails gets one re-ask.
// Streamed calls open the client's stream only once the provider's first event arrived, so a
// failure before it can still fall back.
import { ProviderError, type ChatMessage, type CompletionResult, type StreamEvent } from "../providers";
import type { Call, StreamSink, Target } from "./call";
import { blockedError, checkOutput } from "./guardrail-checks";
import { streamHeaders } from "./response";
import { GatewayError } from "./wire";

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
  return new GatewayError(
    status,
    "provider_error",
    `The model provider failed${after}: ${reasons.join("; ")}`.slice(0, 2_000),
    status === 429 ? "provider_rate_limited" : "provider_error",
  );
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
export async function completeChecked(call: Call, signal: AbortSignal): Promise<CompletionResult> {
  let result = await complete(call, call.messages, signal);
  let checked = checkOutput(call, result.text);
  const schemaMiss = checked?.violations.find((v) => v.kind === "json_schema" && !v.cannotRun);
  if (checked && schemaMiss) {
    const reask: ChatMessage[] = [
      ...call.messages,
      { role: "assistant", content: result.text },
      { role: "user", content: call.guardrails!.reaskMessage(schemaMiss) },
    ];
    const again = await complete(call, reask, signal);
    result = {
      ...again,
      usage: { inputTokens: result.usage.inputTokens + again.usage.inputTokens, outputTokens: result.usage.outputTokens + again.usage.outputTokens },
      attempts: result.attempts + again.attempts,
    };
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

export async function streamCall(call: Call, sink: StreamSink, base: readonly string[], signal: AbortSignal): Promise<CompletionResult> {
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
