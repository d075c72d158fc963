import "server-only";
// The guardrails engine the gateway runs on every call: compile a project's rules once per
// configuration change (regexes, ajv validators), then check each input message and the model's
// reply. Pure: no database, no HTTP. Rules run in their given order. Masking (pii in mask mode)
// rewrites the text that goes on; every other check looks at the text as it arrived, so a deny
// pattern or a JSON Schema `format: "email"` still sees what the caller or the model wrote.
// Violation details never quote the offending value: counts, pattern numbers, lengths, schema paths.
// Deny patterns and JSON Schema patterns run on the linear-time engine of
// server/contracts/patterns.ts, so a check costs time linear in the text whatever the pattern
// (the gateway runs guardrails on the thread that answers HTTP). A stored rule that no longer
// compiles (saved before the engine refused its syntax) fails each call it applies to with a
// violation saying so, under the rule's own action: block fails closed, flag only reports.
import type { ValidateFunction } from "ajv";
import { compilePattern, type Pattern } from "../../contracts/patterns";
import { compileJsonSchema, describeSchemaErrors } from "./json-schema";
import { describePiiCounts, findPii, maskPii, type PiiEntity } from "./pii";
import { OUTPUT_ONLY_KINDS, type GuardrailAction, type GuardrailConfigOf, type GuardrailKind, type GuardrailRule } from "./schemas";

type CheckStage = "input" | "output";

export type Violation = {
  ruleId: string;
  /** The rule's name. */
  rule: string;
  kind: GuardrailKind;
  stage: CheckStage;
  action: GuardrailAction;
  /** "2 emails, 1 card number", "matched deny pattern #2", "length 5120 > 4000", ... */
  detail: string;
  /** The text passed on has these values masked. */
  masked?: boolean;
  /** The rule's stored configuration cannot run (the detail says why): nothing to re-ask about. */
  cannotRun?: boolean;
};

export type CheckResult = {
  /** The text to pass on (PII masked where a rule says so). */
  text: string;
  violations: Violation[];
  /** The first blocking violation, in rule order. */
  blocked: Violation | null;
};

export type CompiledGuardrails = {
  readonly hasInput: boolean;
  readonly hasOutput: boolean;
  readonly hasJsonSchema: boolean;
  /** Checks one input message's content (user or system). */
  checkInput(text: string): CheckResult;
  /** Checks the model's reply. */
  checkOutput(text: string): CheckResult;
  /** The user message for the one automatic re-ask after a json_schema violation. */
  reaskMessage(violation: Violation): string;
};

/** What one rule found: a detail, and the masked text when it masks. */
type Finding = { detail: string; masked?: string; schemaErrors?: string[]; cannotRun?: boolean };
type RuleCheck = (original: string, current: string) => Finding | null;

type CompiledRule = { rule: GuardrailRule; check: RuleCheck };

const MAX_REASK_ERRORS = 5;
const MAX_DETAIL_CHARS = 500;
/** Schemas up to this size are quoted in the re-ask message. */
const MAX_REASK_SCHEMA_CHARS = 2_000;

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function compilePii(config: GuardrailConfigOf<"pii">): RuleCheck {
  const entities: PiiEntity[] = [...config.entities];
  if (config.mode === "mask") {
    return (_original, current) => {
      const { text, counts } = maskPii(current, entities);
      if (text === current) return null;
      return { detail: describePiiCounts(counts), masked: text };
    };
  }
  return (original) => {
    const matches = findPii(original, entities);
    if (matches.length === 0) return null;
    const counts: Record<PiiEntity, number> = { email: 0, phone: 0, card: 0, iban: 0 };
    for (const match of matches) counts[match.entity]++;
    return { detail: describePiiCounts(counts) };
  };
}

/** A check that reports, on every call, why the rule cannot run. */
function cannotRun(detail: string): RuleCheck {
  return () => ({ detail: `this guardrail cannot run: ${detail}; edit and save it again`, cannotRun: true });
}

function compileRegexDeny(config: GuardrailConfigOf<"regex_deny">): RuleCheck {
  const flags = config.caseInsensitive ? "i" : "";
  const regexes: Pattern[] = [];
  for (const [index, source] of config.patterns.entries()) {
    const compiled = compilePattern(source, flags);
    if (!compiled.ok) return cannotRun(`deny pattern #${index + 1} ${compiled.problem}`);
    regexes.push(compiled.pattern);
  }
  return (original) => {
    const matched: number[] = [];
    regexes.forEach((regex, index) => {
      if (regex.test(original)) matched.push(index + 1);
    });
    if (matched.length === 0) return null;
    const numbers = matched.map((number) => `#${number}`);
    return { detail: matched.length === 1 ? `matched deny pattern ${numbers[0]}` : `matched deny patterns ${numbers.join(", ")}` };
  };
}

/** Length in code points, counted only when the UTF-16 length is over the limit (it is never less). */
function compileMaxLength(config: GuardrailConfigOf<"max_length">): RuleCheck {
  const max = config.maxChars;
  return (original) => {
    if (original.length <= max) return null;
    let length = 0;
    for (let i = 0; i < original.length; i++, length++) {
      const code = original.charCodeAt(i);
      const next = original.charCodeAt(i + 1);
      if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++; // a surrogate pair is one character
    }
    return length > max ? { detail: `length ${length} > ${max}` } : null;
  };
}

