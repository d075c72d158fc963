// The evaluator library: every kind passes and fails where a user would expect, explains why,
// never throws for a bad output, and refuses configurations that cannot work at save time.
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { evaluatorConfig, needsExpectedOutput, storedEvaluatorConfig, type EvaluatorConfigInput } from "../../contracts/evaluators";
import { AppError } from "../../errors";
import {
  checkEvaluatorConfig,
  evaluate,
  levenshteinSimilarity,
  measureLength,
  parseFirstNumber,
  parseJudgeReply,
  parseOutputJson,
  type EvaluationDeps,
  type EvaluationSample,
} from "./evaluators";

function sample(output: string, expected: unknown = null, extra: Partial<EvaluationSample> = {}): EvaluationSample {
  return { input: { question: "q" }, expected, output, latencyMs: 100, costUsd: 0.001, ...extra };
}

function score(config: EvaluatorConfigInput, s: EvaluationSample, deps?: EvaluationDeps) {
  return evaluate(evaluatorConfig.parse(config), s, deps);
}

/** The zod issue (path and message) a configuration is refused with. */
function refusal(config: unknown): { path: string; message: string } | null {
  const parsed = evaluatorConfig.safeParse(config);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return { path: issue.path.join("."), message: issue.message };
}

/** The server-side check on its own (the contract's pattern checks would refuse some of these first). */
function checkError(config: EvaluatorConfigInput, prefix?: string): AppError {
  try {
    checkEvaluatorConfig(storedEvaluatorConfig.parse(config), prefix);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("the configuration was accepted");
}

const NO_EXPECTED = { score: 0, passed: false, explanation: "This item has no expected output" };

describe("configurations", () => {
  it("applies the documented defaults", () => {
    expect(evaluatorConfig.parse({ kind: "exact_match" })).toEqual({ kind: "exact_match", caseSensitive: true, trim: true });
    expect(evaluatorConfig.parse({ kind: "contains" })).toEqual({ kind: "contains", caseSensitive: false });
    expect(evaluatorConfig.parse({ kind: "regex", pattern: "a" })).toEqual({ kind: "regex", pattern: "a", flags: "" });
    expect(evaluatorConfig.parse({ kind: "levenshtein" })).toEqual({ kind: "levenshtein", threshold: 0.8, caseSensitive: false });
    expect(evaluatorConfig.parse({ kind: "numeric" })).toEqual({ kind: "numeric", tolerance: 0, relative: false });
    expect(evaluatorConfig.parse({ kind: "length", max: 10 })).toEqual({ kind: "length", max: 10, unit: "chars" });
    const judge = evaluatorConfig.parse({
      kind: "llm_judge",
      promptName: "judges/helpful",
      promptLabel: "production",
      providerId: "0190a5d2-6c1e-7cc3-8c2b-3f7d2b6f0a11",
    });
    expect(judge).toMatchObject({ scale: { min: 1, max: 5 }, passAt: 4 });
  });

  it("refuses bad values, naming the field", () => {
    expect(refusal({ kind: "nope" })).toMatchObject({ path: "kind", message: expect.stringContaining("exact_match") });
    expect(refusal({ kind: "levenshtein", threshold: 1.5 })).toEqual({ path: "threshold", message: "must be between 0 and 1" });
    expect(refusal({ kind: "numeric", tolerance: -1 })).toEqual({ path: "tolerance", message: "must be 0 or more" });
    expect(refusal({ kind: "regex", pattern: "a", flags: "g" })).toMatchObject({ path: "flags" });
    expect(refusal({ kind: "regex", pattern: "a", flags: "ii" })).toMatchObject({ path: "flags" });
    expect(refusal({ kind: "regex", pattern: "" })).toEqual({ path: "pattern", message: "is required" });
    expect(refusal({ kind: "length" })).toEqual({ path: "min", message: "set min, max or both" });
    expect(refusal({ kind: "length", min: 5, max: 2 })).toEqual({ path: "max", message: "must be at least min" });
    expect(refusal({ kind: "length", max: 2.5 })).toEqual({ path: "max", message: "must be a whole number" });
    expect(refusal({ kind: "latency", maxMs: 0 })).toMatchObject({ path: "maxMs" });
    expect(refusal({ kind: "cost", maxUsd: 1e9 })).toMatchObject({ path: "maxUsd" });
    expect(refusal({ kind: "contains", value: "" })).toEqual({ path: "value", message: "must not be empty" });
    expect(refusal({ kind: "json_schema", schema: "x" })).toMatchObject({ path: "schema" });
    expect(evaluatorConfig.safeParse({ kind: "valid_json", extra: 1 }).success).toBe(false);
  });

  it("refuses judge configurations that cannot be resolved or scored", () => {
    const base = { kind: "llm_judge", promptName: "judge", providerId: "0190a5d2-6c1e-7cc3-8c2b-3f7d2b6f0a11" } as const;
    expect(refusal({ ...base })).toMatchObject({ path: "promptVersion", message: expect.stringContaining("exactly one") });
    expect(refusal({ ...base, promptVersion: 2, promptLabel: "production" })).toMatchObject({ path: "promptVersion" });
    expect(refusal({ ...base, promptVersion: 2, providerId: "x" })).toEqual({ path: "providerId", message: "is not a valid provider id" });
    expect(refusal({ ...base, promptVersion: 2, scale: { min: 5, max: 5 } })).toMatchObject({ path: "scale.max" });
    expect(refusal({ ...base, promptVersion: 2, scale: { min: 0, max: 1 } })).toEqual({ path: "passAt", message: "must be within the scale (0 to 1)" });
    expect(refusal({ ...base, promptVersion: 2, scale: { min: 0, max: 10 }, passAt: 7 })).toBeNull();
  });

  it("refuses a regex that does not compile, with the reason", () => {
    const error = checkError({ kind: "regex", pattern: "(unclosed" });
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.field).toBe("pattern");
    expect(error.message).toBe("pattern is not a valid regular expression: missing closing ): `(unclosed`");
    expect(checkError({ kind: "regex", pattern: "\\p{Nope}", flags: "u" }, "config").field).toBe("config.pattern");
    expect(checkError({ kind: "regex", pattern: "[", flags: "" }, "config.").field).toBe("config.pattern");
    expect(() => checkEvaluatorConfig(evaluatorConfig.parse({ kind: "regex", pattern: "\\p{L}+", flags: "u" }))).not.toThrow();
  });

  it("refuses a JSON Schema that does not compile", () => {
    const error = checkError({ kind: "json_schema", schema: { type: "strnig" } });
    expect(error.field).toBe("schema");
    expect(error.message).toMatch(/^schema is not a valid JSON Schema: /);
    expect(checkError({ kind: "json_schema", schema: { $ref: "#/definitions/missing" } }, "config").field).toBe("config.schema");
    expect(() => checkEvaluatorConfig(evaluatorConfig.parse({ kind: "json_schema", schema: { type: "object" } }))).not.toThrow();
  });

  it("says which kinds need an expected output", () => {
    expect(needsExpectedOutput(evaluatorConfig.parse({ kind: "exact_match" }))).toBe(true);
    expect(needsExpectedOutput(evaluatorConfig.parse({ kind: "contains" }))).toBe(true);
    expect(needsExpectedOutput(evaluatorConfig.parse({ kind: "contains", value: "x" }))).toBe(false);
    expect(needsExpectedOutput(evaluatorConfig.parse({ kind: "valid_json" }))).toBe(false);
  });
});

