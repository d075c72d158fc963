// Keeps user-written regular expressions (deny patterns, JSON Schema `pattern`s) from stalling the
// gateway. JavaScript regexes backtrack: a nested quantifier like (a+)+ takes exponential time on
// a near-miss, and even `.*secret` or `\w+@` is quadratic on a long line (V8 retries from every
// position; 20 KB of "x" takes ~0.4 s). So:
// - at save time, `regexProblem` refuses patterns that do not compile, match the empty text, or
//   have the star-height > 1 shapes that backtrack exponentially ((a+)+, (a+){3}, (a{1,3})+,
//   (a?){20}, (a|a)+, (\w|\d)*);
// - at run time, `searchableSource` drops leading unbounded repetitions, which for a yes/no
//   search change nothing (`.*secret` matches where `secret` does, `\w+@` where `\w@` does) but
//   remove the common quadratic cases.
// Cheap structural checks, not a proof: a pattern like `\d\d+x` is still quadratic on a long run
// of digits. No node-only imports: the config schemas (client-importable) use this.

type Frame = {
  /** Some quantifier inside has no upper bound. */
  unbounded: boolean;
  /** Some quantifier inside has min < max. */
  variable: boolean;
  /** Source offset where the current alternative starts. */
  branchStart: number;
  branches: string[];
  /** Single-character atoms inside that repeat a variable number of times ("[a-z]" of "[a-z]+"). */
  repeated: string[];
  /** Something else inside repeats a variable number of times (a group, a backreference). */
  repeatedComplex: boolean;
};

function newFrame(branchStart: number): Frame {
  return { unbounded: false, variable: false, branchStart, branches: [], repeated: [], repeatedComplex: false };
}

type Quantifier = { min: number; max: number };

const QUANTIFIER_BRACES = /^\{(\d+)(,(\d*))?\}/;

function readQuantifier(source: string, i: number): { quantifier: Quantifier; length: number } | null {
  const ch = source[i];
  let quantifier: Quantifier;
  let length = 1;
  if (ch === "*") quantifier = { min: 0, max: Infinity };
  else if (ch === "+") quantifier = { min: 1, max: Infinity };
  else if (ch === "?") quantifier = { min: 0, max: 1 };
  else if (ch === "{") {
    const braces = QUANTIFIER_BRACES.exec(source.slice(i, i + 24));
    if (!braces) return null; // a literal "{" outside unicode mode
    const min = Number(braces[1]);
    quantifier = { min, max: braces[2] === undefined ? min : braces[3] === "" ? Infinity : Number(braces[3]) };
    length = braces[0].length;
  } else return null;
  if (source[i + length] === "?") length++; // lazy
  return { quantifier, length };
}

/** Length of the escape at i ("\d", "\x41", "\u0041", "\cA", "\k<name>", "\12"). */
function escapeLength(source: string, i: number): number {
  const next = source[i + 1];
  if (next === "x" && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 2, i + 4))) return 4;
  if (next === "u" && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) return 6;
  if (next === "u" && source[i + 2] === "{") {
    const close = source.indexOf("}", i + 3);
    if (close > 0) return close - i + 1;
  }
  if (next === "c" && /^[A-Za-z]$/.test(source[i + 2] ?? "")) return 3;
  if (next === "p" || next === "P") {
    if (source[i + 2] === "{") {
      const close = source.indexOf("}", i + 3);
      if (close > 0) return close - i + 1;
    }
  }
  if (next === "k" && source[i + 2] === "<") {
    const close = source.indexOf(">", i + 3);
    if (close > 0) return close - i + 1;
  }
  if (next !== undefined && /[1-9]/.test(next)) {
    let end = i + 2;
    while (end < source.length && /[0-9]/.test(source[end]!)) end++;
    return end - i;
  }
  return 2;
}

/** Length of the character class starting at i ("[...]"), escapes inside included. */
function classLength(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === "^") j++;
  while (j < source.length) {
    if (source[j] === "\\") j += 2;
    else if (source[j] === "]") return j - i + 1;
    else j++;
  }
  return source.length - i;
}

/** Length of a group's opening: "(", "(?:", "(?=", "(?!", "(?<=", "(?<!", "(?<name>". */
function groupOpenLength(source: string, i: number): number {
  if (source[i + 1] !== "?") return 1;
  const third = source[i + 2];
  if (third === ":" || third === "=" || third === "!") return 3;
  if (third === "<") {
    if (source[i + 3] === "=" || source[i + 3] === "!") return 4;
    const close = source.indexOf(">", i + 3);
    if (close > 0) return close - i + 1;
  }
  return 2;
}

