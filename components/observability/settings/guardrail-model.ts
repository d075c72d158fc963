// The guardrail form's model, kept pure for tests: labels, a one-line summary of a stored config,
// the form's values (one set per kind, so switching kinds loses nothing), and the form's schema:
// the values turned into the procedure's input, checked by guardrailInput. JSON syntax and the
// patterns (on the linear-time engine) are checked here; the server checks again and also compiles
// JSON Schemas (ajv stays server-side). Both name the field by its path in the input, placed by
// GUARDRAIL_PLACEMENT (config.patterns.1 → Patterns, worded "Pattern 2"; config.schema → Schema).
// (Components may import only server/contracts, so the config schema is reached through
// guardrailInput; the kinds' wording comes re-exported from there.)
import { z } from "zod";
import { GUARDRAIL_KIND_INFO, guardrailInput, OUTPUT_ONLY_KINDS, storedGuardrailConfig, type GuardrailInput } from "@/server/contracts/observability";
import type { FieldPlacement } from "@/components/lib/form-errors";
import { parseWhole, scopeValue } from "./model";

type GuardrailConfig = GuardrailInput["config"];
export type GuardrailKind = GuardrailConfig["kind"];
type PiiConfig = Extract<GuardrailConfig, { kind: "pii" }>;
export type PiiEntity = PiiConfig["entities"][number];
export type PiiMode = PiiConfig["mode"];
export type Stage = GuardrailInput["stage"];
export type Action = GuardrailInput["action"];

export type GuardrailRow = {
  id: string;
  name: string;
  description: string;
  kind: string;
  stage: Stage;
  action: Action;
  config: unknown;
  promptName: string | null;
  environment: string | null;
  enabled: boolean;
};

export const KIND_INFO = GUARDRAIL_KIND_INFO;
export const KINDS = Object.keys(KIND_INFO) as GuardrailKind[];
export const kindLabel = (kind: string) => KIND_INFO[kind as GuardrailKind]?.label ?? kind;
/** Kinds that check the model's reply only (the server refuses them on the input stage). */
export const isOutputOnly = (kind: GuardrailKind) => OUTPUT_ONLY_KINDS.includes(kind);

export const STAGE_LABELS: Record<Stage, string> = { input: "Input", output: "Output", both: "Input and output" };
export const STAGE_HINTS: Record<Stage, string> = {
  input: "The request's messages, before the model sees them.",
  output: "The model's reply, before your application gets it.",
  both: "Both the request and the reply.",
};
export const ACTION_LABELS: Record<Action, string> = { block: "Block", flag: "Flag" };

export const PII_ENTITY_LABELS: Record<PiiEntity, string> = { email: "Email addresses", phone: "Phone numbers", card: "Card numbers", iban: "IBANs" };
export const PII_MODE_INFO: Record<PiiMode, { label: string; description: string }> = {
  mask: {
    label: "Mask",
    description: "Replace what is found with [EMAIL], [PHONE], [CARD] or [IBAN] before passing the text on (with flag, the call goes on masked).",
  },
  detect: { label: "Detect", description: "Leave the text as it is; only report what is found." },
};

const numberFormat = new Intl.NumberFormat("en-US");

/** "card, iban (detect)", "3 patterns, case-insensitive", "at most 1,200 characters". */
export function configSummary(config: unknown): string {
  const parsed = storedGuardrailConfig.safeParse(config);
  if (!parsed.success) return "";
  const c = parsed.data;
  switch (c.kind) {
    case "pii":
      return `${c.entities.join(", ")} (${c.mode})`;
    case "regex_deny":
      return `${c.patterns.length} ${c.patterns.length === 1 ? "pattern" : "patterns"}${c.caseInsensitive ? ", case-insensitive" : ""}`;
    case "json_schema":
      return "Replies must match the schema";
    case "max_length":
      return `At most ${numberFormat.format(c.maxChars)} characters`;
  }
}

export type GuardrailValues = {
  name: string;
  description: string;
  kind: GuardrailKind;
  stage: Stage;
  action: Action;
  entities: PiiEntity[];
  mode: PiiMode;
  /** One pattern a line. */
  patterns: string;
  caseInsensitive: boolean;
  /** JSON text. */
  schema: string;
  maxChars: string;
  promptName: string;
  environment: string;
  enabled: boolean;
};

export const NEW_GUARDRAIL: GuardrailValues = {
  name: "",
  description: "",
  kind: "pii",
  stage: "input",
  action: "block",
  entities: ["email", "phone", "card", "iban"],
  mode: "detect",
  patterns: "",
  caseInsensitive: false,
  schema: '{\n  "type": "object",\n  "properties": {},\n  "required": []\n}',
  maxChars: "2000",
  promptName: "",
  environment: "",
  enabled: true,
};