describe("exact_match", () => {
  const exact = { kind: "exact_match" } as const;

  it("passes equal text, trimmed by default", async () => {
    expect(await score(exact, sample("  Paris\n", "Paris"))).toEqual({ score: 1, passed: true, explanation: "Output equals the expected output" });
  });

  it("says where the output differs", async () => {
    expect(await score(exact, sample("The capital is Lyon", "The capital is Paris"))).toEqual({
      score: 0,
      passed: false,
      explanation: 'Output differs from expected at character 16: expected "P", got "L"',
    });
    expect((await score(exact, sample("Par", "Paris"))).explanation).toBe('Output ends early: the expected output goes on with "is" at character 4');
    expect((await score(exact, sample("Paris!", "Paris"))).explanation).toBe('Output has extra text from character 6: "!"');
    expect((await score(exact, sample("", "Paris"))).explanation).toBe("Output is empty");
  });

  it("respects the case and trim options", async () => {
    expect((await score(exact, sample("paris", "Paris"))).passed).toBe(false);
    expect((await score({ ...exact, caseSensitive: false }, sample("PARIS", "Paris"))).passed).toBe(true);
    expect((await score({ ...exact, trim: false }, sample("Paris ", "Paris"))).passed).toBe(false);
  });

  it("compares Unicode text by characters and normal form", async () => {
    // "é" as one code point and as e + combining accent.
    expect((await score(exact, sample("caf\u0065\u0301", "caf\u00e9"))).passed).toBe(true);
    expect((await score(exact, sample("I 😀 you", "I 😀 yoU"))).explanation).toBe('Output differs from expected at character 7: expected "U", got "u"');
    expect((await score(exact, sample("I 😀", "I 😁"))).explanation).toBe('Output differs from expected at character 3: expected "😁", got "😀"');
  });

  it("compares JSON expected outputs by value, fences and key order aside", async () => {
    const expected = { category: "billing", tags: ["a", "b"] };
    expect(await score(exact, sample('{"tags":["a","b"], "category":"billing"}', expected))).toMatchObject({
      passed: true,
      explanation: "Output equals the expected JSON",
    });
    expect(await score(exact, sample('```json\n{"category":"billing","tags":["a","b"]}\n```', expected))).toMatchObject({
      passed: true,
      explanation: "Output equals the expected JSON (inside a ```json fenced block)",
    });
    expect((await score(exact, sample('{"category":"refund","tags":["a","b"]}', expected))).explanation).toBe(
      'Output differs from the expected JSON: $.category is "refund", expected "billing"',
    );
    expect((await score(exact, sample('{"category":"billing","tags":["a"]}', expected))).explanation).toBe(
      "Output differs from the expected JSON: $.tags has 1 items, expected 2",
    );
    expect((await score(exact, sample('{"tags":["a","b"]}', expected))).explanation).toBe("Output differs from the expected JSON: $.category is missing");
    expect((await score(exact, sample("billing", expected))).explanation).toMatch(
      /^Output is not valid JSON \(the expected output is JSON\): Unexpected token/,
    );
    expect((await score(exact, sample("42", 42))).passed).toBe(true);
    expect((await score(exact, sample("true", false))).passed).toBe(false);
  });

  it("treats expected JSON stored as text as JSON when the text differs", async () => {
    expect((await score(exact, sample('{"b": 2, "a": 1}', '{"a":1,"b":2}'))).passed).toBe(true);
    expect((await score(exact, sample('{"a": 2}', '{"a":1}'))).passed).toBe(false);
  });

  it("fails items without an expected output; an empty expected output is still one", async () => {
    expect(await score(exact, sample("anything", null))).toEqual(NO_EXPECTED);
    expect(await score(exact, sample("anything", undefined))).toEqual(NO_EXPECTED);
    expect((await score(exact, sample("", ""))).passed).toBe(true);
  });
});

