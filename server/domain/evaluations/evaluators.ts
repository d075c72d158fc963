import "server-only";
// The evaluator library: save-time checks of an evaluator's configuration and the scoring of one
// output. Pure functions, no database; the LLM judge's model call is injected by the worker.
// A bad output never throws (it scores 0 with an explanation); only programming errors throw.
// Compiled regexes and JSON Schema validators are cached by configuration, since a run scores
// thousands of outputs with the same few evaluators. Regexes (and JSON Schema patterns) run on
// the linear-time engine of server/contracts/patterns.ts; a saved pattern it refuses (saved
// before it was the engine) scores each item 0 with the reason, it never stops a run.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { distance } from "fastest-levenshtein";
import { canonicalJson, type JsonValue } from "../../audit/canonical";
import type { EvaluatorConfig, EvaluatorConfigOf } from "../../contracts/evaluators";
import { createAjv } from "../../contracts/json-schema";
import { compilePattern, schemaPatternProblem, type Pattern } from "../../contracts/patterns";
import { AppError } from "../../errors";

export type EvaluationSample = {
  input: Record<string, unknown>;
  /** Text, any JSON value, or null (undefined) when the item has none. */
  expected: unknown;
  output: string;
  latencyMs: number;
  /** Null when the call's cost is unknown (no price for the model). */
  costUsd: number | null;
};

/** `score` is in [0, 1]; see each evaluator for what it measures. */
export type EvaluationScore = { score: number; passed: boolean; explanation: string };

export type JudgeArgs = { input: Record<string, unknown>; output: string; expected: unknown };
/** Renders the judge prompt with {{input}}, {{output}}, {{expected}}, calls the model, returns its reply. */
export type Judge = (args: JudgeArgs) => Promise<{ text: string }>;
export type EvaluationDeps = { judge?: Judge };

const MAX_EXPLANATION = 1_000;
const NO_EXPECTED: EvaluationScore = { score: 0, passed: false, explanation: "This item has no expected output" };

// ---------------------------------------------------------------------------------------------
// Compiled regexes and JSON Schemas

// addUsedSchema: false, so two evaluators whose schemas share an $id do not collide in ajv.
const ajv = createAjv(Ajv, { allErrors: false, strict: false, validateSchema: true, addUsedSchema: false });

const CACHE_LIMIT = 500;
const regexes = new Map<string, Pattern>();
const validators = new Map<string, ValidateFunction>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** "config" or "config." + "pattern" -> "config.pattern". */
function withPrefix(prefix: string, field: string): string {
  const base = prefix.replace(/\.+$/, "");
  return base ? `${base}.${field}` : field;
}

function compileRegex(pattern: string, flags: string, fieldPrefix = ""): Pattern {
  const key = `${flags}/${pattern}`;
  const hit = regexes.get(key);
  if (hit) return hit;
  const compiled = compilePattern(pattern, flags);
  if (!compiled.ok) throw new AppError("BAD_REQUEST", `pattern ${compiled.problem}`, { field: withPrefix(fieldPrefix, "pattern") });
  return remember(regexes, key, compiled.pattern);
}

function compileJsonSchema(schema: Record<string, unknown>, fieldPrefix = ""): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = validators.get(key);
  if (hit) return hit;
  const patternProblem = schemaPatternProblem(schema);
  if (patternProblem) throw new AppError("BAD_REQUEST", `schema ${patternProblem}`, { field: withPrefix(fieldPrefix, "schema") });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new AppError("BAD_REQUEST", `schema is not a valid JSON Schema: ${(error as Error).message}`, { field: withPrefix(fieldPrefix, "schema") });
  } finally {
    // ajv keeps every compiled schema object; the cache above is the only one we want.
    ajv.removeSchema(schema);
  }
  return remember(validators, key, validate);
}

/**
 * The save-time checks zod cannot do: the regex compiles, the JSON Schema compiles. Throws
 * BAD_REQUEST naming the field; `fieldPrefix` (e.g. "config" or "config.") is put in front of it.
 */
