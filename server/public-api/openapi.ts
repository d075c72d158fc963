import "server-only";
// The OpenAPI 3.1 document of the public API, generated from the route table and the zod schemas
// the handlers validate with (z.toJSONSchema): a route cannot exist without being documented, and
// the documented shapes are the enforced ones. Served at GET /api/public/openapi.json.
import { z, type ZodType } from "zod";
import { API_KEY_SCOPES } from "../contracts/permissions";
import { embeddingsRequest } from "../gateway/embeddings";
import { responsesRequest } from "../gateway/responses";
import { GATEWAY_ROUTES } from "../gateway/routes";
import { chatCompletionResponse, embeddingsResponse, gatewayError, modelList, modelObject, responseObject } from "../gateway/schemas";
import { chatCompletionRequest } from "../gateway/wire";
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
      const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" }) as {
        schemas: Record<string, JsonObject>;
      };
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

// ----- the gateway (answered before the public API, OpenAI's wire format) --------------------

type GatewayDoc = { operationId: string; summary: string; description: string; request?: ZodType; response: ZodType; stream?: string; errors: number[] };

const GATEWAY_DOCS: Record<(typeof GATEWAY_ROUTES)[number]["path"], GatewayDoc> = {
  "/api/gateway/v1/chat/completions": {
    operationId: "gatewayChatCompletions",
    summary: "Chat completions (OpenAI-compatible)",
    description:
      "OpenAI's chat completions API. `model: \"prompt:<name>@<label>\"` renders that deployed prompt version with `variables` (Keel's extra field) and calls its provider; any other model passes through the project's gateway connection. Guardrails, fallback, per-key limits; every call is logged as a trace (`x-keel-trace-id`).",
    request: chatCompletionRequest,
    response: chatCompletionResponse,
    stream: "`stream: true`: Server-Sent Events of `chat.completion.chunk` objects, ending with `data: [DONE]`.",
    errors: [400, 401, 403, 404, 413, 415, 422, 429, 502],
  },
  "/api/gateway/v1/responses": {
    operationId: "gatewayResponses",
    summary: "Responses (OpenAI-compatible)",
    description:
      "OpenAI's Responses API (the default of the Vercel AI SDK's `openai(model)`), translated onto the same pipeline as chat completions. Text and function tools only; nothing is stored: `previous_response_id`, `conversation` and `item_reference` inputs are a 400, `store: true` is accepted and answered with `store: false`.",
    request: responsesRequest,
    response: responseObject,
    stream:
      "`stream: true`: Server-Sent Events `response.created`, `response.in_progress`, `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`/`.done`, `response.function_call_arguments.delta`/`.done`, `response.content_part.done`, `response.output_item.done`, `response.completed` (or `response.incomplete`); a failure mid-stream is `response.failed` then `error`. Every event carries `sequence_number`.",
    errors: [400, 401, 403, 404, 413, 415, 422, 429, 502],
  },
  "/api/gateway/v1/embeddings": {
    operationId: "gatewayEmbeddings",
    summary: "Embeddings (OpenAI-compatible)",
    description:
      "OpenAI's embeddings API, passed through to the project's gateway connection (OpenAI-compatible; the simulated provider answers deterministic vectors; Anthropic serves none: a 400). Input guardrails apply; the call is logged as an embeddings span.",
    request: embeddingsRequest,
    response: embeddingsResponse,
    errors: [400, 401, 403, 413, 415, 422, 429, 502],
  },
  "/api/gateway/v1/models": {
    operationId: "gatewayListModels",
    summary: "List models",
    description:
      "The deployed prompts as models: every label of every prompt, as `prompt:<name>@<label>`. Plain model names pass through to the provider and are its to list.",
    response: modelList,
    errors: [401, 403],
  },
  "/api/gateway/v1/models/{id}": {
    operationId: "gatewayGetModel",
    summary: "Get a model",
    description: "One deployed prompt as a model (`prompt:<name>@<label>`; the `/` of a folder may be sent raw or `%2F`-encoded). Anything else is a 404.",
    response: modelObject,
    errors: [401, 403, 404],
  },
};

const GATEWAY_STATUS_TEXT: Record<number, string> = {
  400: "Bad input, named in `error.param`; a guardrail block (`code: guardrail_blocked`); something the gateway does not do (hosted tools, stored responses).",
  401: "Missing, unknown or revoked API key.",
  403: "The key lacks the `gateway:invoke` scope.",
  404: "No such deployed prompt or label (`code: model_not_found`), or no such route.",
  413: "The body is over 4 MiB.",
  415: "The body is not application/json.",
  422: "The prompt or the project names a provider connection that no longer exists.",
  429: "The key's rate limit or monthly quota, or the provider's rate limit.",
  502: "The model provider failed (after the fallback connection, if any).",
};

