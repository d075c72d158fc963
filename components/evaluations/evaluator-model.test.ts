import { describe, expect, it } from "vitest";
import { placedZodResolver } from "@/components/lib/form-errors";
import {
  BLANK_DRAFT,
  describeConfig,
  draftFromConfig,
  EVALUATOR_FORMS,
  EVALUATOR_PLACEMENTS,
  evaluatorValues,
  type EvaluatorMode,
  type EvaluatorValues,
} from "./evaluator-model";

const CREATE: EvaluatorMode = { type: "create" };
const VERSION: EvaluatorMode = { type: "version", name: "mentions-refund", description: "Says refund" };
const PROVIDER = "7d0c6d5e-8a36-4f0e-9d84-2a4b7f1b5c11";

/** The evaluator form as the dialog checks it: the input it sends, or each field's message. */
async function check(mode: EvaluatorMode, changes: Partial<EvaluatorValues>) {
  const values = { ...evaluatorValues(mode), ...changes };
  const resolve = placedZodResolver(EVALUATOR_FORMS[mode.type], EVALUATOR_PLACEMENTS[mode.type]);
  const result = await resolve(values, undefined, { fields: {}, shouldUseNativeValidation: false });
  const errors: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(result.errors).map(([field, error]) => [field, (error as { message?: string }).message]),
  );
  return { input: Object.keys(errors).length ? null : result.values, errors };
}

describe("the evaluator form: what it sends", () => {
  it("creates a contains evaluator with the name and description trimmed, the schema's defaults applied", async () => {
    const checked = await check(CREATE, { name: "  mentions-refund ", description: " Says refund ", value: "refund" });
    expect(checked.errors).toEqual({});
    expect(checked.input).toEqual({ name: "mentions-refund", description: "Says refund", config: { kind: "contains", value: "refund", caseSensitive: false } });
  });

  it("leaves an empty text out, so the item's expected output is used", async () => {
    expect((await check(CREATE, { name: "same" })).input).toMatchObject({ config: { kind: "contains", caseSensitive: false } });
    expect((await check(CREATE, { name: "same" })).input?.config).not.toHaveProperty("value");
  });

  it("reads numbers from text and leaves empty optional ones unset", async () => {
    expect((await check(CREATE, { name: "short", kind: "length", max: " 180 " })).input?.config).toEqual({ kind: "length", max: 180, unit: "chars" });
    expect((await check(CREATE, { name: "close", kind: "levenshtein", threshold: "" })).input?.config).toEqual({
      kind: "levenshtein",
      threshold: 0.8,
      caseSensitive: false,
    });
    expect((await check(CREATE, { name: "cheap", kind: "cost", maxUsd: "0.002" })).input?.config).toEqual({ kind: "cost", maxUsd: 0.002 });
  });

  it("builds a judge from the prompt, the chosen version or label, and the scale", async () => {
    const judge = { name: "judge", kind: "llm_judge", promptName: "judges/polite", providerId: PROVIDER, model: " gpt-4o " } as const;
    expect((await check(CREATE, { ...judge, promptRef: "v:3" })).input?.config).toEqual({
      kind: "llm_judge",
      promptName: "judges/polite",
      promptVersion: 3,
      providerId: PROVIDER,
      model: "gpt-4o",
      scale: { min: 1, max: 5 },
      passAt: 4,
    });
    expect((await check(CREATE, { ...judge, promptRef: "l:production", model: "" })).input?.config).toMatchObject({ promptLabel: "production" });
  });

  it("parses the JSON Schema", async () => {
    const schema = '{ "type": "object", "required": ["answer"] }';
    expect((await check(CREATE, { name: "shape", kind: "json_schema", schema })).input?.config).toEqual({
      kind: "json_schema",
      schema: { type: "object", required: ["answer"] },
    });
  });

  it("saves a new version under the evaluator's name, with its description and the change message", async () => {
    const checked = await check(VERSION, { ...draftFromConfig({ kind: "regex", pattern: "refund", flags: "i" }), commitMessage: " Case-insensitive " });
    expect(checked.input).toEqual({
      name: "mentions-refund",
      description: "Says refund",
      commitMessage: "Case-insensitive",
      config: { kind: "regex", pattern: "refund", flags: "i" },
    });
  });

  it("round-trips a stored configuration through the form", async () => {
    const stored = { kind: "llm_judge", promptName: "judges/polite", promptLabel: "production", providerId: PROVIDER, scale: { min: 0, max: 10 }, passAt: 7 };
    const draft = draftFromConfig(stored);
    expect(draft).toMatchObject({ kind: "llm_judge", promptRef: "l:production", scaleMin: "0", scaleMax: "10", passAt: "7" });
    expect((await check(VERSION, draft)).input?.config).toEqual(stored);
    expect(draftFromConfig({ kind: "exact_match" })).toMatchObject({ caseSensitive: true, trim: true });
    expect(draftFromConfig(null)).toEqual(BLANK_DRAFT);
  });
});

