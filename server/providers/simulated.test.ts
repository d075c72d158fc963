import { afterEach, describe, expect, it, vi } from "vitest";
import { createProvider, type CompletionRequest, type StreamEvent } from "./index";
import { sampleFromSchema, SIMULATED_PREFIX } from "./simulated";
import { instructionsOf, tame } from "./simulated-reply";
import { estimateUsage } from "./tokens";

const simulated = () => createProvider({ kind: "simulated" });
const req: CompletionRequest = {
  model: "gpt-4o",
  temperature: 0.7,
  messages: [
    { role: "system", content: "You are a helpful support agent." },
    { role: "user", content: "My order #1234 arrived damaged. What can I do?" },
  ],
};

async function streamed(events: AsyncIterable<StreamEvent>) {
  const deltas: string[] = [];
  const done: StreamEvent[] = [];
  for await (const e of events) {
    if (e.type === "delta") deltas.push(e.text);
    else done.push(e);
  }
  return { deltas, done };
}

afterEach(() => vi.unstubAllGlobals());

describe("simulated provider", () => {
  it("answers plausibly, clearly marked, about the message's subject without echoing it", async () => {
    const result = await simulated().complete(req);
    expect(result.text.startsWith(SIMULATED_PREFIX)).toBe(true);
    expect(result.text).not.toContain("My order #1234 arrived damaged");
    expect(result.text).toContain("the damaged item");
    expect(result.text).toContain("order #1234");
    expect(result.text.split(/(?<=[.:!?])\s/).length).toBeGreaterThanOrEqual(3);
    expect(result).toMatchObject({ model: "gpt-4o", finishReason: "stop", attempts: 1 });
    expect(result.usage).toEqual(estimateUsage(req.messages, result.text));
    expect(result.latencyMs).toBeGreaterThanOrEqual(20);
    expect(result.latencyMs).toBeLessThan(80);
  });

  it("is deterministic: the same input gives the same result, different input a different one", async () => {
    const a = await simulated().complete(req);
    expect(await simulated().complete({ ...req, messages: [...req.messages] })).toEqual(a);
    const variants = await Promise.all(
      [
        { ...req, temperature: 0.1 },
        { ...req, model: "gpt-4o-mini" },
        { ...req, messages: [...req.messages, { role: "user" as const, content: "Anything else?" }] },
      ].map((r) => simulated().complete(r)),
    );
    for (const v of variants) expect(v.text === a.text && v.latencyMs === a.latencyMs).toBe(false);
  });

  it("varies its wording across inputs", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => simulated().complete({ model: "m", messages: [{ role: "user", content: "Same question" }], temperature: i / 10 })),
    );
    expect(new Set(results.map((r) => r.text)).size).toBeGreaterThan(3);
  });

  it("streams word chunks that add up to the complete() text, then one done", async () => {
    const full = await simulated().complete(req);
    const { deltas, done } = await streamed(simulated().stream(req));
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join("")).toBe(full.text);
    expect(done).toEqual([{ type: "done", result: full }]);
  });

  it("needs no network", async () => {
    const noNetwork = vi.fn(() => Promise.reject(new Error("network used")));
    vi.stubGlobal("fetch", noNetwork);
    await simulated().complete(req);
    await streamed(simulated().stream(req));
    expect(noNetwork).not.toHaveBeenCalled();
  });

  it("honours max tokens and stop sequences", async () => {
    const full = await simulated().complete(req);
    const short = await simulated().complete({ ...req, maxTokens: 5 });
    expect(short).toMatchObject({ finishReason: "length", usage: { outputTokens: 5 } });
    expect(full.text.startsWith(short.text)).toBe(true);
    const stopped = await simulated().complete({ ...req, stop: ["#1234"] });
    expect(stopped.finishReason).toBe("stop");
    expect(full.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text).not.toContain("#1234");
  });

  it("answers JSON modes with valid JSON, shaped by the schema", async () => {
    const obj = await simulated().complete({ ...req, responseFormat: { type: "json_object" } });
    expect(JSON.parse(obj.text)).toEqual({ simulated: true, reply: expect.stringContaining("the damaged item") });
    const schema = {
      type: "object",
      properties: {
        category: { enum: ["damaged", "late", "other"] },
        refund: { type: "boolean" },
        amount: { type: "number", minimum: 5 },
        steps: { type: "array", items: { type: "string" } },
        note: { type: ["string", "null"] },
      },
    };
    const structured = await simulated().complete({ ...req, responseFormat: { type: "json_schema", name: "triage", schema } });
    expect(JSON.parse(structured.text)).toEqual({ category: "damaged", refund: true, amount: 5, steps: ["simulated steps"], note: "simulated note" });
  });

  it("handles a conversation with no user message", async () => {
    const r = await simulated().complete({ model: "m", messages: [{ role: "system", content: "Only a system prompt" }] });
    expect(r.text).toContain("no user message");
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const events = simulated().stream({ ...req, signal: controller.signal });
    const seen: StreamEvent[] = [];
    await expect(
      (async () => {
        for await (const e of events) {
          seen.push(e);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: "aborted" });
    expect(seen).toHaveLength(1);
    await expect(simulated().complete({ ...req, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "aborted" });
  });
});

describe("sampleFromSchema", () => {
  it("covers const, anyOf, integers, nested objects, and unknown shapes", () => {
    expect(sampleFromSchema({ const: 7 })).toBe(7);
    expect(sampleFromSchema({ anyOf: [{ type: "integer", minimum: 2.5 }, { type: "string" }] })).toBe(3);
    expect(sampleFromSchema({ properties: { a: { properties: { b: { type: "null" } } } } })).toEqual({ a: { b: null } });
    expect(sampleFromSchema(null)).toBeNull();
  });
});

describe("simulated provider: request parameters", () => {
  it("keeps replies without the new parameters as they were, and lets seed and sampling knobs pick the reply", async () => {
    const plain = await simulated().complete(req);
    expect(plain.text).toBe((await simulated().complete({ ...req, n: 1, user: "u", metadata: { a: "b" } })).text);
    const seeded = await Promise.all([1, 1, 2].map((seed) => simulated().complete({ ...req, seed })));
    expect(seeded[0]!.text).toBe(seeded[1]!.text);
    const texts = new Set([plain, ...seeded].map((r) => r.text));
    expect(texts.size).toBeGreaterThanOrEqual(2);
  });

  it("gives n deterministic choices, usage covering them all, and a forced tool call from the schema", async () => {
    const three = await simulated().complete({ ...req, n: 3 });
    expect(three.alternatives).toHaveLength(2);
    expect(new Set([three.text, ...three.alternatives!.map((a) => a.text)]).size).toBe(3);
    expect(three.usage.outputTokens).toBeGreaterThan((await simulated().complete(req)).usage.outputTokens);
    const tools = [{ name: "lookup", parameters: { type: "object", properties: { id: { type: "integer", minimum: 5 } } } }];
    const forced = await simulated().complete({ ...req, tools, toolChoice: { name: "lookup" } });
    expect(forced).toMatchObject({ text: "", finishReason: "tool_calls", toolCalls: [{ name: "lookup", arguments: '{"id":5}' }] });
    expect((await simulated().complete({ ...req, tools, toolChoice: "auto" })).toolCalls).toBeUndefined();
  });

  it("refuses what it cannot simulate", () => {
    const p = simulated();
    expect(p.unsupported({ seed: 1, n: 4, topP: 0.2, presencePenalty: 1, toolChoice: "required", user: "u", metadata: { a: "b" } })).toBeNull();
    expect(p.unsupported({ logprobs: true })).toBe("logprobs");
    expect(p.unsupported({ logitBias: { "1": 2 } })).toBe("logitBias");
    expect(p.unsupported({ verbosity: "low" })).toBe("verbosity");
  });
});

describe("simulated embeddings", () => {
  it("are deterministic unit vectors of the asked size, different per text and model", async () => {
    const p = simulated();
    const a = await p.embed!({ model: "sim-embed", input: ["hello", "world"] });
    const b = await p.embed!({ model: "sim-embed", input: ["hello"] });
    expect(a.embeddings[0]).toHaveLength(256);
    expect(b.embeddings[0]).toEqual(a.embeddings[0]);
    expect(a.embeddings[1]).not.toEqual(a.embeddings[0]);
    expect((await p.embed!({ model: "other", input: ["hello"] })).embeddings[0]).not.toEqual(a.embeddings[0]);
    for (const e of a.embeddings) expect(Math.hypot(...e)).toBeCloseTo(1, 4);
    expect((await p.embed!({ model: "m", input: [[1, 2, 3]], dimensions: 1000 })).embeddings[0]).toHaveLength(1000);
    expect(a.usage.inputTokens).toBe(4);
  });
});

describe("simulated provider: follows the prompt's instructions", () => {
  const SYSTEM =
    "You are the support assistant for Acme. Answer in a friendly, concise tone.\nIf you are unsure, offer to hand over to a human.\n\nPolicy:\nRefunds within 30 days of delivery. Shipping takes 3-5 business days.";
  const ask = (system: string, user: string, extra: Partial<CompletionRequest> = {}) =>
    simulated().complete({
      model: "simulated-1",
      temperature: 0.3,
      messages: [
        { role: "system", content: system },
        { role: "user", content: user },
      ],
      ...extra,
    });
  const question = "Customer: Maria Silva (order A-10482)\n\nHow long does shipping take to Lisbon?";

  it("greets the customer by name only when the instructions say so, with the name from the user message", async () => {
    const told = await ask(`${SYSTEM}\n\nAlways greet the customer by name.`, question);
    const silent = await ask(SYSTEM, question);
    expect(told.text).toMatch(/^\[Simulated\] Hi Maria!/);
    expect(silent.text).not.toMatch(/\b(Hi|Hello|Dear) [A-Z]/);
    expect(silent.text).not.toContain("Maria");
    // Neither echoes the user message.
    for (const r of [told, silent]) expect(r.text).not.toContain("How long does shipping take");
    // Nobody named: a greeting without a name.
    expect((await ask(`${SYSTEM} Greet the user by name.`, "How long does shipping take?")).text).toMatch(/^\[Simulated\] Hi there!/);
  });

  it("is deterministic and quotes the policy sentence about the question's subject", async () => {
    const a = await ask(SYSTEM, question);
    expect((await ask(SYSTEM, question)).text).toBe(a.text);
    expect(a.text).toContain("Shipping takes 3-5 business days.");
    expect(a.text).not.toContain("Refunds within 30 days");
    // Nothing in the policy about it: the hand-over the instructions ask for, no made-up rule.
    const unsure = await ask(SYSTEM, "I forgot my password and the reset email never arrives.");
    expect(unsure.text).toMatch(/colleague/);
    expect(unsure.text).not.toMatch(/Refunds|Shipping takes/);
  });

  it("signs off, ends with, keeps to a sentence count, writes bullet points and another language", async () => {
    expect((await ask(`${SYSTEM}\nSign off as "The Acme team".`, question)).text).toMatch(/— The Acme team$/);
    expect((await ask('Answer politely. End your reply with "Ticket closed."', "Where is my invoice?")).text).toMatch(/Ticket closed\.$/);
    const one = await ask("Answer in one sentence.", "Where is my invoice?");
    expect(one.text.slice(SIMULATED_PREFIX.length).split(/(?<=[.!?])\s/)).toHaveLength(1);
    const bullets = await ask(`${SYSTEM}\nUse bullet points.`, question);
    expect(bullets.text.split("\n").filter((l) => l.startsWith("- ")).length).toBeGreaterThanOrEqual(2);
    const spanish = await ask("Reply in Spanish and greet the customer by name.", "Hi, I'm Ana. Where is my parcel?");
    expect(spanish.text).toMatch(/^\[Simulated\] Hola Ana! /);
    expect(spanish.text).not.toMatch(/\b(Thanks|Thank you|parcel)\b/);
  });

  it("classifies into the categories it is given, as the category only or as JSON (valid, in the schema's shape)", async () => {
    const prompt = (t: string, format: string) => `Classify this support ticket as one of: billing, shipping, technical, other.\n${format}\n\nTicket:\n${t}`;
    const only = (t: string) =>
      simulated().complete({ model: "m", temperature: 0, messages: [{ role: "user", content: prompt(t, "Answer with the category only.") }] });
    expect((await only("The courier left my parcel in the rain.")).text).toBe(`${SIMULATED_PREFIX}shipping`);
    expect((await only("The app crashes every time I open my order history.")).text).toBe(`${SIMULATED_PREFIX}technical`);
    expect((await only("Are your products vegan?")).text).toBe(`${SIMULATED_PREFIX}other`);
    const schema = {
      type: "object",
      properties: { category: { enum: ["billing", "shipping", "technical", "other"] }, confidence: { type: "number" } },
      required: ["category", "confidence"],
    };
    const structured = await simulated().complete({
      model: "m",
      messages: [
        { role: "user", content: prompt("My card was declined but the money left my account.", 'Respond as JSON: {"category": "...", "confidence": 0-1}.') },
      ],
      responseFormat: { type: "json_schema", name: "triage", schema },
    });
    const parsed = JSON.parse(structured.text) as { category: string; confidence: number };
    expect(parsed.category).toBe("billing");
    expect(parsed.confidence).toBeGreaterThan(0);
    expect(parsed.confidence).toBeLessThanOrEqual(1);
    // "Reply in JSON" without a response format: valid JSON with the keys the instructions show.
    const instructed = await ask('Reply in JSON: {"answer": "...", "confidence": 0.9}.', "Where is my invoice?");
    expect(Object.keys(JSON.parse(instructed.text) as object)).toEqual(["answer", "confidence"]);
  });

  it("says how it was made when the prompt gives no instruction it recognises", async () => {
    const r = await simulated().complete({ model: "m", messages: [{ role: "user", content: "Tell me a joke about databases" }] });
    expect(r.text).toContain("databases");
    expect(r.text).not.toContain("Tell me a joke about databases");
  });

  it("reads a bounded, whitespace-collapsed copy of the prompt, so no directive pattern can backtrack on a hostile one", async () => {
    expect(tame(`greet${" \t".repeat(50_000)}the customer\n\n\n\n  by name`)).toBe("greet the customer\n\nby name");
    expect(tame("a\n  b")).toBe("a\nb");
    expect(tame("x".repeat(100_000))).toHaveLength(20_000);
    const hostile = `Greet${" ".repeat(200_000)}${"\n".repeat(200_000)}policy:${" \n".repeat(100_000)}`;
    expect(instructionsOf([{ role: "system", content: hostile }]).length).toBeLessThanOrEqual(20_000);
    const r = await simulated().complete({
      model: "m",
      messages: [
        { role: "system", content: hostile },
        { role: "user", content: `order${" ".repeat(200_000)}` },
      ],
    });
    expect(r.text.startsWith(SIMULATED_PREFIX)).toBe(true);
  });
});
