import "server-only";
// JSON Schemas for item input and expected output, checked with ajv. Compiled validators are
// kept per schema text, so an import validates 100k rows against one compiled function. Their
// `pattern`s run on Keel's linear-time engine (server/contracts/patterns.ts).
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { createAjv } from "../../contracts/json-schema";
import { schemaPatternProblem } from "../../contracts/patterns";
import { AppError } from "../../errors";

const ajv = createAjv(Ajv, { allErrors: false, strict: false, validateSchema: true });

const compiled = new Map<string, ValidateFunction>();

/** Compiles a schema, or throws BAD_REQUEST naming what is wrong with it. */
export function compileSchema(schema: unknown, field: "inputSchema" | "expectedSchema"): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new AppError("BAD_REQUEST", `${field} must be a JSON Schema object`, { field });
  }
  const patternProblem = schemaPatternProblem(schema);
  if (patternProblem) throw new AppError("BAD_REQUEST", `${field} ${patternProblem}`, { field });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new AppError("BAD_REQUEST", `${field} is not a valid JSON Schema: ${(error as Error).message}`, { field });
  }
  if (compiled.size > 500) compiled.clear();
  compiled.set(key, validate);
  return validate;
}

export type ItemValidators = { input: ValidateFunction | null; expected: ValidateFunction | null };

export function validatorsFor(dataset: { inputSchema: unknown; expectedSchema: unknown }): ItemValidators {
  return {
    input: dataset.inputSchema ? compileSchema(dataset.inputSchema, "inputSchema") : null,
    expected: dataset.expectedSchema ? compileSchema(dataset.expectedSchema, "expectedSchema") : null,
  };
}

/** "input.question: must be string" from ajv's first error, rooted at the item field. */
export function describeSchemaError(root: "input" | "expected", errors: ErrorObject[] | null | undefined): { field: string; message: string } {
  const error = errors?.[0];
  if (!error) return { field: root, message: `${root} does not match the dataset's schema` };
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (error.keyword === "required" && typeof error.params.missingProperty === "string") path.push(error.params.missingProperty);
  const field = [root, ...path].join(".");
  const message = error.keyword === "required" ? "is required by the dataset's schema" : `${error.message ?? "is not valid"} (dataset schema)`;
  return { field, message };
}
