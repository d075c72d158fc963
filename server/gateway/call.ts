import "server-only";
// What one gateway call carries through the pipeline (plan -> guardrails -> provider -> response
// -> trace), and the small helpers every stage shares.
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ChatMessage, CompletionRequest, CompletionResult, TokenLogprob } from "../providers";
import type { Principal } from "../public-api/key-cache";
import type { ProjectGateway, Connection } from "./config";
import type { CompiledGuardrails, Violation } from "./guardrails";
import type { ChatCompletionRequest, GatewayError } from "./wire";

export type Target = { connection: Connection; model: string };
export type Call = {
  principal: Principal;
  project: ProjectGateway;
  body: ChatCompletionRequest;
  messages: ChatMessage[];
  request: Omit<CompletionRequest, "model" | "messages">;
  primary: Target;
  fallback: Target | null;
  guardrails: CompiledGuardrails | null;
  prompt: { name: string; version: number; label: string } | null;
  variables: Record<string, string> | null;
  trace: { traceId: string; spanId: string; parentSpanId: string | null; startUs: number };
  violations: Violation[];
  usedFallback: boolean;
  /** The wire API the call came in on (chat completions unless said). */
  api?: "responses";
};

/** Where a streamed answer goes, in the wire format of the API the call came in on. */
export type StreamSink = {
  /** Sends the status line and headers (nothing was sent before) and the stream's opening events. */
  open(model: string, headers: string[]): void;
  text(piece: string, logprobs?: TokenLogprob[]): void;
  /** The last events; ends the response. */
  finish(result: CompletionResult): void;
  /** A failure after open(): an error in the stream's format; ends the response. */
  fail(error: GatewayError): void;
};

/** One request in one wire format: the chat request the pipeline runs on and how to answer it. */
export type Exchange = {
  chat: ChatCompletionRequest;
  api?: Call["api"];
  body(call: Call, result: CompletionResult): unknown;
  sink(call: Call, res: ServerResponse): StreamSink;
};

export const DEFAULT_LABEL = "production";

export const hex = (bytes: number) => randomBytes(bytes).toString("hex");
export const nowUs = () => Math.round(performance.timeOrigin * 1000 + performance.now() * 1000);

/** W3C traceparent: the caller's trace continues through the gateway. */
export function traceContext(header: string | string[] | undefined): { traceId: string; parentSpanId: string | null } {
  const m = typeof header === "string" ? /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(header.trim()) : null;
  if (m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!)) return { traceId: m[1]!, parentSpanId: m[2]! };
  return { traceId: hex(16), parentSpanId: null };
}

export function sendJson(res: ServerResponse, base: readonly string[], status: number, body: unknown, extra: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  const headers = [...base, "content-type", "application/json", "content-length", String(Buffer.byteLength(payload))];
  for (const [k, v] of Object.entries(extra)) headers.push(k, v);
  res.writeHead(status, headers);
  res.end(payload);
}
