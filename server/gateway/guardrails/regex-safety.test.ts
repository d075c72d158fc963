// Deny patterns: refused at save time when they cannot compile, match everything or can backtrack
// exponentially; rewritten at run time so the common quadratic shapes (`.*secret`, `\w+@`) scan
// long texts in linear time without changing what they match.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backtrackingProblem, regexProblem, searchableSource } from "./regex-safety";

describe("regexProblem", () => {
  it("accepts ordinary deny patterns", () => {
    for (const pattern of [
      "ignore (all )?previous instructions",
      "\\bpassword\\s*[:=]",
      "api[_-]?key",
      "foo(bar)?",
      "(?:ab|cd)+x",
      "(\\d{1,3}\\.){3}\\d{1,3}",
      "[a-z]+(?:-[a-z]+)*@",
      "(\\w+\\.)+com",
      "(\\w+\\s)+end",
      "(.|\\n)*x",
      "\\p{L}+",
      "[\\]()|*+]+x",
      "a{2,}b",
      "(?<=x)y",
      "(a)\\1",
    ]) {
      expect(regexProblem(pattern), pattern).toBeNull();
    }
  });

  it("refuses patterns that do not compile, naming the reason", () => {
    expect(regexProblem("(")).toBe("is not a valid regular expression: Unterminated group");
    expect(regexProblem("[z-a]")).toMatch(/^is not a valid regular expression: Range out of order/);
    expect(regexProblem("a**")).toMatch(/^is not a valid regular expression: Nothing to repeat/);
  });

  it("refuses patterns that match the empty text", () => {
    for (const pattern of ["a*", "^", "(foo)?", "x|"]) {
      expect(regexProblem(pattern), pattern).toBe("matches the empty text, so it would match every message");
    }
  });

  it("refuses nested quantifiers", () => {
    for (const pattern of ["(a+)+b", "(a*)*b", "(a+){2}b", "(?:a|b+)+c", "(x+x+)+y", "(a{1,3})+b", "(a?){20}b", "((?:-a+)+)+b", "(-?a+)+b", "(.*a){12}"]) {
      expect(regexProblem(pattern), pattern).toMatch(/^repeats a group that itself contains a repetition/);
    }
  });

  it("refuses repeated alternatives that can match the same text", () => {
    for (const pattern of ["(a|a)+b", "(\\w|\\d)+b", "(\\s|.)+b", "(?:ab|ab)*c", "([a-c]|b)+d"]) {
      expect(regexProblem(pattern), pattern).toMatch(/^repeats a group whose alternatives can match the same text/);
    }
  });

  it("takes the case-insensitive flag into account", () => {
    expect(regexProblem("(a|A)+b")).toBeNull();
    expect(regexProblem("(a|A)+b", "i")).toMatch(/^repeats a group whose alternatives/);
  });

  it("accepts look-alikes of the refused shapes that run fast", () => {
    // No wall-clock assertion: 28 characters make an exponential pattern take seconds to minutes,
    // so if one of these were exponential the test would time out.
    for (const pattern of ["[a-z]+(?:-[a-z]+)*$", "(\\d{1,3}\\.)+$", "(\\w+\\s)+$", "(?:a+b)+$", "(ab|a)+$", "(\\w+\\.)+\\w+$"]) {
      expect(regexProblem(pattern), pattern).toBeNull();
      for (const text of ["a".repeat(28) + "!", "a-".repeat(28) + "!", "1.".repeat(28) + "!", "a ".repeat(28) + "!", "a.".repeat(28) + "!"]) {
        new RegExp(pattern).test(text);
      }
    }
  });
});

describe("backtrackingProblem", () => {
  it("checks JSON Schema patterns in unicode mode too", () => {
    expect(backtrackingProblem("^(\\p{L}+)+$", "u")).toMatch(/^repeats a group/);
    expect(backtrackingProblem("^[\\p{L} ]+$", "u")).toBeNull();
  });
});

describe("searchableSource", () => {
  it("drops leading unbounded repetitions of each alternative", () => {
    expect(searchableSource(".*secret")).toBe("secret");
    expect(searchableSource(".*?secret")).toBe("secret");
    expect(searchableSource("\\w+@")).toBe("\\w@");
    expect(searchableSource("[a-z]+\\d+z")).toBe("[a-z]\\d+z");
    expect(searchableSource(".*.*foo")).toBe("foo");
    expect(searchableSource("\\s*\\w+@")).toBe("\\w@");
    expect(searchableSource("x{2,}y")).toBe("x{2}y");
    expect(searchableSource("(a|b)+x|.*?y")).toBe("(a|b)x|y");
  });

  it("leaves anchored, fixed, backreferencing and would-be-empty patterns alone", () => {
    for (const pattern of ["^.*x", "secret", "a?b", "(x)*\\1", "(?<n>x)+\\k<n>", "a*", "(?=a+)b", "x{2}y"]) {
      expect(searchableSource(pattern), pattern).toBe(pattern);
    }
  });

  it("matches exactly the texts the original matches", () => {
    const patterns = [".*ab", "a+b", "[ab]*?c", "(ab)+c", "(?:a|bc)*d", "b{2,}a", "\\w+@", ".+a", "a+|b*c", "(a+)b"];
    const text = fc.array(fc.constantFrom("a", "b", "c", "d", "@", " ", "\n"), { maxLength: 20 }).map((chars) => chars.join(""));
    for (const pattern of patterns) {
      const original = new RegExp(pattern);
      const rewritten = new RegExp(searchableSource(pattern));
      fc.assert(
        fc.property(text, (sample) => {
          expect(rewritten.test(sample), `${pattern} on ${JSON.stringify(sample)}`).toBe(original.test(sample));
        }),
        { numRuns: 300 },
      );
    }
  });

  it("makes `.*secret` and `\\w+@` linear on 200 KB (both are quadratic as written)", () => {
    const text = "x".repeat(200_000);
    expect(new RegExp(searchableSource(".*secret"), "i").test(text)).toBe(false);
    expect(new RegExp(searchableSource("\\w+@"), "i").test(text)).toBe(false);
    expect(new RegExp(searchableSource("[a-z]+\\d+z"), "i").test(text)).toBe(false);
  });
});
