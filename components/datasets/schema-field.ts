// JSON Schema text fields (new dataset, settings): empty means "no schema"; anything else must be
// a JSON object. Whether it is a valid JSON Schema is the server's call (ajv), shown on the field.
import { z } from "zod";
import { isPlainObject, parseJson } from "./model";

export function parseSchemaText(text: string): { value: Record<string, unknown> | null; error?: string } {
  if (!text.trim()) return { value: null };
  const parsed = parseJson(text);
  if (!parsed.ok) return { value: null, error: parsed.error };
  if (!isPlainObject(parsed.value)) return { value: null, error: "A JSON Schema must be a JSON object" };
  return { value: parsed.value };
}

export function schemaText(value: unknown): string {
  return value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
}

/** A JSON Schema text field in a form schema: parsed to the object, or null when empty. */
export const jsonSchemaText = z.string().transform((text, ctx) => {
  const parsed = parseSchemaText(text);
  if (parsed.error) ctx.addIssue({ code: "custom", message: parsed.error });
  return parsed.value;
});
