// The evaluator form's model, kept pure for tests: the form's values (text for numbers, one set of
// fields for every kind, so switching kinds loses nothing), a stored configuration as those values,
// the form's schema (EVALUATOR_FORMS: the values turned into what evaluators.create or
// evaluators.saveVersion takes, checked by that procedure's schema from
// server/contracts/evaluators.ts: same defaults, bounds and messages), where a problem goes
// (EVALUATOR_PLACEMENTS: config.scale.min → Lowest score, config.promptVersion → Version or
// label), and a configuration in a few words.
// The server checks again, and also what the browser cannot: that a regex or JSON Schema compiles,
// that the judge's prompt, version and provider exist. It names the field the same way.
import { z } from "zod";
import { createEvaluatorInput, EVALUATOR_KINDS, saveEvaluatorVersionInput, type EvaluatorConfigInput, type EvaluatorKind } from "@/server/contracts/evaluators";
import type { FieldPlacement } from "@/components/lib/form-errors";

/** The configuration as typed: text for numbers (so a field can be empty), booleans for switches. */
export type EvaluatorDraft = {
  kind: EvaluatorKind;
  caseSensitive: boolean;
  trim: boolean;
  value: string;
  pattern: string;
  flags: string;
  schema: string;
  threshold: string;
  tolerance: string;
  relative: boolean;
  min: string;
  max: string;
  unit: "chars" | "words";
  maxMs: string;
  maxUsd: string;
  promptName: string;
  /** "v:3" or "l:production". */
  promptRef: string;
  providerId: string;
  model: string;
  scaleMin: string;
  scaleMax: string;
  passAt: string;
};

/** The whole form: the evaluator's name (shown when creating), description, change message (shown for a new version) and configuration. */
export type EvaluatorValues = EvaluatorDraft & { name: string; description: string; commitMessage: string };

/** Create an evaluator, or save a new version of the one named. */
export type EvaluatorMode = { type: "create" } | { type: "version"; name: string; description: string };

export const BLANK_DRAFT: EvaluatorDraft = {
  kind: "contains",
  caseSensitive: false,
  trim: true,
  value: "",
  pattern: "",
  flags: "",
  schema: '{\n  "type": "object",\n  "required": []\n}',
  threshold: "0.8",
  tolerance: "0",
  relative: false,
  min: "",
  max: "",
  unit: "chars",
  maxMs: "",
  maxUsd: "",
  promptName: "",
  promptRef: "",
  providerId: "",
  model: "",
  scaleMin: "1",
  scaleMax: "5",
  passAt: "4",
};

/** Case sensitivity defaults differ per kind (exact match: on; contains, similarity: off); choosing a kind sets it. */
export const caseSensitiveFor = (kind: EvaluatorKind) => kind === "exact_match";

export function draftFromConfig(config: unknown): EvaluatorDraft {
  const c = (config ?? {}) as Record<string, unknown>;
  const kind = (EVALUATOR_KINDS as readonly string[]).includes(String(c.kind)) ? (c.kind as EvaluatorKind) : "contains";
  const str = (v: unknown, fallback: string) => (v === undefined || v === null ? fallback : String(v));
  const scale = (c.scale ?? {}) as { min?: number; max?: number };
  return {
    ...BLANK_DRAFT,
    kind,
    caseSensitive: typeof c.caseSensitive === "boolean" ? c.caseSensitive : caseSensitiveFor(kind),
    trim: typeof c.trim === "boolean" ? c.trim : true,
    value: str(c.value, ""),
    pattern: str(c.pattern, ""),
    flags: str(c.flags, ""),
    schema: c.schema ? JSON.stringify(c.schema, null, 2) : BLANK_DRAFT.schema,
    threshold: str(c.threshold, BLANK_DRAFT.threshold),
    tolerance: str(c.tolerance, BLANK_DRAFT.tolerance),
    relative: c.relative === true,
    min: str(c.min, ""),
    max: str(c.max, ""),
    unit: c.unit === "words" ? "words" : "chars",
    maxMs: str(c.maxMs, ""),
    maxUsd: str(c.maxUsd, ""),
    promptName: str(c.promptName, ""),
    promptRef: c.promptVersion ? `v:${String(c.promptVersion)}` : c.promptLabel ? `l:${String(c.promptLabel)}` : "",
    providerId: str(c.providerId, ""),
    model: str(c.model, ""),
    scaleMin: str(scale.min, BLANK_DRAFT.scaleMin),
    scaleMax: str(scale.max, BLANK_DRAFT.scaleMax),
    passAt: str(c.passAt, BLANK_DRAFT.passAt),
  };
}

