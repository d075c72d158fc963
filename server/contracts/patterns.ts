// The one engine for regular expressions that users write: regex evaluators, guardrail deny
// patterns, and JSON Schema `pattern` / `patternProperties` / `format: "regex"` wherever Keel
// compiles a user's schema (every ajv instance gets `ajvRegExp`, see ./json-schema.ts). It is
// re2js, a JavaScript port of RE2: matching takes time linear in the input whatever the pattern,
// so `(a+)+$` or `x(a|aa)+$` cannot stall a process the way JavaScript's backtracking RegExp does.
// The price is RE2's syntax: no backreferences and no lookaround, refused at save with a message
// naming the feature (`patternProblem`, `refinePatterns`). Patterns are written in JavaScript's
// syntax; re2js translates what differs (\uXXXX, (?<name>…), [^], \cX) before compiling.
// Flags: i, m, s as in JavaScript; u is accepted and changes nothing (RE2 always matches code
// points). Regexes Keel writes itself stay native RegExp. Client code may import this file.
import { RE2JS, RE2JSException } from "re2js";
import type { z } from "zod";

/** A compiled user pattern. Indexes are UTF-16 offsets, as in JavaScript. */
export type Pattern = {
  readonly source: string;
  readonly flags: string;
  /** Whether the pattern matches somewhere in the text. */
  test(text: string): boolean;
  /** The first (leftmost) match, or null. */
  exec(text: string): { index: number; text: string } | null;
};

export type CompiledPattern = { ok: true; pattern: Pattern } | { ok: false; problem: string };

/** The flags the product offers; each at most once. */
export const PATTERN_FLAGS = ["i", "m", "s", "u"] as const;

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0 };

const NOT_LINEAR = "which Keel does not support: patterns run on a linear-time engine (RE2)";

/**
 * What RE2 cannot do, named the way a person looks it up. Found by reading the pattern as
 * JavaScript does (escapes skipped, character classes skipped), since the engine's own complaint
 * for these would be "invalid escape sequence" or "invalid named capture".
 */
function unsupportedFeature(source: string): string | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") {
      const next = source[i + 1] ?? "";
      if (!inClass && next >= "1" && next <= "9") return `uses a backreference (\\${next}), ${NOT_LINEAR}`;
      if (!inClass && next === "k" && source[i + 2] === "<") return `uses a named backreference (\\k<…>), ${NOT_LINEAR}`;
      i++;
    } else if (inClass) {
      if (ch === "]") inClass = false;
    } else if (ch === "[") {
      inClass = true;
      // JavaScript closes "[]" and "[^]" at once (an empty class, any character).
      if (source[i + 1] === "]") i++;
      else if (source[i + 1] === "^" && source[i + 2] === "]") i += 2;
    } else if (ch === "(" && source[i + 1] === "?") {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith("=")) return `uses lookahead (?=…), ${NOT_LINEAR}`;
      if (rest.startsWith("!")) return `uses negative lookahead (?!…), ${NOT_LINEAR}`;
      if (rest === "<=") return `uses lookbehind (?<=…), ${NOT_LINEAR}`;
      if (rest === "<!") return `uses negative lookbehind (?<!…), ${NOT_LINEAR}`;
    }
  }
  return null;
}

function flagBits(flags: string): number | string {
  let bits = 0;
  const seen = new Set<string>();
  for (const flag of flags) {
    if (!(flag in FLAG_BITS)) return `has the flag "${flag}": use only ${PATTERN_FLAGS.join(", ")}`;
    if (seen.has(flag)) return `repeats the flag "${flag}"`;
    seen.add(flag);
    bits |= FLAG_BITS[flag]!;
  }
  return bits;
}

function wrap(source: string, flags: string, re: RE2JS): Pattern {
  return {
    source,
    flags,
    test: (text) => re.test(text),
    exec(text) {
      // test() runs on RE2's DFA without captures; only a hit pays for the match positions.
      if (!re.test(text)) return null;
      const matcher = re.matcher(text);
      if (!matcher.find()) return null;
      return { index: matcher.start(), text: matcher.group() ?? "" };
    },
  };
}

/** Compiles a user pattern (JavaScript syntax, flags from i, m, s, u), or says why it cannot run. */
export function compilePattern(source: string, flags = ""): CompiledPattern {
  const unsupported = unsupportedFeature(source);
  if (unsupported) return { ok: false, problem: unsupported };
  const bits = flagBits(flags);
  if (typeof bits === "string") return { ok: false, problem: bits };
  try {
    return { ok: true, pattern: wrap(source, flags, RE2JS.compile(RE2JS.translateRegExp(source), bits)) };
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    // "error parsing regexp: missing closing ): `(`" -> "missing closing ): `(`"
    return { ok: false, problem: `is not a valid regular expression: ${error.message.replace(/^error parsing regexp: /, "")}` };
  }
}

/** Why a user pattern cannot be saved, or null. */
export function patternProblem(source: string, flags = ""): string | null {
  const compiled = compilePattern(source, flags);
  return compiled.ok ? null : compiled.problem;
}

/**
 * A zod superRefine callback for a list of patterns (or one, at `path`): an issue per pattern
 * that cannot run, so unsupported syntax is a 400 naming the field and the feature.
 */
export function addPatternIssue(ctx: z.RefinementCtx, path: (string | number)[], source: string, flags = ""): void {
  const problem = patternProblem(source, flags);
  if (problem) ctx.addIssue({ code: "custom", path, message: problem });
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

/** ajv's `code.regExp`: every `pattern` and `patternProperties` key compiles here, never with RegExp. */
export const ajvRegExp = Object.assign(
  (source: string): { test(text: string): boolean; toString(): string } => {
    const compiled = compilePattern(source);
    if (!compiled.ok) throw new Error(`the pattern ${JSON.stringify(source)} ${compiled.problem}`);
    // ajv dedupes compiled patterns by toString().
    return { test: compiled.pattern.test, toString: () => `re2:${source}` };
  },
  // Only used by ajv's standalone code generation, which Keel does not use.
  { code: "keelPatterns.ajvRegExp" },
);

/** ajv's format "regex" (a string that is a pattern): judged by the same engine, not RegExp. */
export function isRunnablePattern(text: string): boolean {
  return compilePattern(text).ok;
}

/** Keywords whose values are data, not subschemas: a "pattern" key inside them is no pattern. */
const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples", "example"]);

/**
 * The first `pattern` or `patternProperties` key in a JSON Schema that cannot run, as
 * "has a pattern at /properties/code/pattern that uses a backreference (\1), …", or null.
 */
export function schemaPatternProblem(schema: unknown): string | null {
  const visit = (node: unknown, path: string): string | null => {
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        const found = visit(node[index], `${path}/${index}`);
        if (found) return found;
      }
      return null;
    }
    if (typeof node !== "object" || node === null) return null;
    for (const [key, value] of Object.entries(node)) {
      if (DATA_KEYWORDS.has(key)) continue;
      if (key === "pattern" && typeof value === "string") {
        const problem = patternProblem(value);
        if (problem) return `has a pattern at ${path}/pattern that ${problem}`;
      }
      if (key === "patternProperties" && typeof value === "object" && value !== null && !Array.isArray(value)) {
        for (const source of Object.keys(value)) {
          const problem = patternProblem(source);
          if (problem) return `has a patternProperties key at ${path}/patternProperties that ${problem}`;
        }
      }
      const found = visit(value, `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
      if (found) return found;
    }
    return null;
  };
  return visit(schema, "");
}