describe("contains and not_contains", () => {
  it("looks for the expected output by default, ignoring case", async () => {
    expect(await score({ kind: "contains" }, sample("The answer is PARIS.", "paris"))).toEqual({
      score: 1,
      passed: true,
      explanation: 'Output contains "paris" at character 15',
    });
    expect(await score({ kind: "contains" }, sample("The answer is Lyon.", "Paris"))).toEqual({
      score: 0,
      passed: false,
      explanation: 'Output does not contain "Paris"',
    });
    expect(await score({ kind: "contains" }, sample("x", null))).toEqual(NO_EXPECTED);
    expect((await score({ kind: "contains" }, sample("x", ""))).passed).toBe(false);
  });

  it("uses a configured value and the case option", async () => {
    expect((await score({ kind: "contains", value: "Sorry" }, sample("sorry, no", null))).passed).toBe(true);
    expect((await score({ kind: "contains", value: "Sorry", caseSensitive: true }, sample("sorry, no", null))).passed).toBe(false);
    expect((await score({ kind: "contains", value: "🙂" }, sample("ok 😀🙂", null))).explanation).toBe('Output contains "🙂" at character 5');
  });

  it("not_contains inverts the result", async () => {
    expect(await score({ kind: "not_contains", value: "as an AI" }, sample("Here you go", null))).toEqual({
      score: 1,
      passed: true,
      explanation: 'Output does not contain "as an AI"',
    });
    expect(await score({ kind: "not_contains", value: "as an AI" }, sample("As an AI model, ...", null))).toEqual({
      score: 0,
      passed: false,
      explanation: 'Output contains "as an AI" at character 1',
    });
    expect(await score({ kind: "not_contains" }, sample("x", null))).toEqual(NO_EXPECTED);
  });

  it("looks for JSON expected outputs as their JSON text", async () => {
    expect((await score({ kind: "contains" }, sample("It is 42.", 42))).passed).toBe(true);
  });
});

