// PII detection and masking for the gateway guardrails: email addresses, phone numbers, payment
// card numbers and IBANs. Hand-written scanners rather than one big regex, so the cost stays
// linear on any input (a 1 MB adversarial message must not stall the event loop) and a typical
// 2 KB message costs microseconds: texts without '@' skip the email scan, texts without digits
// skip the number scans, and the scans jump between candidates with native regex searches.
// Card numbers and IBANs are found before phone numbers so one value is never counted twice.
// Server-only (forms need only the entity names, in server/contracts/guardrails.ts).
import "server-only";
import { PII_ENTITIES, type PiiEntity } from "../../contracts/guardrails";

export { PII_ENTITIES, type PiiEntity } from "../../contracts/guardrails";

export type PiiMatch = { entity: PiiEntity; start: number; end: number };

/** What a masked value is replaced with. */
export const PII_PLACEHOLDERS: Record<PiiEntity, string> = {
  email: "[EMAIL]",
  phone: "[PHONE]",
  card: "[CARD]",
  iban: "[IBAN]",
};

// ---------------------------------------------------------------------------------------------
// Character classes (on UTF-16 code units; charCodeAt past the end is NaN, which fails them all)

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isAlnum(code: number): boolean {
  return isDigit(code) || isLetter(code);
}

/** Letters, digits and '_': a value glued to one of these is part of a longer token. */
function isWordChar(code: number): boolean {
  return isAlnum(code) || code === 95;
}

const SPACE = 32;
const PLUS = 43;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const SLASH = 47;
const COLON = 58;
const AT = 64;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;

/** A number may start at `start`: not glued to a word, not the fraction or tail of another number. */
function numberStartOk(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  if (isWordChar(before)) return false;
  if ((before === DOT || before === COMMA || before === COLON || before === SLASH || before === DASH) && isDigit(text.charCodeAt(start - 2))) return false;
  return true;
}

/** A number may end at `end` (exclusive): not glued to a word, no decimal part, time or date tail. */
function numberEndOk(text: string, end: number): boolean {
  const after = text.charCodeAt(end);
  if (isWordChar(after) || after === AT) return false;
  if ((after === DOT || after === COMMA || after === COLON || after === SLASH || after === DASH) && isDigit(text.charCodeAt(end + 1))) return false;
  return true;
}

const HAS_DIGIT = /[0-9]/;

// ---------------------------------------------------------------------------------------------
// Checksums

/** The Luhn (mod 10) check of a string of digits; false for anything else or fewer than 2 digits. */
export function luhnValid(digits: string): boolean {
  if (digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Luhn over the digits of text[start, end), skipping separators; all-zero numbers do not count. */
function luhnValidSpan(text: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  let nonZero = false;
  for (let i = end - 1; i >= start; i--) {
    let digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) continue;
    if (digit !== 0) nonZero = true;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return nonZero && sum % 10 === 0;
}

/** IBAN length per country, from the SWIFT IBAN registry (ISO 13616). */
export const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24,
    AE: 23,
    AL: 28,
    AT: 20,
    AZ: 28,
    BA: 20,
    BE: 16,
    BG: 22,
    BH: 22,
    BI: 27,
    BR: 29,
    BY: 28,
    CH: 21,
    CR: 22,
    CY: 28,
    CZ: 24,
    DE: 22,
    DJ: 27,
    DK: 18,
    DO: 28,
    EE: 20,
    EG: 29,
    ES: 24,
    FI: 18,
    FK: 18,
    FO: 18,
    FR: 27,
    GB: 22,
    GE: 22,
    GI: 23,
    GL: 18,
    GR: 27,
    GT: 28,
    HN: 28,
    HR: 21,
    HU: 28,
    IE: 22,
    IL: 23,
    IQ: 23,
    IS: 26,
    IT: 27,
    JO: 30,
    KW: 30,
    KZ: 20,
    LB: 28,
    LC: 32,
    LI: 21,
    LT: 20,
    LU: 20,
    LV: 21,
    LY: 25,
    MC: 27,
    MD: 24,
    ME: 22,
    MK: 19,
    MN: 20,
    MR: 27,
    MT: 31,
    MU: 30,
    NI: 28,
    NL: 18,
    NO: 15,
    OM: 23,
    PK: 24,
    PL: 28,
    PS: 29,
    PT: 25,
    QA: 29,
    RO: 24,
    RS: 22,
    RU: 33,
    SA: 24,
    SC: 31,
    SD: 18,
    SE: 24,
    SI: 19,
    SK: 24,
    SM: 27,
    SO: 23,
    ST: 25,
    SV: 28,
    TL: 23,
    TN: 24,
    TR: 26,
    UA: 29,
    VA: 22,
    VG: 24,
    XK: 20,
    YE: 30,
  }),
);