/** The form's first values: a blank configuration (or `initial`, the latest version's) and, for a new version, the evaluator's name and description. */
export function evaluatorValues(mode: EvaluatorMode, initial?: EvaluatorDraft): EvaluatorValues {
  return {
    ...(initial ?? BLANK_DRAFT),
    name: mode.type === "version" ? mode.name : "",
    description: mode.type === "version" ? mode.description : "",
    commitMessage: "",
  };
}

export const EVALUATOR_LABELS = {
  name: "Name",
  description: "Description",
  commitMessage: "Change message",
  kind: "Kind",
  value: "Text",
  pattern: "Pattern",
  flags: "Flags",
  schema: "JSON Schema",
  threshold: "Threshold",
  tolerance: "Tolerance",
  min: "Minimum",
  max: "Maximum",
  unit: "Unit",
  maxMs: "Maximum latency",
  maxUsd: "Maximum cost",
  promptName: "Judge prompt",
  promptRef: "Version or label",
  providerId: "Provider",
  model: "Model",
  scaleMin: "Lowest score",
  scaleMax: "Highest score",
  passAt: "Pass at",
} satisfies Partial<Record<keyof EvaluatorValues, string>>;

const isDraftField = (field: string): field is keyof EvaluatorDraft => field in BLANK_DRAFT;

/** A path inside the configuration ("scale.max", "promptVersion", "schema.properties") to the control showing it; the configuration as a whole (or a key the form does not have) is the Kind's. */
function configField(path: string): keyof EvaluatorDraft {
  if (path === "scale.min") return "scaleMin";
  if (path === "scale" || path.startsWith("scale.")) return "scaleMax";
  const [first = ""] = path.split(".");
  if (first === "promptVersion" || first === "promptLabel") return "promptRef";
  return first && isDraftField(first) ? first : "kind";
}

/**
 * Where a problem with a path of the input goes: config.pattern → Pattern, config.scale.min →
 * Lowest score, config → Kind; the name only when creating and the change message only for a new
 * version (the form has no such control otherwise); anything else is the form's general problem.
 */
function evaluatorPlacement(mode: EvaluatorMode["type"]): FieldPlacement<EvaluatorValues> {
  return {
    labels: EVALUATOR_LABELS,
    fieldOf: (path) => {
      const [first = "", ...rest] = path.split(".");
      if (first === "config") return configField(rest.join("."));
      if (first === "name") return mode === "create" ? "name" : null;
      if (first === "commitMessage") return mode === "version" ? "commitMessage" : null;
      if (first === "description" || isDraftField(first)) return first;
      return null;
    },
  };
}

export type CreateEvaluatorInput = z.output<typeof createEvaluatorInput>;
export type SaveEvaluatorVersionInput = z.output<typeof saveEvaluatorVersionInput>;
/** What the form sends: evaluators.create's input, or evaluators.saveVersion's. */
export type EvaluatorInput = CreateEvaluatorInput | SaveEvaluatorVersionInput;

/** Reports what zod cannot see in text (a number, JSON syntax) on the control; the input is then not built. */
type Problem = (field: keyof EvaluatorDraft, message: string) => void;

/** The configuration the draft describes, as sent: empty optional fields left out (so the schema's defaults apply). */
function configOf(d: EvaluatorDraft, problem: Problem): EvaluatorConfigInput {
  /** Empty: undefined (the default applies) or, when `required`, a problem; text that is not a number: a problem. */
  const number = (field: "threshold" | "tolerance" | "min" | "max" | "maxMs" | "maxUsd" | "scaleMin" | "scaleMax" | "passAt", required = false) => {
    const text = d[field].trim();
    if (text === "") {
      if (required) problem(field, "is required");
      return undefined;
    }
    const value = Number(text);
    if (!Number.isFinite(value)) problem(field, "must be a number");
    return value;
  };
  switch (d.kind) {
    case "exact_match":
      return { kind: d.kind, caseSensitive: d.caseSensitive, trim: d.trim };
    case "contains":
    case "not_contains":
      return { kind: d.kind, caseSensitive: d.caseSensitive, ...(d.value !== "" ? { value: d.value } : {}) };
    case "regex":
      return { kind: d.kind, pattern: d.pattern, flags: d.flags.trim() };
    case "valid_json":
      return { kind: d.kind };
    case "json_schema": {
      let schema: unknown;
      try {
        schema = JSON.parse(d.schema);
      } catch (error) {
        problem("schema", `Not valid JSON: ${(error as Error).message}`);
      }
      return { kind: d.kind, schema: schema as Record<string, unknown> };
    }
    case "levenshtein":
      return { kind: d.kind, threshold: number("threshold"), caseSensitive: d.caseSensitive };
    case "numeric":
      return { kind: d.kind, tolerance: number("tolerance"), relative: d.relative };
    case "length":
      return { kind: d.kind, min: number("min"), max: number("max"), unit: d.unit };
    case "latency":
      return { kind: d.kind, maxMs: number("maxMs", true)! };
    case "cost":
      return { kind: d.kind, maxUsd: number("maxUsd", true)! };
    case "llm_judge":
      return {
        kind: d.kind,
        promptName: d.promptName,
        ...(d.promptRef.startsWith("v:")
          ? { promptVersion: Number(d.promptRef.slice(2)) }
          : d.promptRef.startsWith("l:")
            ? { promptLabel: d.promptRef.slice(2) }
            : {}),
        providerId: d.providerId,
        ...(d.model.trim() ? { model: d.model.trim() } : {}),
        scale: { min: number("scaleMin", true)!, max: number("scaleMax", true)! },
        passAt: number("passAt"),
      };
  }
}

