import "server-only";
// The guardrails of one call: input checks mask or block before the model sees the messages,
// output checks before the client sees the answer.
import type { Call } from "./call";
import type { CheckResult, Violation } from "./guardrails";
import { GatewayError } from "./wire";

export function blockedError(v: Violation): GatewayError {
  return new GatewayError(400, "invalid_request_error", `Blocked by guardrail "${v.rule}" (${v.kind}, ${v.stage}): ${v.detail}`, "guardrail_blocked");
}

/** Input guardrails: masks in place, throws on a block. */
export function checkInput(call: Call) {
  if (!call.guardrails?.hasInput) return;
  call.messages = call.messages.map((m) => {
    if (m.role === "assistant" || !m.content) return m;
    const checked: CheckResult = call.guardrails!.checkInput(m.content);
    call.violations.push(...checked.violations);
    if (checked.blocked) throw blockedError(checked.blocked);
    return checked.text === m.content ? m : { ...m, content: checked.text };
  });
}

export function checkOutput(call: Call, text: string): CheckResult | null {
  if (!call.guardrails?.hasOutput || !text) return null;
  return call.guardrails.checkOutput(text);
}