/** ISO 7064 mod 97-10 over a compact, upper-case IBAN (country and check digits moved to the end). */
function ibanRemainder(compact: string): number {
  let remainder = 0;
  const length = compact.length;
  for (let k = 0; k < length; k++) {
    const code = compact.charCodeAt((k + 4) % length);
    if (isDigit(code)) remainder = (remainder * 10 + (code - 48)) % 97;
    else remainder = (remainder * 100 + (code - 55)) % 97; // A = 10 … Z = 35
  }
  return remainder;
}

const IBAN_SHAPE = /^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/;

/**
 * An IBAN (spaces allowed, any case) with a known country, that country's length, check digits
 * 02–98 and a valid ISO 13616 mod-97 checksum.
 */
export function ibanValid(iban: string): boolean {
  const compact = iban.replaceAll(" ", "").toUpperCase();
  if (compact.length > 34 || !IBAN_SHAPE.test(compact)) return false;
  if (IBAN_LENGTHS.get(compact.slice(0, 2)) !== compact.length) return false;
  const check = Number(compact.slice(2, 4));
  if (check < 2 || check > 98) return false;
  return ibanRemainder(compact) === 1;
}

// ---------------------------------------------------------------------------------------------
// Scanners. Each appends non-overlapping matches in text order.

// The scanners jump from candidate to candidate with global regexes and `test` (native code, no
// match arrays), then read each candidate by hand. The regexes are fixed-width, so linear.
const DIGIT = /[0-9]/g;
/** How far nextDigit looks by hand before asking the regex engine (a call costs ~20 characters' worth). */
const NEAR = 24;

/** Offset of the first digit at or after `from`, or -1. */
function nextDigit(text: string, from: number): number {
  const near = Math.min(from + NEAR, text.length);
  for (let k = from; k < near; k++) if (isDigit(text.charCodeAt(k))) return k;
  if (near >= text.length) return -1;
  DIGIT.lastIndex = near;
  return DIGIT.test(text) ? DIGIT.lastIndex - 1 : -1;
}

const IBAN_START = /[A-Za-z]{2}[0-9]{2}/g;

/** End of an IBAN of `length` characters at `start`, compact or grouped by single spaces in 4s; -1 if none. */
function ibanEnd(text: string, start: number, length: number): number {
  let pos = start + 4;
  for (let count = 4; count < length; count++) {
    if (count % 4 === 0 && text.charCodeAt(pos) === SPACE) pos++;
    if (!isAlnum(text.charCodeAt(pos))) return -1;
    pos++;
  }
  return isWordChar(text.charCodeAt(pos)) ? -1 : pos;
}

function scanIbans(text: string, out: PiiMatch[]): void {
  const re = IBAN_START;
  re.lastIndex = 0;
  while (re.test(text)) {
    const start = re.lastIndex - 4;
    if (isWordChar(text.charCodeAt(start - 1))) continue;
    const length = IBAN_LENGTHS.get(text.slice(start, start + 2).toUpperCase());
    if (length === undefined) continue;
    const end = ibanEnd(text, start, length);
    if (end < 0 || !ibanValid(text.slice(start, end))) continue;
    out.push({ entity: "iban", start, end });
    re.lastIndex = end;
  }
}

const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

// Reused between calls (the scan is synchronous): the digit groups of the current candidate.
// Entries past groupCount are stale; resetting a count is much cheaper than truncating arrays.
const groupStarts: number[] = [];
const groupEnds: number[] = [];
const groupSeps: number[] = [];
let groupCount = 0;

function pushGroup(start: number, end: number): void {
  groupStarts[groupCount] = start;
  groupEnds[groupCount] = end;
  groupCount++;
}

