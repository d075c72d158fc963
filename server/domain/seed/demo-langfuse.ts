import "server-only";
// The demo's Langfuse clients, for a team that moved to Keel by changing the base URL: the help
// desk's email integration still traces with the `langfuse` v3 SDK (a week of `email-draft`
// traces, each a trace, an order look-up span, a generation linked to support/reply with its
// usage, and the support agent's verdict as a score), and a nightly job runs the
// `@langfuse/client` experiment runner (`dataset.runExperiment`) over support-questions: its
// traces arrive over OTLP, its evaluator scores through the ingestion API, and each item is
// linked into a run as `POST /api/public/dataset-run-items` links it (an external evaluation
// run, audited with the job's API key). Everything goes through the functions those endpoints
// use; the traffic is synthetic demo data from a seeded generator, marked keel.demo.
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { getDb } from "../../db/client";
import { createApiKey } from "../api-keys/api-keys";
import { seeded } from "../reviews/queues";
import { linkExternalRunItem } from "../evaluations/external-runs";
import { ingestLangfuseBatch } from "../../telemetry/langfuse-ingestion";
import { ingestOtlp } from "../../telemetry/ingest";
import { langfuseSpanId, langfuseTraceId } from "../../telemetry/langfuse-ids";

type Ctx = { orgId: string; projectId: string };

export const DEMO_LANGFUSE_KEY = "Help desk (Langfuse SDK)";
export const DEMO_LANGFUSE_TRACES = 30;
export const DEMO_EXPERIMENT_PREFIX = "langfuse-nightly-";

