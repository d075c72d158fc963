import { describe, expect, it } from "vitest";
import { errorsFromIssues, fieldOfPath, parseWhole, percentToRate, rateToPercent } from "./model";
import { checkGuardrail, configSummary, guardrailValues, NEW_GUARDRAIL, patternLines, type GuardrailRow } from "./guardrail-model";

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

describe("the guardrail form", () => {
  it("builds a PII guardrail scoped to everything", () => {
    const checked = checkGuardrail({ ...NEW_GUARDRAIL, name: "No cards", entities: ["card"] });
    expect(checked.errors).toBeNull();
    expect(checked.input).toMatchObject({ name: "No cards", stage: "input", action: "block", config: { kind: "pii", entities: ["card"], mode: "detect" }, promptName: null, environment: null });
  });
  it("reports JSON syntax on the schema field", () => {
    const checked = checkGuardrail({ ...NEW_GUARDRAIL, name: "Shape", kind: "json_schema", stage: "output", schema: "{ not json" });
    expect(checked.errors?.fields.schema).toMatch(/^Schema is not valid JSON/);
  });
  it("refuses a JSON Schema on the input stage", () => {
    const checked = checkGuardrail({ ...NEW_GUARDRAIL, name: "Shape", kind: "json_schema", stage: "input", schema: "{}" });
    expect(checked.errors?.fields.stage).toMatch(/output stage/);
  });
  it("names the pattern that does not compile", () => {
    const checked = checkGuardrail({ ...NEW_GUARDRAIL, name: "Deny", kind: "regex_deny", patterns: "ok\n(unclosed" });
    expect(checked.errors?.fields.patterns).toMatch(/^Pattern 2 is not a valid regular expression/);
  });
  it("requires a name", () => {
    expect(checkGuardrail({ ...NEW_GUARDRAIL }).errors?.fields.name).toBe("Name is required");
  });
  it("reads patterns one a line, ignoring blank lines", () => {
    expect(patternLines(" a \n\nb\n")).toEqual(["a", "b"]);
  });
  it("round-trips a stored guardrail through the form", () => {
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
    expect(checkGuardrail(values).input).toMatchObject({ config: row.config, promptName: "support/reply", environment: null, enabled: false });
    expect(configSummary(row.config)).toBe("2 patterns");
  });
});
