// The OpenAPI document: served without a key, valid OpenAPI 3.1 (checked by a real validator),
// every route in the table documented with its scope and nothing documented that is not a route,
// and docs/api.md covering every route.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPublicApi, type RunningApi } from "@/test/support/public-api";
import { GATEWAY_ROUTES } from "../gateway/routes";
import { publicRoutes } from "./routes";

let srv: RunningApi;
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};
let doc: Doc;

beforeAll(async () => {
  srv = await startPublicApi();
  const res = await fetch(`${srv.base}/api/public/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  doc = (await res.json()) as Doc;
});
afterAll(() => srv.close());

describe("GET /api/public/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document whose references all resolve", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc)); // resolveRefs() below rewrites what it was given
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(() => validator.resolveRefs()).not.toThrow();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(doc.components.schemas[ref], ref).toBeDefined();
  });

  it("documents every route of the table with its scope, and nothing else", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual([...publicRoutes, ...GATEWAY_ROUTES].map((r) => `${r.method} ${r.path}`).sort());
    for (const route of GATEWAY_ROUTES) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op["x-keel-scope"]).toBe(route.scope);
      expect((op.responses as Record<string, unknown>)["401"]).toBeDefined();
    }
    const operationIds = new Set<string>();
    for (const route of publicRoutes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op["x-keel-scope"]).toBe(route.scope);
      expect(operationIds.has(op.operationId as string)).toBe(false);
      operationIds.add(op.operationId as string);
      const responses = op.responses as Record<string, unknown>;
      if (route.scope === "public") expect(op.security).toEqual([]);
      else expect(responses["401"]).toBeDefined();
      if (route.body) expect(op.requestBody).toBeDefined();
      if (route.body || route.query || route.params) expect(responses["400"]).toBeDefined();
    }
  });

  it("takes its shapes from the zod schemas the handlers validate with", () => {
    const get = doc.paths["/api/public/v1/prompts/{name}"]!.get! as { parameters: { name: string; in: string; schema: { pattern?: string } }[] };
    expect(get.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(["path:name", "query:label", "query:version"]);
    expect(get.parameters.find((p) => p.name === "label")!.schema.pattern).toBe("^[a-z0-9][a-z0-9_-]*$");
    const request = JSON.stringify(doc.components.schemas.CreatePromptVersionRequest);
    for (const field of ['"commitMessage"', '"messages"', '"basedOnVersion"', '"responseFormat"']) expect(request).toContain(field);
    expect(JSON.stringify(doc.components.schemas.Prompt)).toContain('"contentHash"');
    expect(JSON.stringify(doc.components.schemas.Prompt)).toContain('"#/components/schemas/ChatMessage"');
    // The gateway's request bodies are the schemas its handlers validate with.
    for (const [schema, fields] of [
      ["GatewayChatCompletionsRequest", ['"messages"', '"variables"']],
      ["GatewayResponsesRequest", ['"input"', '"instructions"', '"max_output_tokens"', '"variables"']],
      ["GatewayEmbeddingsRequest", ['"input"', '"dimensions"', '"encoding_format"']],
      ["GatewayResponsesResponse", ['"output"', '"function_call"', '"usage"']],
    ] as const) {
      for (const field of fields) expect(JSON.stringify(doc.components.schemas[schema]), schema).toContain(field);
    }
  });

  it("every route has a section in docs/api.md", () => {
    const guide = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
    for (const route of publicRoutes) expect(guide, `${route.method} ${route.path}`).toContain(`## \`${route.method} ${route.path}\``);
  });
});
