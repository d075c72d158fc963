import { describe, expect, it } from "vitest";
import { placedZodResolver } from "@/components/lib/form-errors";
import { errorsFromIssues, fieldOfPath, parseWhole, percentText, percentToRate, rateToPercent } from "./model";
import { configSummary, GUARDRAIL_PLACEMENT, guardrailForm, guardrailValues, NEW_GUARDRAIL, patternLines, type GuardrailRow, type GuardrailValues } from "./guardrail-model";

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

describe("placing errors on fields", () => {
  const labels = { name: "Name", schema: "Schema", patterns: "Patterns", config: "Check" };
  it("maps nested config paths to the config field's control", () => {
    expect(fieldOfPath("config.schema", labels)).toBe("schema");
    expect(fieldOfPath("config.patterns.2", labels)).toBe("patterns");
    expect(fieldOfPath("config", labels)).toBe("config");
    expect(fieldOfPath("config.unknown", labels)).toBe("config");
    expect(fieldOfPath("name", labels)).toBe("name");
    expect(fieldOfPath("stage", labels)).toBeUndefined();
  });
  it("phrases zod issues with the field's label", () => {
    const errors = errorsFromIssues([{ path: ["config", "schema"], message: "is not a valid JSON Schema" }], labels);
    expect(errors.fields.schema).toBe("Schema is not a valid JSON Schema");
    expect(errors.form).toBeNull();
  });
});

/** The guardrail form as the dialog checks it: the input it sends, or each field's message. */
async function checkGuardrail(values: GuardrailValues) {
  const result = await placedZodResolver(guardrailForm, GUARDRAIL_PLACEMENT)(values, undefined, { fields: {}, shouldUseNativeValidation: false });
  const errors: Record<string, string | undefined> = Object.fromEntries(Object.entries(result.errors).map(([field, error]) => [field, (error as { message?: string }).message]));
  return { input: Object.keys(errors).length ? null : result.values, errors };
}

describe("the guardrail form", () => {
  it("builds a PII guardrail scoped to everything", async () => {
    const checked = await checkGuardrail({ ...NEW_GUARDRAIL, name: "No cards", entities: ["card"] });
    expect(checked.errors).toEqual({});
    expect(checked.input).toMatchObject({ name: "No cards", stage: "input", action: "block", config: { kind: "pii", entities: ["card"], mode: "detect" }, promptName: null, environment: null });
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
    expect((await checkGuardrail({ ...NEW_GUARDRAIL, name: "Short", kind: "max_length", maxChars: "1.5" })).errors).toEqual({ maxChars: "Maximum characters must be a whole number" });
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
    expect(values).toMatchObject({ kind: "regex_deny", patterns: "a+\nb", caseInsensitive: false, promptName: "support/reply", environment: "", enabled: false });
    expect((await checkGuardrail(values)).input).toMatchObject({ config: row.config, promptName: "support/reply", environment: null, enabled: false });
    expect(configSummary(row.config)).toBe("2 patterns");
  });
});
