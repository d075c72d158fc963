import "server-only";
// A prompt model's template variables, from wherever a client could put them: the body's
// `variables` (Keel's own field), `metadata.keel_variables` (a JSON string: OpenAI metadata values
// are strings, and SDKs pass metadata through untouched) and a `Keel-Variables` header (JSON; set
// once on a client as a default header). The sources are merged; a variable given twice with
// different values is refused rather than settled by a precedence the caller may not expect.
import { badRequest, type ChatCompletionRequest } from "./wire";

type Source = { name: string; param: string; values: Record<string, string> };

const asText = (v: unknown) => (v === null ? "" : String(v));

/** A JSON object of scalars, or a 400 naming where it came from. */
function parseObject(raw: string, name: string, param: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(`${name} is not valid JSON: send a JSON object such as {"company":"Acme"}`, param, "invalid_variables");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw badRequest(`${name} must be a JSON object of variable names to values`, param, "invalid_variables");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
      throw badRequest(`${name}: variable "${k}" must be a string, number, boolean or null`, param, "invalid_variables");
    out[k] = asText(v);
  }
  return out;
}

/** The merged variables (null when no source sent any). */
export function requestVariables(
  body: Pick<ChatCompletionRequest, "variables" | "metadata">,
  header: string | string[] | undefined,
): Record<string, string> | null {
  const sources: Source[] = [];
  if (body.variables)
    sources.push({ name: "`variables`", param: "variables", values: Object.fromEntries(Object.entries(body.variables).map(([k, v]) => [k, asText(v)])) });
  const fromMetadata = body.metadata?.keel_variables;
  if (fromMetadata !== undefined)
    sources.push({
      name: "metadata.keel_variables",
      param: "metadata.keel_variables",
      values: parseObject(fromMetadata, "metadata.keel_variables", "metadata.keel_variables"),
    });
  if (header !== undefined) {
    const raw = Array.isArray(header) ? header.join(",") : header;
    sources.push({ name: "The Keel-Variables header", param: "Keel-Variables", values: parseObject(raw, "The Keel-Variables header", "Keel-Variables") });
  }
  if (!sources.length) return null;
  const merged: Record<string, string> = {};
  const from: Record<string, Source> = {};
  for (const source of sources) {
    for (const [k, v] of Object.entries(source.values)) {
      const earlier = from[k];
      if (earlier && merged[k] !== v)
        throw badRequest(
          `Variable "${k}" has two different values: in ${earlier.name.replace(/^The /, "the ")} and in ${source.name.replace(/^The /, "the ")}; send it once`,
          source.param,
          "conflicting_variables",
        );
      merged[k] = v;
      from[k] = source;
    }
  }
  return merged;
}
