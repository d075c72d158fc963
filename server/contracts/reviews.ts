// Review queue shapes shared by the UI, tRPC and the domain: rubrics (the dimensions a reviewer
// grades) and grades. Client-importable.
import { z } from "zod";
import { text } from "./fields";

/** A queue's name: part of its address. */
export const queueName = z
  .string()
  .min(1, "is required")
  .max(100, "must be at most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may use letters, digits, . _ and - (starting with a letter or digit)");

export const DIMENSION_TYPES = ["numeric", "categorical", "boolean", "text"] as const;
export type DimensionType = (typeof DIMENSION_TYPES)[number];

const key = z
  .string()
  .min(1, "is required")
  .max(40, "must be at most 40 characters")
  .regex(/^[a-z][a-z0-9_]*$/, "may use lowercase letters, digits and _ (starting with a letter)");
const label = text(100).trim().min(1, "is required");
const base = { key, label, description: text(500).default(""), required: z.boolean().default(true) };

export const numericDimension = z
  .strictObject({
    type: z.literal("numeric"),
    ...base,
    min: z.number().min(-1000).max(1000),
    max: z.number().min(-1000).max(1000),
    step: z.number().positive("must be more than 0").max(1000).default(1),
  })
  .refine((d) => d.max > d.min, { message: "must be greater than min", path: ["max"] })
  .refine((d) => (d.max - d.min) / d.step <= 1000, { message: "allows too many values (at most 1,000 steps)", path: ["step"] });

export const categoricalDimension = z.strictObject({
  type: z.literal("categorical"),
  ...base,
  options: z
    .array(z.strictObject({ value: key, label }))
    .min(2, "needs at least 2 options")
    .max(9, "may have at most 9 options (number keys 1-9 pick them)")
    .refine((o) => new Set(o.map((x) => x.value)).size === o.length, "option values must be unique"),
  /** Options are in order (e.g. bad < ok < good): agreement uses the ordinal metric. */
  ordered: z.boolean().default(false),
});

export const booleanDimension = z.strictObject({ type: z.literal("boolean"), ...base });
export const textDimension = z.strictObject({
  type: z.literal("text"),
  ...base,
  required: z.boolean().default(false),
  maxLength: z.number().int().min(1).max(10_000).default(2_000),
});

export const rubricDimension = z.discriminatedUnion("type", [numericDimension, categoricalDimension, booleanDimension, textDimension], {
  error: "type must be numeric, categorical, boolean or text",
});
export type RubricDimension = z.infer<typeof rubricDimension>;

export const rubric = z
  .array(rubricDimension)
  .min(1, "needs at least one dimension")
  .max(20, "may have at most 20 dimensions")
  .refine((dims) => new Set(dims.map((d) => d.key)).size === dims.length, "dimension keys must be unique")
  .refine((dims) => dims.some((d) => d.type !== "text"), "needs at least one dimension that is not free text");
export type Rubric = z.infer<typeof rubric>;

export type GradeValue = number | string | boolean;
export type Grade = Record<string, GradeValue>;
export const gradeInput = z.record(key, z.union([z.number(), text(10_000), z.boolean()]));

export type GradeProblem = { dimension: string; message: string };

/** Checks a grade against the rubric; returns the first problem, naming the dimension. */
export function checkGrade(dimensions: Rubric, grade: Grade): GradeProblem | null {
  for (const k of Object.keys(grade)) {
    if (!dimensions.some((d) => d.key === k)) return { dimension: k, message: `"${k}" is not a dimension of this rubric` };
  }
  for (const d of dimensions) {
    const v = grade[d.key];
    if (v === undefined || v === "") {
      if (d.required) return { dimension: d.key, message: `${d.label} is required` };
      continue;
    }
    switch (d.type) {
      case "numeric": {
        if (typeof v !== "number" || !Number.isFinite(v)) return { dimension: d.key, message: `${d.label} must be a number` };
        if (v < d.min || v > d.max) return { dimension: d.key, message: `${d.label} must be between ${d.min} and ${d.max}` };
        const steps = (v - d.min) / d.step;
        if (Math.abs(steps - Math.round(steps)) > 1e-9) return { dimension: d.key, message: `${d.label} must be a multiple of ${d.step} from ${d.min}` };
        break;
      }
      case "categorical":
        if (typeof v !== "string" || !d.options.some((o) => o.value === v))
          return { dimension: d.key, message: `${d.label} must be one of ${d.options.map((o) => o.value).join(", ")}` };
        break;
      case "boolean":
        if (typeof v !== "boolean") return { dimension: d.key, message: `${d.label} must be yes or no` };
        break;
      case "text":
        if (typeof v !== "string") return { dimension: d.key, message: `${d.label} must be text` };
        if (v.length > d.maxLength) return { dimension: d.key, message: `${d.label} must be at most ${d.maxLength} characters` };
        break;
    }
  }
  return null;
}

/** A dimension's value as a score in [0, 1] (numeric: position in the range; boolean: 1/0; ordered categories: rank), or null. */
export function normalizedScore(d: RubricDimension, v: GradeValue | undefined): number | null {
  if (v === undefined) return null;
  if (d.type === "numeric" && typeof v === "number") return (v - d.min) / (d.max - d.min);
  if (d.type === "boolean" && typeof v === "boolean") return v ? 1 : 0;
  if (d.type === "categorical" && d.ordered && typeof v === "string") {
    const i = d.options.findIndex((o) => o.value === v);
    return i < 0 ? null : i / (d.options.length - 1);
  }
  return null;
}

/** Why an agreement figure is missing (server/domain/reviews/agreement.ts), in words for people. */
export type AgreementNullReason = "no-pairable-units" | "no-variation" | "unequal-raters";
export const AGREEMENT_NULL_REASON_TEXT: Record<AgreementNullReason, string> = {
  "no-pairable-units": "No item has been graded by two or more reviewers yet.",
  "no-variation": "Every grade is the same, so agreement beyond chance cannot be measured.",
  "unequal-raters": "Items have different numbers of reviewers; Fleiss' kappa needs the same number for every item (use Krippendorff's alpha).",
};
