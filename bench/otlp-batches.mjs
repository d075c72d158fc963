// Realistic OTLP/HTTP JSON trace batches for the telemetry benchmarks (bench/telemetry-cases.mjs):
// what an instrumented LLM application's exporter sends. A batch holds 100 spans in 20 traces of
// 4 to 6 spans (an HTTP root, a retrieval, a tool call, 2 to 3 GenAI generations of 3 prompts on
// 2 models), ~15 attributes a span, short input/output messages, 2% error statuses.
//
// Every batch gets ids no other batch has (run id + batch number in every trace id), and spans
// are stamped with the current time (the template is rebuilt every second), so the server stores
// them and the rollups count them as a live application's would. The body is a prebuilt template
// with its ids spliced in: building 100 spans per request from objects would make the load
// generator, not the server, the bottleneck.
import { randomBytes } from "node:crypto";

export const SPANS_PER_BATCH = 100;
const TRACE_SHAPES = [4, 6, 5, 5]; // spans per trace, repeated: 20 traces, 100 spans
const ID = "\u00a7"; // "§", replaced by the batch's 16-hex prefix (run id + batch number)
const SPAN = "\u00b6"; // "¶", replaced by the batch number (8 hex): span ids are unique across batches

const PROMPTS = [
  { name: "support/reply", version: 7, model: "gpt-4o-mini", temperature: 0.3 },
  { name: "support/triage", version: 3, model: "gpt-4o-mini", temperature: 0 },
  { name: "support/summarize", version: 12, model: "gpt-4o", temperature: 0.2 },
];
const QUESTIONS = [
  "Where is my order #48213? It was due on Monday.",
  "Can I change the delivery address of my parcel?",
  "I was charged twice for the same subscription this month.",
  "How do I reset my password if I no longer have access to my email?",
  "The invoice for March shows the wrong VAT number.",
];
const ANSWERS = [
  "Your order left our warehouse yesterday and should arrive within two working days. You can follow it with the tracking link in your confirmation email.",
  "Yes: as long as the parcel has not been handed to the carrier, you can change the address under Orders → Delivery. I have sent you the link.",
  "I am sorry about that. I can see two payments on 3 March; the duplicate will be refunded to your card within 5 working days.",
];

const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: String(value) } });
const dbl = (key, value) => ({ key, value: { doubleValue: value } });
const bool = (key, value) => ({ key, value: { boolValue: value } });
const arr = (key, values) => ({ key, value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } } });
const hex = (n, width) => n.toString(16).padStart(width, "0");
const nanos = (ms) => `${Math.round(ms * 1000)}000`;

function generationAttributes(i, prompt, user, session, question, answer) {
  const inputTokens = 380 + ((i * 37) % 900);
  const outputTokens = 40 + ((i * 53) % 260);
  return [
    str("gen_ai.operation.name", "chat"),
    str("gen_ai.provider.name", "openai"),
    str("gen_ai.request.model", prompt.model),
    str("gen_ai.response.model", `${prompt.model}-2024-07-18`),
    dbl("gen_ai.request.temperature", prompt.temperature),
    int("gen_ai.request.max_tokens", 800),
    str("gen_ai.response.id", `chatcmpl-${SPAN}${hex(i, 6)}`),
    arr("gen_ai.response.finish_reasons", ["stop"]),
    int("gen_ai.usage.input_tokens", inputTokens),
    int("gen_ai.usage.output_tokens", outputTokens),
    str("keel.prompt.name", prompt.name),
    int("keel.prompt.version", prompt.version),
    str("keel.prompt.label", "production"),
    str("user.id", user),
    str("session.id", session),
    str(
      "gen_ai.input.messages",
      JSON.stringify([
        { role: "system", parts: [{ type: "text", content: "You are the support assistant of Acme. Answer in English, in at most three short paragraphs." }] },
        { role: "user", parts: [{ type: "text", content: question }] },
      ]),
    ),
    str("gen_ai.output.messages", JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: answer }], finish_reason: "stop" }])),
  ];
}

