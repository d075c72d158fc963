// PII detection: each entity is found where a reader would see one and not in the look-alikes
// (dates, versions, IP addresses, amounts, invalid checksums); masking replaces exactly the values;
// scans stay linear on adversarial input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IBAN_LENGTHS, PII_ENTITIES, findPii, ibanValid, luhnValid, maskPii, type PiiEntity } from "./pii";

const ALL = [...PII_ENTITIES];

/** The matched substrings of one entity kind. */
function found(text: string, entity: PiiEntity, entities: PiiEntity[] = ALL): string[] {
  return findPii(text, entities)
    .filter((match) => match.entity === entity)
    .map((match) => text.slice(match.start, match.end));
}

/** An independent mod-97 (BigInt), to check the IBAN test data itself. */
function mod97(iban: string): bigint {
  const compact = iban.replaceAll(" ", "").toUpperCase();
  const digits = [...(compact.slice(4) + compact.slice(0, 4))].map((ch) => parseInt(ch, 36).toString()).join("");
  return BigInt(digits) % 97n;
}

/** A number of `length` digits starting with `prefix`, completed with a valid Luhn check digit. */
function withLuhnDigit(prefix: string, length: number): string {
  const body = prefix.padEnd(length - 1, "7");
  for (let check = 0; check <= 9; check++) if (luhnValid(body + check)) return body + check;
  throw new Error("unreachable");
}

describe("luhnValid", () => {
  it("accepts well-known test card numbers", () => {
    for (const card of ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4222222222222", "3530111333300000", "79927398713"]) {
      expect(luhnValid(card), card).toBe(true);
    }
  });

  it("refuses a changed digit, swapped digits, non-digits and too-short input", () => {
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(luhnValid("4111111111111121")).toBe(false);
    expect(luhnValid("79927398710")).toBe(false);
    expect(luhnValid("4111 1111 1111 1111")).toBe(false);
    expect(luhnValid("")).toBe(false);
    expect(luhnValid("0")).toBe(false);
  });
});

describe("ibanValid", () => {
  const valid = [
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "NO93 8601 1117 947",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "AT61 1904 3002 3457 3201",
    "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
  ];

  it("accepts valid IBANs of several countries, grouped or compact, in any case", () => {
    for (const iban of valid) {
      expect(mod97(iban), `test data ${iban}`).toBe(1n);
      expect(ibanValid(iban), iban).toBe(true);
      expect(ibanValid(iban.replaceAll(" ", "")), iban).toBe(true);
      expect(ibanValid(iban.toLowerCase()), iban).toBe(true);
    }
  });

  it("refuses a wrong checksum, a wrong length for the country and unknown countries", () => {
    expect(ibanValid("DE89 3704 0044 0532 0130 01")).toBe(false); // checksum
    expect(ibanValid("DE88 3704 0044 0532 0130 00")).toBe(false); // check digits
    expect(ibanValid("GB82 WEST 1234 5698 7654 3")).toBe(false); // one short
    expect(ibanValid("BE68 5390 0754 7034 0")).toBe(false); // one long
    expect(ibanValid("XX89 3704 0044 0532 0130 00")).toBe(false);
    expect(ibanValid("DE89-3704-0044-0532-0130-00")).toBe(false);
    expect(ibanValid("")).toBe(false);
  });

  it("refuses the check digits 00, 01 and 99 even when mod 97 is 1", () => {
    // For this BBAN the computed check digits are 02, so 99 also leaves remainder 1.
    const compute = (bban: string) => {
      const remainder = mod97(`DE00${bban}`);
      return (98n - remainder).toString().padStart(2, "0");
    };
    const bban = Array.from({ length: 1000 }, (_, n) => `37040044${String(n).padStart(10, "0")}`).find((b) => compute(b) === "02");
    expect(bban).toBeDefined();
    expect(ibanValid(`DE02${bban}`)).toBe(true);
    expect(mod97(`DE99${bban}`)).toBe(1n);
    expect(ibanValid(`DE99${bban}`)).toBe(false);
  });

  it("knows the registry's lengths (15 to 33)", () => {
    expect(IBAN_LENGTHS.get("NO")).toBe(15);
    expect(IBAN_LENGTHS.get("RU")).toBe(33);
    expect(IBAN_LENGTHS.get("DE")).toBe(22);
    for (const length of IBAN_LENGTHS.values()) expect(length).toBeGreaterThanOrEqual(15);
  });
});

