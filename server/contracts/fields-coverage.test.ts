// Every input schema declares text, dates and free-form JSON through the shared field types
// (fields.ts): this walks each tRPC procedure's input and each public API route's params, query
// and body, and the gateway's request body, and fails on a string that accepts NUL or an unpaired
// surrogate, a date that accepts year -271821, or a z.unknown() outside jsonChecked. A bare
// z.string() / z.coerce.date() in a new input is caught here before the fuzzer finds the 500.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { appRouter } from "../api/root";
import { publicRoutes } from "../public-api/routes";
import { chatCompletionRequest } from "../gateway/wire";
import { responsesRequest } from "../gateway/responses";
import { embeddingsRequest } from "../gateway/embeddings";
import { CHECKED_JSON, dateTime, jsonRecord, safeString, text } from "./fields";
import { z as zod } from "zod";

type Schema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

const HOSTILE_STRINGS = ["a\u0000b", "a\ud800b", "\udc00"];
const HOSTILE_DATES = ["-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z", -8.64e15, 8.64e15];

/** Problems (schema path + what it accepts) in one schema. */
function findUncheckedFields(schema: Schema, at: string, seen = new Set<object>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  // A schema inside jsonChecked() has every string in its value checked as a whole.
  const def = schema._zod.def;
  if ((def.checks as object[] | undefined)?.some((check) => CHECKED_JSON.has(check))) return [];
  const walk = (inner: unknown, where: string) => (inner ? findUncheckedFields(inner as Schema, where, seen) : []);
  switch (def.type) {
    case "string": {
      const accepted = HOSTILE_STRINGS.filter((s) => schema.safeParse(s).success);
      return accepted.length ? [`${at}: a string that accepts ${JSON.stringify(accepted)}`] : [];
    }
    case "date": {
      const accepted = HOSTILE_DATES.filter((d) => schema.safeParse(typeof d === "number" ? new Date(d) : d).success);
      return accepted.length ? [`${at}: a date that accepts ${JSON.stringify(accepted)}`] : [];
    }
    case "number": {
      // Whole numbers land in int4 columns (versions, numbers, counts): a bound is required.
      const integer = !schema.safeParse(0.5).success;
      return integer && schema.safeParse(2_147_483_648).success ? [`${at}: a whole number without an upper bound (accepts 2^31)`] : [];
    }
    case "unknown":
    case "any":
      return [`${at}: free-form JSON outside jsonChecked()`];
    case "pipe": {
      // A pipe from a string (email, trimmed then checked) is judged as a whole.
      const input = def.in as Schema;
      if (input._zod.def.type === "string") {
        const accepted = HOSTILE_STRINGS.filter((s) => schema.safeParse(s).success);
        return accepted.length ? [`${at}: a string that accepts ${JSON.stringify(accepted)}`] : [];
      }
      return [...walk(def.in, at), ...walk(def.out, at)];
    }
    case "object":
      return Object.entries(def.shape as Record<string, unknown>)
        .flatMap(([key, inner]) => walk(inner, `${at}.${key}`))
        .concat(walk(def.catchall, `${at}.*`));
    case "array":
      return walk(def.element, `${at}[]`);
    case "record":
      return [...walk(def.keyType, `${at}{key}`), ...walk(def.valueType, `${at}{}`)];
    case "union":
      return (def.options as unknown[]).flatMap((o, i) => walk(o, `${at}|${i}`));
    case "intersection":
      return [...walk(def.left, at), ...walk(def.right, at)];
    case "tuple":
      return (def.items as unknown[]).flatMap((o, i) => walk(o, `${at}[${i}]`)).concat(walk(def.rest, `${at}[…]`));
    case "lazy":
      return walk((def.getter as () => unknown)(), at);
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      return walk(def.innerType, at);
    default:
      return [];
  }
}

describe("findUncheckedFields", () => {
  it("finds bare strings, unbounded dates and unchecked JSON, and passes the shared types", () => {
    const bare = zod.object({
      a: zod.string().max(5),
      b: zod.coerce.date(),
      c: zod.record(zod.string(), zod.unknown()),
      ok: text(5),
      also: safeString(),
      json: jsonRecord(),
      when: dateTime(),
    });
    const found = findUncheckedFields(bare as unknown as Schema, "x");
    expect(found.map((f) => f.split(":")[0])).toEqual(["x.a", "x.b", "x.c{key}", "x.c{}"]);
  });
});

describe("every input schema uses the shared field types", () => {
  it("tRPC procedures", () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>;
    const problems = Object.entries(procedures).flatMap(([path, p]) => p._def.inputs.flatMap((input) => findUncheckedFields(input as Schema, path)));
    expect(problems).toEqual([]);
  });
  it("public API routes", () => {
    const problems = publicRoutes.flatMap((route) =>
      (["params", "query", "body"] as const).flatMap((part) =>
        route[part] ? findUncheckedFields(route[part] as Schema, `${route.method} ${route.path} ${part}`) : [],
      ),
    );
    expect(problems).toEqual([]);
  });
  it("the gateway's chat completion request", () => {
    expect(findUncheckedFields(chatCompletionRequest as unknown as Schema, "chat.completions")).toEqual([]);
  });
  it("the gateway's responses and embeddings requests", () => {
    expect(findUncheckedFields(responsesRequest as unknown as Schema, "responses")).toEqual([]);
    expect(findUncheckedFields(embeddingsRequest as unknown as Schema, "embeddings")).toEqual([]);
  });
});

describe("numbers that reach SQL intervals", () => {
  // Found by the fuzzer: a minimum duration of 2.45e109 ms overflowed make_interval (500).
  it("the trace list's minimum duration is bounded", async () => {
    const { traceListInput } = await import("./observability");
    expect(traceListInput.safeParse({ minDurationMs: 2.45e109 }).success).toBe(false);
    expect(traceListInput.safeParse({ minDurationMs: 5_000 }).success).toBe(true);
  });
});
