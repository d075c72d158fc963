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

export type ResponseFormat = { type: "text" } | { type: "json_object" } | { type: "json_schema"; name: string; schema: object; strict?: boolean };

export type ToolDefinition = { name: string; description?: string; parameters: object };

/** Whether and which tool the model must call: OpenAI's tool_choice, Anthropic's any/none/tool. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

export type CompletionRequest = {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  responseFormat?: ResponseFormat;
  tools?: ToolDefinition[];
  signal?: AbortSignal;
  // The parameters below come from gateway callers (the chat-completions and Responses APIs); the
  // playground and evaluations leave them unset. A provider that cannot carry one that is set
  // says so through `unsupported()`, and the gateway refuses the call instead of dropping it.
  topP?: number;
  seed?: number;
  /** Choices to generate (default 1); choices after the first come back in `CompletionResult.alternatives`. */
  n?: number;
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  logprobs?: boolean;
  topLogprobs?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  reasoningEffort?: string;
  /** Free-form string tags (OpenAI's `metadata`). */
  metadata?: Record<string, string>;
  /** The end user, for the provider's abuse monitoring (OpenAI's `user`, Anthropic's metadata.user_id). */
  user?: string;
  logitBias?: Record<string, number>;
  serviceTier?: string;
  store?: boolean;
  verbosity?: string;
  /**
   * OpenAI-only parameters with no counterpart elsewhere, forwarded verbatim to an
   * OpenAI-compatible server under their wire names (safety_identifier, prompt_cache_key,
   * prompt_cache_retention, prompt_cache_options, prediction).
   */
  openaiExtras?: Record<string, unknown>;
};

/** The optional request parameters a provider may be unable to carry. */
export type RequestParameter = Exclude<keyof CompletionRequest, "model" | "messages" | "signal">;

export type ToolCall = {
  id: string;
  name: string;
  /** The arguments as the model wrote them: usually JSON, not guaranteed to parse. */
  arguments: string;
};

export type Usage = { inputTokens: number; outputTokens: number };

/** Normalised across vendors (Anthropic's end_turn → stop, max_tokens → length, …). */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "other";

/** Token log probabilities of one choice, in OpenAI's shape (passed through as the provider sent them). */
export type Logprobs = { content: TokenLogprob[] | null; refusal?: TokenLogprob[] | null };
export type TokenLogprob = {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: { token: string; logprob: number; bytes: number[] | null }[];
};

/** A choice after the first, when the request asked for `n` > 1. */
export type Alternative = { text: string; toolCalls?: ToolCall[]; finishReason: FinishReason; logprobs?: Logprobs | null };

export type CompletionResult = {
  text: string;
  toolCalls?: ToolCall[];
  /** The first choice's log probabilities, when the request asked for them. */
  logprobs?: Logprobs | null;
  /** Choices 2..n when the request asked for n > 1 (usage covers them all). */
  alternatives?: Alternative[];
  usage: Usage;
  /** Wall-clock time the caller waited, retries included. */
  latencyMs: number;
  /** The model that answered, as the provider reports it (may be a dated snapshot). */
  model: string;
  finishReason: FinishReason;
  /** HTTP requests made (1 without retries). */
  attempts: number;
};

export type StreamEvent = { type: "delta"; text: string; logprobs?: TokenLogprob[] } | { type: "done"; result: CompletionResult };

export type ProviderKind = "openai_compatible" | "anthropic" | "simulated";

/** Texts (or pre-tokenized inputs) to embed; the result keeps their order. */
export type EmbeddingRequest = {
  model: string;
  input: string[] | number[][];
  /** Output dimensions, for models that can shorten their embeddings (text-embedding-3 and later). */
  dimensions?: number;
  /** The end user, passed on to the provider for its abuse monitoring. */
  user?: string;
  signal?: AbortSignal;
};

export type EmbeddingResult = {
  embeddings: number[][];
  /** Input tokens only (embeddings have no output tokens). */
  usage: { inputTokens: number };
  model: string;
  latencyMs: number;
  attempts: number;
};

export type Provider = {
  kind: ProviderKind;
  name: string;
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /** Text deltas as they arrive, then exactly one `done` with the full result. */
  stream(req: CompletionRequest): AsyncIterable<StreamEvent>;
  /** The first parameter set in `req` this provider cannot carry (null: it carries them all). */
  unsupported(req: Omit<CompletionRequest, "model" | "messages">): RequestParameter | null;
  /** Embeddings, for providers that serve them (Anthropic has no embeddings API: absent). */
  embed?(req: EmbeddingRequest): Promise<EmbeddingResult>;
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
