import "server-only";
// The gateway's guardrails as the gateway uses them: the engine that checks and masks messages
// (see ./engine.ts for how rules run) and the PII masking the embeddings path applies. The
// configuration schemas are in ./schemas (server) and server/contracts/guardrails.ts (forms).
export { compileGuardrails, type CheckResult, type CompiledGuardrails, type Violation } from "./engine";
export { type GuardrailRule } from "./schemas";
export { PII_ENTITIES, maskPii } from "./pii";
