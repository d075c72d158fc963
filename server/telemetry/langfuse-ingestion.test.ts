// The Langfuse mapping without a database: id derivation, and merging an observation's create
// and updates into one span whatever order they arrive in.
import { describe, expect, it } from "vitest";
import { applyPatches, langfuseRootSpanId, langfuseScoreId, langfuseSpanId, langfuseTraceId, type SpanPatch } from "./langfuse-ingestion";

const P = "0192f3a0-0000-7000-8000-000000000001";

describe("Langfuse ids", () => {
  it("keeps OpenTelemetry-shaped ids and derives stable, project-scoped ones from any other", () => {
    expect(langfuseTraceId(P, "4bf92f3577b34da6a3ce929d0e0e4736")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(langfuseSpanId(P, "00f067aa0ba902b7")).toBe("00f067aa0ba902b7");
    const derived = langfuseTraceId(P, "my-trace");
    expect(derived).toMatch(/^[0-9a-f]{32}$/);
    expect(langfuseTraceId(P, "my-trace")).toBe(derived);
    expect(langfuseTraceId("0192f3a0-0000-7000-8000-000000000002", "my-trace")).not.toBe(derived);
    expect(langfuseTraceId(P, "0".repeat(32))).not.toBe("0".repeat(32));
    expect(langfuseSpanId(P, "obs-1")).toMatch(/^[0-9a-f]{16}$/);
    expect(langfuseRootSpanId(P, derived)).not.toBe(langfuseSpanId(P, "my-trace"));
    expect(langfuseScoreId(P, "9C5F0C1E-6D2B-4A53-9A57-2E0B1F0E8B11")).toBe("9c5f0c1e-6d2b-4a53-9a57-2e0b1f0e8b11");
    expect(langfuseScoreId(P, "score-1")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

const patch = (eventUs: number, create: boolean, set: SpanPatch["set"], attributes: SpanPatch["attributes"] = {}): SpanPatch => ({
  eventId: String(eventUs),
  eventUs,
  create,
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  defaultParent: "1111111111111111",
  set,
  attributes: { "langfuse.observation.type": "generation", ...attributes },
});

const T = 1_700_000_000_000_000;
const create = patch(T, true, { name: "reply", startUs: T, isGeneration: true, model: "gpt-4o-mini", parentSpanId: "1111111111111111", input: "hi" });
const end = patch(T + 800_000, false, { endUs: T + 800_000, output: "hello", inputTokens: 10, outputTokens: 5, isGeneration: true });
const error = patch(T + 900_000, false, { isGeneration: true }, { "langfuse.observation.level": "ERROR", "langfuse.observation.status_message": "refused" });

describe("applyPatches", () => {
  it("gives the same span whatever order the create and its updates arrive in, and over how many batches", () => {
    const together = applyPatches(undefined, [create, end, error], []);
    const reversed = applyPatches(applyPatches(applyPatches(undefined, [error], []), [end], []), [create], []);
    expect(reversed).toEqual(together);
    expect(together).toMatchObject({
      name: "reply",
      startUs: T,
      endUs: T + 800_000,
      model: "gpt-4o-mini",
      input: "hi",
      output: "hello",
      inputTokens: 10,
      outputTokens: 5,
      isGeneration: true,
      statusCode: 2,
      statusMessage: "refused",
    });
    expect(together.attributes).not.toHaveProperty(["keel.langfuse.inferred"]);
    // Applying the same events again changes nothing.
    expect(applyPatches(together, [create, end, error], [])).toEqual(together);
  });

  it("lets a newer event override a field and an older one only fill what is missing", () => {
    const renamed = patch(T + 1_000_000, false, { name: "reply-v2", output: "hello again" });
    const merged = applyPatches(applyPatches(undefined, [create, end], []), [renamed], []);
    expect(merged).toMatchObject({ name: "reply-v2", output: "hello again" });
    const stale = patch(T + 500_000, false, { name: "stale", model: "gpt-4o" }, { "langfuse.observation.metadata.k": "v" });
    const after = applyPatches(merged, [stale], []);
    expect(after).toMatchObject({ name: "reply-v2", model: "gpt-4o-mini" });
    expect(after.attributes["langfuse.observation.metadata.k"]).toBe("v");
  });

  it("infers what an update alone cannot say (start, name) and replaces it when the create comes", () => {
    const alone = applyPatches(undefined, [end], []);
    // Never a root in the meantime: the trace's root (its name) is the trace-create's.
    expect(alone).toMatchObject({ name: "generation", startUs: T + 800_000, endUs: T + 800_000, parentSpanId: "1111111111111111" });
    expect(alone.attributes["keel.langfuse.inferred"]).toEqual(["name", "parentSpanId", "startUs"]);
    const completed = applyPatches(alone, [create], []);
    expect(completed).toMatchObject({ name: "reply", startUs: T, endUs: T + 800_000 });
  });

  it("prices generations without a cost and re-prices when the tokens change; a cost sent is kept", () => {
    const prices = [{ model: "gpt-4o-mini", inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 }] as never;
    const priced = applyPatches(undefined, [create, end], prices);
    expect(priced.costUsd).toBe(20);
    expect(priced.attributes["keel.cost.estimated"]).toBe(true);
    const more = applyPatches(priced, [patch(T + 950_000, false, { inputTokens: 20, isGeneration: true })], prices);
    expect(more.costUsd).toBe(30);
    const sent = applyPatches(more, [patch(T + 990_000, false, { costUsd: 0.5, isGeneration: true }, { "keel.cost.estimated": false })], prices);
    expect(sent.costUsd).toBe(0.5);
    expect(applyPatches(sent, [patch(T + 995_000, false, { outputTokens: 50, isGeneration: true })], prices).costUsd).toBe(0.5);
  });
});