// One character, one escape (not a numeric or \x/\u/\c one) or one class: a branch matching a single character.
const SINGLE_CHARACTER = /^(?:\\[^xuck0-9pP]|\[(?:\\.|[^\]\\])*\]|[^\\[\]()|*+?{}^$])$/;
const SAMPLE_CHARACTERS = [...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)), "é", "ß", "€", "\u00a0", "\u2028", "中", "Ж"];

/** Whether two alternatives of a repeated group can match the same text (identical, or one-character sets that intersect). */
function branchesOverlap(branches: string[], flags: string): boolean {
  if (new Set(branches).size < branches.length) return true;
  const singles = branches.filter((branch) => SINGLE_CHARACTER.test(branch));
  if (singles.length < 2) return false;
  const matchers: RegExp[] = [];
  for (const branch of singles) {
    try {
      matchers.push(new RegExp(`^(?:${branch})$`, flags));
    } catch {
      return false;
    }
  }
  return SAMPLE_CHARACTERS.some((sample) => matchers.filter((matcher) => matcher.test(sample)).length > 1);
}

function matcherFor(atom: string, flags: string): RegExp | null {
  try {
    return new RegExp(`^(?:${atom})$`, flags);
  } catch {
    return null;
  }
}

/** Top-level atoms of a group body, with whether each carries a quantifier; null if the body has alternatives or assertions. */
function topLevelAtoms(body: string): { atom: string; quantified: boolean }[] | null {
  const atoms: { atom: string; quantified: boolean }[] = [];
  let i = 0;
  while (i < body.length) {
    const length = atomLength(body, i);
    if (length === 0) return null;
    const atom = body.slice(i, i + length);
    i += length;
    const read = readQuantifier(body, i);
    if (read) i += read.length;
    atoms.push({ atom, quantified: read !== null });
  }
  return atoms;
}

/**
 * Whether each repetition of a group starts or ends with a fixed character that none of its inner
 * repeated atoms can match (like "-" in (?:-[a-z]+)* or "." in (\d{1,3}\.)+): then the repetitions
 * split a text one way only and cannot backtrack exponentially.
 */
function delimitedRepetition(group: Frame, flags: string): boolean {
  if (group.repeatedComplex || group.branches.length !== 1) return false;
  const atoms = topLevelAtoms(group.branches[0]!);
  if (!atoms || atoms.length < 2) return false;
  const repeated: RegExp[] = [];
  for (const atom of group.repeated) {
    const matcher = matcherFor(atom, flags);
    if (!matcher) return false;
    repeated.push(matcher);
  }
  for (const edge of [atoms[0]!, atoms[atoms.length - 1]!]) {
    if (edge.quantified || !SINGLE_CHARACTER.test(edge.atom)) continue;
    const delimiter = matcherFor(edge.atom, flags);
    if (!delimiter) continue;
    const clashes = SAMPLE_CHARACTERS.some((sample) => delimiter.test(sample) && repeated.some((matcher) => matcher.test(sample)));
    if (!clashes) return true;
  }
  return false;
}

/** A group with a variable-length inside may be repeated this often (the ways to split a text grow like count^repeats). */
const MAX_SMALL_REPEAT = 4;

const NESTED_QUANTIFIER =
  "repeats a group that itself contains a repetition (like (a+)+ or (\\w{1,3})*), which can take exponential time on some texts; rewrite it without the nested repetition";
const OVERLAPPING_ALTERNATIVES =
  "repeats a group whose alternatives can match the same text (like (a|a)+ or (\\w|\\d)*), which can take exponential time on some texts; use a character class instead";

/** Why a compiled pattern's structure can backtrack exponentially, or null. */
export function backtrackingProblem(source: string, flags = ""): string | null {
  const stack: Frame[] = [newFrame(0)];
  // What a quantifier right here would repeat: a closed group, a simple atom (its source), or nothing.
  let last: Frame | { atom: string } | null = null;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const top = stack[stack.length - 1]!;
    if (ch === "\\" || ch === "[") {
      const length = ch === "[" ? classLength(source, i) : escapeLength(source, i);
      last = { atom: source.slice(i, i + length) };
      i += length;
    } else if (ch === "(") {
      const open = groupOpenLength(source, i);
      stack.push(newFrame(i + open));
      last = null;
      i += open;
    } else if (ch === ")" && stack.length > 1) {
      stack.pop();
      top.branches.push(source.slice(top.branchStart, i));
      const parent = stack[stack.length - 1]!;
      parent.unbounded ||= top.unbounded;
      parent.variable ||= top.variable;
      parent.repeated.push(...top.repeated);
      parent.repeatedComplex ||= top.repeatedComplex;
      last = top;
      i++;
    } else if (ch === "|") {
      top.branches.push(source.slice(top.branchStart, i));
      top.branchStart = i + 1;
      last = null;
      i++;
    } else {
      const read = readQuantifier(source, i);
      if (!read) {
        last = ch === "^" || ch === "$" ? null : { atom: ch };
        i++;
        continue;
      }
      const { quantifier } = read;
      const unbounded = quantifier.max === Infinity;
      const variable = quantifier.min !== quantifier.max;
      if (last !== null && "branches" in last) {
        if (quantifier.max > 1) {
          // (a+){2}, (a+)+ and (a{1,3})+ are exponential; (\d{1,3}\.){3} is a small constant.
          const nested = last.unbounded || (last.variable && quantifier.max > MAX_SMALL_REPEAT);
          if (nested && !delimitedRepetition(last, flags)) return NESTED_QUANTIFIER;
          if (unbounded && last.branches.length > 1 && branchesOverlap(last.branches, flags)) return OVERLAPPING_ALTERNATIVES;
        }
        if (variable) top.repeatedComplex = true;
      } else if (last !== null && variable) {
        if (SINGLE_CHARACTER.test(last.atom)) top.repeated.push(last.atom);
        else top.repeatedComplex = true;
      }
      top.unbounded ||= unbounded;
      top.variable ||= variable;
      last = null;
      i += read.length;
    }
  }
  return null;
}