describe("the evaluator form: each problem on its field, worded as the server words it", () => {
  it("requires a name, and says which names are allowed", async () => {
    expect((await check(CREATE, { name: "  " })).errors).toEqual({ name: "Name is required" });
    expect((await check(CREATE, { name: "-refund" })).errors).toEqual({ name: "Name may use letters, digits, . _ and - (starting with a letter or digit)" });
  });

  it("names the name and the configuration's problems at once", async () => {
    expect((await check(CREATE, { name: "", kind: "regex", pattern: "", flags: "x" })).errors).toEqual({
      name: "Name is required",
      pattern: "Pattern is required",
      flags: "Flags may use only the flags i, m, s and u, each at most once",
    });
  });

  it("refuses a pattern the engine cannot run", async () => {
    const { errors } = await check(CREATE, { name: "r", kind: "regex", pattern: "(unclosed" });
    expect(errors.pattern).toMatch(/^Pattern is not a valid regular expression: missing closing \)/);
    expect((await check(CREATE, { name: "r", kind: "regex", pattern: "^(\\w)\\1$" })).errors.pattern).toMatch(/^Uses a backreference \(\\1\)/);
  });

  it("reports JSON syntax, and a JSON value that is not a schema object", async () => {
    expect((await check(CREATE, { name: "s", kind: "json_schema", schema: "{ nope" })).errors.schema).toMatch(/^Not valid JSON: /);
    expect((await check(CREATE, { name: "s", kind: "json_schema", schema: "[]" })).errors).toEqual({ schema: "JSON Schema must be a JSON Schema object" });
  });

  it("says what is wrong with a number", async () => {
    expect((await check(CREATE, { name: "n", kind: "levenshtein", threshold: "high" })).errors).toEqual({ threshold: "Threshold must be a number" });
    expect((await check(CREATE, { name: "n", kind: "levenshtein", threshold: "2" })).errors).toEqual({ threshold: "Threshold must be between 0 and 1" });
    expect((await check(CREATE, { name: "n", kind: "latency", maxMs: "" })).errors).toEqual({ maxMs: "Maximum latency is required" });
    expect((await check(CREATE, { name: "n", kind: "latency", maxMs: "1.5" })).errors).toEqual({ maxMs: "Maximum latency must be a whole number" });
    expect((await check(CREATE, { name: "n", kind: "cost", maxUsd: "-1" })).errors).toEqual({ maxUsd: "Maximum cost must be 0 or more" });
  });

  it("asks for a length bound, and a maximum no lower than the minimum", async () => {
    expect((await check(CREATE, { name: "l", kind: "length" })).errors).toEqual({ min: "Set min, max or both" });
    expect((await check(CREATE, { name: "l", kind: "length", min: "10", max: "5" })).errors).toEqual({ max: "Maximum must be at least min" });
  });

  it("puts the judge's problems on the judge's controls", async () => {
    expect((await check(CREATE, { name: "j", kind: "llm_judge" })).errors).toEqual({
      promptName: "Judge prompt is required",
      providerId: "Provider is not a valid provider id",
      promptRef: "Set either promptVersion or promptLabel (exactly one)",
    });
    const judge = { name: "j", kind: "llm_judge", promptName: "judges/polite", promptRef: "v:1", providerId: PROVIDER } as const;
    expect((await check(CREATE, { ...judge, scaleMin: "5", scaleMax: "5" })).errors).toEqual({ scaleMax: "Highest score must be greater than scale.min" });
    expect((await check(CREATE, { ...judge, passAt: "9" })).errors).toEqual({ passAt: "Pass at must be within the scale (1 to 5)" });
    expect((await check(CREATE, { ...judge, scaleMin: "" })).errors).toEqual({ scaleMin: "Lowest score is required" });
  });
});

describe("where the server's problems go", () => {
  const { create, version } = EVALUATOR_PLACEMENTS;
  it("places a configuration path on the control that holds it", () => {
    expect(create.fieldOf?.("config.pattern")).toBe("pattern");
    expect(create.fieldOf?.("config.schema")).toBe("schema");
    expect(create.fieldOf?.("config.schema.properties.a.pattern")).toBe("schema");
    expect(create.fieldOf?.("config.scale.min")).toBe("scaleMin");
    expect(create.fieldOf?.("config.scale.max")).toBe("scaleMax");
    expect(create.fieldOf?.("config.scale")).toBe("scaleMax");
    expect(create.fieldOf?.("config.promptVersion")).toBe("promptRef");
    expect(create.fieldOf?.("config.promptLabel")).toBe("promptRef");
    expect(create.fieldOf?.("config.providerId")).toBe("providerId");
    expect(create.fieldOf?.("config")).toBe("kind");
    expect(create.fieldOf?.("config.unknown")).toBe("kind");
  });
  it("places the name only when creating, the change message only for a new version", () => {
    expect(create.fieldOf?.("name")).toBe("name");
    expect(version.fieldOf?.("name")).toBeNull();
    expect(create.fieldOf?.("commitMessage")).toBeNull();
    expect(version.fieldOf?.("commitMessage")).toBe("commitMessage");
    expect(version.fieldOf?.("description")).toBe("description");
    expect(create.fieldOf?.("orgSlug")).toBeNull();
  });
});

describe("describeConfig", () => {
  it("sums a configuration up in a few words", () => {
    expect(describeConfig({ kind: "contains", value: "refund" })).toBe('"refund"');
    expect(describeConfig({ kind: "length", max: 180, unit: "chars" })).toBe("≤ 180 chars");
    expect(describeConfig({ kind: "llm_judge", promptName: "judges/polite", promptVersion: 2, scale: { min: 1, max: 5 }, passAt: 4 })).toBe(
      "judges/polite v2, pass at 4 on 1–5",
    );
  });
});
