// Guardrail configurations: valid ones parse with defaults, bad ones are refused with a message
// naming the field, and the client-importable files stay free of server-only imports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GUARDRAIL_KINDS, guardrailConfig, guardrailRule } from "./schemas";

/** The first zod issue (path and message) a configuration is refused with, or null. */
function refusal(config: unknown): { path: string; message: string } | null {
  const parsed = guardrailConfig.safeParse(config);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return { path: issue.path.join("."), message: issue.message };
}

describe("guardrailConfig", () => {
  it("lists the four kinds", () => {
    expect(GUARDRAIL_KINDS).toEqual(["pii", "regex_deny", "json_schema", "max_length"]);
  });

  it("parses each kind and applies defaults", () => {
    expect(guardrailConfig.parse({ kind: "pii", entities: ["email", "iban"] })).toEqual({ kind: "pii", entities: ["email", "iban"], mode: "mask" });
    expect(guardrailConfig.parse({ kind: "pii", entities: ["card"], mode: "detect" })).toEqual({ kind: "pii", entities: ["card"], mode: "detect" });
    expect(guardrailConfig.parse({ kind: "regex_deny", patterns: ["secret"] })).toEqual({ kind: "regex_deny", patterns: ["secret"], caseInsensitive: false });
    expect(guardrailConfig.parse({ kind: "max_length", maxChars: 4000 })).toEqual({ kind: "max_length", maxChars: 4000 });
    const schema = { type: "object", required: ["answer"], properties: { answer: { type: "string" } } };
    expect(guardrailConfig.parse({ kind: "json_schema", schema })).toEqual({ kind: "json_schema", schema });
  });

  it("refuses unknown kinds and unknown keys", () => {
    expect(refusal({ kind: "toxicity" })).toEqual({ path: "kind", message: "must be one of pii, regex_deny, json_schema, max_length" });
    expect(refusal({ kind: "max_length", maxChars: 10, unit: "words" })?.message).toMatch(/unit/);
  });

  describe("pii", () => {
    it("needs at least one known entity, each once", () => {
      expect(refusal({ kind: "pii", entities: [] })).toEqual({ path: "entities", message: "pick at least one entity" });
      expect(refusal({ kind: "pii", entities: ["ssn"] })).toEqual({ path: "entities.0", message: "must be one of email, phone, card, iban" });
      expect(refusal({ kind: "pii", entities: ["email", "email"] })).toEqual({ path: "entities", message: "must not repeat an entity" });
      expect(refusal({ kind: "pii", entities: ["email"], mode: "redact" })).toEqual({ path: "mode", message: "must be mask or detect" });
    });
  });

  describe("regex_deny", () => {
    it("refuses a pattern that does not compile, naming which one", () => {
      expect(refusal({ kind: "regex_deny", patterns: ["ok", "(unclosed"] })).toEqual({
        path: "patterns.1",
        message: "is not a valid regular expression: missing closing ): `(unclosed`",
      });
    });

    it("accepts nested quantifiers and overlapping alternatives: the engine is linear-time", () => {
      for (const pattern of ["(a+)+$", "x(a|aa)+$", "(\\w|\\d)+!", "(a|A)+!"]) {
        expect(refusal({ kind: "regex_deny", patterns: [pattern], caseInsensitive: true }), pattern).toBeNull();
      }
    });

    it("refuses backreferences and lookaround, naming the feature and the pattern", () => {
      expect(refusal({ kind: "regex_deny", patterns: ["ok", "(a)\\1"] })).toEqual({
        path: "patterns.1",
        message: expect.stringMatching(/^uses a backreference \(\\1\), which Keel does not support/),
      });
      expect(refusal({ kind: "regex_deny", patterns: ["(?<w>a)\\k<w>"] })?.message).toMatch(/^uses a named backreference \(\\k<…>\)/);
      expect(refusal({ kind: "regex_deny", patterns: ["secret(?=\\d)"] })?.message).toMatch(/^uses lookahead \(\?=…\)/);
      expect(refusal({ kind: "regex_deny", patterns: ["secret(?!x)"] })?.message).toMatch(/^uses negative lookahead \(\?!…\)/);
      expect(refusal({ kind: "regex_deny", patterns: ["(?<=a)b"] })?.message).toMatch(/^uses lookbehind \(\?<=…\)/);
      expect(refusal({ kind: "regex_deny", patterns: ["(?<!a)b"] })?.message).toMatch(/^uses negative lookbehind \(\?<!…\)/);
      // Inside a character class or escaped, these characters are plain text.
      expect(refusal({ kind: "regex_deny", patterns: ["[(?=]x", "\\(\\?=x", "\\\\1"] })).toBeNull();
    });

    it("refuses patterns matching every message", () => {
      expect(refusal({ kind: "regex_deny", patterns: [".*"] })).toEqual({
        path: "patterns.0",
        message: "matches the empty text, so it would match every message",
      });
    });

    it("limits the number and size of patterns", () => {
      expect(refusal({ kind: "regex_deny", patterns: [] })).toEqual({ path: "patterns", message: "add at least one pattern" });
      expect(refusal({ kind: "regex_deny", patterns: Array.from({ length: 51 }, (_, n) => `p${n}`) })).toEqual({
        path: "patterns",
        message: "must have at most 50 patterns",
      });
      expect(refusal({ kind: "regex_deny", patterns: Array.from({ length: 50 }, (_, n) => `p${n}`) })).toBeNull();
      expect(refusal({ kind: "regex_deny", patterns: ["a".repeat(501)] })).toEqual({ path: "patterns.0", message: "must be at most 500 characters" });
      expect(refusal({ kind: "regex_deny", patterns: [""] })).toEqual({ path: "patterns.0", message: "must not be empty" });
    });
  });

  describe("json_schema", () => {
    it("accepts draft-07 (default), 2019-09 and 2020-12 schemas, http or https", () => {
      expect(refusal({ kind: "json_schema", schema: { $schema: "https://json-schema.org/draft-07/schema", type: "object" } })).toBeNull();
      expect(
        refusal({ kind: "json_schema", schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "array", items: [{ type: "string" }] } }),
      ).toBeNull();
      expect(refusal({ kind: "json_schema", schema: { $schema: "https://json-schema.org/draft/2019-09/schema", type: "object" } })).toBeNull();
      expect(
        refusal({ kind: "json_schema", schema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "array", prefixItems: [{ type: "string" }] } }),
      ).toBeNull();
      expect(refusal({ kind: "json_schema", schema: { type: "string", format: "email" } })).toBeNull();
    });

    it("refuses schemas ajv cannot compile", () => {
      expect(refusal({ kind: "json_schema", schema: { type: "strin" } })).toMatchObject({
        path: "schema",
        message: expect.stringMatching(/^is not a valid JSON Schema: /),
      });
      expect(refusal({ kind: "json_schema", schema: { properties: { a: { minLength: -1 } } } })).toMatchObject({
        path: "schema",
        message: expect.stringMatching(/^is not a valid JSON Schema: /),
      });
      expect(refusal({ kind: "json_schema", schema: { $ref: "#/definitions/missing" } })).toMatchObject({
        path: "schema",
        message: expect.stringMatching(/^is not a valid JSON Schema: /),
      });
    });

    it("refuses an unknown $schema, a non-object and an oversized schema", () => {
      expect(refusal({ kind: "json_schema", schema: { $schema: "http://json-schema.org/draft-04/schema#" } })?.message).toMatch(/^has an unsupported \$schema/);
      expect(refusal({ kind: "json_schema", schema: [] })).toEqual({ path: "schema", message: "must be a JSON Schema object" });
      expect(refusal({ kind: "json_schema", schema: { description: "x".repeat(100_001) } })).toEqual({
        path: "schema",
        message: "must be at most 100000 characters as JSON",
      });
    });

    it("refuses patterns inside the schema that the linear-time engine cannot run, naming where", () => {
      expect(refusal({ kind: "json_schema", schema: { properties: { name: { type: "string", pattern: "^(a)\\1$" } } } })).toMatchObject({
        path: "schema",
        message: expect.stringMatching(/^has a pattern at \/properties\/name\/pattern that uses a backreference \(\\1\)/),
      });
      expect(refusal({ kind: "json_schema", schema: { patternProperties: { "^(?!x)": {} } } })?.message).toMatch(
        /^has a patternProperties key at \/patternProperties that uses negative lookahead/,
      );
      // A "pattern" inside data (const, enum, examples) is not a pattern.
      expect(refusal({ kind: "json_schema", schema: { const: { pattern: "(a)\\1" }, properties: { p: { pattern: "^(a+)+$" } } } })).toBeNull();
    });
  });

  describe("max_length", () => {
    it("takes a whole number from 1 to 1,000,000", () => {
      expect(refusal({ kind: "max_length", maxChars: 1 })).toBeNull();
      expect(refusal({ kind: "max_length", maxChars: 1_000_000 })).toBeNull();
      expect(refusal({ kind: "max_length", maxChars: 0 })).toEqual({ path: "maxChars", message: "must be at least 1" });
      expect(refusal({ kind: "max_length", maxChars: 1_000_001 })).toEqual({ path: "maxChars", message: "must be at most 1,000,000" });
      expect(refusal({ kind: "max_length", maxChars: 1.5 })).toEqual({ path: "maxChars", message: "must be a whole number" });
    });
  });
});