const hex = (r: () => number, bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(r() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");
/** A version-4 UUID from the seeded generator (what the SDKs use for ids). */
const uuid = (r: () => number) => {
  const h = hex(r, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
};
const iso = (ms: number) => new Date(Math.round(ms)).toISOString();

const EMAILS: { subject: string; body: string; order: string; status: string; reply: string }[] = [
  {
    subject: "Order hasn't arrived",
    body: "Hi, my order was supposed to arrive last Friday and the tracking page hasn't changed since. Can you check?",
    order: "shipped",
    status: "In transit, last scan 3 days ago",
    reply:
      "I'm sorry your parcel is late. It left our warehouse on time and the carrier's last scan was three days ago, so I've opened an investigation with them; you'll hear from us within 48 hours.",
  },
  {
    subject: "Refund for a damaged blender",
    body: "The blender arrived with a cracked jug. I'd like my money back please.",
    order: "delivered",
    status: "Delivered",
    reply:
      "I'm sorry it arrived damaged. Returns of damaged items are free: I've emailed you a prepaid label, and the full refund goes out as soon as the carrier scans the parcel.",
  },
  {
    subject: "Invoice with my company name",
    body: "Could you reissue the invoice for my last order with our company name and VAT number on it?",
    order: "delivered",
    status: "Delivered",
    reply: "Of course: you can add a company name and VAT number under Orders → Invoice → Edit billing details, and the corrected PDF is generated right away.",
  },
  {
    subject: "Change delivery address",
    body: "I just placed an order but used my old address. Can it still be changed?",
    order: "processing",
    status: "Not shipped yet",
    reply:
      "Good news: your order hasn't shipped yet, so you can change the address from Orders → Edit delivery for the next few hours. I've also added a note for the warehouse.",
  },
  {
    subject: "Charged twice",
    body: "My card statement shows two charges for the same order. Please fix this.",
    order: "delivered",
    status: "Delivered",
    reply:
      "I'm sorry for the worry. The second charge is a pending authorisation that your bank releases within 5 business days; if it's still there after that, reply to this email and we'll refund it.",
  },
  {
    subject: "Return after 6 weeks",
    body: "I bought a jacket six weeks ago and it doesn't fit. Can I still return it?",
    order: "delivered",
    status: "Delivered 41 days ago",
    reply:
      "Our refund window is 30 days from delivery, so this order is outside it. I've passed your request to a colleague who can look at an exception for you.",
  },
];

const AGENTS = ["dana@acme.example", "lee@acme.example", "marco@acme.example"];

/** A nightly job's and the help desk's API key (created by the admin, as the team would). */
async function createKey(ctx: Ctx, adminActor: Actor) {
  return runAudited(adminActor, (w) =>
    createApiKey(
      w,
      { ...ctx, actorUserId: adminActor.id },
      { name: DEMO_LANGFUSE_KEY, scopes: ["datasets:read", "evaluations:write", "prompts:read", "traces:ingest"] },
    ),
  );
}

export async function seedLangfuse(ctx: Ctx, adminActor: Actor) {
  const key = await createKey(ctx, adminActor);
  await seedEmailDrafts(ctx);
  const keyActor: Actor = { type: "api_key", id: key.id, label: key.publicKey, role: null, request: adminActor.request };
  await seedNightlyExperiment(ctx, keyActor);
}

type LangfuseEvent = { id: string; type: string; timestamp: string; body: Record<string, unknown> };

/** A week of the email integration's traces, as the `langfuse` v3 SDK batches them. */
async function seedEmailDrafts(ctx: Ctx) {
  const r = seeded(20261206);
  const now = Date.now();
  const weekMs = 7 * 86_400_000;
  const events: LangfuseEvent[] = [];
  for (let i = 0; i < DEMO_LANGFUSE_TRACES; i++) {
    const start = now - weekMs * (1 - (i + r()) / DEMO_LANGFUSE_TRACES);
    const email = EMAILS[Math.floor(r() * EMAILS.length)]!;
    const traceId = uuid(r);
    const spanId = uuid(r);
    const generationId = uuid(r);
    const ticket = `ticket-${48_000 + Math.floor(r() * 2_000)}`;
    const orderId = `A-${10_400 + Math.floor(r() * 600)}`;
    const lookupMs = 40 + r() * 80;
    const modelMs = 900 + r() * 1_400;
    const failed = r() < 0.07;
    const inputTokens = 260 + Math.floor(r() * 140);
    const outputTokens = failed ? 0 : 70 + Math.floor(r() * 80);
    const t0 = start;
    const t1 = t0 + 5;
    const t2 = t1 + lookupMs;
    const t3 = t2 + 10;
    const t4 = t3 + modelMs;
    const env = "production";
    const event = (type: string, at: number, body: Record<string, unknown>) => events.push({ id: uuid(r), type, timestamp: iso(at), body });
    event("trace-create", t0, {
      id: traceId,
      release: "helpdesk-2.8.1",
      timestamp: iso(t0),
      environment: env,
      name: "email-draft",
      userId: `customer-${Math.floor(r() * 400)}`,
      sessionId: ticket,
      tags: ["email", "help-desk"],
      metadata: { channel: "email", agent: AGENTS[i % AGENTS.length], "keel.demo": true },
      input: { subject: email.subject, body: email.body },
    });
    event("span-create", t1, { id: spanId, startTime: iso(t1), environment: env, name: "fetch-order", input: { orderId }, traceId, parentObservationId: null });
    event("span-update", t2, { output: { orderId, status: email.order, tracking: email.status }, id: spanId, traceId, endTime: iso(t2) });
    const messages = [
      {
        role: "system",
        content:
          "You are the support assistant for Acme. Answer in a friendly, concise tone. Only promise what the policy below allows. If you are unsure, offer to hand over to a human.",
      },
      { role: "user", content: `Subject: ${email.subject}\n\n${email.body}\n\nOrder ${orderId}: ${email.status}` },
    ];
    event("generation-create", t3, {
      id: generationId,
      startTime: iso(t3),
      environment: env,
      promptName: "support/reply",
      promptVersion: 2,
      name: "draft-reply",
      model: "gpt-4o-mini",
      modelParameters: { temperature: 0.3, max_tokens: 400 },
      input: messages,
      traceId,
      parentObservationId: null,
    });
    event("generation-update", t4, {
      ...(failed ? { level: "ERROR", statusMessage: "429 Rate limit reached for gpt-4o-mini" } : { output: { role: "assistant", content: email.reply } }),
      usage: { input: inputTokens, output: outputTokens, total: inputTokens + outputTokens, unit: "TOKENS" },
      id: generationId,
      traceId,
      endTime: iso(t4),
      ...(failed ? {} : { completionStartTime: iso(t3 + 350 + r() * 250) }),
    });
    if (!failed) {
      event("trace-create", t4 + 2, { id: traceId, release: "helpdesk-2.8.1", timestamp: iso(t0), environment: env, output: email.reply });
      // The agent sends the draft as written, or edits it first: the integration records which.
      const accepted = r() < 0.78;
      event("score-create", t4 + 60_000 + r() * 600_000, {
        id: uuid(r),
        environment: env,
        name: "draft-accepted",
        value: accepted ? 1 : 0,
        dataType: "BOOLEAN",
        traceId,
        observationId: generationId,
        ...(accepted ? {} : { comment: "Agent edited the draft before sending" }),
      });
    }
  }
  // The SDK flushes in batches of up to 15 events (flushAt) or every second.
  for (let i = 0; i < events.length; i += 15) {
    const result = await ingestLangfuseBatch(
      ctx.projectId,
      Buffer.from(
        JSON.stringify({
          batch: events.slice(i, i + 15),
          metadata: { sdk_name: "langfuse-js", sdk_version: "3.39.2", sdk_variant: "langfuse", sdk_integration: "DEFAULT" },
        }),
      ),
    );
    if (result.errors.length) throw new Error(`The demo's Langfuse batch was refused: ${JSON.stringify(result.errors[0])}`);
  }
}

type Attr = { key: string; value: { stringValue: string } | { intValue: string } | { boolValue: boolean } };
const str = (key: string, value: string): Attr => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): Attr => ({ key, value: { intValue: String(value) } });
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/** What support/reply v3 answered per question (the team's task calls the model; the demo's answers are fixed). */
const REPLIES: Record<string, string> = {
  "I want a refund for my order, it arrived broken.":
    "I'm so sorry your order arrived broken. Returns of damaged items are free: I've sent you a prepaid label, and you'll get a full refund as soon as we receive it.",
  "Can I still return the jacket I bought 6 weeks ago?":
    "Refunds are possible within 30 days of delivery, so this jacket is just outside the window. I'd be happy to pass you to a colleague who can look at an exception.",
  "How long does shipping take to Lisbon?":
    "Shipping to Lisbon takes 3-5 business days, and you'll get a tracking link by email as soon as the parcel leaves our warehouse.",
  "My parcel has not moved for a week. Where is it?":
    "I'm sorry for the wait. Shipping normally takes 3-5 business days, so I've opened an investigation with the carrier and will update you within 48 hours.",
  "I forgot my password and the reset email never arrives.":
    "Please check your spam folder first. If it isn't there, I can resend the reset link right away, or hand you over to a colleague.",
  "How do I change the email address on my account?":
    "Go to Settings > Account > Email and enter the new address; we'll send a confirmation link there to finish the change.",
  "Where can I download my invoice?": "Every order has a PDF invoice under Orders > Invoice; you can download it from there at any time.",
  "I was charged twice for the same order!":
    "I'm sorry about that! The duplicate charge is refunded automatically within 5 business days. If it's still there after that, reply here and a colleague will sort it out.",
  "Do you ship to Canada?": "Yes, we ship to Canada. Delivery usually takes 3-5 business days once your order has shipped.",
  "Can I cancel my order before it ships?": "Yes: until your order ships you can cancel it from Orders > Cancel order, and the refund goes back to your card.",
  "The size is wrong, can I exchange it?":
    "Of course. Return the item within 30 days for free and place a new order in the right size; we refund the first one as soon as it arrives.",
  "Is my payment information stored securely?":
    "Your card details are handled by our payment provider and never stored on our servers, so they stay protected.",
  "The parcel says delivered but I never got it.":
    "I'm sorry! Please check with your neighbours and the nearest pickup point; if it isn't there, I'll open an investigation with the carrier today.",
};
const GENERIC = "Thanks for getting in touch! A colleague will look into this and get back to you shortly.";

/**
 * The nightly run of the team's experiment script over support-questions, as
 * `dataset.runExperiment({ name: "support-reply nightly", runName, task, evaluators })` makes it:
 * per item, an `experiment-item-run` span around the task's generation (sent over OTLP by
 * @langfuse/otel), the item linked to that span in the run, and the evaluators' scores on it.
 */
async function seedNightlyExperiment(ctx: Ctx, keyActor: Actor) {
  const r = seeded(20261207);
  const dataset = await getDb().dataset.findFirstOrThrow({
    where: { projectId: ctx.projectId, name: "support-questions" },
    select: { id: true, latestVersion: true },
  });
  const items = await getDb().datasetItemRevision.findMany({
    where: { datasetId: dataset.id, validFrom: { lte: dataset.latestVersion }, validTo: { gt: dataset.latestVersion } },
    orderBy: { position: "asc" },
    select: { itemId: true, input: true, expected: true },
  });
  // The job has just run (the runner starts every item at once, up to maxConcurrency 50).
  const started = Date.now() - 4_000;
  const runName = `${DEMO_EXPERIMENT_PREFIX}${new Date(started).toISOString().slice(0, 10)}`;
  const description = "support/reply@staging (v3) on every support question: an LLM judge's helpfulness and the customer's name in the greeting";
  const metadata = { prompt: "support/reply", label: "staging", model: "gpt-4o-mini", commit: "9c41e7b" };

  const spanOf: ((runId: string) => unknown[])[] = [];
  const links: { itemId: string; traceId: string; observationId: string }[] = [];
  const scores: LangfuseEvent[] = [];
  for (const item of items) {
    const input = item.input as { customer_name?: string; question?: string; order_id?: string; company?: string };
    const expected = typeof item.expected === "string" ? item.expected : JSON.stringify(item.expected);
    const first = (input.customer_name ?? "there").split(" ")[0]!;
    // The candidate mostly greets by name and answers; some replies are a generic hand-off.
    const greets = r() < 0.85;
    const answer = REPLIES[input.question ?? ""];
    const generic = !answer || r() < 0.15;
    const output = `${greets ? `Hi ${first},` : "Hello,"} ${generic ? GENERIC : answer} — The Acme team`;
    // The team's LLM judge (its own evaluator, run by the experiment runner): helpfulness in [0, 1].
    const helpfulness = Math.round((generic ? 0.1 + r() * 0.2 : 0.72 + r() * 0.26) * 100) / 100;
    const verdict = generic ? "Does not answer the question: a generic hand-off" : "Answers the question in line with the reference";
    const traceId = hex(r, 16);
    const rootId = hex(r, 8);
    const generationId = hex(r, 8);
    const start = started + r() * 300;
    const modelMs = 700 + r() * 1_100;
    const end = start + modelMs + 30;
    const inputTokens = 210 + Math.floor(r() * 90);
    const outputTokens = 40 + Math.floor(r() * 60);
    const experiment = (runId: string) => [
      str("langfuse.environment", "sdk-experiment"),
      str("langfuse.experiment.id", runId),
      str("langfuse.experiment.name", runName),
      str("langfuse.experiment.dataset.id", dataset.id),
      str("langfuse.experiment.item.id", item.itemId),
      str("langfuse.experiment.item.root_observation_id", rootId),
      str("langfuse.experiment.metadata", JSON.stringify(metadata)),
      { key: "keel.demo", value: { boolValue: true } },
    ];
    spanOf.push((runId) => [
      {
        traceId,
        spanId: rootId,
        name: "experiment-item-run",
        kind: 1,
        startTimeUnixNano: nanos(start),
        endTimeUnixNano: nanos(end),
        attributes: [
          ...experiment(runId),
          str("langfuse.observation.type", "span"),
          str("langfuse.experiment.description", description),
          str("langfuse.experiment.item.expected_output", JSON.stringify(expected)),
          str("langfuse.observation.input", JSON.stringify(input)),
          str("langfuse.observation.output", JSON.stringify(output)),
          str("langfuse.observation.metadata.experiment_name", "support-reply nightly"),
          str("langfuse.observation.metadata.experiment_run_name", runName),
          str("langfuse.observation.metadata.dataset_id", dataset.id),
          str("langfuse.observation.metadata.dataset_item_id", item.itemId),
        ],
        status: { code: 0 },
      },
      {
        traceId,
        spanId: generationId,
        parentSpanId: rootId,
        name: "draft-reply",
        kind: 1,
        startTimeUnixNano: nanos(start + 15),
        endTimeUnixNano: nanos(start + 15 + modelMs),
        attributes: [
          ...experiment(runId),
          str("langfuse.observation.type", "generation"),
          str("langfuse.observation.model.name", "gpt-4o-mini"),
          str("langfuse.observation.model.parameters", JSON.stringify({ temperature: 0.3, max_tokens: 500 })),
          str("langfuse.observation.usage_details", JSON.stringify({ input: inputTokens, output: outputTokens, total: inputTokens + outputTokens })),
          str("langfuse.observation.prompt.name", "support/reply"),
          int("langfuse.observation.prompt.version", 3),
          str(
            "langfuse.observation.input",
            JSON.stringify([
              { role: "system", content: 'You are the support assistant for Acme. Always greet the customer by name and sign off as "The Acme team".' },
              { role: "user", content: `Customer: ${input.customer_name ?? ""} (order ${input.order_id ?? ""})\n\n${input.question ?? ""}` },
            ]),
          ),
          str("langfuse.observation.output", JSON.stringify({ role: "assistant", content: output })),
        ],
        status: { code: 0 },
      },
    ]);
    links.push({ itemId: item.itemId, traceId, observationId: rootId });
    // The evaluators' results, sent by the client's score manager (score-create events).
    const scoreAt = end + 50;
    scores.push(
      {
        id: uuid(r),
        type: "score-create",
        timestamp: iso(scoreAt),
        body: {
          id: uuid(r),
          traceId,
          observationId: rootId,
          name: "helpfulness",
          value: helpfulness,
          dataType: "NUMERIC",
          comment: verdict,
          environment: "sdk-experiment",
        },
      },
      {
        id: uuid(r),
        type: "score-create",
        timestamp: iso(scoreAt),
        // An evaluator returning a number: the score manager sends no dataType (numeric, not a thumbs-down).
        body: {
          id: uuid(r),
          traceId,
          observationId: rootId,
          name: "uses-name",
          value: greets ? 1 : 0,
          environment: "sdk-experiment",
          ...(greets ? {} : { comment: `No "${first}" in the greeting` }),
        },
      },
    );
  }

  // Each item is linked as it starts (one request each, with the job's key); the run's id is the
  // experiment id the runner then puts on the item's spans.
  let runId = "";
  for (const link of links) {
    const linked = await runAudited(keyActor, (w) =>
      linkExternalRunItem(w, ctx, {
        runName,
        description,
        metadata,
        datasetId: dataset.id,
        itemId: link.itemId,
        traceId: langfuseTraceId(ctx.projectId, link.traceId),
        observationId: langfuseSpanId(ctx.projectId, link.observationId),
      }),
    );
    runId = linked.runId;
  }
  const spans = spanOf.flatMap((f) => f(runId));
  const otlp = {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "support-evals (demo data)"), str("telemetry.sdk.language", "nodejs")] },
        scopeSpans: [{ scope: { name: "langfuse-sdk", version: "5.11.1" }, spans }],
      },
    ],
  };
  const sent = await ingestOtlp(ctx.projectId, Buffer.from(JSON.stringify(otlp)), "json");
  if (sent.rejected) throw new Error(`The demo experiment's spans were refused: ${sent.errorMessage}`);
  for (let i = 0; i < scores.length; i += 15) {
    const result = await ingestLangfuseBatch(ctx.projectId, Buffer.from(JSON.stringify({ batch: scores.slice(i, i + 15) })));
    if (result.errors.length) throw new Error(`The demo experiment's scores were refused: ${JSON.stringify(result.errors[0])}`);
  }
}
