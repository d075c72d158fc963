import "server-only";
// Which optional request parameters a provider carries. A parameter counts as set only when it
// asks for something beyond the default every provider gives (n: 1, logprobs: false, store: false,
// parallel tool calls allowed, empty metadata, penalties of 0, top_p 1), so a client that spells
// out defaults (promptfoo sends penalties of 0) is never refused.
import type { CompletionRequest, RequestParameter } from "./types";

type Parameters = Omit<CompletionRequest, "model" | "messages">;

/** Every optional parameter, in the order a refusal names them. */
export const REQUEST_PARAMETERS: readonly RequestParameter[] = [
  "temperature",
  "maxTokens",
  "stop",
  "responseFormat",
  "tools",
  "topP",
  "seed",
  "n",
  "toolChoice",
  "parallelToolCalls",
  "logprobs",
  "topLogprobs",
  "presencePenalty",
  "frequencyPenalty",
  "reasoningEffort",
  "metadata",
  "user",
  "logitBias",
  "serviceTier",
  "store",
  "verbosity",
  "openaiExtras",
];

export function isSet(req: Parameters, p: RequestParameter): boolean {
  const value = req[p];
  if (value === undefined || value === null) return false;
  switch (p) {
    case "n":
      return value !== 1;
    case "logprobs":
    case "store":
      return value === true;
    case "parallelToolCalls":
      return value === false;
    case "presencePenalty":
    case "frequencyPenalty":
      return value !== 0;
    case "topP":
      return value !== 1;
    case "stop":
    case "tools":
      return (value as unknown[]).length > 0;
    case "metadata":
    case "logitBias":
    case "openaiExtras":
      return Object.keys(value as object).length > 0;
    default:
      return true;
  }
}

/** The first parameter set in `req` outside `carried`. */
export function firstUnsupported(req: Parameters, carried: ReadonlySet<RequestParameter>): RequestParameter | null {
  return REQUEST_PARAMETERS.find((p) => !carried.has(p) && isSet(req, p)) ?? null;
}
