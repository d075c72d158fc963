import "server-only";
// The one interface every model provider client implements (OpenAI-compatible, Anthropic,
// simulated), so the playground, evaluations and the gateway never branch on the vendor.

export type ChatMessage = {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** A tool result (role "tool"): the call it answers. */
  toolCallId?: string;
  /** An assistant turn that called tools (replayed in a conversation). */
  toolCalls?: ToolCall[];
};

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: object; strict?: boolean };

export type ToolDefinition = { name: string; description?: string; parameters: object };

export type CompletionRequest = {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  responseFormat?: ResponseFormat;
  tools?: ToolDefinition[];
  signal?: AbortSignal;
};

export type ToolCall = {
  id: string;
  name: string;
  /** The arguments as the model wrote them: usually JSON, not guaranteed to parse. */
  arguments: string;
};

export type Usage = { inputTokens: number; outputTokens: number };

/** Normalised across vendors (Anthropic's end_turn → stop, max_tokens → length, …). */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "other";

export type CompletionResult = {
  text: string;
  toolCalls?: ToolCall[];
  usage: Usage;
  /** Wall-clock time the caller waited, retries included. */
  latencyMs: number;
  /** The model that answered, as the provider reports it (may be a dated snapshot). */
  model: string;
  finishReason: FinishReason;
  /** HTTP requests made (1 without retries). */
  attempts: number;
};

export type StreamEvent = { type: "delta"; text: string } | { type: "done"; result: CompletionResult };

export type ProviderKind = "openai_compatible" | "anthropic" | "simulated";

export type Provider = {
  kind: ProviderKind;
  name: string;
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /** Text deltas as they arrive, then exactly one `done` with the full result. */
  stream(req: CompletionRequest): AsyncIterable<StreamEvent>;
};

export type ProviderConnectionConfig = {
  kind: ProviderKind;
  baseUrl?: string | null;
  /** The decrypted key; never logged and redacted from error messages. */
  apiKey?: string | null;
  name?: string;
};

export type ProviderOptions = {
  /** Per attempt; for streams, the longest wait for the next chunk. Default 60 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** Base of the exponential back-off. Default 500 ms. */
  retryBaseMs?: number;
  /** Upper bound of any single wait, Retry-After included. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Tests only: a fake transport. Real calls use Keel's egress-checked fetch (server/net/egress.ts). */
  fetch?: typeof fetch;
};
