import "server-only";
// The OpenAPI 3.1 document of the public API, generated from the route table and the zod schemas
// the handlers validate with (z.toJSONSchema): a route cannot exist without being documented, and
// the documented shapes are the enforced ones. Served at GET /api/public/openapi.json.
import { z, type ZodType } from "zod";
import { API_KEY_SCOPES } from "../contracts/permissions";
import { chatMessage, modelConfig } from "../contracts/prompts";
import { errorResponse } from "./errors";
import { MAX_BODY_BYTES } from "./input";
import type { PublicRoute } from "./route-table";
import { langfusePromptResponse, promptResponse } from "./schemas";

type JsonObject = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: "Bad input: malformed JSON, a field that fails validation (named in `error.field`), label and version together, or a method the route does not allow.",
  401: "Missing, malformed, unknown or revoked API key.",
  403: "The key lacks the route's scope, or the domain refused the change (e.g. a protected environment).",
  404: "No such prompt, label or version (or route).",
  409: "Conflict: identical to the latest version, someone saved in between (`basedOnVersion`), or the prompt's type differs.",
  413: `The body is over 1 MiB (${MAX_BODY_BYTES} bytes), or a template over 1 MB.`,
  415: "The body is not application/json.",
};

function clean(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Component names of shared schemas; other response and request bodies are named after their operation. */
const COMPONENT_NAMES = new Map<ZodType, string>([
  [promptResponse, "Prompt"],
  [langfusePromptResponse, "LangfusePrompt"],
  [chatMessage, "ChatMessage"],
  [modelConfig, "ModelConfig"],
]);
/** Referenced from inside response bodies (request bodies inline them: as input, zod accepts and strips unknown keys). */
const SHARED = [chatMessage, modelConfig];

/** Named schemas become components; everything else is inlined. */
class SchemaSet {
  private readonly output = z.registry<{ id: string }>();
  private readonly input = z.registry<{ id: string }>();
  private readonly owners = new Map<string, { schema: ZodType; io: "input" | "output" }>();

  constructor() {
    for (const schema of SHARED) this.ref(schema, "", "output");
  }

  ref(schema: ZodType, fallbackId: string, io: "input" | "output"): JsonObject {
    const registry = io === "input" ? this.input : this.output;
    const id = registry.get(schema)?.id ?? COMPONENT_NAMES.get(schema) ?? fallbackId;
    const owner = this.owners.get(id);
    if (owner && (owner.schema !== schema || owner.io !== io)) throw new Error(`OpenAPI component name ${id} is used twice`);
    this.owners.set(id, { schema, io });
    if (!registry.has(schema)) registry.add(schema, { id });
    return { $ref: `#/components/schemas/${id}` };
  }

  components(): Record<string, JsonObject> {
    const out: Record<string, JsonObject> = {};
    for (const [registry, io] of [
      [this.output, "output"],
      [this.input, "input"],
    ] as const) {
      const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" }) as { schemas: Record<string, JsonObject> };
      for (const [id, schema] of Object.entries(schemas)) {
        out[id] = clean(schema);
      }
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }
}

function inline(schema: ZodType, io: "input" | "output"): JsonObject {
  return clean(z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject);
}

function objectShape(schema: ZodType | undefined): [string, ZodType][] {
  if (!schema) return [];
  const shape = (schema as unknown as { shape?: Record<string, ZodType> }).shape;
  if (!shape) throw new Error("Path and query schemas must be zod objects");
  return Object.entries(shape);
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function buildOpenApiDocument(routes: readonly PublicRoute[], options: { version: string }): JsonObject {
  const schemas = new SchemaSet();
  const errorRef = schemas.ref(errorResponse, "Error", "output");
  const paths: Record<string, Record<string, JsonObject>> = {};

  for (const route of routes) {
    const parameters: JsonObject[] = [];
    for (const [name, schema] of objectShape(route.params)) {
      const { description, ...json } = inline(schema, "input");
      parameters.push({ name, in: "path", required: true, description, schema: json });
    }
    for (const [name, schema] of objectShape(route.query)) {
      const { description, ...json } = inline(schema, "input");
      parameters.push({ name, in: "query", required: !schema.safeParse(undefined).success, description, schema: json });
    }

    const responses: Record<string, JsonObject> = {};
    for (const [status, doc] of Object.entries(route.responses)) {
      responses[status] = {
        description: doc.description,
        ...(doc.headers ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) } : {}),
        ...(doc.schema ? { content: { "application/json": { schema: schemas.ref(doc.schema, status.startsWith("2") ? `${pascal(route.operationId)}Response` : `${pascal(route.operationId)}Response${status}`, "output") } } } : {}),
        ...(doc.contentTypes ? { content: Object.fromEntries(doc.contentTypes.map((type) => [type, { schema: { type: "string" } }])) } : {}),
      };
    }
    const errorStatuses = new Set<number>(route.errors);
    if (route.params || route.query || route.body || route.rawBody) errorStatuses.add(400);
    if (route.scope !== "public") errorStatuses.add(401);
    if (route.scope !== "public" && route.scope !== "any") errorStatuses.add(403);
    for (const status of [...errorStatuses].sort()) {
      responses[String(status)] = { description: STATUS_TEXT[status] ?? "Error.", content: { "application/json": { schema: errorRef } } };
    }

    const access =
      route.scope === "public"
        ? `No authentication: ${route.reason}.`
        : route.scope === "any"
          ? "Any valid API key."
          : `API key scope \`${route.scope}\` (${API_KEY_SCOPES[route.scope]}).`;
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description, `**Access:** ${access}`].filter(Boolean).join("\n\n"),
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schemas.ref(route.body, `${pascal(route.operationId)}Request`, "input") } } } }
        : route.rawBody
          ? { requestBody: { required: true, description: route.rawBody.description, content: Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, { schema: { type: "string" } }])) } }
          : {}),
      responses,
      security: route.scope === "public" ? [] : [{ bearerAuth: [] }, { basicAuth: [] }],
      "x-keel-scope": route.scope,
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Keel public API",
      version: options.version,
      description:
        "Project API for applications and CI. Authenticate with a project API key: `Authorization: Bearer sk-keel-…`, or `Basic base64(pk-keel-…:sk-keel-…)` as the Langfuse SDKs send it. Errors are `{ \"error\": { \"code\", \"message\", \"field\"? } }`. Prompt names may contain `/` (folders): send them `%2F`-encoded in paths.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "/", description: "This Keel server" }],
    tags: [
      { name: "Keys", description: "Checking an API key." },
      { name: "Prompts", description: "The prompt registry: fetch, list, save versions, move labels." },
      { name: "Datasets", description: "Versioned test sets: list, read items of a version, add items, import and export files." },
      { name: "Evaluations", description: "Start evaluation runs (CI gates) and read their results." },
      { name: "Langfuse compatibility", description: "Endpoints in Langfuse's shape, for its SDKs." },
      { name: "Meta", description: "This document." },
    ],
    paths,
    components: {
      schemas: schemas.components(),
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "The secret key (sk-keel-…)." },
        basicAuth: { type: "http", scheme: "basic", description: "public key (pk-keel-…) as user, secret key (sk-keel-…) as password." },
      },
    },
  };
}