/** "Invalid regular expression: /(/: Unterminated group" -> "Unterminated group". */
function regexErrorReason(error: unknown): string {
  return (error as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "");
}

/** Why a deny pattern cannot be saved (does not compile, matches everything, can backtrack exponentially), or null. */
export function regexProblem(source: string, flags = ""): string | null {
  let compiled: RegExp;
  try {
    compiled = new RegExp(source, flags);
  } catch (error) {
    return `is not a valid regular expression: ${regexErrorReason(error)}`;
  }
  if (compiled.test("")) return "matches the empty text, so it would match every message";
  return backtrackingProblem(source, flags);
}

// ---------------------------------------------------------------------------------------------
// Run-time rewrite

/** Length of the atom starting at i (escape, class, group, or one character); 0 if none can start here. */
function atomLength(source: string, i: number): number {
  const ch = source[i];
  if (ch === undefined || ch === ")" || ch === "|" || ch === "*" || ch === "+" || ch === "?" || ch === "^" || ch === "$") return 0;
  if (ch === "\\") return escapeLength(source, i);
  if (ch === "[") return classLength(source, i);
  if (ch === "(") {
    if (source.startsWith("(?=", i) || source.startsWith("(?!", i) || source.startsWith("(?<=", i) || source.startsWith("(?<!", i)) return 0;
    let depth = 0;
    let j = i;
    while (j < source.length) {
      const c = source[j];
      if (c === "\\") j += 2;
      else if (c === "[") j += classLength(source, j);
      else {
        if (c === "(") depth++;
        else if (c === ")" && --depth === 0) return j - i + 1;
        j++;
      }
    }
    return 0;
  }
  if (ch === "{" && readQuantifier(source, i)) return 0;
  return 1;
}

/** Offsets of the top-level "|" of a pattern. */
function topLevelBars(source: string): number[] {
  const bars: number[] = [];
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") i += 2;
    else if (c === "[") i += classLength(source, i);
    else {
      if (c === "(") depth++;
      else if (c === ")") depth--;
      else if (c === "|" && depth === 0) bars.push(i);
      i++;
    }
  }
  return bars;
}

/** `X*rest` -> `rest`, `X+rest` -> `Xrest`, `X{n,}rest` -> `X{n}rest`, repeatedly, for one alternative. */
function dropLeadingRepetition(alternative: string): string {
  let current = alternative;
  for (;;) {
    const atom = atomLength(current, 0);
    if (atom === 0) return current;
    const read = readQuantifier(current, atom);
    if (!read || read.quantifier.max !== Infinity) return current;
    const rest = current.slice(atom + read.length);
    if (read.quantifier.min === 0) {
      if (rest === "") return current;
      current = rest;
      continue;
    }
    const once = read.quantifier.min === 1 ? "" : `{${read.quantifier.min}}`;
    return current.slice(0, atom) + once + rest;
  }
}

const BACKREFERENCE = /\\[1-9]|\\k</;

/**
 * A pattern that matches some text exactly when `source` does, with leading unbounded repetitions
 * of each top-level alternative dropped (a match of `X+rest` contains a match of `Xrest`). Only for
 * yes/no tests: match positions and captures differ. Patterns with backreferences are left alone.
 */
export function searchableSource(source: string, flags = ""): string {
  if (BACKREFERENCE.test(source)) return source;
  const bars = topLevelBars(source);
  const alternatives: string[] = [];
  let from = 0;
  for (const bar of [...bars, source.length]) {
    alternatives.push(source.slice(from, bar));
    from = bar + 1;
  }
  const rewritten = alternatives.map(dropLeadingRepetition).join("|");
  if (rewritten === source) return source;
  try {
    new RegExp(rewritten, flags);
    return rewritten;
  } catch {
    return source;
  }
}