/**
 * Card numbers: 13–19 digits passing Luhn, written as one run or as groups joined by single
 * spaces or dashes. Within a longer run of groups ("ref 12 4111 1111 1111 1111") any window of
 * whole groups counts; every group but a window's last has at least 3 digits (cards are written in
 * groups of 4–6), so columns of small numbers are not read as a card.
 */
function scanCards(text: string, out: PiiMatch[]): void {
  for (let i = nextDigit(text, 0); i >= 0;) {
    // Glued to a word ("DE89 3704 …", "ID12 …") or after a '+' (a phone): none of the groups is a card.
    // The tail of a decimal or date ("3.14 …"): the groups after the first may still be one.
    const before = text.charCodeAt(i - 1);
    const skipAll = isWordChar(before) || before === PLUS;
    const startOk = numberStartOk(text, i);
    groupCount = 0;
    let j = i;
    for (;;) {
      let k = j;
      while (isDigit(text.charCodeAt(k))) k++;
      pushGroup(j, k);
      const sep = text.charCodeAt(k);
      if ((sep === SPACE || sep === DASH) && isDigit(text.charCodeAt(k + 1))) {
        j = k + 1;
        continue;
      }
      j = k;
      break;
    }
    const first = i;
    i = nextDigit(text, j);
    if (skipAll) continue;
    const groups = groupCount;
    if (groups === 1 && j - first < MIN_CARD_DIGITS) continue;
    for (let a = startOk ? 0 : 1; a < groups;) {
      let best = -1;
      let digits = 0;
      for (let b = a; b < groups; b++) {
        if (b > a && groupEnds[b - 1]! - groupStarts[b - 1]! < 3) break;
        digits += groupEnds[b]! - groupStarts[b]!;
        if (digits > MAX_CARD_DIGITS) break;
        if (digits >= MIN_CARD_DIGITS && (b < groups - 1 || numberEndOk(text, groupEnds[b]!)) && luhnValidSpan(text, groupStarts[a]!, groupEnds[b]!)) best = b;
      }
      if (best >= 0) {
        out.push({ entity: "card", start: groupStarts[a]!, end: groupEnds[best]! });
        a = best + 1;
      } else {
        a++;
      }
    }
  }
}

const MIN_PHONE_DIGITS = 8;
const MAX_PHONE_DIGITS = 15; // E.164

/** The phone-shaped candidate last read by readPhone (its groups in groupStarts/groupEnds; groupSeps[g] follows group g). */
const phone = { end: 0, digits: 0, plus: false, paren: false };

/**
 * Reads digit groups from `start` ('+', '(' or a digit) joined by one space, dash or dot, or by
 * parentheses, into `phone` and the group arrays.
 */
function readPhone(text: string, start: number): void {
  groupCount = 0;
  phone.plus = text.charCodeAt(start) === PLUS;
  phone.paren = false;
  let digits = 0;
  let j = phone.plus ? start + 1 : start;
  for (;;) {
    const code = text.charCodeAt(j);
    if (code === OPEN_PAREN) {
      let k = j + 1;
      while (isDigit(text.charCodeAt(k))) k++;
      const length = k - j - 1;
      if (length === 0 || length > 5 || text.charCodeAt(k) !== CLOSE_PAREN) break;
      pushGroup(j + 1, k);
      digits += length;
      phone.paren = true;
      j = k + 1;
    } else if (isDigit(code)) {
      let k = j;
      while (isDigit(text.charCodeAt(k))) k++;
      pushGroup(j, k);
      digits += k - j;
      j = k;
    } else {
      break;
    }
    const sep = text.charCodeAt(j);
    const next = text.charCodeAt(j + 1);
    if ((sep === SPACE || sep === DASH || sep === DOT) && (isDigit(next) || (next === OPEN_PAREN && isDigit(text.charCodeAt(j + 2))))) {
      groupSeps[groupCount - 1] = sep;
      j++;
    } else if (isDigit(sep) || (sep === OPEN_PAREN && isDigit(next))) {
      groupSeps[groupCount - 1] = 0; // "(555)123" or "+1(555)"
    } else {
      break;
    }
  }
  phone.end = j;
  phone.digits = digits;
}

function groupLength(index: number): number {
  return groupEnds[index]! - groupStarts[index]!;
}

