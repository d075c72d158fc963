// fast-check arbitraries built from zod schemas, for the fuzz tests: values of the right shape
// (objects with their keys, enums, arrays, unions) whose leaves are either valid-looking values
// from a pool (filtered through the leaf schema, so they pass its checks and reach the domain) or
// hostile ones: NUL, unpaired surrogates, 10k characters, RTL and emoji, out-of-range dates and
// numbers.
import fc from "fast-check";
import type { z } from "zod";

type Schema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

export const HOSTILE_STRINGS = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udc00y",
  "🦀\ud83d",
  "x".repeat(10_000),
  "🦀".repeat(300),
  "\u202Eevil\u202C",
  "שלום עולם",
  "'; DROP TABLE users; --",
  "../../etc/passwd",
  "{{x}}",
  "",
  " ",
  "%00",
  "-271821-04-20T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "9223372036854775808",
  "1e308",
  "NaN",
];
export const HOSTILE_NUMBERS = [-1, -0, 0.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 9_999_999_999];
export const HOSTILE_DATES: unknown[] = [
  new Date(-8.64e15),
  new Date(8.64e15),
  "-271821-04-20T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  -8.64e15,
  "0000-01-01T00:00:00Z",
];

export type Pools = {
  /** Valid-looking strings (entity names, slugs, ids, dates…): each leaf keeps the ones it accepts. */
  strings: string[];
  numbers: number[];
  /** Fixed values for keys by name (orgSlug, projectSlug), used most of the time. */
  keys: Record<string, unknown>;
};

const DEFAULT_NUMBERS = [0, 1, 2, 3, 5, 10, 50, 100, 0.5, 0.9, 30, 1000];

/** An arbitrary for `schema`'s input. */
export function arbitraryFor(schema: z.ZodType, pools: Pools): fc.Arbitrary<unknown> {
  return build(schema as Schema, pools, 0);
}

function accepted<T>(schema: Schema, candidates: T[]): T[] {
  return candidates.filter((c) => schema.safeParse(c).success);
}

function mixed<T>(valid: T[], hostile: T[], extra?: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const options: fc.WeightedArbitrary<unknown>[] = [];
  if (valid.length) options.push({ arbitrary: fc.constantFrom(...valid), weight: 6 });
  options.push({ arbitrary: fc.constantFrom(...hostile), weight: 2 });
  if (extra) options.push({ arbitrary: extra, weight: 1 });
  return fc.oneof(...options);
}

function build(schema: Schema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(undefined);
  const def = schema._zod.def;
  const inner = (s: unknown) => build(s as Schema, pools, depth + 1);
  switch (def.type) {
    case "string":
      return mixed(accepted(schema, pools.strings), HOSTILE_STRINGS, fc.string({ unit: "binary", maxLength: 20 }));
    case "number":
    case "int":
      return mixed(accepted(schema, [...DEFAULT_NUMBERS, ...pools.numbers]), HOSTILE_NUMBERS, fc.double());
    case "bigint":
      return mixed(accepted(schema, ["1", "2", "100", 1n, 5n]), ["0", "-1", "9223372036854775808", "1e3", "x"]);
    case "boolean":
      return fc.boolean();
    case "date":
      return mixed(accepted(schema, [new Date("2026-11-27T09:00:00Z"), "2026-11-27T09:00:00Z", new Date()]), HOSTILE_DATES);
    case "enum":
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case "literal":
      return fc.constantFrom(...(def.values as unknown[]));
    case "null":
      return fc.constant(null);
    case "undefined":
    case "void":
      return fc.constant(undefined);
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(shape)) {
        const built = inner(value);
        record[key] = key in pools.keys ? fc.oneof({ arbitrary: fc.constant(pools.keys[key]), weight: 12 }, { arbitrary: built, weight: 1 }) : built;
      }
      return fc.record(record);
    }
    case "array":
      return fc.array(inner(def.element), { maxLength: 3 });
    case "tuple":
      return fc.tuple(...(def.items as unknown[]).map(inner));
    case "record":
      return fc.dictionary(
        inner(def.keyType).map((k) => (typeof k === "string" ? k : String(k))),
        inner(def.valueType),
        { maxKeys: 3 },
      );
    case "union":
      return fc.oneof(...(def.options as unknown[]).map(inner));
    case "intersection":
      return inner(def.left);
    case "optional":
      return fc.option(inner(def.innerType), { nil: undefined, freq: 4 });
    case "nullable":
      return fc.option(inner(def.innerType), { nil: null, freq: 4 });
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      return fc.option(inner(def.innerType), { nil: undefined, freq: 4 });
    case "pipe":
      return inner(def.in);
    case "lazy":
      return inner((def.getter as () => unknown)());
    case "unknown":
    case "any":
      return fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom(...HOSTILE_STRINGS),
        fc.dictionary(fc.constantFrom("a", "\u0000", "k\ud800"), fc.constantFrom(...HOSTILE_STRINGS), { maxKeys: 2 }),
      );
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

/** Percent-encodes a path or query piece; an unpaired surrogate as its (invalid) 3 UTF-8 bytes. */
export function percentEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}
