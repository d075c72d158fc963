import { describe, expect, it } from "vitest";
import { email, password, requiredText, slug } from "./fields";

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
});