export function checkEvaluatorConfig(config: EvaluatorConfig, fieldPrefix = ""): void {
  if (config.kind === "regex") compileRegex(config.pattern, config.flags, fieldPrefix);
  if (config.kind === "json_schema") compileJsonSchema(config.schema, fieldPrefix);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  // Never leave half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A short quoted form of a text for explanations. */
function quote(text: string, max = 60): string {
  return JSON.stringify(truncate(text, max));
}

function result(score: number, passed: boolean, explanation: string): EvaluationScore {
  return { score, passed, explanation: truncate(explanation, MAX_EXPLANATION) };
}

const pass = (explanation: string) => result(1, true, explanation);
const fail = (explanation: string) => result(0, false, explanation);

function hasExpected(expected: unknown): boolean {
  return expected !== null && expected !== undefined;
}

/** The expected output as text: text as is, other JSON as JSON. */
function expectedText(expected: unknown): string {
  return typeof expected === "string" ? expected : JSON.stringify(expected);
}

/** Unicode-normalised (NFC, so "é" typed two ways compares equal), optionally lower-cased. */
function normalise(text: string, caseSensitive: boolean): string {
  const nfc = text.normalize("NFC");
  return caseSensitive ? nfc : nfc.toLowerCase();
}

/** Index in code points (what a person counts as characters, emoji included) of a code-unit index. */
function codePointIndex(text: string, unitIndex: number): number {
  let count = 0;
  for (let i = 0; i < unitIndex; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < unitIndex) i++;
    count++;
  }
  return count;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) || Math.abs(value) >= 1e21 ? String(value) : String(Number(value.toPrecision(10)));
}

// ---------------------------------------------------------------------------------------------
// JSON in outputs

type ParsedJson = { ok: true; value: JsonValue; fenced: boolean } | { ok: false; error: string };

const WHOLE_FENCE = /^```[ \t]*(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?[ \t]*```$/i;
const ANY_FENCE = /```[ \t]*(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?[ \t]*```/i;

function tryParse(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * The output as JSON: the whole output, or the content of a ```json (or bare ```) fenced block
 * that is the whole output. Prose around the JSON is not JSON.
 */
export function parseOutputJson(output: string): ParsedJson {
  const trimmed = output.trim();
  if (!trimmed) return { ok: false, error: "the output is empty" };
  const fence = WHOLE_FENCE.exec(trimmed);
  if (fence) {
    const inner = tryParse(fence[1]!);
    return inner.ok ? { ...inner, fenced: true } : { ok: false, error: `${inner.error} (inside the fenced block)` };
  }
  const whole = tryParse(trimmed);
  return whole.ok ? { ...whole, fenced: false } : whole;
}

const FENCE_NOTE = " (inside a ```json fenced block)";

function jsonKind(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The first place two JSON values differ, as a sentence; null when they are equal. */
function jsonDifference(expected: JsonValue, actual: JsonValue, path = "$"): string | null {
  if (expected === actual) return null;
  const bothArrays = Array.isArray(expected) && Array.isArray(actual);
  const bothObjects =
    typeof expected === "object" && expected !== null && !Array.isArray(expected) && typeof actual === "object" && actual !== null && !Array.isArray(actual);
  if (bothArrays) {
    const [e, a] = [expected as JsonValue[], actual as JsonValue[]];
    for (let i = 0; i < Math.min(e.length, a.length); i++) {
      const difference = jsonDifference(e[i]!, a[i]!, childPath(path, i));
      if (difference) return difference;
    }
    return e.length === a.length ? null : `${path} has ${a.length} items, expected ${e.length}`;
  }
  if (bothObjects) {
    const [e, a] = [expected as Record<string, JsonValue>, actual as Record<string, JsonValue>];
    for (const key of Object.keys(e)) {
      if (!Object.hasOwn(a, key)) return `${childPath(path, key)} is missing`;
      const difference = jsonDifference(e[key]!, a[key]!, childPath(path, key));
      if (difference) return difference;
    }
    const extra = Object.keys(a).find((key) => !Object.hasOwn(e, key));
    return extra === undefined ? null : `${childPath(path, extra)} is not expected`;
  }
  return `${path} is ${truncate(JSON.stringify(actual), 60)}, expected ${truncate(JSON.stringify(expected), 60)}`;
}

// ---------------------------------------------------------------------------------------------
// Evaluators

function textDifference(expected: string, actual: string): string {
  const shorter = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < shorter && expected.charCodeAt(i) === actual.charCodeAt(i)) i++;
  // Step back onto the start of a surrogate pair, so the characters shown are whole.
  if (i > 0 && i < shorter && /[\uD800-\uDBFF]/.test(expected[i - 1]!)) i--;
  const at = codePointIndex(actual, i) + 1;
  if (i === actual.length) return `Output ends early: the expected output goes on with ${quote(expected.slice(i), 30)} at character ${at}`;
  if (i === expected.length) return `Output has extra text from character ${at}: ${quote(actual.slice(i), 30)}`;
  const expectedChar = String.fromCodePoint(expected.codePointAt(i)!);
  const actualChar = String.fromCodePoint(actual.codePointAt(i)!);
  return `Output differs from expected at character ${at}: expected ${JSON.stringify(expectedChar)}, got ${JSON.stringify(actualChar)}`;
}

