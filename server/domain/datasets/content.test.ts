// Item content: the fast hash (reusing the JSON already written) equals the canonical hash for
// any input, so re-imports are idempotent whatever order keys arrive in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentHashOf, isProblem, prepareItem } from "./content";
import type { JsonValue } from "../../audit/canonical";

const none = { input: null, expected: null };

describe("prepareItem", () => {
  it("hashes like the canonical form, whatever the key order or nesting", () => {
    const value = fc.jsonValue() as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), fc.option(value, { nil: null }), (input, expected) => {
        const item = prepareItem({ input, expected }, none);
        if (isProblem(item)) return; // e.g. NUL characters
        expect(item.contentHash).toBe(contentHashOf(input, expected));
        const reversed = Object.fromEntries(Object.entries(input).reverse());
        const again = prepareItem({ input: reversed, expected }, none);
        if (!isProblem(again)) expect(again.contentHash).toBe(item.contentHash);
      }),
      { numRuns: 500 },
    );
  });

  it("names the field of a problem", () => {
    expect(prepareItem({ input: ["x"] }, none)).toEqual({ field: "input", message: "must be a JSON object (its keys feed prompt variables)" });
    expect(prepareItem({ input: { a: { b: "x\u0000" } } }, none)).toEqual({ field: "input.a.b", message: "must not contain NUL characters" });
    expect(prepareItem({ input: {}, tags: ["bad tag"] }, none)).toMatchObject({ field: "tags" });
  });
});
