import "server-only";
// The demo's production loop: gateway routing, guardrails, an online evaluator and a routing rule
// (governed settings, set by the admin on the audited path), then a week of production telemetry
// for the support widget. The telemetry is synthetic demo traffic, generated here with a seeded
// random generator and marked as such (service "support-widget (demo data)", attribute
// keel.demo = true); its shape is what real OTLP exports and gateway calls produce. A few thumbs-
// down are sent through the real feedback path, so the routing rule fills the review queue.
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { getDb } from "../../db/client";
import { estimateCost } from "../../providers/cost";
import { estimateTokens } from "../../providers/tokens";
import { SIMULATED_EMBEDDING_DIMENSIONS } from "../../providers/simulated";
import { writeSpans, insertScores, type StoredSpan, type ScoreRow } from "../../telemetry/store";
import { uuidv7 } from "../../db/uuid";
import { createApiKey } from "../api-keys/api-keys";
import { createQueue, seeded } from "../reviews/queues";
import { createGuardrail, createOnlineEvaluator, createTraceRule, setApiKeyLimits, updateTelemetrySettings } from "../observability/settings";
import { onlineScoreId, recordFeedback, sampled } from "../observability/feedback";

type Ctx = { orgId: string; projectId: string };

export const DEMO_FEEDBACK_QUEUE = "production-feedback";

const QUESTIONS = [
  [
    "Where is my order? It was due on Monday.",
    "Your order left our warehouse yesterday and should arrive within two days. You can follow it from the tracking link in your confirmation email.",
  ],
  [
    "Can I return shoes I wore once?",
    "Yes: shoes worn indoors once can be returned within 30 days for a full refund. Start the return from your account page.",
  ],
  [
    "I was charged twice for the same order.",
    "Sorry about that! The second charge is a pending authorisation that disappears within 3 business days; if it doesn't, reply here and we'll refund it.",
  ],
  [
    "How do I change my delivery address?",
    "If the order hasn't shipped, you can change the address from Orders → Edit delivery. Once shipped, the carrier can redirect it from the tracking page.",
  ],
  ["Do you ship to Norway?", "We do: delivery to Norway takes 4–6 business days, and import duties are included in the price at checkout."],
  [
    "The app keeps logging me out.",
    "That usually means an old session is stored: please update the app and sign in again. If it continues, tell us your phone model and we'll look into it.",
  ],
  ["What is your refund policy for sale items?", "Sale items can be returned within 14 days for store credit, or refunded if they arrived damaged."],
  [
    "My discount code doesn't work.",
    "Codes apply to full-price items only and expire after 30 days. If yours is still valid, send it to us and we'll apply it manually.",
  ],
  [
    "Can I change the size of an item in my order?",
    "Thank you for reaching out about your order! We completely understand that finding the right size can be tricky. If your order has not shipped yet, you can change the size of any item from Orders → Edit items, as long as the new size is in stock. If it has already shipped, the easiest way is to return the item for free within 30 days and place a new order for the size you need; we refund the original item as soon as the return is scanned by the carrier. If you have any other questions, our team is always happy to help.",
  ],
] as const;