export function guardrailValues(row: GuardrailRow | null): GuardrailValues {
  if (!row) return { ...NEW_GUARDRAIL };
  const values: GuardrailValues = {
    ...NEW_GUARDRAIL,
    name: row.name,
    description: row.description,
    stage: row.stage,
    action: row.action,
    promptName: row.promptName ?? "",
    environment: row.environment ?? "",
    enabled: row.enabled,
  };
  // Stored, so a rule saved before today's pattern checks still opens for editing.
  const parsed = storedGuardrailConfig.safeParse(row.config);
  if (!parsed.success) return values;
  const c = parsed.data;
  switch (c.kind) {
    case "pii":
      return { ...values, kind: c.kind, entities: [...c.entities], mode: c.mode };
    case "regex_deny":
      return { ...values, kind: c.kind, patterns: c.patterns.join("\n"), caseInsensitive: c.caseInsensitive };
    case "json_schema":
      return { ...values, kind: c.kind, schema: JSON.stringify(c.schema, null, 2) };
    case "max_length":
      return { ...values, kind: c.kind, maxChars: String(c.maxChars) };
  }
}

export const GUARDRAIL_LABELS = {
  name: "Name",
  description: "Description",
  kind: "Check",
  stage: "Stage",
  action: "Action",
  entities: "Personal data",
  mode: "Mode",
  patterns: "Patterns",
  caseInsensitive: "Case-insensitive",
  schema: "Schema",
  maxChars: "Maximum characters",
  promptName: "Prompt",
  environment: "Environment",
} satisfies Partial<Record<keyof GuardrailValues, string>>;
const ITEM_LABELS: Partial<Record<keyof GuardrailValues, string>> = { patterns: "Pattern", entities: "Entity" };

/** Where a problem with a path of the input goes: config.schema → Schema, config.patterns.1 → Patterns ("Pattern 2 …"), config → Check. */
export const GUARDRAIL_PLACEMENT: FieldPlacement<GuardrailValues> = {
  labels: GUARDRAIL_LABELS,
  fieldOf: (path) => {
    const [first = "", second] = path.split(".");
    const field = first === "config" ? (second ?? "kind") : first;
    if (field in NEW_GUARDRAIL) return field as keyof GuardrailValues;
    return first === "config" ? "kind" : null;
  },
  labelOf: (path) => {
    const [, field, index] = /^config\.(\w+)\.(\d+)/.exec(path) ?? [];
    const item = field ? ITEM_LABELS[field as keyof GuardrailValues] : undefined;
    return item ? `${item} ${Number(index) + 1}` : undefined;
  },
};

export function patternLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Reports what zod cannot see in text (JSON syntax, a whole number) on a field; the form's input is then not sent. */
type Problem = (field: keyof GuardrailValues, message: string) => never;
type Input = z.input<typeof guardrailInput>;

/** The config of the chosen kind. */
function configOf(v: GuardrailValues, problem: Problem): Input["config"] {
  switch (v.kind) {
    case "pii":
      return { kind: "pii", entities: v.entities, mode: v.mode };
    case "regex_deny":
      return { kind: "regex_deny", patterns: patternLines(v.patterns), caseInsensitive: v.caseInsensitive };
    case "json_schema": {
      let schema: unknown;
      try {
        schema = JSON.parse(v.schema);
      } catch (error) {
        return problem("schema", `is not valid JSON: ${error instanceof Error ? error.message : "it does not parse"}`);
      }
      if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return problem("schema", "must be a JSON object (a JSON Schema)");
      return { kind: "json_schema", schema: schema as Record<string, unknown> };
    }
    case "max_length": {
      const maxChars = parseWhole(v.maxChars);
      if (maxChars === null || Number.isNaN(maxChars)) return problem("maxChars", "must be a whole number");
      return { kind: "max_length", maxChars };
    }
  }
}

/** The form's values as guardrailInput (the config of the chosen kind, "" scopes as null), checked by it. */
export const guardrailForm = z
  .custom<GuardrailValues>()
  .transform((v, ctx): Input => {
    const problem: Problem = (field, message) => {
      ctx.addIssue({ code: "custom", path: [field], message });
      return z.NEVER;
    };
    if (isOutputOnly(v.kind) && v.stage === "input")
      ctx.addIssue({ code: "custom", path: ["stage"], message: `A ${kindLabel(v.kind)} guardrail checks the model's reply: use the output stage` });
    const config = configOf(v, problem);
    return {
      name: v.name,
      description: v.description,
      stage: v.stage,
      action: v.action,
      config,
      promptName: scopeValue(v.promptName),
      environment: scopeValue(v.environment),
      enabled: v.enabled,
    };
  })
  .pipe(guardrailInput);
