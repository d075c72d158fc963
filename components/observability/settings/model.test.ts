import { describe, expect, it } from "vitest";
import { placedZodResolver } from "@/components/lib/form-errors";
import { parseWhole, percentText, percentToRate, rateToPercent } from "./model";
import { ROUTING_PLACEMENT, routingForm, routingValues, type RoutingValues } from "./routing-model";
import {
  configSummary,
  GUARDRAIL_PLACEMENT,
  guardrailForm,
  guardrailValues,
  NEW_GUARDRAIL,
  patternLines,
  type GuardrailRow,
  type GuardrailValues,
} from "./guardrail-model";

describe("sample rates as percentages", () => {
  it("shows rates without float noise", () => {
    expect(rateToPercent(0.5)).toBe("50");
    expect(rateToPercent(0.125)).toBe("12.5");
    expect(rateToPercent(0.07)).toBe("7");
    expect(rateToPercent(1)).toBe("100");
  });
  it("reads 1–100 % and refuses the rest", () => {
    expect(percentToRate("50")).toBe(0.5);
    expect(percentToRate(" 12.5 ")).toBe(0.125);
    expect(percentToRate("100")).toBe(1);
    expect(percentToRate("0.5")).toBeNull();
    expect(percentToRate("101")).toBeNull();
    expect(percentToRate("")).toBeNull();
    expect(percentToRate("ten")).toBeNull();
  });
  it("turns a percentage field into a rate, or refuses it", () => {
    expect(percentText.parse("12.5")).toBe(0.125);
    expect(percentText.safeParse("0").error?.issues[0]?.message).toBe("must be a percentage from 1 to 100");
  });
});

describe("parseWhole", () => {
  it("tells empty from malformed", () => {
    expect(parseWhole("30")).toBe(30);
    expect(parseWhole("")).toBeNull();
    expect(Number.isNaN(parseWhole("3.5"))).toBe(true);
  });
});

describe("the retention and routing form", () => {
  const stored = { retentionDays: 30, gatewayConnectionId: null, fallbackConnectionId: null, fallbackModel: null, gatewayTimeoutMs: 30_000 };
  const a = "7d0c6d5e-8a36-4f0e-9d84-2a4b7f1b5c11";
  const b = "0b4f6c1e-6f0e-4b8e-a8a2-3c9b1d2e4f50";
  async function checkRouting(values: RoutingValues) {
    const result = await placedZodResolver(routingForm, ROUTING_PLACEMENT)(values, undefined, { fields: {}, shouldUseNativeValidation: false });
    const errors = Object.fromEntries(Object.entries(result.errors).map(([field, error]) => [field, (error as { message?: string }).message]));
    return { input: Object.keys(errors).length ? null : result.values, errors };
  }
  it("sends the stored settings back as they were, empty choices as null", async () => {
    expect((await checkRouting(routingValues(stored))).input).toEqual(stored);
    expect(
      (await checkRouting({ ...routingValues(stored), gatewayConnectionId: a, fallbackConnectionId: b, fallbackModel: "  gpt-4o  " })).input,
    ).toMatchObject({ gatewayConnectionId: a, fallbackConnectionId: b, fallbackModel: "gpt-4o" });
  });
  it("names every problem on its field at once, worded with the field's label", async () => {
    const { errors } = await checkRouting({ retentionDays: "3.5", gatewayConnectionId: a, fallbackConnectionId: a, fallbackModel: "", gatewayTimeoutMs: "" });
    expect(errors).toEqual({
      retentionDays: "Retention must be a whole number of days",
      gatewayTimeoutMs: "Timeout must be a whole number of milliseconds",
      fallbackConnectionId: "Fallback connection must differ from the gateway connection: a fallback is a second provider",
    });
  });
  it("applies the procedure's own bounds", async () => {
    const { errors } = await checkRouting({ ...routingValues(stored), retentionDays: "400", gatewayTimeoutMs: "10" });
    expect(errors).toEqual({ retentionDays: "Retention must be at most 365 days", gatewayTimeoutMs: "Timeout must be at least 1000 ms" });
  });
});