describe("guardrailRule", () => {
  const base = { id: "r1", name: "JSON reply", action: "block" as const, config: { kind: "json_schema" as const, schema: { type: "object" } } };

  it("refuses a json_schema rule on input only", () => {
    const parsed = guardrailRule.safeParse({ ...base, stage: "input" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ["stage"], message: "json_schema checks the model's reply: use stage output" });
    expect(guardrailRule.safeParse({ ...base, stage: "output" }).success).toBe(true);
    expect(guardrailRule.safeParse({ ...base, stage: "both" }).success).toBe(true);
  });

  it("refuses unknown stages and actions", () => {
    expect(guardrailRule.safeParse({ ...base, stage: "sometimes" }).error?.issues[0]?.message).toBe("must be input, output or both");
    expect(guardrailRule.safeParse({ ...base, stage: "output", action: "warn" }).error?.issues[0]?.message).toBe("must be block or flag");
  });
});

describe("client-importable files", () => {
  // What forms may import (server/contracts); the ajv compile, the PII detector and the gateway's
  // schemas are server-only (ajv and its meta-schemas stay out of the pages' JavaScript).
  it("import nothing server-only or node-only", () => {
    for (const file of ["../../contracts/guardrails.ts", "../../contracts/patterns.ts", "../../contracts/json-schema.ts"]) {
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      const imports = [...source.matchAll(/^import[^;]*?from "([^"]+)";|^import "([^"]+)";/gm)].map((match) => match[1] ?? match[2]);
      for (const specifier of imports) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^(zod|re2js|ajv|ajv\/dist\/20(19|20)|ajv-formats|\.\/[a-z-]+)$/);
      }
    }
  });

  it("leave the validators and the PII detector to server-only modules", () => {
    for (const file of ["schemas.ts", "json-schema.ts", "pii.ts"]) {
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      expect(source, `${file} must import "server-only"`).toMatch(/^import "server-only";$/m);
    }
  });
});