/** Leaves out undefined keys, so the schema's defaults apply and an optional bound stays unset. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The form's values as the procedure's input, checked by its schema: createEvaluatorInput when
 * creating, saveEvaluatorVersionInput for a new version (the name is the evaluator's). Text is
 * trimmed; numbers and JSON are read here, and a problem with them is reported first (the schema's own checks follow once it is fixed).
 */
function evaluatorForm(mode: EvaluatorMode["type"]): z.ZodType<EvaluatorInput, EvaluatorValues> {
  const values = z.custom<EvaluatorValues>();
  const config = (v: EvaluatorValues, ctx: z.RefinementCtx) => {
    let failed = false;
    const built = configOf(v, (field, message) => {
      failed = true;
      ctx.addIssue({ code: "custom", path: [field], message });
    });
    return failed ? z.NEVER : withoutUndefined(built);
  };
  if (mode === "create")
    return values
      .transform((v, ctx): z.input<typeof createEvaluatorInput> => ({ name: v.name.trim(), description: v.description.trim(), config: config(v, ctx) }))
      .pipe(createEvaluatorInput);
  return values
    .transform((v, ctx): z.input<typeof saveEvaluatorVersionInput> => ({
      name: v.name,
      config: config(v, ctx),
      commitMessage: v.commitMessage.trim(),
      description: v.description.trim(),
    }))
    .pipe(saveEvaluatorVersionInput);
}

/** The form's schema and placement, when creating and for a new version. */
export const EVALUATOR_FORMS: Record<EvaluatorMode["type"], z.ZodType<EvaluatorInput, EvaluatorValues>> = {
  create: evaluatorForm("create"),
  version: evaluatorForm("version"),
};
export const EVALUATOR_PLACEMENTS: Record<EvaluatorMode["type"], FieldPlacement<EvaluatorValues>> = {
  create: evaluatorPlacement("create"),
  version: evaluatorPlacement("version"),
};

/** A configuration as a short list of its settings (for lists and version history). */
export function describeConfig(config: unknown): string {
  const c = (config ?? {}) as Record<string, unknown>;
  switch (c.kind) {
    case "exact_match":
      return `${c.caseSensitive === false ? "case-insensitive" : "case-sensitive"}${c.trim === false ? "" : ", trimmed"}`;
    case "contains":
    case "not_contains":
      return `${c.value !== undefined ? `"${String(c.value).slice(0, 60)}"` : "the expected output"}${c.caseSensitive ? ", case-sensitive" : ""}`;
    case "regex":
      return `/${String(c.pattern).slice(0, 60)}/${String(c.flags ?? "")}`;
    case "valid_json":
      return "parses as JSON";
    case "json_schema":
      return "matches a JSON Schema";
    case "levenshtein":
      return `similarity ≥ ${String(c.threshold ?? 0.8)}`;
    case "numeric":
      return `within ${String(c.tolerance ?? 0)}${c.relative ? " (relative)" : ""}`;
    case "length": {
      const unit = c.unit === "words" ? "words" : "chars";
      if (c.min !== undefined && c.max !== undefined) return `${String(c.min)}–${String(c.max)} ${unit}`;
      return c.min !== undefined ? `≥ ${String(c.min)} ${unit}` : `≤ ${String(c.max)} ${unit}`;
    }
    case "latency":
      return `≤ ${String(c.maxMs)} ms`;
    case "cost":
      return `≤ $${String(c.maxUsd)}`;
    case "llm_judge": {
      const scale = (c.scale ?? { min: 1, max: 5 }) as { min: number; max: number };
      return `${String(c.promptName)}${c.promptVersion ? ` v${String(c.promptVersion)}` : c.promptLabel ? ` @${String(c.promptLabel)}` : ""}, pass at ${String(c.passAt ?? 4)} on ${scale.min}–${scale.max}`;
    }
    default:
      return "";
  }
}
