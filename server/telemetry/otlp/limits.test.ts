// Size caps: UTF-8-safe truncation and the attribute budget (long values shortened first,
// short ones kept whole, entries dropped only when even that cannot fit).
import { describe, expect, it } from "vitest";
import { TRUNCATION_MARKER, capAttributes, truncateUtf8 } from "./limits";
import type { Attrs } from "./values";

const bytes = (v: unknown) => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));

describe("truncateUtf8", () => {
  it("returns strings that fit unchanged", () => {
    expect(truncateUtf8("hello", 5)).toBe("hello");
    expect(truncateUtf8("é".repeat(10), 20)).toBe("é".repeat(10));
  });

  it("cuts on character boundaries and marks the cut", () => {
    for (const text of ["é".repeat(1000), "😀".repeat(1000), "aé😀".repeat(500)]) {
      for (const max of [50, 51, 52, 53, 100, 777]) {
        const cut = truncateUtf8(text, max);
        expect(bytes(cut)).toBeLessThanOrEqual(max);
        expect(bytes(cut)).toBeGreaterThan(max - 4 - bytes(TRUNCATION_MARKER));
        expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
        expect(cut).not.toContain("\uFFFD");
        expect(text.startsWith(cut.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
      }
    }
  });
});

describe("capAttributes", () => {
  it("leaves attributes under the budget alone", () => {
    const attrs: Attrs = { a: "x".repeat(100), n: 1, list: [1, 2] };
    expect(capAttributes(attrs, 1024)).toBe(false);
    expect(attrs).toEqual({ a: "x".repeat(100), n: 1, list: [1, 2] });
  });

  it("shortens the longest values to a common length and keeps short ones whole", () => {
    const attrs: Attrs = {
      short: "s".repeat(100),
      mid: "m".repeat(300),
      long1: "l".repeat(5000),
      long2: "k".repeat(9000),
      n: 42,
      list: Array(500).fill("item"),
    };
    expect(capAttributes(attrs, 4096)).toBe(true);
    expect(bytes(attrs)).toBeLessThanOrEqual(4096);
    expect(attrs.short).toBe("s".repeat(100));
    expect(attrs.mid).toBe("m".repeat(300));
    expect(attrs.n).toBe(42);
    const long1 = attrs.long1 as string;
    const long2 = attrs.long2 as string;
    expect(long1.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(Math.abs(long1.length - long2.length)).toBeLessThanOrEqual(2);
    // An array too long becomes its (cut) JSON text.
    expect(typeof attrs.list).toBe("string");
    expect((attrs.list as string).startsWith('["item","item"')).toBe(true);
  });

  it("accounts for JSON escapes", () => {
    const attrs: Attrs = { trace: 'line "quoted"\n'.repeat(2000) };
    capAttributes(attrs, 2048);
    expect(bytes(attrs)).toBeLessThanOrEqual(2048);
    expect((attrs.trace as string).length).toBeGreaterThan(1000);
  });

  it("drops trailing entries when keys and scalars alone do not fit", () => {
    const attrs: Attrs = {};
    for (let i = 0; i < 400; i++) attrs[`attribute.number.${i}`] = i;
    expect(capAttributes(attrs, 2048)).toBe(true);
    expect(bytes(attrs)).toBeLessThanOrEqual(2048);
    expect(attrs["attribute.number.0"]).toBe(0);
    expect(attrs["attribute.number.399"]).toBeUndefined();
  });
});