function rootAttributes(i, user, session) {
  return [
    str("http.request.method", "POST"),
    str("http.route", "/api/chat"),
    str("url.path", "/api/chat"),
    str("url.scheme", "https"),
    int("http.response.status_code", 200),
    str("server.address", "support.acme.example"),
    int("server.port", 443),
    str("client.address", `10.0.${i % 250}.${(i * 7) % 250}`),
    str("user_agent.original", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    str("network.protocol.version", "1.1"),
    str("user.id", user),
    str("session.id", session),
    str("enduser.role", "customer"),
    str("app.ticket.channel", ["web", "email", "chat"][i % 3]),
    bool("app.ticket.authenticated", true),
  ];
}

function retrievalAttributes(i) {
  return [
    str("db.system.name", "postgresql"),
    str("db.operation.name", "SELECT"),
    str("db.collection.name", "help_articles"),
    str("db.namespace", "support"),
    str("db.query.text", "SELECT id, title, body FROM help_articles ORDER BY embedding <=> $1 LIMIT 5"),
    str("server.address", "db.internal"),
    int("server.port", 5432),
    int("db.response.returned_rows", 5),
    str("retrieval.index", "help-articles-v4"),
    dbl("retrieval.top_score", 0.71 + (i % 20) / 100),
    int("retrieval.documents", 5),
    str("app.component", "rag"),
    str("code.function.name", "findArticles"),
    str("code.file.path", "src/support/retrieve.ts"),
    int("code.line.number", 42),
  ];
}

function toolAttributes(i, user) {
  return [
    str("gen_ai.operation.name", "execute_tool"),
    str("gen_ai.tool.name", "lookup_order"),
    str("gen_ai.tool.type", "function"),
    str("gen_ai.tool.call.id", `call_${hex(i, 8)}`),
    str("gen_ai.tool.call.arguments", `{"order_id":"${48000 + i}"}`),
    str("gen_ai.tool.call.result", `{"status":"shipped","carrier":"DHL","eta":"2026-12-0${(i % 8) + 1}"}`),
    str("user.id", user),
    str("http.request.method", "GET"),
    str("url.full", `https://orders.internal/v2/orders/${48000 + i}`),
    int("http.response.status_code", 200),
    str("server.address", "orders.internal"),
    int("server.port", 443),
    str("app.component", "tools"),
    str("code.function.name", "lookupOrder"),
    str("code.file.path", "src/support/tools.ts"),
  ];
}

/**
 * The JSON of one batch with ID / SPAN placeholders, its spans stamped around `nowMs`, split at
 * the placeholders: parts[k] is followed by the placeholder kinds[k].
 */
function buildTemplate(nowMs) {
  const spans = [];
  let s = 1; // an all-zero span id is invalid
  for (let t = 0; spans.length < SPANS_PER_BATCH; t++) {
    const size = TRACE_SHAPES[t % TRACE_SHAPES.length];
    const traceId = `${ID}${hex(t, 16)}`;
    const spanId = () => `${SPAN}${hex(s++, 8)}`;
    const user = `user-${1000 + ((t * 17) % 400)}`;
    const session = `sess-${hex(t * 2654435761, 12).slice(-12)}`;
    const question = QUESTIONS[t % QUESTIONS.length];
    // The trace ended a moment ago and took 1.5-4 s: an HTTP request answered with RAG and a few calls.
    const rootStart = nowMs - 4_000 - (t % 7) * 150;
    const rootEnd = rootStart + 1_500 + (t % 5) * 500;
    const root = spanId();
    const error = t % 50 === 17;
    spans.push({
      traceId,
      spanId: root,
      name: "POST /api/chat",
      kind: 2,
      startTimeUnixNano: nanos(rootStart),
      endTimeUnixNano: nanos(rootEnd),
      attributes: rootAttributes(t, user, session),
      status: { code: error ? 2 : 1, ...(error ? { message: "upstream model call failed" } : {}) },
    });
    let at = rootStart + 5;
    spans.push({
      traceId,
      spanId: spanId(),
      parentSpanId: root,
      name: "retrieve help_articles",
      kind: 3,
      startTimeUnixNano: nanos(at),
      endTimeUnixNano: nanos(at + 40),
      attributes: retrievalAttributes(t),
      status: { code: 0 },
    });
    at += 45;
    for (let g = 0; g < size - 2; g++) {
      if (g === 1) {
        spans.push({
          traceId,
          spanId: spanId(),
          parentSpanId: root,
          name: "execute_tool lookup_order",
          kind: 1,
          startTimeUnixNano: nanos(at),
          endTimeUnixNano: nanos(at + 25),
          attributes: toolAttributes(t, user),
          status: { code: 0 },
        });
        at += 30;
        continue;
      }
      const prompt = PROMPTS[(t + g) % PROMPTS.length];
      const duration = 300 + ((t * 31 + g * 97) % 1_100);
      const failed = error && g === size - 3;
      spans.push({
        traceId,
        spanId: spanId(),
        parentSpanId: root,
        name: `chat ${prompt.model}`,
        kind: 3,
        startTimeUnixNano: nanos(at),
        endTimeUnixNano: nanos(at + duration),
        attributes: generationAttributes(t * 8 + g, prompt, user, session, question, ANSWERS[(t + g) % ANSWERS.length]),
        status: failed ? { code: 2, message: "429 Rate limit reached for gpt-4o-mini" } : { code: 0 },
      });
      at += duration + 10;
    }
  }
  spans.length = SPANS_PER_BATCH;
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            str("service.name", "support-bot"),
            str("service.version", "2.14.1"),
            str("deployment.environment.name", "production"),
            str("telemetry.sdk.language", "nodejs"),
            str("telemetry.sdk.name", "opentelemetry"),
            str("telemetry.sdk.version", "2.2.0"),
            str("host.name", "support-bot-7c9f6d5b8-x2k4q"),
          ],
        },
        scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-openai", version: "0.5.0" }, spans }],
      },
    ],
  });
  const parts = [];
  const kinds = [];
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === ID || c === SPAN) {
      parts.push(body.slice(from, i));
      kinds.push(c);
      from = i + 1;
    }
  }
  parts.push(body.slice(from));
  return { parts, kinds, builtAt: nowMs };
}

/**
 * A source of unique batches: `next()` returns the body of batch 0, 1, 2, … of this run. A batch's
 * spans all have trace ids starting with `runId` + the batch number (8 hex each), which is how the
 * benchmark finds them in telemetry.spans afterwards.
 */
export function createBatchSource(runId = randomBytes(4).toString("hex")) {
  let template = buildTemplate(Date.now());
  let batch = 0;
  return {
    runId,
    get batches() {
      return batch;
    },
    next() {
      const now = Date.now();
      if (now - template.builtAt >= 1_000) template = buildTemplate(now);
      const number = batch++;
      const counter = hex(number, 8);
      const prefix = runId + counter;
      const { parts, kinds } = template;
      let body = parts[0];
      for (let k = 0; k < kinds.length; k++) body += (kinds[k] === ID ? prefix : counter) + parts[k + 1];
      return { number, body, spans: SPANS_PER_BATCH };
    },
  };
}

/** The batch number of a stored trace id (its hex digits 9-16). */
export const batchOfTraceId = (traceId) => Number.parseInt(traceId.slice(8, 16), 16);