function gatewayPaths(schemas: SchemaSet): Record<string, Record<string, JsonObject>> {
  const errorRef = schemas.ref(gatewayError, "GatewayError", "output");
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of GATEWAY_ROUTES) {
    const doc = GATEWAY_DOCS[route.path];
    const name = pascal(doc.operationId);
    const responses: Record<string, JsonObject> = {
      200: {
        description: doc.stream ? `The answer; with ${doc.stream}` : "The answer.",
        headers: { "x-keel-trace-id": { description: "The trace this call was logged as.", schema: { type: "string" } } },
        content: {
          "application/json": { schema: schemas.ref(doc.response, `${name}Response`, "output") },
          ...(doc.stream ? { "text/event-stream": { schema: { type: "string" } } } : {}),
        },
      },
    };
    for (const status of doc.errors)
      responses[String(status)] = { description: GATEWAY_STATUS_TEXT[status] ?? "Error.", content: { "application/json": { schema: errorRef } } };
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: "path",
      required: true,
      description: "A model id: prompt:<name>@<label>.",
      schema: { type: "string" },
    }));
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: doc.operationId,
      summary: doc.summary,
      description: `${doc.description}\n\n**Access:** API key scope \`${route.scope}\` (${API_KEY_SCOPES[route.scope]}), as \`Authorization: Bearer\`, \`api-key\` or \`x-api-key\`.`,
      tags: ["Gateway"],
      ...(parameters.length ? { parameters } : {}),
      ...(doc.request
        ? { requestBody: { required: true, content: { "application/json": { schema: schemas.ref(doc.request, `${name}Request`, "input") } } } }
        : {}),
      responses,
      security: [{ bearerAuth: [] }, { gatewayApiKey: [] }, { gatewayXApiKey: [] }],
      "x-keel-scope": route.scope,
    };
  }
  return paths;
}

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
        ...(doc.headers
          ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) }
          : {}),
        ...(doc.schema
          ? {
              content: {
                "application/json": {
                  schema: schemas.ref(
                    doc.schema,
                    status.startsWith("2") ? `${pascal(route.operationId)}Response` : `${pascal(route.operationId)}Response${status}`,
                    "output",
                  ),
                },
              },
            }
          : {}),
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
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemas.ref(route.body, `${pascal(route.operationId)}Request`, "input") } },
            },
          }
        : route.rawBody
          ? {
              requestBody: {
                required: true,
                description: route.rawBody.description,
                content: Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, { schema: { type: "string" } }])),
              },
            }
          : {}),
      responses,
      security: route.scope === "public" ? [] : [{ bearerAuth: [] }, { basicAuth: [] }],
      "x-keel-scope": route.scope,
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  Object.assign(paths, gatewayPaths(schemas));

  return {
    openapi: "3.1.0",
    info: {
      title: "Keel public API",
      version: options.version,
      description:
        'Project API for applications and CI. Authenticate with a project API key: `Authorization: Bearer sk-keel-…`, or `Basic base64(pk-keel-…:sk-keel-…)` as the Langfuse SDKs send it. Errors are `{ "error": { "code", "message", "field"? } }`. Prompt names may contain `/` (folders): send them `%2F`-encoded in paths.',
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "/", description: "This Keel server" }],
    tags: [
      { name: "Keys", description: "Checking an API key." },
      { name: "Prompts", description: "The prompt registry: fetch, list, save versions, move labels." },
      { name: "Datasets", description: "Versioned test sets: list, read items of a version, add items, import and export files." },
      { name: "Evaluations", description: "Start evaluation runs (CI gates) and read their results." },
      { name: "Langfuse compatibility", description: "Endpoints in Langfuse's shape, for its SDKs." },
      {
        name: "Gateway",
        description: "The OpenAI-compatible gateway (/api/gateway/v1): chat completions, responses, embeddings, models. Errors there are in OpenAI's shape.",
      },
      { name: "Meta", description: "This document." },
    ],
    paths,
    components: {
      schemas: schemas.components(),
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "The secret key (sk-keel-…)." },
        basicAuth: { type: "http", scheme: "basic", description: "public key (pk-keel-…) as user, secret key (sk-keel-…) as password." },
        gatewayApiKey: {
          type: "apiKey",
          in: "header",
          name: "api-key",
          description: "The gateway only: the secret key (sk-keel-…) alone, as Azure OpenAI clients send it.",
        },
        gatewayXApiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "The gateway only: the secret key (sk-keel-…) alone." },
      },
    },
  };
}
