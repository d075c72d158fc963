import "server-only";
// The gateway's guardrails: configuration schemas (client code imports ./schemas directly), the
// engine that checks and masks messages, and the PII helpers. See ./engine.ts for how rules run.
export {
  GUARDRAIL_ACTIONS,
  GUARDRAIL_KIND_INFO,
  GUARDRAIL_KINDS,
  GUARDRAIL_STAGES,
  MAX_DENY_PATTERN_CHARS,
  MAX_DENY_PATTERNS,
  MAX_LENGTH_LIMIT,
  MAX_SCHEMA_CHARS,
  OUTPUT_ONLY_KINDS,
  PII_MODES,
  guardrailConfig,
  guardrailRule,
  jsonSchemaGuardrailConfig,
  maxLengthGuardrailConfig,
  piiGuardrailConfig,
  regexDenyGuardrailConfig,
  storedGuardrailConfig,
  type GuardrailAction,
  type GuardrailConfig,
  type GuardrailConfigInput,
  type GuardrailConfigOf,
  type GuardrailKind,
  type GuardrailRule,
  type GuardrailStage,
} from "./schemas";
export { compileGuardrails, unfenceJson, type CheckResult, type CompiledGuardrails, type Violation } from "./engine";
export { IBAN_LENGTHS, PII_ENTITIES, PII_PLACEHOLDERS, findPii, ibanValid, luhnValid, maskPii, type PiiEntity, type PiiMatch } from "./pii";