describe("emails", () => {
  it("finds ordinary addresses and only the address", () => {
    expect(found("Mail john.doe@example.com today", "email")).toEqual(["john.doe@example.com"]);
    expect(found("first.last+tag@sub.example.co.uk", "email")).toEqual(["first.last+tag@sub.example.co.uk"]);
    expect(found("o'brien@example.ie and USER_1@EXAMPLE.COM", "email")).toEqual(["o'brien@example.ie", "USER_1@EXAMPLE.COM"]);
    expect(found("mailto:john@example.com", "email")).toEqual(["john@example.com"]);
    expect(found("<john@example.com>.", "email")).toEqual(["john@example.com"]);
    expect(found("(write to ..jane@example.org.)", "email")).toEqual(["jane@example.org"]);
  });

  it("ignores things that are not addresses", () => {
    for (const text of [
      "a@b",
      "user@localhost",
      "x@y.z",
      "@example.com",
      "user@.com",
      "user@example.c0m",
      "user@-example.com",
      "user.@example.com",
      "@@",
      "1.5 @ 3.00 each",
      "user@192.168.1.1",
    ]) {
      expect(found(text, "email"), text).toEqual([]);
    }
  });

  it("keeps adjacent addresses apart", () => {
    expect(found("a@b.com,c@d.org;e@f.net", "email")).toEqual(["a@b.com", "c@d.org", "e@f.net"]);
    expect(found("a@b.com_x@c.com", "email")).toEqual(["a@b.com", "_x@c.com"]);
  });
});

describe("phone numbers", () => {
  it("finds international and national formats", () => {
    for (const phone of [
      "+1 (555) 123-4567",
      "+44 20 7946 0958",
      "+4915112345678",
      "+33 1 23 45 67 89",
      "(555) 123-4567",
      "(555)123-4567",
      "555-123-4567",
      "555.123.4567",
      "555 123 4567",
      "1-800-555-0199",
      "06 12 34 56 78",
      "06.12.34.56.78",
      "030 12345678",
      "0044 20 7946 0958",
    ]) {
      expect(found(`Call ${phone} now.`, "phone"), phone).toEqual([phone]);
    }
  });

  it("ignores dates, times, versions, IP addresses, amounts, ranges and bare numbers", () => {
    for (const text of [
      "on 2026-11-27",
      "on 27.11.2026",
      "on 2026.11.27",
      "at 2026-11-27 10:30",
      "at 12:30:45",
      "version 10.15.7 and 1.22.333.4444",
      "ip 192.168.100.200",
      "costs 12 345 678 or 12.345.678,90 EUR",
      "pages 10000-20000",
      "zip 12345-6789",
      "pi is 3.14159265358979",
      "timestamp 1732700000 and order 123456789",
      "the numbers 1234 5678",
      "+12",
      "room 555-1234",
    ]) {
      expect(found(text, "phone"), text).toEqual([]);
    }
  });

  it("is not counted inside a card number or an IBAN, even when only phones are asked for", () => {
    // 13 digits grouped like a phone, but a valid card.
    expect(luhnValid("4222222222222")).toBe(true);
    expect(findPii("card 4222 2222 2222 2 ok", ["phone"])).toEqual([]);
    expect(found("card 4222 2222 2222 2 ok", "card", ["card", "phone"])).toEqual(["4222 2222 2222 2"]);
    // The account digits of a UK IBAN look like a phone number on their own.
    expect(findPii("IBAN GB82 WEST 1234 5698 7654 32", ["phone"])).toEqual([]);
  });

  it("is not counted inside an email address", () => {
    const text = "text +15551234567@sms.example.com";
    expect(findPii(text, ["email", "phone"]).map((match) => match.entity)).toEqual(["email"]);
    expect(findPii(text, ["phone"])).toEqual([]);
  });
});

describe("card numbers", () => {
  it("finds 13 to 19 digits passing Luhn, compact or grouped by spaces or dashes", () => {
    const nineteen = withLuhnDigit("6304", 19);
    for (const card of [
      "4111 1111 1111 1111",
      "4111-1111-1111-1111",
      "4111111111111111",
      "3782 822463 10005",
      "5555 5555 5555 4444",
      "4222222222222",
      nineteen,
      `${nineteen.slice(0, 4)} ${nineteen.slice(4, 8)} ${nineteen.slice(8, 12)} ${nineteen.slice(12, 16)} ${nineteen.slice(16)}`,
    ]) {
      expect(found(`pay with ${card}.`, "card"), card).toEqual([card]);
    }
  });

  it("ignores numbers failing Luhn, of the wrong length, glued to words, or part of decimals", () => {
    const twenty = withLuhnDigit("4111", 20);
    const twelve = withLuhnDigit("4111", 12);
    for (const text of [
      "4111 1111 1111 1112",
      twenty,
      twelve,
      "x4111111111111111",
      "4111111111111111x",
      "0.4111111111111111",
      "0000 0000 0000 0000",
      "1 2 3 4 5 6 7 8 9 1 2 3 0",
      "+4111111111111111",
    ]) {
      expect(found(text, "card"), text).toEqual([]);
    }
  });

  it("finds a card inside a longer sequence of groups", () => {
    expect(found("ref 12 4111 1111 1111 1111 ok", "card")).toEqual(["4111 1111 1111 1111"]);
  });

  it("does not read an invalid IBAN's account digits as a card", () => {
    // These account digits pass Luhn by chance: only their being glued to "DE89" keeps them from being a card.
    expect(luhnValid("370400440532013001")).toBe(true);
    expect(findPii("IBAN DE89 3704 0044 0532 0130 01", ALL)).toEqual([]);
  });
});

