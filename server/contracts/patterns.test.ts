// The user-pattern engine: JavaScript syntax in, RE2 semantics (linear time) out; what RE2 cannot
// do is refused naming the feature; every ajv instance Keel makes for a user's JSON Schema
// compiles `pattern`s and `format: "regex"` with it, never with RegExp.
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020";
import { describe, expect, it, vi } from "vitest";
import { compileSchema } from "../domain/datasets/schemas";
import { createAjv } from "./json-schema";
import { compilePattern, patternProblem, schemaPatternProblem } from "./patterns";

function pattern(source: string, flags = "") {
  const compiled = compilePattern(source, flags);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.pattern;
}

describe("compilePattern", () => {
  it("maps the flags i, m and s; u is accepted; others are refused", () => {
    expect(pattern("abc", "i").test("xABC")).toBe(true);
    expect(pattern("^b", "m").test("a\nb")).toBe(true);
    expect(pattern("^b").test("a\nb")).toBe(false);
    expect(pattern("a.b", "s").test("a\nb")).toBe(true);
    expect(pattern("a.b").test("a\nb")).toBe(false);
    expect(pattern("^.$", "u").test("😀")).toBe(true);
    expect(patternProblem("a", "g")).toBe('has the flag "g": use only i, m, s, u');
    expect(patternProblem("a", "ii")).toBe('repeats the flag "i"');
  });

  it("takes JavaScript syntax that RE2 spells differently", () => {
    expect(pattern("\\u0041").test("A")).toBe(true);
    expect(pattern("\\u{1F600}").test("😀")).toBe(true);
    expect(pattern("(?<word>\\w+)!").exec("say hi!")).toEqual({ index: 4, text: "hi!" });
    expect(pattern("[^]").test("\n")).toBe(true);
  });

  it("reports match positions as JavaScript does (UTF-16 offsets)", () => {
    expect(pattern("b+").exec("😀abbc")).toEqual({ index: 3, text: "bb" });
    expect(pattern("z").exec("abc")).toBeNull();
  });

  it("refuses what RE2 cannot run, naming the feature", () => {
    expect(patternProblem("(a)\\1")).toMatch(/^uses a backreference \(\\1\), which Keel does not support: patterns run on a linear-time engine \(RE2\)$/);
    expect(patternProblem("(?<q>['\"]).*\\k<q>")).toMatch(/^uses a named backreference/);
    expect(patternProblem("a(?=b)")).toMatch(/^uses lookahead \(\?=…\)/);
    expect(patternProblem("a(?!b)")).toMatch(/^uses negative lookahead \(\?!…\)/);
    expect(patternProblem("(?<=a)b")).toMatch(/^uses lookbehind \(\?<=…\)/);
    expect(patternProblem("(?<!a)b")).toMatch(/^uses negative lookbehind \(\?<!…\)/);
    expect(patternProblem("(")).toBe("is not a valid regular expression: missing closing ): `(`");
    expect(patternProblem("[]a]")).toBeNull();
  });
});

describe("JSON Schema patterns", () => {
  it("finds the first pattern that cannot run, skipping data keywords", () => {
    expect(schemaPatternProblem({ items: [{ pattern: "ok" }, { patternProperties: { "(a)\\1": {} } }] })).toMatch(
      /^has a patternProperties key at \/items\/1\/patternProperties that uses a backreference/,
    );
    expect(schemaPatternProblem({ enum: [{ pattern: "(a)\\1" }], examples: [{ pattern: "(?=" }] })).toBeNull();
  });

  it("compiles pattern, patternProperties and format regex on the linear-time engine in every ajv Keel makes", () => {
    const native = vi.spyOn(globalThis, "RegExp");
    const schema = {
      type: "object",
      properties: { code: { type: "string", pattern: "^(a+)+$" }, rule: { type: "string", format: "regex" } },
      patternProperties: { "^x(a|aa)+$": { type: "number" } },
    };
    for (const ajv of [createAjv(Ajv, { strict: false }), createAjv(Ajv2020, { strict: false })]) {
      const validate = ajv.compile(schema);
      const start = performance.now();
      expect(validate({ code: "a".repeat(100_000) + "b" })).toBe(false);
      expect(validate({ ["x" + "a".repeat(50_000) + "b"]: "not a number" })).toBe(true);
      expect(validate({ ["x" + "a".repeat(50)]: "not a number" })).toBe(false);
      // Generous bound: RegExp needs seconds for 26 characters of (a+)+$.
      expect(performance.now() - start).toBeLessThan(1_000);
      expect(validate({ rule: "(a)\\1" })).toBe(false);
      expect(validate({ rule: "^[a-z]+$" })).toBe(true);
    }
    const userSources = native.mock.calls
      .map((call) => String(call[0]))
      .filter((source) => source.includes("(a+)+") || source.includes("(a|aa)") || source.includes("\\1"));
    expect(userSources).toEqual([]);
    native.mockRestore();
  });

  it("gives dataset schemas the same engine and a 400 naming the feature", () => {
    expect(() => compileSchema({ properties: { q: { pattern: "^(?!draft)" } } }, "inputSchema")).toThrow(
      /^inputSchema has a pattern at \/properties\/q\/pattern that uses negative lookahead/,
    );
    const validate = compileSchema({ type: "string", pattern: "x(a|aa)+$" }, "expectedSchema");
    const start = performance.now();
    expect(validate("x" + "a".repeat(100_000) + "b")).toBe(false);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