function evaluateExactMatch(config: EvaluatorConfigOf<"exact_match">, sample: EvaluationSample): EvaluationScore {
  const { expected, output } = sample;
  if (!hasExpected(expected)) return NO_EXPECTED;
  if (typeof expected !== "string") {
    // JSON expected: compare by value (key order and whitespace do not matter).
    const parsed = parseOutputJson(output);
    if (!parsed.ok) return fail(`Output is not valid JSON (the expected output is JSON): ${truncate(parsed.error, 200)}`);
    const difference = jsonDifference(expected as JsonValue, parsed.value);
    return difference
      ? fail(`Output differs from the expected JSON: ${difference}`)
      : pass(`Output equals the expected JSON${parsed.fenced ? FENCE_NOTE : ""}`);
  }
  const prepare = (text: string) => normalise(config.trim ? text.trim() : text, config.caseSensitive);
  const [want, got] = [prepare(expected), prepare(output)];
  if (want === got) return pass("Output equals the expected output");
  // Expected JSON stored as text (e.g. imported from CSV): equal JSON counts as equal.
  if (/^\s*[[{]/.test(expected)) {
    const wantJson = tryParse(expected);
    const gotJson = parseOutputJson(output);
    if (wantJson.ok && gotJson.ok && canonicalJson(wantJson.value) === canonicalJson(gotJson.value)) {
      return pass(`Output equals the expected output as JSON${gotJson.fenced ? FENCE_NOTE : ""}`);
    }
  }
  if (!got) return fail("Output is empty");
  return fail(textDifference(want, got));
}

function evaluateContains(config: EvaluatorConfigOf<"contains" | "not_contains">, sample: EvaluationSample): EvaluationScore {
  let needle = config.value;
  if (needle === undefined) {
    if (!hasExpected(sample.expected)) return NO_EXPECTED;
    needle = expectedText(sample.expected);
    if (!needle) return fail("This item's expected output is empty: there is nothing to look for");
  }
  const haystack = normalise(sample.output, config.caseSensitive);
  const at = haystack.indexOf(normalise(needle, config.caseSensitive));
  const found = at >= 0;
  const shown = quote(needle);
  const explanation = found ? `Output contains ${shown} at character ${codePointIndex(haystack, at) + 1}` : `Output does not contain ${shown}`;
  return config.kind === "contains" ? result(found ? 1 : 0, found, explanation) : result(found ? 0 : 1, !found, explanation);
}

/** A configuration saved before today's checks that no longer compiles: the item scores 0 and says why. */
function cannotRun(error: unknown): EvaluationScore {
  if (error instanceof AppError && error.code === "BAD_REQUEST") return fail(`The evaluator cannot run: its ${error.message}; save a new version of it`);
  throw error;
}

function evaluateRegex(config: EvaluatorConfigOf<"regex">, sample: EvaluationSample): EvaluationScore {
  let regex: Pattern;
  try {
    regex = compileRegex(config.pattern, config.flags);
  } catch (error) {
    return cannotRun(error);
  }
  const match = regex.exec(sample.output);
  const shown = `/${truncate(config.pattern, 100)}/${config.flags}`;
  if (!match) return fail(`No match for ${shown}`);
  return pass(`Matched ${quote(match.text)} at character ${codePointIndex(sample.output, match.index) + 1}`);
}

function evaluateValidJson(sample: EvaluationSample): EvaluationScore {
  const parsed = parseOutputJson(sample.output);
  if (!parsed.ok) return fail(`Output is not valid JSON: ${truncate(parsed.error, 200)}`);
  return pass(`Output is valid JSON (${jsonKind(parsed.value)})${parsed.fenced ? FENCE_NOTE : ""}`);
}

function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<string>((path, part) => childPath(path, /^\d+$/.test(part) ? Number(part) : part), "$");
}

/** 'Missing required property "category"', '$.age must be integer', ... from ajv's first error. */
export function describeJsonSchemaError(error: ErrorObject | undefined): string {
  if (!error) return "Output does not match the schema";
  const path = pointerToPath(error.instancePath);
  const where = path === "$" ? "" : ` at ${path}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required") return `Missing required property ${JSON.stringify(params.missingProperty)}${where}`;
  if (error.keyword === "additionalProperties") return `Unexpected property ${JSON.stringify(params.additionalProperty)}${where}`;
  const subject = path === "$" ? "Output" : path;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    return `${subject} must be one of ${truncate(params.allowedValues.map((v) => JSON.stringify(v)).join(", "), 200)}`;
  }
  return `${subject} ${error.message ?? "is not valid"}`;
}

function evaluateJsonSchema(config: EvaluatorConfigOf<"json_schema">, sample: EvaluationSample): EvaluationScore {
  let validate: ValidateFunction;
  try {
    validate = compileJsonSchema(config.schema);
  } catch (error) {
    return cannotRun(error);
  }
  const parsed = parseOutputJson(sample.output);
  if (!parsed.ok) return fail(`Output is not valid JSON: ${truncate(parsed.error, 200)}`);
  if (validate(parsed.value)) return pass(`Output matches the schema${parsed.fenced ? FENCE_NOTE : ""}`);
  return fail(describeJsonSchemaError(validate.errors?.[0]));
}

/**
 * 1 - distance / max(length), over Unicode code points (an emoji is one character), in [0, 1].
 * Two empty texts are identical (1).
 */
export function levenshteinSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  let [x, y] = [a, b];
  // fastest-levenshtein counts UTF-16 code units; map astral characters onto single units first.
  if (/[\uD800-\uDFFF]/.test(a) || /[\uD800-\uDFFF]/.test(b)) {
    const units = new Map<string, string>();
    const remap = (text: string) => {
      let out = "";
      for (const char of text) {
        let unit = units.get(char);
        if (unit === undefined) {
          // Private-use and other BMP units outside the surrogate range, one per distinct character.
          const n = units.size;
          unit = String.fromCharCode(n < 0xd800 ? n : n + 0x800);
          units.set(char, unit);
        }
        out += unit;
      }
      return out;
    };
    [x, y] = [remap(a), remap(b)];
  }
  const longest = Math.max(x.length, y.length);
  if (longest === 0) return 1;
  return 1 - distance(x, y) / longest;
}

/** Enough digits that a failing value never prints the same as its threshold. */
function formatRatio(value: number, threshold: number): string {
  for (const digits of [2, 4, 6]) {
    const shown = value.toFixed(digits);
    if (value === threshold || shown !== threshold.toFixed(digits)) return shown;
  }
  return String(value);
}

function evaluateLevenshtein(config: EvaluatorConfigOf<"levenshtein">, sample: EvaluationSample): EvaluationScore {
  if (!hasExpected(sample.expected)) return NO_EXPECTED;
  const prepare = (text: string) => normalise(text.trim(), config.caseSensitive);
  const similarity = levenshteinSimilarity(prepare(expectedText(sample.expected)), prepare(sample.output));
  const passed = similarity >= config.threshold;
  const [shown, limit] = [formatRatio(similarity, config.threshold), formatRatio(config.threshold, similarity)];
  return result(similarity, passed, passed ? `Similarity ${shown} ≥ ${limit}` : `Similarity ${shown} < ${limit}`);
}

// A sign counts only when it does not follow a letter or digit ("item-5" is 5, "x = -5" is -5).
// Thousands separators must group by three ("1,234.5"); "1,23" reads as 1.
const NUMBER = /(?:(?<![\p{L}\p{N}_])[-+\u2212])?(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?/u;

/** The first number in a text ("1,234.5", "-3e2", "$.5"), or null when there is none. */
export function parseFirstNumber(text: string): number | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  const value = Number(match[0].replaceAll(",", "").replace("\u2212", "-"));
  return Number.isFinite(value) ? value : null;
}

function evaluateNumeric(config: EvaluatorConfigOf<"numeric">, sample: EvaluationSample): EvaluationScore {
  const { expected } = sample;
  if (!hasExpected(expected)) return NO_EXPECTED;
  const want = typeof expected === "number" ? expected : parseFirstNumber(expectedText(expected));
  if (want === null || !Number.isFinite(want)) return fail("The expected output has no number");
  const got = parseFirstNumber(sample.output);
  if (got === null) return fail("Output has no number");
  const difference = Math.abs(got - want);
  const allowed = config.relative ? config.tolerance * Math.abs(want) : config.tolerance;
  const passed = difference <= allowed;
  const values = `Got ${formatNumber(got)}, expected ${formatNumber(want)}`;
  if (passed) return pass(difference === 0 ? values : `${values} (difference ${formatNumber(difference)} within the tolerance)`);
  const over = !config.relative
    ? `difference ${formatNumber(difference)} > ${formatNumber(config.tolerance)}`
    : want === 0
      ? "a relative tolerance allows no difference from 0"
      : `difference ${formatNumber((difference / Math.abs(want)) * 100)}% > ${formatNumber(config.tolerance * 100)}%`;
  // Closeness of a failing number, below 1 so a pass always scores higher.
  const closeness = Math.min(0.9999, Math.max(0, 1 - difference / Math.max(Math.abs(got), Math.abs(want))));
  return result(closeness, false, `${values} (${over})`);
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
const words = new Intl.Segmenter("en", { granularity: "word" });

/** Characters as a person sees them (grapheme clusters: "👍🏽" is one), or words (punctuation is not a word). */
export function measureLength(text: string, unit: "chars" | "words"): number {
  let count = 0;
  if (unit === "chars") {
    // ASCII text without CRLF (one cluster of two units): one character per unit, no segmenting.
    if (/^\p{ASCII}*$/u.test(text) && !text.includes("\r\n")) return text.length;
    for (const _ of graphemes.segment(text)) count++;
    return count;
  }
  for (const segment of words.segment(text)) if (segment.isWordLike) count++;
  return count;
}

function evaluateLength(config: EvaluatorConfigOf<"length">, sample: EvaluationSample): EvaluationScore {
  const length = measureLength(sample.output, config.unit);
  const noun = (n: number) => (config.unit === "chars" ? (n === 1 ? "character" : "characters") : n === 1 ? "word" : "words");
  const measured = `${length} ${noun(length)}`;
  if (config.min !== undefined && length < config.min) return fail(`${measured}, fewer than the minimum ${config.min}`);
  if (config.max !== undefined && length > config.max) return fail(`${measured}, more than the maximum ${config.max}`);
  const bounds =
    config.min !== undefined && config.max !== undefined
      ? `between ${config.min} and ${config.max}`
      : config.min !== undefined
        ? `at least ${config.min}`
        : `at most ${config.max}`;
  return pass(`${measured}, ${bounds}`);
}

function evaluateLatency(config: EvaluatorConfigOf<"latency">, sample: EvaluationSample): EvaluationScore {
  const ms = sample.latencyMs;
  if (!Number.isFinite(ms) || ms < 0) return fail("The call's latency was not measured");
  const shown = `${Math.round(ms)} ms`;
  return ms <= config.maxMs ? pass(`Took ${shown}, within ${config.maxMs} ms`) : fail(`Took ${shown}, more than ${config.maxMs} ms`);
}

function formatUsd(value: number): string {
  if (value === 0) return "$0";
  return Math.abs(value) < 0.0001 ? `$${value.toExponential(2)}` : `$${Number(value.toFixed(6))}`;
}

function evaluateCost(config: EvaluatorConfigOf<"cost">, sample: EvaluationSample): EvaluationScore {
  const cost = sample.costUsd;
  if (cost === null || !Number.isFinite(cost)) return fail("The call's cost is unknown (no price for the model)");
  return cost <= config.maxUsd
    ? pass(`Cost ${formatUsd(cost)}, within ${formatUsd(config.maxUsd)}`)
    : fail(`Cost ${formatUsd(cost)}, more than ${formatUsd(config.maxUsd)}`);
}

// ---------------------------------------------------------------------------------------------
// LLM judge

/** A JSON object in a judge's reply: the whole reply, a fenced block anywhere, or the outermost {...}. */
function findJudgeJson(reply: string): unknown {
  const trimmed = reply.trim();
  const candidates = [trimmed];
  const fence = ANY_FENCE.exec(trimmed);
  if (fence) candidates.push(fence[1]!);
  const [open, close] = [trimmed.indexOf("{"), trimmed.lastIndexOf("}")];
  if (open >= 0 && close > open) candidates.push(trimmed.slice(open, close + 1));
  for (const candidate of candidates) {
    const parsed = tryParse(candidate);
    if (parsed.ok && typeof parsed.value === "object" && parsed.value !== null && !Array.isArray(parsed.value)) return parsed.value;
  }
  return null;
}

/**
 * Scores a judge's reply `{"score": number, "reasoning": string}` on the configured scale: passes
 * at score ≥ passAt; the score is normalised to (score - min) / (max - min). A reply that is not
 * such JSON, or whose score is outside the scale, fails with score 0.
 */
export function parseJudgeReply(reply: string, config: Pick<EvaluatorConfigOf<"llm_judge">, "scale" | "passAt">): EvaluationScore {
  const { min, max } = config.scale;
  const json = findJudgeJson(reply) as { score?: unknown; reasoning?: unknown } | null;
  const raw = json?.score;
  const score = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!json || !Number.isFinite(score)) {
    return fail(`The judge's reply is not JSON with a numeric "score": ${JSON.stringify(truncate(reply.trim(), 200))}`);
  }
  if (score < min || score > max) return fail(`The judge's score ${formatNumber(score)} is outside the scale ${min} to ${max}`);
  const reasoning = typeof json.reasoning === "string" && json.reasoning.trim() ? json.reasoning.trim() : "no reasoning given";
  const passed = score >= config.passAt;
  return result(
    (score - min) / (max - min),
    passed,
    `Judge scored ${formatNumber(score)} of ${min} to ${max} (pass at ${formatNumber(config.passAt)}): ${truncate(reasoning, 500)}`,
  );
}