/** The JSON inside a reply that is one ```json (or bare ```) fenced block; the reply itself otherwise. */
export function unfenceJson(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length < 6 || !trimmed.startsWith("```") || !trimmed.endsWith("```")) return text;
  const newline = trimmed.indexOf("\n");
  if (newline < 0) return text;
  const info = trimmed.slice(3, newline).trim().toLowerCase();
  if (info !== "" && info !== "json") return text;
  const body = trimmed.slice(newline + 1, -3);
  return body.includes("```") ? text : body.trim();
}

/** JSON.parse's complaint without the excerpt of the text V8 puts in it. */
function jsonErrorReason(error: unknown): string {
  const message = (error as Error).message;
  const excerpt = /^(Unexpected token '.{1,2}'), "[\s\S]*"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (excerpt) return excerpt[1]!;
  if (message.includes('"') || message.length > 120) return "it could not be parsed";
  return message;
}

function compileJsonSchemaCheck(config: GuardrailConfigOf<"json_schema">): { check: RuleCheck; schemaText: string } {
  const schemaText = JSON.stringify(config.schema);
  const compiled = compileJsonSchema(config.schema);
  if (!compiled.ok) return { check: cannotRun(`its JSON Schema ${compiled.problem}`), schemaText };
  const validate: ValidateFunction = compiled.validate;
  const check: RuleCheck = (original) => {
    const json = unfenceJson(original);
    if (json.trim() === "") return { detail: "output is empty, expected JSON", schemaErrors: [] };
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      return { detail: `output is not valid JSON: ${jsonErrorReason(error)}`, schemaErrors: [] };
    }
    if (validate(value)) return null;
    const errors = describeSchemaErrors(validate.errors, MAX_REASK_ERRORS);
    return { detail: `output does not match the JSON Schema: ${errors.join("; ")}`, schemaErrors: errors };
  };
  return { check, schemaText };
}

function runsOn(rule: GuardrailRule, stage: CheckStage): boolean {
  if (stage === "input" && OUTPUT_ONLY_KINDS.includes(rule.config.kind)) return false;
  return rule.stage === "both" || rule.stage === stage;
}

/**
 * Compiles rules once (regexes, JSON Schema validators) for many checks. A stored configuration
 * that no longer compiles becomes a rule whose every check is a violation saying why (never a
 * throw, and never a silently skipped guardrail).
 */
export function compileGuardrails(rules: GuardrailRule[]): CompiledGuardrails {
  const schemaTexts = new Map<string, string>();
  const compiled: CompiledRule[] = rules.map((rule) => {
    const config = rule.config;
    switch (config.kind) {
      case "pii":
        return { rule, check: compilePii(config) };
      case "regex_deny":
        return { rule, check: compileRegexDeny(config) };
      case "max_length":
        return { rule, check: compileMaxLength(config) };
      case "json_schema": {
        const { check, schemaText } = compileJsonSchemaCheck(config);
        schemaTexts.set(rule.id, schemaText);
        return { rule, check };
      }
    }
  });
  const inputRules = compiled.filter(({ rule }) => runsOn(rule, "input"));
  const outputRules = compiled.filter(({ rule }) => runsOn(rule, "output"));
  // Details of json_schema violations, for the re-ask (a WeakMap: violations are the caller's to drop).
  const schemaErrors = new WeakMap<Violation, string[]>();

  function run(stage: CheckStage, stageRules: CompiledRule[], original: string): CheckResult {
    let current = original;
    const violations: Violation[] = [];
    let blocked: Violation | null = null;
    for (const { rule, check } of stageRules) {
      const finding = check(original, current);
      if (!finding) continue;
      const violation: Violation = {
        ruleId: rule.id,
        rule: rule.name,
        kind: rule.config.kind,
        stage,
        action: rule.action,
        detail: truncate(finding.detail, MAX_DETAIL_CHARS),
      };
      if (finding.masked !== undefined) {
        current = finding.masked;
        violation.masked = true;
      }
      if (finding.schemaErrors) schemaErrors.set(violation, finding.schemaErrors);
      if (finding.cannotRun) violation.cannotRun = true;
      violations.push(violation);
      if (blocked === null && rule.action === "block") blocked = violation;
    }
    return { text: current, violations, blocked };
  }

  return {
    hasInput: inputRules.length > 0,
    hasOutput: outputRules.length > 0,
    hasJsonSchema: outputRules.some(({ rule }) => rule.config.kind === "json_schema"),
    checkInput: (text) => run("input", inputRules, text),
    checkOutput: (text) => run("output", outputRules, text),
    reaskMessage(violation) {
      const schemaText = schemaTexts.get(violation.ruleId);
      const schemaPart = schemaText && schemaText.length <= MAX_REASK_SCHEMA_CHARS ? `\nThe JSON Schema:\n${schemaText}` : "";
      if (violation.kind !== "json_schema") {
        return `Your previous reply was rejected (${violation.detail}). Please answer again.`;
      }
      const errors = schemaErrors.get(violation);
      if (errors && errors.length > 0) {
        return `Your previous reply did not match the required JSON Schema: ${errors.join("; ")}. Reply with only JSON that matches it.${schemaPart}`;
      }
      // Not JSON at all (or a violation that went through serialisation): the detail says why.
      const reason = violation.detail.replace(/^output /, "");
      return `Your previous reply did not match the required JSON Schema (it ${reason}). Reply with only JSON that matches it.${schemaPart}`;
    },
  };
}