function looksLikeDate(): boolean {
  if (groupCount < 3 || groupSeps[0] !== groupSeps[1] || groupSeps[0] === SPACE) return false;
  const a = groupLength(0);
  const b = groupLength(1);
  const c = groupLength(2);
  return (a === 4 && b <= 2 && c <= 2) || (a <= 2 && b <= 2 && c === 4);
}

function looksLikeIpAddress(text: string): boolean {
  if (groupCount !== 4) return false;
  for (let g = 0; g < 4; g++) {
    if (groupLength(g) > 3) return false;
    let value = 0;
    for (let k = groupStarts[g]!; k < groupEnds[g]!; k++) value = value * 10 + text.charCodeAt(k) - 48;
    if (value > 255) return false;
  }
  return true;
}

/** Whether the candidate in `phone` is a phone number rather than a date, IP address, version, amount or range. */
function plausiblePhone(text: string, start: number): boolean {
  if (phone.digits < MIN_PHONE_DIGITS || phone.digits > MAX_PHONE_DIGITS) return false;
  if (phone.plus || phone.paren) return true;
  const groups = groupCount;
  // National formats need separators: a bare run of digits is an id, amount or timestamp as often.
  if (groups === 1) return false;
  if (looksLikeDate()) return false;
  let onlyDots = true;
  let onlySpacesOrDots = true;
  let singleDigitGroup = false;
  let restAllThree = true;
  for (let g = 0; g < groups; g++) {
    if (groupLength(g) === 1) singleDigitGroup = true;
    if (g > 0 && groupLength(g) !== 3) restAllThree = false;
  }
  for (let g = 0; g < groups - 1; g++) {
    const sep = groupSeps[g];
    if (sep !== DOT) onlyDots = false;
    if (sep !== DOT && sep !== SPACE) onlySpacesOrDots = false;
  }
  if (onlyDots && (singleDigitGroup || looksLikeIpAddress(text))) return false;
  const leadingZero = text.charCodeAt(start) === 48;
  // "12 345 678", "12.345.678": thousands separators.
  if (!leadingZero && groupLength(0) <= 3 && restAllThree && onlySpacesOrDots) return false;
  // "10000-20000" is a range, "1234 5678" anything; "030 12345678" is a national number.
  if (groups === 2 && (groupSeps[0] === DASH || !leadingZero)) return false;
  return true;
}

function scanPhones(text: string, out: PiiMatch[]): void {
  for (let digit = nextDigit(text, 0); digit >= 0;) {
    const before = text.charCodeAt(digit - 1);
    let start = before === PLUS || before === OPEN_PAREN ? digit - 1 : digit;
    readPhone(text, start);
    if (groupCount === 0) {
      // A "(" that opens no (123) group: read from the digit.
      start = digit;
      readPhone(text, start);
    }
    const at = start;
    digit = nextDigit(text, Math.max(phone.end, digit + 1));
    if (phone.digits < MIN_PHONE_DIGITS) continue;
    if (!numberStartOk(text, at) || !numberEndOk(text, phone.end)) continue;
    if (plausiblePhone(text, at)) out.push({ entity: "phone", start: at, end: phone.end });
  }
}

const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;

// Local part: letters, digits and . _ % + - ' (the pragmatic subset of RFC 5322).
function isLocalChar(code: number): boolean {
  return isAlnum(code) || code === DOT || code === 95 || code === 37 || code === PLUS || code === DASH || code === 39;
}

function isLabelChar(code: number): boolean {
  return isAlnum(code) || code === DASH;
}

/** End of the domain after the '@' at `at` (labels joined by dots, ending in a letters-only TLD); -1 if none. */
function emailDomainEnd(text: string, at: number): number {
  let pos = at + 1;
  let labels = 0;
  let lastLabelStart = pos;
  const limit = at + 1 + MAX_DOMAIN;
  for (;;) {
    const labelStart = pos;
    while (pos < limit && isLabelChar(text.charCodeAt(pos))) pos++;
    if (pos === labelStart || text.charCodeAt(labelStart) === DASH || text.charCodeAt(pos - 1) === DASH) break;
    labels++;
    lastLabelStart = labelStart;
    if (text.charCodeAt(pos) === DOT && isLabelChar(text.charCodeAt(pos + 1)) && pos + 1 < limit) {
      pos++;
      continue;
    }
    if (labels < 2 || pos - lastLabelStart < 2) return -1;
    for (let k = lastLabelStart; k < pos; k++) if (!isLetter(text.charCodeAt(k))) return -1;
    return isLabelChar(text.charCodeAt(pos)) ? -1 : pos;
  }
  return -1;
}