describe("regex", () => {
  it("passes on a match and says where", async () => {
    expect(await score({ kind: "regex", pattern: "\\d{3}-\\d{4}" }, sample("Call 555-1234 now"))).toEqual({
      score: 1,
      passed: true,
      explanation: 'Matched "555-1234" at character 6',
    });
    expect(await score({ kind: "regex", pattern: "^yes$" }, sample("no"))).toEqual({ score: 0, passed: false, explanation: "No match for /^yes$/" });
  });

  it("applies flags", async () => {
    expect((await score({ kind: "regex", pattern: "^yes$" }, sample("YES"))).passed).toBe(false);
    expect((await score({ kind: "regex", pattern: "^yes$", flags: "i" }, sample("YES"))).passed).toBe(true);
    expect((await score({ kind: "regex", pattern: "^b$" }, sample("a\nb"))).passed).toBe(false);
    expect((await score({ kind: "regex", pattern: "^b$", flags: "m" }, sample("a\nb"))).passed).toBe(true);
    expect((await score({ kind: "regex", pattern: "a.b" }, sample("a\nb"))).passed).toBe(false);
    expect((await score({ kind: "regex", pattern: "a.b", flags: "s" }, sample("a\nb"))).passed).toBe(true);
    // RE2 always matches code points: u is accepted and changes nothing.
    expect((await score({ kind: "regex", pattern: "^.$" }, sample("😀"))).passed).toBe(true);
    expect((await score({ kind: "regex", pattern: "^\\p{So}$", flags: "u" }, sample("😀"))).passed).toBe(true);
    expect(await score({ kind: "regex", pattern: "b+" }, sample("😀abb"))).toMatchObject({ explanation: 'Matched "bb" at character 3' });
  });

  it("runs patterns that backtrack exponentially in JavaScript in linear time", async () => {
    // (a+)+$ over 26 characters took ~8 s on RegExp; x(a|aa)+$ 16.7 s at 6,000. Generous bound.
    const cases: [string, string][] = [
      ["(a+)+$", "a".repeat(26) + "b"],
      ["x(a|aa)+$", "x" + "a".repeat(6_000) + "b"],
      ["x(a|aa)+$", "x" + "a".repeat(100_000) + "b"],
      ["^(\\w+\\s?)+$", "ab ".repeat(34_000) + "!"],
    ];
    for (const [pattern, output] of cases) {
      const start = performance.now();
      const result = await score({ kind: "regex", pattern }, sample(output));
      expect(performance.now() - start, `${pattern} over ${output.length} characters`).toBeLessThan(1_000);
      expect(result.passed).toBe(false);
    }
    const start = performance.now();
    expect(await score({ kind: "regex", pattern: "x(a|aa)+$" }, sample("x" + "a".repeat(100_000)))).toMatchObject({
      passed: true,
      explanation: expect.stringMatching(/^Matched "xaaaa.*…" at character 1$/),
    });
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it("refuses backreferences and lookaround at save, naming the feature", () => {
    expect(refusal({ kind: "regex", pattern: "(\\w)\\1" })).toEqual({
      path: "pattern",
      message: expect.stringMatching(/^uses a backreference \(\\1\), which Keel does not support/),
    });
    expect(refusal({ kind: "regex", pattern: "^(?=.*\\d)" })?.message).toMatch(/^uses lookahead \(\?=…\)/);
    expect(refusal({ kind: "regex", pattern: "(?<!no )yes", flags: "i" })?.message).toMatch(/^uses negative lookbehind \(\?<!…\)/);
    expect(refusal({ kind: "json_schema", schema: { properties: { a: { pattern: "(?<=x)y" } } } })).toEqual({
      path: "schema",
      message: expect.stringMatching(/^has a pattern at \/properties\/a\/pattern that uses lookbehind/),
    });
  });

  it("scores each item 0 with the reason, never throwing, for a pattern saved before the engine refused it", async () => {
    const legacy = storedEvaluatorConfig.parse({ kind: "regex", pattern: "(a)\\1" });
    expect(await evaluate(legacy, sample("aa"))).toEqual({
      score: 0,
      passed: false,
      explanation: expect.stringMatching(/^The evaluator cannot run: its pattern uses a backreference \(\\1\)/),
    });
    const legacySchema = storedEvaluatorConfig.parse({ kind: "json_schema", schema: { properties: { a: { type: "string", pattern: "^(?!x)" } } } });
    expect(await evaluate(legacySchema, sample('{"a":"y"}'))).toMatchObject({
      score: 0,
      explanation: expect.stringMatching(/^The evaluator cannot run: its schema has a pattern at \/properties\/a\/pattern that uses negative lookahead/),
    });
  });

  it("gives the same answer every time (no global state) and works on empty output", async () => {
    const config = evaluatorConfig.parse({ kind: "regex", pattern: "x" });
    for (let i = 0; i < 3; i++) expect((await evaluate(config, sample("x"))).passed).toBe(true);
    expect((await score({ kind: "regex", pattern: "^$" }, sample(""))).passed).toBe(true);
  });
});

describe("valid_json", () => {
  const valid = { kind: "valid_json" } as const;

  it("passes JSON, plain or in a fenced block, and says which", async () => {
    expect(await score(valid, sample(' {"a": 1} '))).toEqual({ score: 1, passed: true, explanation: "Output is valid JSON (an object)" });
    expect(await score(valid, sample("[1, 2]"))).toMatchObject({ explanation: "Output is valid JSON (an array)" });
    expect(await score(valid, sample('```json\n{"a": 1}\n```'))).toMatchObject({
      passed: true,
      explanation: "Output is valid JSON (an object) (inside a ```json fenced block)",
    });
    expect(await score(valid, sample('```\n"text"\n```'))).toMatchObject({ passed: true });
  });

  it("fails other text with the parser's reason", async () => {
    // V8's wording: Node 22+ appends " (line 1 column 9)".
    expect(await score(valid, sample('{"a": 1,}'))).toEqual({
      score: 0,
      passed: false,
      explanation: expect.stringMatching(/^Output is not valid JSON: Expected double-quoted property name in JSON at position 8( \(line 1 column 9\))?$/),
    });
    expect((await score(valid, sample(""))).explanation).toBe("Output is not valid JSON: the output is empty");
    expect((await score(valid, sample('Here it is:\n```json\n{"a": 1}\n```'))).passed).toBe(false);
    expect((await score(valid, sample('```json\n{"a": }\n```'))).explanation).toMatch(/\(inside the fenced block\)$/);
  });
});

describe("json_schema", () => {
  const schema = {
    type: "object",
    required: ["category", "confidence"],
    properties: {
      category: { enum: ["billing", "technical"] },
      confidence: { type: "number", minimum: 0, maximum: 1 },
      contact: { type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] },
    },
    additionalProperties: false,
  };
  const config = { kind: "json_schema", schema } as const;

  it("passes matching JSON", async () => {
    expect(await score(config, sample('{"category":"billing","confidence":0.9}'))).toEqual({
      score: 1,
      passed: true,
      explanation: "Output matches the schema",
    });
    expect((await score(config, sample('```json\n{"category":"billing","confidence":0.9}\n```'))).explanation).toBe(
      "Output matches the schema (inside a ```json fenced block)",
    );
  });

  it("explains the first mismatch", async () => {
    const explain = async (output: string) => (await score(config, sample(output))).explanation;
    expect(await explain('{"confidence":0.9}')).toBe('Missing required property "category"');
    expect(await explain('{"category":"billing","confidence":0.9,"contact":{}}')).toBe('Missing required property "email" at $.contact');
    expect(await explain('{"category":"sales","confidence":0.9}')).toBe('$.category must be one of "billing", "technical"');
    expect(await explain('{"category":"billing","confidence":2}')).toBe("$.confidence must be <= 1");
    expect(await explain('{"category":"billing","confidence":0.5,"x":1}')).toBe('Unexpected property "x"');
    expect(await explain('{"category":"billing","confidence":0.5,"contact":{"email":"nope"}}')).toBe('$.contact.email must match format "email"');
    expect(await explain("[]")).toBe("Output must be object");
    expect(await explain("not json")).toMatch(/^Output is not valid JSON: /);
  });

  it("handles schemas with internal references and shared $ids", async () => {
    const withRef = { $id: "https://example.com/s", definitions: { n: { type: "integer" } }, type: "object", properties: { n: { $ref: "#/definitions/n" } } };
    expect((await score({ kind: "json_schema", schema: withRef }, sample('{"n": 1}'))).passed).toBe(true);
    expect((await score({ kind: "json_schema", schema: withRef }, sample('{"n": 1.5}'))).explanation).toBe("$.n must be integer");
    const sameId = { ...withRef, definitions: { n: { type: "string" } } };
    expect((await score({ kind: "json_schema", schema: sameId }, sample('{"n": "x"}'))).passed).toBe(true);
  });
  it("compiles a schema once for a whole run", async () => {
    const compile = vi.spyOn(Ajv.prototype, "compile");
    const config = evaluatorConfig.parse({ kind: "json_schema", schema: { type: "object", required: ["cached"] } });
    for (let i = 0; i < 50; i++) await evaluate(config, sample('{"cached": true}'));
    expect(compile).toHaveBeenCalledTimes(1);
    compile.mockRestore();
  });
});

describe("levenshtein", () => {
  it("scores the normalised similarity against the threshold", async () => {
    // kitten -> sitting: distance 3 over 7 characters.
    const result = await score({ kind: "levenshtein", threshold: 0.5 }, sample("sitting", "kitten"));
    expect(result.score).toBeCloseTo(4 / 7, 10);
    expect(result).toMatchObject({ passed: true, explanation: "Similarity 0.57 ≥ 0.50" });
    expect(await score({ kind: "levenshtein" }, sample("sitting", "kitten"))).toMatchObject({ passed: false, explanation: "Similarity 0.57 < 0.80" });
  });

  it("ignores case by default, and surrounding whitespace", async () => {
    expect((await score({ kind: "levenshtein" }, sample(" HELLO ", "hello"))).score).toBe(1);
    expect((await score({ kind: "levenshtein", caseSensitive: true }, sample("HELLO", "hello"))).score).toBe(0);
  });

  it("counts an emoji as one character", async () => {
    expect(levenshteinSimilarity("a😀", "a😁")).toBe(0.5);
    expect(levenshteinSimilarity("😀😀😀😀", "😀😀😀")).toBe(0.75);
  });

  it("never prints a failing value equal to its threshold", async () => {
    // 2001 edits over 10000 characters: 0.7999.
    const result = await score({ kind: "levenshtein", threshold: 0.8 }, sample("a".repeat(7999) + "b".repeat(2001), "a".repeat(10000)));
    expect(result).toMatchObject({ passed: false, explanation: "Similarity 0.7999 < 0.8000" });
  });

  it("fails items without an expected output; empty texts are identical", async () => {
    expect(await score({ kind: "levenshtein" }, sample("x", null))).toEqual(NO_EXPECTED);
    expect((await score({ kind: "levenshtein" }, sample("", ""))).score).toBe(1);
    expect((await score({ kind: "levenshtein" }, sample("", "abc"))).score).toBe(0);
  });

  it("is 1 for identical texts, symmetric, and within [0, 1]", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(levenshteinSimilarity(a, a)).toBe(1);
        const similarity = levenshteinSimilarity(a, b);
        expect(similarity).toBeGreaterThanOrEqual(0);
        expect(similarity).toBeLessThanOrEqual(1);
        expect(levenshteinSimilarity(b, a)).toBe(similarity);
        if (a !== b) expect(similarity).toBeLessThan(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe("numeric", () => {
  it("reads the first number, with separators, signs and exponents", () => {
    expect(parseFirstNumber("Total: 1,234.5 USD")).toBe(1234.5);
    expect(parseFirstNumber("-3e2")).toBe(-300);
    expect(parseFirstNumber("x = −7")).toBe(-7);
    expect(parseFirstNumber("about .5 of it")).toBe(0.5);
    expect(parseFirstNumber("item-5")).toBe(5);
    expect(parseFirstNumber("12,345,678 people")).toBe(12345678);
    expect(parseFirstNumber("It costs 5.")).toBe(5);
    expect(parseFirstNumber("1e999")).toBeNull();
    expect(parseFirstNumber("no digits")).toBeNull();
  });

  it("passes within the absolute tolerance", async () => {
    expect(await score({ kind: "numeric" }, sample("The answer is 1,234.5", "1234.5"))).toEqual({
      score: 1,
      passed: true,
      explanation: "Got 1234.5, expected 1234.5",
    });
    expect(await score({ kind: "numeric", tolerance: 0.5 }, sample("10.4", 10))).toMatchObject({
      score: 1,
      passed: true,
      explanation: "Got 10.4, expected 10 (difference 0.4 within the tolerance)",
    });
    expect(await score({ kind: "numeric", tolerance: 0.5 }, sample("-3e2", "-300.2"))).toMatchObject({ passed: true });
  });

  it("fails outside the tolerance with a closeness score below 1", async () => {
    const result = await score({ kind: "numeric" }, sample("90", "100"));
    expect(result).toEqual({ score: 0.9, passed: false, explanation: "Got 90, expected 100 (difference 10 > 0)" });
    expect((await score({ kind: "numeric" }, sample("-100", "100"))).score).toBe(0);
  });

  it("applies a relative tolerance", async () => {
    expect((await score({ kind: "numeric", tolerance: 0.05, relative: true }, sample("104", "100"))).passed).toBe(true);
    expect(await score({ kind: "numeric", tolerance: 0.05, relative: true }, sample("110", "100"))).toMatchObject({
      passed: false,
      explanation: "Got 110, expected 100 (difference 10% > 5%)",
    });
    expect((await score({ kind: "numeric", tolerance: 0.05, relative: true }, sample("0.1", "0"))).explanation).toBe(
      "Got 0.1, expected 0 (a relative tolerance allows no difference from 0)",
    );
  });

  it("fails when either side has no number", async () => {
    expect(await score({ kind: "numeric" }, sample("I don't know", "4"))).toEqual({ score: 0, passed: false, explanation: "Output has no number" });
    expect(await score({ kind: "numeric" }, sample("4", "four"))).toEqual({ score: 0, passed: false, explanation: "The expected output has no number" });
    expect(await score({ kind: "numeric" }, sample("4", null))).toEqual(NO_EXPECTED);
    expect((await score({ kind: "numeric" }, sample("", "4"))).passed).toBe(false);
  });
});

describe("length", () => {
  it("counts characters as a person sees them and words without punctuation", () => {
    expect(measureLength("hello", "chars")).toBe(5);
    expect(measureLength("👍🏽 ok", "chars")).toBe(4);
    expect(measureLength("a\r\nb", "chars")).toBe(3);
    expect(measureLength("Hello, world — it's fine.", "words")).toBe(4);
    expect(measureLength("", "words")).toBe(0);
  });

  it("passes within bounds and says why not otherwise", async () => {
    expect(await score({ kind: "length", min: 2, max: 4, unit: "words" }, sample("one two three"))).toEqual({
      score: 1,
      passed: true,
      explanation: "3 words, between 2 and 4",
    });
    expect(await score({ kind: "length", max: 4 }, sample("hello"))).toEqual({ score: 0, passed: false, explanation: "5 characters, more than the maximum 4" });
    expect(await score({ kind: "length", min: 1 }, sample(""))).toEqual({ score: 0, passed: false, explanation: "0 characters, fewer than the minimum 1" });
    expect((await score({ kind: "length", min: 1, unit: "words" }, sample("word"))).explanation).toBe("1 word, at least 1");
  });
});

describe("latency and cost", () => {
  it("compares the measured latency", async () => {
    expect(await score({ kind: "latency", maxMs: 1000 }, sample("x", null, { latencyMs: 850 }))).toEqual({
      score: 1,
      passed: true,
      explanation: "Took 850 ms, within 1000 ms",
    });
    expect(await score({ kind: "latency", maxMs: 1000 }, sample("x", null, { latencyMs: 1234 }))).toEqual({
      score: 0,
      passed: false,
      explanation: "Took 1234 ms, more than 1000 ms",
    });
  });

  it("compares the measured cost; an unknown cost fails", async () => {
    expect(await score({ kind: "cost", maxUsd: 0.01 }, sample("x", null, { costUsd: 0.0042 }))).toEqual({
      score: 1,
      passed: true,
      explanation: "Cost $0.0042, within $0.01",
    });
    expect((await score({ kind: "cost", maxUsd: 0.01 }, sample("x", null, { costUsd: 0.02 }))).passed).toBe(false);
    expect(await score({ kind: "cost", maxUsd: 0.01 }, sample("x", null, { costUsd: null }))).toEqual({
      score: 0,
      passed: false,
      explanation: "The call's cost is unknown (no price for the model)",
    });
  });
});

describe("llm_judge", () => {
  const config = { kind: "llm_judge", promptName: "judges/helpful", promptVersion: 3, providerId: "0190a5d2-6c1e-7cc3-8c2b-3f7d2b6f0a11" } as const;
  const scale = { scale: { min: 1, max: 5 }, passAt: 4 };

  it("asks the injected judge and scores its reply", async () => {
    const judge = vi.fn(async () => ({ text: '{"score": 4, "reasoning": "Accurate and concise."}' }));
    const result = await score(config, sample("Paris", "Paris"), { judge });
    expect(judge).toHaveBeenCalledWith({ input: { question: "q" }, output: "Paris", expected: "Paris" });
    expect(result).toEqual({ score: 0.75, passed: true, explanation: "Judge scored 4 of 1 to 5 (pass at 4): Accurate and concise." });
  });

  it("passes null for a missing expected output, and needs a judge", async () => {
    const judge = vi.fn(async () => ({ text: '{"score": 2, "reasoning": "Vague."}' }));
    expect((await score(config, sample("meh", undefined), { judge })).passed).toBe(false);
    expect(judge).toHaveBeenCalledWith(expect.objectContaining({ expected: null }));
    await expect(score(config, sample("x"))).rejects.toThrow(/needs deps.judge/);
  });

  it("parses fenced and surrounded JSON replies", () => {
    expect(parseJudgeReply('```json\n{"score": 5, "reasoning": "Perfect."}\n```', scale)).toMatchObject({ score: 1, passed: true });
    expect(parseJudgeReply('Here is my verdict: {"score": 1, "reasoning": "Wrong city."} Thanks.', scale)).toMatchObject({ score: 0, passed: false });
    expect(parseJudgeReply('{"score": "3", "reasoning": "ok"}', scale)).toMatchObject({ score: 0.5, passed: false });
    expect(parseJudgeReply('{"score": 4.5}', scale)).toEqual({
      score: 0.875,
      passed: true,
      explanation: "Judge scored 4.5 of 1 to 5 (pass at 4): no reasoning given",
    });
  });

  it("refuses scores outside the scale instead of clamping them", () => {
    expect(parseJudgeReply('{"score": 9, "reasoning": "Great"}', scale)).toEqual({
      score: 0,
      passed: false,
      explanation: "The judge's score 9 is outside the scale 1 to 5",
    });
    expect(parseJudgeReply('{"score": 0, "reasoning": "Bad"}', scale).passed).toBe(false);
    expect(parseJudgeReply('{"score": 0, "reasoning": "Bad"}', { scale: { min: 0, max: 10 }, passAt: 7 })).toMatchObject({ score: 0, passed: false });
  });

  it("fails a garbage reply, quoting its first 200 characters", () => {
    const reply = `I think it is good. ${"x".repeat(300)}`;
    const result = parseJudgeReply(reply, scale);
    expect(result).toMatchObject({ score: 0, passed: false });
    expect(result.explanation).toBe(`The judge's reply is not JSON with a numeric "score": ${JSON.stringify(`${reply.slice(0, 200)}…`)}`);
    expect(parseJudgeReply('{"verdict": "good"}', scale).passed).toBe(false);
    expect(parseJudgeReply('{"score": null}', scale).passed).toBe(false);
    expect(parseJudgeReply("", scale).passed).toBe(false);
  });

  it("lets a failing judge call propagate (it says nothing about the output)", async () => {
    const judge = async () => {
      throw new Error("provider timeout");
    };
    await expect(score(config, sample("x"), { judge })).rejects.toThrow("provider timeout");
  });
});

describe("robustness", () => {
  const configs: EvaluatorConfigInput[] = [
    { kind: "exact_match" },
    { kind: "contains" },
    { kind: "not_contains", value: "x" },
    { kind: "regex", pattern: "[a-z]+\\d" },
    { kind: "valid_json" },
    { kind: "json_schema", schema: { type: "object", required: ["a"] } },
    { kind: "levenshtein" },
    { kind: "numeric", tolerance: 0.1, relative: true },
    { kind: "length", min: 1, max: 50, unit: "words" },
    { kind: "latency", maxMs: 500 },
    { kind: "cost", maxUsd: 0.5 },
  ];
  const expectedValues = fc.oneof(fc.constant(null), fc.string(), fc.jsonValue());

  it("never throws for any output or expected output, and scores within [0, 1]", async () => {
    const parsed = configs.map((c) => evaluatorConfig.parse(c));
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary" }),
        expectedValues,
        fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }),
        async (output, expected, costUsd) => {
          for (const config of parsed) {
            const result = await evaluate(config, sample(output, expected, { costUsd }));
            expect(result.score).toBeGreaterThanOrEqual(0);
            expect(result.score).toBeLessThanOrEqual(1);
            expect(result.explanation.length).toBeGreaterThan(0);
            expect(result.explanation.length).toBeLessThanOrEqual(1001);
            if (result.passed) expect(result.score).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("finds JSON only when the whole output is JSON or one fenced block", () => {
    expect(parseOutputJson("```JSON\n[1]\n```")).toEqual({ ok: true, value: [1], fenced: true });
    expect(parseOutputJson("null")).toEqual({ ok: true, value: null, fenced: false });
    expect(parseOutputJson("   ")).toEqual({ ok: false, error: "the output is empty" });
  });
});
