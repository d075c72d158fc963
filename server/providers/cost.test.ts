import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, DEFAULT_PRICES_AS_OF, estimateCost, findPrice } from "./cost";

const usage = { inputTokens: 1_000_000, outputTokens: 500_000 };

describe("estimateCost", () => {
  it("prices common models from the built-in table", () => {
    expect(estimateCost("gpt-4o", usage)).toBe(2.5 + 5);
    expect(estimateCost("gpt-4o-mini", { inputTokens: 1200, outputTokens: 300 })).toBeCloseTo((1200 * 0.15 + 300 * 0.6) / 1e6, 12);
    expect(estimateCost("claude-3-5-sonnet", usage)).toBe(3 + 7.5);
    for (const model of ["gpt-4.1", "gpt-4.1-mini", "o3-mini", "claude-3-5-haiku", "claude-sonnet-4"]) expect(estimateCost(model, usage)).toBeGreaterThan(0);
    expect(DEFAULT_PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("prices dated snapshots and -latest aliases like their base model, and nothing else", () => {
    expect(findPrice("gpt-4o-2024-08-06")?.matched).toBe("gpt-4o");
    expect(findPrice("claude-3-5-sonnet-20241022")?.matched).toBe("claude-3-5-sonnet");
    expect(findPrice("claude-3-5-haiku-latest")?.matched).toBe("claude-3-5-haiku");
    expect(findPrice("claude-sonnet-4-20250514")?.matched).toBe("claude-sonnet-4");
    expect(findPrice("gpt-4o-mini-2024-07-18")?.matched).toBe("gpt-4o-mini");
    expect(findPrice("openai/gpt-4.1-mini")?.matched).toBe("gpt-4.1-mini");
    expect(findPrice("GPT-4o")?.matched).toBe("gpt-4o");
    // A different model whose name merely starts like a known one is not guessed.
    expect(findPrice("gpt-4o-audio-preview")).toBeNull();
  });

  it("returns null for unknown models rather than a made-up zero", () => {
    expect(estimateCost("llama3.1:8b", usage)).toBeNull();
    expect(estimateCost("", usage)).toBeNull();
  });

  it("lets a project's prices override the table and add models (Decimal-like values too)", () => {
    const decimal = (v: string) => ({ toString: () => v });
    const rows = [
      { model: "gpt-4o", inputPerMillion: decimal("1.000000"), outputPerMillion: decimal("2.000000") },
      { model: "llama3.1:8b", inputPerMillion: "0.05", outputPerMillion: 0.1 },
    ];
    expect(estimateCost("gpt-4o", usage, rows)).toBe(1 + 1);
    expect(estimateCost("gpt-4o-2024-11-20", usage, rows)).toBe(2);
    expect(findPrice("gpt-4o", rows)?.source).toBe("project");
    expect(estimateCost("llama3.1:8b", usage, rows)).toBe(0.05 + 0.05);
    expect(findPrice("gpt-4o-mini", rows)).toMatchObject({ source: "default", matched: "gpt-4o-mini" });
  });

  it("is zero for zero tokens and has no float noise", () => {
    expect(estimateCost("gpt-4o", { inputTokens: 0, outputTokens: 0 })).toBe(0);
    expect(estimateCost("gpt-4.1-nano", { inputTokens: 1, outputTokens: 2 })).toBe(0.0000009);
  });

  it("has sane table entries", () => {
    for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
      expect(model).toBe(model.toLowerCase());
      expect(price.outputPerMillion).toBeGreaterThanOrEqual(price.inputPerMillion);
    }
  });
});