const hex = (r: () => number, bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(r() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");

/** A lognormal-ish latency around `median` ms. */
function latency(r: () => number, median: number): number {
  const u = Math.max(1e-6, r());
  const v = r();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(5, median * Math.exp(0.45 * z));
}

export async function seedObservability(ctx: Ctx, adminActor: Actor) {
  const db = getDb();
  const simulated = await db.providerConnection.findFirstOrThrow({ where: { projectId: ctx.projectId, kind: "simulated" } });
  await runAudited(adminActor, (w) =>
    updateTelemetrySettings(w, ctx, {
      retentionDays: 30,
      gatewayConnectionId: simulated.id,
      fallbackConnectionId: null,
      fallbackModel: null,
      gatewayTimeoutMs: 30_000,
    }),
  );
  await runAudited(adminActor, (w) =>
    createGuardrail(w, ctx, {
      name: "Block card numbers and IBANs",
      description: "Payment details never reach a model provider",
      stage: "input",
      action: "block",
      config: { kind: "pii", entities: ["card", "iban"], mode: "detect" },
      promptName: null,
      environment: null,
      enabled: true,
    }),
  );
  await runAudited(adminActor, (w) =>
    createGuardrail(w, ctx, {
      name: "Mask emails and phone numbers",
      description: "Contact details are masked before the model sees them and in replies",
      stage: "both",
      action: "flag",
      config: { kind: "pii", entities: ["email", "phone"], mode: "mask" },
      promptName: null,
      environment: null,
      enabled: true,
    }),
  );
  await runAudited(adminActor, (w) =>
    createGuardrail(w, ctx, {
      name: "Widget-sized replies",
      description: "Support replies must fit the chat widget",
      stage: "output",
      action: "flag",
      config: { kind: "max_length", maxChars: 1200 },
      promptName: "support/reply",
      environment: "production",
      enabled: true,
    }),
  );
  const online = await runAudited(adminActor, (w) =>
    createOnlineEvaluator(w, ctx, { evaluator: "length-limit", sampleRate: 0.5, promptName: "support/reply", environment: "production", enabled: true }),
  );
  await runAudited(adminActor, (w) =>
    createQueue(w, ctx, {
      name: DEMO_FEEDBACK_QUEUE,
      description: "Production replies customers gave a thumbs-down",
      guidelines: "Read the customer's question and the reply they disliked. Was the reply correct and helpful? Note what should have been said.",
      rubric: [
        { key: "correct", label: "Correct", type: "boolean" },
        { key: "helpful", label: "Helpfulness", type: "numeric", min: 1, max: 5 },
        { key: "note", label: "What should it have said?", type: "text" },
      ],
      reviewsPerItem: 1,
    }),
  );
  await runAudited(adminActor, (w) =>
    createTraceRule(w, ctx, {
      name: "Thumbs-down to review",
      kind: "negative_feedback",
      queue: DEMO_FEEDBACK_QUEUE,
      scoreName: "user-feedback",
      threshold: null,
      sampleRate: null,
      promptName: null,
      environment: null,
      enabled: true,
    }),
  );
  const gatewayKey = await runAudited(adminActor, (w) =>
    createApiKey(w, { ...ctx, actorUserId: adminActor.id }, { name: "Support widget gateway", scopes: ["gateway:invoke", "traces:ingest"] }),
  );
  await runAudited(adminActor, (w) => setApiKeyLimits(w, ctx, { id: gatewayKey.id, rateLimitPerMinute: 600, monthlyQuota: 100_000 }));

  const negatives = await seedTraffic(ctx, online.id);
  await seedGatewayApis(ctx, { connection: simulated.name, publicKey: gatewayKey.publicKey });
  // The last few thumbs-down arrive through the real feedback path: the rule sends them to review.
  for (const n of negatives.slice(-4))
    await recordFeedback(ctx.projectId, { traceId: n.traceId, spanId: n.spanId, name: "user-feedback", value: false, comment: n.comment });
}

/** A week of support-widget traffic (about 1,600 generations), written through the telemetry store. */
async function seedTraffic(ctx: Ctx, onlineId: string): Promise<{ traceId: string; spanId: string; comment: string }[]> {
  const r = seeded(20261127);
  const now = Date.now();
  const weekUs = 7 * 86_400_000 * 1000;
  const prices = await getDb().modelPrice.findMany({ where: { projectId: ctx.projectId } });
  const spans: StoredSpan[] = [];
  const scores: ScoreRow[] = [];
  const negatives: { traceId: string; spanId: string; comment: string }[] = [];
  const COUNT = 1_600;
  for (let i = 0; i < COUNT; i++) {
    // Busier during the (UTC) day; evenly spread over the week otherwise.
    const startUs = Math.round(now * 1000 - weekUs * (1 - (i + r()) / COUNT));
    const traceId = hex(r, 16);
    const genId = hex(r, 8);
    const [question, answer] = QUESTIONS[Math.floor(r() * QUESTIONS.length)]!;
    const roll = r();
    const viaGateway = roll < 0.35;
    const prompt =
      roll < 0.8
        ? { name: "support/reply", version: 2, env: "production" }
        : roll < 0.9
          ? { name: "support/reply", version: 3, env: "staging" }
          : { name: "support/triage", version: 2, env: "production" };
    const model = viaGateway ? "simulated-1" : "gpt-4o-mini";
    const ms = viaGateway ? latency(r, 55) : latency(r, prompt.name === "support/triage" ? 420 : 950);
    const failed = r() < 0.025;
    const inputTokens = 180 + Math.floor(r() * 120);
    const outputTokens = failed ? 0 : prompt.name === "support/triage" ? 12 : 60 + Math.floor(r() * 90);
    const output = failed
      ? null
      : prompt.name === "support/triage"
        ? JSON.stringify({
            category: ["shipping", "billing", "technical", "other"][Math.floor(r() * 4)],
            confidence: Math.round((0.6 + r() * 0.4) * 100) / 100,
          })
        : answer;
    const hasEmail = viaGateway && r() < 0.06;
    const guardrails: StoredSpan["guardrails"] = hasEmail
      ? [{ rule: "Mask emails and phone numbers", kind: "pii", stage: "input", action: "flag", detail: "1 email masked" }]
      : [];
    const blocked = viaGateway && !failed && r() < 0.004;
    if (blocked) guardrails.push({ rule: "Block card numbers and IBANs", kind: "pii", stage: "input", action: "block", detail: "1 card number" });
    const error = failed
      ? r() < 0.5
        ? "The provider answered 429: rate limit reached"
        : "The provider did not answer within 30000 ms"
      : blocked
        ? 'Blocked by guardrail "Block card numbers and IBANs" (pii, input): 1 card number'
        : null;
    const endUs = startUs + Math.round(ms * 1000);
    const variables =
      prompt.name === "support/triage" ? { ticket: question } : { question, customer_name: "Sam", order_id: `A-${10_000 + i}`, company: "Acme" };
    const common = {
      traceId,
      kind: 3,
      statusMessage: error,
      serviceName: viaGateway ? "keel-gateway (demo data)" : "support-widget (demo data)",
      provider: viaGateway ? "simulated" : "openai",
      userId: `customer-${Math.floor(r() * 400)}`,
      sessionId: null,
      events: [],
    };
    const generation: StoredSpan = {
      ...common,
      spanId: genId,
      parentSpanId: null,
      name: viaGateway ? `gateway ${prompt.name}` : `chat ${model}`,
      startUs,
      endUs,
      statusCode: error ? 2 : 1,
      isGeneration: true,
      model,
      inputTokens: blocked ? null : inputTokens,
      outputTokens: blocked ? null : outputTokens,
      costUsd: blocked ? null : estimateCost(model, { inputTokens, outputTokens }, prices),
      promptName: prompt.name,
      promptVersion: prompt.version,
      environment: prompt.env,
      input: JSON.stringify([{ role: "user", content: hasEmail ? `${question} You can reach me at [EMAIL].` : question }]),
      output: blocked ? null : output,
      attributes: { "gen_ai.operation.name": "chat", "keel.demo": true, "keel.prompt.variables": JSON.stringify(variables) },
      source: viaGateway ? "gateway" : "otel",
      guardrails,
    };
    if (!viaGateway) {
      // The app's own request span around the model call, as OpenTelemetry instrumentation sends it.
      const rootId = hex(r, 8);
      generation.parentSpanId = rootId;
      generation.startUs += 3_000;
      generation.endUs += 3_000;
      spans.push({
        ...common,
        spanId: rootId,
        parentSpanId: null,
        name: "POST /api/chat",
        kind: 2,
        startUs,
        endUs: generation.endUs + 4_000,
        statusCode: error ? 2 : 0,
        isGeneration: false,
        model: null,
        provider: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        promptName: null,
        promptVersion: null,
        environment: null,
        input: null,
        output: null,
        attributes: { "http.request.method": "POST", "http.route": "/api/chat", "http.response.status_code": error ? 502 : 200, "keel.demo": true },
        source: "otel",
        guardrails: null,
      });
    }
    spans.push(generation);
    if (!error && prompt.name === "support/reply") {
      if (r() < 0.3) {
        const up = r() < (prompt.version === 3 ? 0.9 : 0.82);
        const comment = up
          ? null
          : ["Didn't answer my question", "Too generic", "Wrong about the refund window", "I asked about Norway, not Sweden"][Math.floor(r() * 4)]!;
        if (!up) negatives.push({ traceId, spanId: genId, comment: comment! });
        else
          scores.push(
            scoreOf(ctx, generation, { name: "user-feedback", dataType: "boolean", value: 1, comment, source: "api", createdUs: endUs + 20_000_000 }),
          );
      }
      // The online evaluator's history: the same sample and score ids the worker uses, so its
      // first pass over these spans finds them already scored.
      if (prompt.env === "production" && sampled(genId, onlineId, 0.5)) {
        const length = (output ?? "").length;
        scores.push({
          ...scoreOf(ctx, generation, {
            name: "length-limit",
            dataType: "numeric",
            value: length <= 420 ? 1 : 0,
            comment: `${length} characters (limit 420)`,
            source: "online_eval",
            createdUs: endUs + 5_000_000,
          }),
          id: onlineScoreId(onlineId, genId),
        });
      }
    }
  }
  // Negative feedback other than the last few (which go through the feedback path) is stored directly.
  for (const n of negatives.slice(0, -4)) {
    const span = spans.find((s) => s.spanId === n.spanId)!;
    scores.push(
      scoreOf(ctx, span, { name: "user-feedback", dataType: "boolean", value: 0, comment: n.comment, source: "api", createdUs: span.endUs + 20_000_000 }),
    );
  }
  for (let i = 0; i < spans.length; i += 500) await writeSpans(ctx.projectId, spans.slice(i, i + 500));
  for (let i = 0; i < scores.length; i += 500) await insertScores(scores.slice(i, i + 500));
  return negatives;
}

const ARTICLE_SEARCHES = [
  "return shoes worn once",
  "change delivery address after ordering",
  "charged twice pending authorisation",
  "shipping to Norway import duties",
  "discount code not working",
  "app keeps logging me out",
  "exchange for a different size",
  "refund for sale items",
];

const TICKETS_TO_SUMMARISE = [
  {
    ticket:
      "Customer ordered a blender (A-10533), it arrived with a cracked jug; they sent two photos and want a refund, not a replacement. Second email asks why nobody answered yet.",
    summary:
      "Damaged blender on A-10533: customer wants a refund (not a replacement) and is waiting for a first answer. Send a prepaid return label and confirm the refund.",
  },
  {
    ticket: "Customer moved house; order A-10602 still shows the old address. It has not shipped. They also ask whether express delivery can be added.",
    summary: "A-10602 not shipped yet: update the delivery address; express delivery can be added for the price difference.",
  },
];

/**
 * The gateway's other OpenAI APIs in the demo week: the widget's help-center search embeds the
 * customer's words through the gateway (its request span is the parent: the widget passes
 * traceparent), and the agent-assist sidebar summarises tickets with the Responses API
 * (`client.responses.create`). Same span shape as the gateway logs (gateway.ts, embeddings.ts),
 * from a generator of its own so the rest of the demo week stays as it was.
 */
async function seedGatewayApis(ctx: Ctx, gateway: { connection: string; publicKey: string }) {
  const r = seeded(20261205);
  const now = Date.now();
  const weekUs = 7 * 86_400_000 * 1000;
  const prices = await getDb().modelPrice.findMany({ where: { projectId: ctx.projectId } });
  const spans: StoredSpan[] = [];
  const base = {
    kind: 2,
    statusMessage: null,
    serviceName: "keel-gateway (demo data)",
    provider: "simulated",
    sessionId: null,
    events: [],
    source: "gateway" as const,
    guardrails: [],
  };
  const SEARCHES = 16;
  for (let i = 0; i < SEARCHES; i++) {
    const startUs = Math.round(now * 1000 - weekUs * (1 - (i + r()) / SEARCHES));
    const traceId = hex(r, 16);
    const rootId = hex(r, 8);
    const query = ARTICLE_SEARCHES[Math.floor(r() * ARTICLE_SEARCHES.length)]!;
    const userId = `customer-${Math.floor(r() * 400)}`;
    const model = "text-embedding-3-small";
    const inputTokens = estimateTokens(query);
    const embedUs = Math.round(latency(r, 35) * 1000);
    const embedStart = startUs + 2_000;
    const embedEnd = embedStart + embedUs;
    const endUs = embedEnd + Math.round(latency(r, 18) * 1000);
    spans.push({
      ...base,
      traceId,
      spanId: rootId,
      parentSpanId: null,
      name: "GET /api/help/search",
      startUs,
      endUs,
      statusCode: 0,
      serviceName: "support-widget (demo data)",
      isGeneration: false,
      model: null,
      provider: null,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      promptName: null,
      promptVersion: null,
      environment: null,
      userId,
      input: null,
      output: null,
      attributes: { "http.request.method": "GET", "http.route": "/api/help/search", "http.response.status_code": 200, "keel.demo": true },
      source: "otel",
      guardrails: null,
    });
    spans.push({
      ...base,
      traceId,
      spanId: hex(r, 8),
      parentSpanId: rootId,
      name: `gateway embeddings ${model}`,
      startUs: embedStart,
      endUs: embedEnd,
      statusCode: 1,
      isGeneration: true,
      model,
      inputTokens,
      outputTokens: 0,
      costUsd: estimateCost(model, { inputTokens, outputTokens: 0 }, prices),
      promptName: null,
      promptVersion: null,
      environment: null,
      userId,
      input: JSON.stringify([query]),
      output: `1 embedding of ${SIMULATED_EMBEDDING_DIMENSIONS} dimensions`,
      attributes: {
        "gen_ai.operation.name": "embeddings",
        "keel.gateway.connection": gateway.connection,
        "keel.api_key": gateway.publicKey,
        "user.id": userId,
        "gen_ai.embeddings.dimension.count": SIMULATED_EMBEDDING_DIMENSIONS,
        "keel.demo": true,
      },
    });
  }
  for (const [i, t] of TICKETS_TO_SUMMARISE.entries()) {
    const startUs = Math.round(now * 1000 - weekUs * (0.3 + 0.45 * i) - r() * 3_600_000_000);
    const model = "simulated-1";
    const messages = [
      { role: "system", content: "Summarise the support ticket for the agent in at most two sentences, then the next step." },
      { role: "user", content: t.ticket },
    ];
    const inputTokens = messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
    const outputTokens = estimateTokens(t.summary);
    spans.push({
      ...base,
      traceId: hex(r, 16),
      spanId: hex(r, 8),
      parentSpanId: null,
      name: `gateway ${model}`,
      startUs,
      endUs: startUs + Math.round(latency(r, 60) * 1000),
      statusCode: 1,
      isGeneration: true,
      model,
      inputTokens,
      outputTokens,
      costUsd: estimateCost(model, { inputTokens, outputTokens }, prices),
      promptName: null,
      promptVersion: null,
      environment: null,
      userId: "agent-assist",
      input: JSON.stringify(messages),
      output: t.summary,
      attributes: {
        // A Responses API call is logged as a chat call, marked with the API it came through.
        "gen_ai.operation.name": "chat",
        "keel.gateway.api": "responses",
        "keel.gateway.connection": gateway.connection,
        "keel.api_key": gateway.publicKey,
        "user.id": "agent-assist",
        "gen_ai.request.max_tokens": 200,
        "keel.demo": true,
      },
    });
  }
  await writeSpans(ctx.projectId, spans);
}

function scoreOf(
  ctx: Ctx,
  span: StoredSpan,
  s: { name: string; dataType: ScoreRow["dataType"]; value: number; comment: string | null; source: ScoreRow["source"]; createdUs: number },
): ScoreRow {
  return {
    id: uuidv7(Math.floor(s.createdUs / 1000)),
    projectId: ctx.projectId,
    traceId: span.traceId,
    spanId: span.spanId,
    name: s.name,
    source: s.source,
    dataType: s.dataType,
    value: s.value,
    stringValue: null,
    comment: s.comment,
    promptName: span.promptName,
    promptVersion: span.promptVersion,
    model: span.model,
    environment: span.environment,
    createdAt: new Date(Math.floor(s.createdUs / 1000)),
  };
}