/** The guardrail form as the dialog checks it: the input it sends, or each field's message. */
async function checkGuardrail(values: GuardrailValues) {
  const result = await placedZodResolver(guardrailForm, GUARDRAIL_PLACEMENT)(values, undefined, { fields: {}, shouldUseNativeValidation: false });
  const errors: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(result.errors).map(([field, error]) => [field, (error as { message?: string }).message]),
  );
  return { input: Object.keys(errors).length ? null : result.values, errors };
}

describe("the guardrail form", () => {
  it("builds a PII guardrail scoped to everything", async () => {
    const checked = await checkGuardrail({ ...NEW_GUARDRAIL, name: "No cards", entities: ["card"] });
    expect(checked.errors).toEqual({});
    expect(checked.input).toMatchObject({
      name: "No cards",
      stage: "input",
      action: "block",
      config: { kind: "pii", entities: ["card"], mode: "detect" },
      promptName: null,
      environment: null,
    });
  });
  it("reports JSON syntax on the schema field", async () => {
    const checked = await checkGuardrail({ ...NEW_GUARDRAIL, name: "Shape", kind: "json_schema", stage: "output", schema: "{ not json" });
    expect(checked.errors.schema).toMatch(/^Schema is not valid JSON/);
  });
  it("refuses a JSON Schema on the input stage", async () => {
    const checked = await checkGuardrail({ ...NEW_GUARDRAIL, name: "Shape", kind: "json_schema", stage: "input", schema: "{}" });
    expect(checked.errors.stage).toMatch(/output stage/);
  });
  it("names the pattern that does not compile", async () => {
    const checked = await checkGuardrail({ ...NEW_GUARDRAIL, name: "Deny", kind: "regex_deny", patterns: "ok\n(unclosed" });
    expect(checked.errors.patterns).toMatch(/^Pattern 2 is not a valid regular expression/);
  });
  it("requires a name and a whole number of characters", async () => {
    expect((await checkGuardrail({ ...NEW_GUARDRAIL })).errors).toEqual({ name: "Name is required" });
    expect((await checkGuardrail({ ...NEW_GUARDRAIL, name: "Short", kind: "max_length", maxChars: "1.5" })).errors).toEqual({
      maxChars: "Maximum characters must be a whole number",
    });
  });
  it("places the server's errors about the config on the control that holds it", () => {
    expect(GUARDRAIL_PLACEMENT.fieldOf?.("config.schema")).toBe("schema");
    expect(GUARDRAIL_PLACEMENT.fieldOf?.("config.patterns.2")).toBe("patterns");
    expect(GUARDRAIL_PLACEMENT.labelOf?.("config.patterns.2")).toBe("Pattern 3");
    expect(GUARDRAIL_PLACEMENT.fieldOf?.("config")).toBe("kind");
    expect(GUARDRAIL_PLACEMENT.fieldOf?.("config.unknown")).toBe("kind");
    expect(GUARDRAIL_PLACEMENT.fieldOf?.("updatedAt")).toBeNull();
  });
  it("reads patterns one a line, ignoring blank lines", () => {
    expect(patternLines(" a \n\nb\n")).toEqual(["a", "b"]);
  });
  it("round-trips a stored guardrail through the form", async () => {
    const row: GuardrailRow = {
      id: "x",
      name: "Deny",
      description: "",
      kind: "regex_deny",
      stage: "both",
      action: "flag",
      config: { kind: "regex_deny", patterns: ["a+", "b"], caseInsensitive: false },
      promptName: "support/reply",
      environment: null,
      enabled: false,
    };
    const values = guardrailValues(row);
    expect(values).toMatchObject({
      kind: "regex_deny",
      patterns: "a+\nb",
      caseInsensitive: false,
      promptName: "support/reply",
      environment: "",
      enabled: false,
    });
    expect((await checkGuardrail(values)).input).toMatchObject({ config: row.config, promptName: "support/reply", environment: null, enabled: false });
    expect(configSummary(row.config)).toBe("2 patterns");
  });
});
