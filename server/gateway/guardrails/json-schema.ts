// JSON Schema support for the json_schema guardrail: compiles a schema with the ajv dialect its
// `$schema` names (draft-07 when absent, 2019-09, 2020-12), with its `pattern`s on Keel's
// linear-time engine (patterns it cannot run are refused, naming the feature), and turns ajv
// errors into short lines for violation details and the re-ask message. Same ajv options as the
// rest of Keel (server/domain/evaluations/evaluators.ts), plus allErrors so a re-ask can list
// several problems at once. Server-only: ajv and its meta-schemas stay out of the pages' JavaScript
// (forms get the compile errors from the server, on the field).
import "server-only";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019";
import { Ajv2020 } from "ajv/dist/2020";
import { createAjv } from "../../contracts/json-schema";
import { schemaPatternProblem } from "../../contracts/patterns";

// addUsedSchema: false, so two guardrails whose schemas share an $id do not collide in ajv.
const OPTIONS = { allErrors: true, strict: false, validateSchema: true, addUsedSchema: false } as const;

type Dialect = { ajv: Ajv; metaSchema: string };
let dialects: { draft07: Dialect; draft2019: Dialect; draft2020: Dialect } | null = null;

/** Built on first use, so importing the schemas costs nothing until a schema is compiled. */
function getDialects() {
  if (dialects) return dialects;
  dialects = {
    draft07: { ajv: createAjv(Ajv, OPTIONS), metaSchema: "http://json-schema.org/draft-07/schema#" },
    draft2019: { ajv: createAjv(Ajv2019, OPTIONS), metaSchema: "https://json-schema.org/draft/2019-09/schema" },
    draft2020: { ajv: createAjv(Ajv2020, OPTIONS), metaSchema: "https://json-schema.org/draft/2020-12/schema" },
  };
  return dialects;
}

/** The dialect a `$schema` URI names (http or https, with or without the trailing "#"), or null. */
function dialectFor(uri: unknown): Dialect | null {
  const all = getDialects();
  if (uri === undefined) return all.draft07;
  if (typeof uri !== "string") return null;
  const normalized = uri
    .trim()
    .replace(/^https?:\/\//, "")
    .replace(/#$/, "");
  if (normalized === "json-schema.org/draft-07/schema") return all.draft07;
  if (normalized === "json-schema.org/draft/2019-09/schema") return all.draft2019;
  if (normalized === "json-schema.org/draft/2020-12/schema") return all.draft2020;
  return null;
}

export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; problem: string };

/** Compiles a JSON Schema object; on failure says why in words fit for a form ("is not a valid JSON Schema: ..."). */
export function compileJsonSchema(schema: Record<string, unknown>): CompiledSchema {
  const dialect = dialectFor(schema.$schema);
  if (!dialect) {
    return { ok: false, problem: "has an unsupported $schema: use draft-07, draft 2019-09 or draft 2020-12 (or leave $schema out for draft-07)" };
  }
  const patternProblem = schemaPatternProblem(schema);
  if (patternProblem) return { ok: false, problem: patternProblem };
  // ajv only knows the canonical meta-schema URI; "https://json-schema.org/draft-07/schema" is the same one.
  const normalized = schema.$schema === undefined || schema.$schema === dialect.metaSchema ? schema : { ...schema, $schema: dialect.metaSchema };
  try {
    return { ok: true, validate: dialect.ajv.compile(normalized) };
  } catch (error) {
    return { ok: false, problem: `is not a valid JSON Schema: ${(error as Error).message}` };
  } finally {
    // ajv keeps every compiled schema object; callers keep the validators they want.
    dialect.ajv.removeSchema(normalized);
  }
}

/** "at /age: must be integer", "at the root: must have required property 'name'". No instance values. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, max: number): string[] {
  if (!errors || errors.length === 0) return ["does not match the schema"];
  const lines = errors.slice(0, max).map((error) => {
    const where = error.instancePath ? `at ${error.instancePath}` : "at the root";
    let message = error.message ?? "is not valid";
    if (error.keyword === "additionalProperties" && typeof error.params.additionalProperty === "string") {
      message = `must not have the property '${error.params.additionalProperty}'`;
    }
    return `${where}: ${message}`;
  });
  if (errors.length > max) lines.push(`and ${errors.length - max} more`);
  return lines;
}
