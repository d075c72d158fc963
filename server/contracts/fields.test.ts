import { describe, expect, it } from "vitest";
import { dateTime, email, findUnstorableText, isoDateTime, jsonRecord, name, password, requiredText, safeString, searchText, slug, text } from "./fields";

describe("field schemas", () => {
  it("refuses control characters, including NUL", () => {
    expect(requiredText(10).safeParse("ok").success).toBe(true);
    expect(requiredText(10).safeParse("a\u0000b").success).toBe(false);
    expect(requiredText(10).safeParse("   ").success).toBe(false);
  });
  it("accepts only lowercase dashed slugs", () => {
    expect(slug.safeParse("support-assistant").success).toBe(true);
    for (const bad of ["A", "a--b", "-a", "a-", "a b", "a".repeat(49), "é-x"]) expect(slug.safeParse(bad).success, bad).toBe(false);
  });
  it("normalises and checks emails", () => {
    expect(email.parse("  a@example.com ")).toBe("a@example.com");
    expect(email.safeParse("nope").success).toBe(false);
  });
  it("requires passwords of at least 12 characters", () => {
    expect(password.safeParse("short").success).toBe(false);
    expect(password.safeParse("long-enough-password").success).toBe(true);
  });
  it("refuses unpaired surrogates and NUL in every text type, and keeps paired ones (emoji)", () => {
    for (const schema of [text(20), requiredText(20), name(20), searchText(20), safeString(), password]) {
      for (const bad of ["a\u0000b-long-enough", "a\ud800b-long-enough", "\udc00-long-enough-x"])
        expect(schema.safeParse(bad).success, `${JSON.stringify(bad)}`).toBe(false);
      expect(schema.safeParse("🦀 שלום-long-enough").success).toBe(true);
    }
  });
  it("bounds dates to years 1970..9999", () => {
    expect(dateTime().safeParse("2026-11-27T09:00:00Z").success).toBe(true);
    for (const bad of ["-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z", 8.64e15, "1969-12-31T23:59:59Z", "not a date"]) {
      expect(dateTime().safeParse(bad).success, String(bad)).toBe(false);
    }
    expect(isoDateTime().safeParse("2026-11-27T09:00:00+01:00").success).toBe(true);
    expect(isoDateTime().safeParse("0001-01-01T00:00:00Z").success).toBe(false);
  });
  it("finds NUL and unpaired surrogates anywhere in free-form JSON, keys included", () => {
    expect(findUnstorableText({ a: [1, { b: "ok" }] })).toBeNull();
    expect(findUnstorableText({ a: [1, { b: "x\u0000" }] })).toEqual(["a", 1, "b"]);
    expect(findUnstorableText({ ["k\ud800"]: 1 })).toEqual(["k\ud800"]);
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 500; i++) at = (at[0] = []) as unknown[];
    expect(findUnstorableText(deep)).not.toBeNull();
    const result = jsonRecord().safeParse({ meta: { note: "a\u0000" } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["meta", "note"]);
  });
});