describe("IBANs in text", () => {
  it("finds compact and grouped IBANs and nothing else", () => {
    const text = "Pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432, not DE89 3704 0044 0532 0130 01.";
    expect(found(text, "iban")).toEqual(["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"]);
  });

  it("needs a word boundary on both sides and the exact length", () => {
    expect(found("XDE89370400440532013000", "iban")).toEqual([]);
    expect(found("DE893704004405320130001", "iban")).toEqual([]);
    expect(found("DE89 3704 0044 0532 0130 00.", "iban")).toEqual(["DE89 3704 0044 0532 0130 00"]);
  });

  it("is not also counted as a card or a phone", () => {
    const matches = findPii("IBAN: FR14 2004 1010 0505 0001 3M02 606", ALL);
    expect(matches.map((match) => match.entity)).toEqual(["iban"]);
  });
});

describe("maskPii", () => {
  const text = "Mail jane@example.com, call +44 20 7946 0958, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00. Meet 2026-11-27.";

  it("replaces each value with its placeholder and counts them", () => {
    const masked = maskPii(text, ALL);
    expect(masked.text).toBe("Mail [EMAIL], call [PHONE], card [CARD], IBAN [IBAN]. Meet 2026-11-27.");
    expect(masked.counts).toEqual({ email: 1, phone: 1, card: 1, iban: 1 });
  });

  it("masks only the entities asked for", () => {
    const masked = maskPii(text, ["email", "card"]);
    expect(masked.text).toBe("Mail [EMAIL], call +44 20 7946 0958, card [CARD], IBAN DE89 3704 0044 0532 0130 00. Meet 2026-11-27.");
    expect(masked.counts).toEqual({ email: 1, phone: 0, card: 1, iban: 0 });
  });

  it("returns the same text when there is nothing to mask", () => {
    const clean = "Nothing here: version 1.2.3 on 2026-11-27 at 10:30.";
    expect(maskPii(clean, ALL)).toEqual({ text: clean, counts: { email: 0, phone: 0, card: 0, iban: 0 } });
  });

  it("never leaves a generated address in the masked text", () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    const address = fc
      .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}[a-z0-9]$/), label, fc.stringMatching(/^[a-z]{2,6}$/))
      .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), address, fc.string({ maxLength: 30 }), (before, email, after) => {
        const masked = maskPii(`${before} ${email} ${after}`, ["email"]);
        expect(masked.text).not.toContain(email);
        expect(masked.counts.email).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});

describe("findPii on arbitrary text", () => {
  it("returns spans in order, within the text, without overlaps", () => {
    const char = fc.constantFrom(..."0123456789 -.+()@abcDEx_:/,\n");
    fc.assert(
      fc.property(
        fc.array(char, { maxLength: 200 }).map((chars) => chars.join("")),
        (text) => {
          const matches = findPii(text, ALL);
          let previousEnd = 0;
          for (const match of matches) {
            expect(match.start).toBeGreaterThanOrEqual(previousEnd);
            expect(match.end).toBeGreaterThan(match.start);
            expect(match.end).toBeLessThanOrEqual(text.length);
            previousEnd = match.end;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("adversarial input", () => {
  // No wall-clock assertions: a quadratic scan of these 200 KB texts would run for minutes and
  // trip vitest's test timeout.
  const size = 200_000;
  const inputs: Record<string, string> = {
    "local part then @": `${"a".repeat(size)}@`,
    "many @": "a@".repeat(size / 2),
    "dotted domain": `x@${"a.".repeat(size / 2)}`,
    "@ and dots": "@a.".repeat(size / 3),
    "one digit run": "4".repeat(size),
    "digit groups": "1 ".repeat(size / 2),
    "card-like groups": "4111 ".repeat(size / 5),
    "dashed groups": "12-".repeat(size / 3),
    "dotted digits": "1.".repeat(size / 2),
    "phone openings": "+1 (".repeat(size / 4),
    parentheses: "(1)".repeat(size / 3),
    "IBAN openings": "DE89 ".repeat(size / 5),
    "IBAN letters": "DE89ABCD".repeat(size / 8),
    mixed: "+1 (555) 123-4567 a@b.co 4111 1111 1111 1111 DE89 ".repeat(size / 50),
  };

  for (const [name, text] of Object.entries(inputs)) {
    it(`scans 200 KB of ${name}`, () => {
      const masked = maskPii(text, ALL);
      expect(masked.text.length).toBeGreaterThan(0);
    });
  }

  it("still finds every value in a long text", () => {
    const masked = maskPii("+1 (555) 123-4567 a@b.co 4111 1111 1111 1111 DE89 3704 0044 0532 0130 00 ".repeat(2_000), ALL);
    expect(masked.counts).toEqual({ email: 2_000, phone: 2_000, card: 2_000, iban: 2_000 });
  });
});