function scanEmails(text: string, out: PiiMatch[]): void {
  let floor = 0; // the end of the previous match: a local part never reaches back into it
  let at = text.indexOf("@");
  while (at !== -1) {
    let start = at;
    const limit = Math.max(floor, at - MAX_LOCAL_PART);
    // A longer local part is not a valid address; its last 64 characters are masked all the same.
    while (start > limit && isLocalChar(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === DOT) start++;
    let next = at + 1;
    if (start < at && text.charCodeAt(at - 1) !== DOT) {
      const end = emailDomainEnd(text, at);
      if (end > 0) {
        out.push({ entity: "email", start, end });
        floor = end;
        next = end;
      }
    }
    at = text.indexOf("@", next);
  }
}

// ---------------------------------------------------------------------------------------------
// Public helpers

/** Matches of `extra` that overlap none of `kept` (both in text order, each non-overlapping), merged in order. */
function mergeWithout(kept: PiiMatch[], extra: PiiMatch[]): PiiMatch[] {
  if (extra.length === 0) return kept;
  const merged: PiiMatch[] = [];
  let k = 0;
  for (const match of extra) {
    while (k < kept.length && kept[k]!.end <= match.start) merged.push(kept[k++]!);
    const next = kept[k];
    if (next && next.start < match.end) continue;
    merged.push(match);
  }
  while (k < kept.length) merged.push(kept[k++]!);
  return merged;
}

/**
 * The PII in a text, in text order, without overlaps. IBANs and card numbers are found first
 * (even when only phones are asked for), so a card or IBAN is never also counted as a phone.
 */
export function findPii(text: string, entities: readonly PiiEntity[]): PiiMatch[] {
  const email = entities.includes("email");
  const phone = entities.includes("phone");
  const card = entities.includes("card");
  const iban = entities.includes("iban");
  let matches: PiiMatch[] = [];
  const numbers = (phone || card || iban) && HAS_DIGIT.test(text);
  if (numbers) {
    scanIbans(text, matches);
    if (phone || card) {
      const cards: PiiMatch[] = [];
      scanCards(text, cards);
      matches = mergeWithout(matches, cards);
    }
  }
  if (email && text.includes("@")) {
    const emails: PiiMatch[] = [];
    scanEmails(text, emails);
    matches = mergeWithout(matches, emails);
  }
  if (numbers && phone) {
    const phones: PiiMatch[] = [];
    scanPhones(text, phones);
    matches = mergeWithout(matches, phones);
  }
  if (email && phone && card && iban) return matches;
  return matches.filter((match) => entities.includes(match.entity));
}

export function emptyPiiCounts(): Record<PiiEntity, number> {
  return { email: 0, phone: 0, card: 0, iban: 0 };
}

/** The text with each PII value replaced by its placeholder ([EMAIL], [PHONE], [CARD], [IBAN]). */
export function maskPii(text: string, entities: readonly PiiEntity[]): { text: string; counts: Record<PiiEntity, number> } {
  const counts = emptyPiiCounts();
  const matches = findPii(text, entities);
  if (matches.length === 0) return { text, counts };
  let masked = "";
  let from = 0;
  for (const match of matches) {
    counts[match.entity]++;
    masked += text.slice(from, match.start) + PII_PLACEHOLDERS[match.entity];
    from = match.end;
  }
  return { text: masked + text.slice(from), counts };
}

const ENTITY_NOUNS: Record<PiiEntity, [string, string]> = {
  email: ["email", "emails"],
  phone: ["phone number", "phone numbers"],
  card: ["card number", "card numbers"],
  iban: ["IBAN", "IBANs"],
};

/** "2 emails, 1 card number": counts only, never the values. */
export function describePiiCounts(counts: Record<PiiEntity, number>): string {
  return PII_ENTITIES.filter((entity) => counts[entity] > 0)
    .map((entity) => `${counts[entity]} ${ENTITY_NOUNS[entity][counts[entity] === 1 ? 0 : 1]}`)
    .join(", ");
}
