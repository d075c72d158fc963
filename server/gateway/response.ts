import "server-only";
// Shaping the answer of a chat completions call: the Keel headers (trace id, flagged guardrails,
// fallback) and the streamed chat.completion.chunk events.
import type { ServerResponse } from "node:http";
import type { Call, StreamSink } from "./call";
import { chunkLine, toolCallsDelta } from "./wire";

export function responseHeaders(call: Call): Record<string, string> {
  const headers: Record<string, string> = { "x-keel-trace-id": call.trace.traceId };
  const flagged = [...new Set(call.violations.filter((v) => v.action === "flag").map((v) => v.rule))];
  if (flagged.length) headers["x-keel-guardrails-flagged"] = flagged.join(", ").slice(0, 500);
  if (call.usedFallback) headers["x-keel-fallback"] = call.fallback!.connection.name;
  return headers;
}

export function streamHeaders(call: Call, base: readonly string[]): string[] {
  const headers = [...base, "content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache", "x-accel-buffering", "no"];
  for (const [k, v] of Object.entries(responseHeaders(call))) headers.push(k, v);
  return headers;
}

/** chat.completion.chunk events, then [DONE]. */
export function chatSink(call: Call, res: ServerResponse): StreamSink {
  const id = `chatcmpl-${call.trace.spanId}`;
  const created = Math.floor(Date.now() / 1000);
  const includeUsage = call.body.stream_options?.include_usage === true;
  let model = call.primary.model;
  return {
    open(answering, headers) {
      model = answering;
      res.writeHead(200, headers);
      res.write(chunkLine(id, created, model, { role: "assistant", content: "" }, null));
    },
    text(piece, logprobs) {
      if (piece || logprobs) res.write(chunkLine(id, created, model, { content: piece }, null, undefined, logprobs));
    },
    finish(result) {
      if (result.toolCalls?.length) res.write(chunkLine(id, created, result.model, toolCallsDelta(result.toolCalls), null));
      res.write(chunkLine(id, created, result.model, {}, result.finishReason));
      if (includeUsage) res.write(chunkLine(id, created, result.model, {}, null, result.usage));
      res.end("data: [DONE]\n\n");
    },
    fail(error) {
      // Mid-stream: an error event in OpenAI's shape, then the end of the stream.
      res.end(`data: ${JSON.stringify(error.body())}\n\n`);
    },
  };
}