async function evaluateJudge(config: EvaluatorConfigOf<"llm_judge">, sample: EvaluationSample, deps: EvaluationDeps): Promise<EvaluationScore> {
  if (!deps.judge) throw new Error("evaluate: an llm_judge evaluator needs deps.judge (the worker supplies it)");
  // A failing call (network, provider) propagates: it says nothing about the output.
  const reply = await deps.judge({ input: sample.input, output: sample.output, expected: sample.expected ?? null });
  return parseJudgeReply(reply.text, config);
}

// ---------------------------------------------------------------------------------------------

/** Scores one output. Never throws for a bad output; throws for a judge without deps.judge. */
export async function evaluate(config: EvaluatorConfig, sample: EvaluationSample, deps: EvaluationDeps = {}): Promise<EvaluationScore> {
  switch (config.kind) {
    case "exact_match":
      return evaluateExactMatch(config, sample);
    case "contains":
    case "not_contains":
      return evaluateContains(config, sample);
    case "regex":
      return evaluateRegex(config, sample);
    case "valid_json":
      return evaluateValidJson(sample);
    case "json_schema":
      return evaluateJsonSchema(config, sample);
    case "levenshtein":
      return evaluateLevenshtein(config, sample);
    case "numeric":
      return evaluateNumeric(config, sample);
    case "length":
      return evaluateLength(config, sample);
    case "latency":
      return evaluateLatency(config, sample);
    case "cost":
      return evaluateCost(config, sample);
    case "llm_judge":
      return evaluateJudge(config, sample, deps);
    default: {
      const unknown: never = config;
      throw new Error(`evaluate: unknown evaluator kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
