import "server-only";
// Rough token counts (~4 characters per token, the usual rule of thumb for English with BPE
// tokenizers), for the simulated provider and for servers that report no usage. Good enough
// for cost estimates; not a tokenizer.
import type { ChatMessage, Usage } from "./types";

export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Each message also costs a few tokens of framing (role, separators). */
const PER_MESSAGE_OVERHEAD = 4;

export function estimateInputTokens(messages: ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content) + PER_MESSAGE_OVERHEAD, 0);
}

export function estimateUsage(messages: ChatMessage[], output: string): Usage {
  return { inputTokens: estimateInputTokens(messages), outputTokens: estimateTokens(output) };
}
