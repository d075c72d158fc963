import "server-only";
// Guardrail configurations for the gateway: what the guardrail CRUD validates and stores as JSON,
// and what compileGuardrails (./engine.ts) runs. Server-only: the shapes, constants and pattern
// checks forms need are in server/contracts/guardrails.ts (re-exported here); this module adds
// the check that needs ajv (a JSON Schema compiles), which would otherwise put ajv and its
// meta-schemas in every page's JavaScript. Deny patterns run on Keel's linear-time engine
// (server/contracts/patterns.ts: no backreferences, no lookaround) and do not match the empty
// text. Stored rules are read back with `storedGuardrailConfig`, without those checks, so a rule
// saved before them still loads and the engine reports per call that it cannot run.
import { z } from "zod";
import { name, safeString } from "../../contracts/fields";
import {
  GUARDRAIL_ACTIONS,
  GUARDRAIL_KIND_ERROR,
  GUARDRAIL_STAGES,
  MAX_SCHEMA_CHARS,
  OUTPUT_ONLY_KINDS,
  maxLengthGuardrailConfig,
  piiGuardrailConfig,
  regexDenyGuardrailConfig,
  storedJsonSchemaConfig,
  type GuardrailAction,
  type GuardrailConfig,
  type GuardrailStage,
} from "../../contracts/guardrails";
import { compileJsonSchema } from "./json-schema";

export {
  GUARDRAIL_KINDS,
  OUTPUT_ONLY_KINDS,
  storedGuardrailConfig,
  type GuardrailAction,
  type GuardrailConfig,
  type GuardrailConfigInput,
  type GuardrailConfigOf,
  type GuardrailKind,
  type GuardrailStage,
} from "../../contracts/guardrails";

export const jsonSchemaGuardrailConfig = storedJsonSchemaConfig.superRefine(({ schema }, ctx) => {
  if (JSON.stringify(schema).length > MAX_SCHEMA_CHARS) {
    ctx.addIssue({ code: "custom", path: ["schema"], message: `must be at most ${MAX_SCHEMA_CHARS} characters as JSON` });
    return;
  }
  const compiled = compileJsonSchema(schema);
  if (!compiled.ok) ctx.addIssue({ code: "custom", path: ["schema"], message: compiled.problem });
});

/** What a save accepts (the form's `guardrailFormConfig` plus the JSON Schema compile). */
export const guardrailConfig = z.discriminatedUnion(
  "kind",
  [piiGuardrailConfig, regexDenyGuardrailConfig, jsonSchemaGuardrailConfig, maxLengthGuardrailConfig],
  GUARDRAIL_KIND_ERROR,
);

/**
 * A whole rule as compileGuardrails takes it. json_schema checks the model's reply, so a stage of
 * "input" is refused ("both" runs it on output only).
 */
export const guardrailRule = z
  .object({
    id: safeString().min(1, "is required"),
    name: name(100),
    stage: z.enum(GUARDRAIL_STAGES, { error: "must be input, output or both" }),
    action: z.enum(GUARDRAIL_ACTIONS, { error: "must be block or flag" }),
    config: guardrailConfig,
  })
  .superRefine((rule, ctx) => {
    if (rule.stage === "input" && OUTPUT_ONLY_KINDS.includes(rule.config.kind)) {
      ctx.addIssue({ code: "custom", path: ["stage"], message: `${rule.config.kind} checks the model's reply: use stage output` });
    }
  });
export type GuardrailRule = { id: string; name: string; stage: GuardrailStage; action: GuardrailAction; config: GuardrailConfig };
