// Property-based: generated inputs thrown at every tRPC procedure (as the owner of a real org, so
// permission checks pass), every public API route, the gateway and every session HTTP route (over
// a real node:http server running Keel's request handler) never produce a server error. Inputs
// are built from each route's own zod schemas (test/support/zod-arbitrary.ts): valid shapes and
// entity names, so they reach the domain, with hostile leaves (NUL, unpaired surrogates, 10k
// characters, RTL/emoji, out-of-range dates and numbers). Every 5xx is collected and printed
// with the request that caused it; totals are printed for the report. FUZZ_SEED replays a run.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import superjson from "superjson";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { appRouter } from "./root";
import { createContext } from "./trpc";
import { createRequestContext } from "./http-context";
import { httpHandlers } from "./http-handlers";
import { HTTP_ROUTES, type HttpRouteId } from "./http-route-table";
import { publicRoutes } from "../public-api/routes";
import { GATEWAY_ROUTES } from "../gateway/routes";
import { chatCompletionRequest } from "../gateway/wire";
import { responsesRequest } from "../gateway/responses";
import { embeddingsRequest } from "../gateway/embeddings";
import { API_KEY_SCOPE_NAMES } from "../contracts/permissions";
import { createRequestHandler } from "../runtime/request-handler";
import { createPublicApi, type PublicApi } from "../public-api/api";
import { callerFor, callPath, createTestOrg, sessionCookieFor, testRequest, type TestOrg } from "@/test/support/factories";
import { createKey, type TestKey } from "@/test/support/public-api";
import { arbitraryFor, HOSTILE_STRINGS, percentEncode, type Pools } from "@/test/support/zod-arbitrary";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Generated inputs per tRPC procedure (called directly), per procedure over HTTP, per HTTP route. */
const RUNS = { procedure: 16, procedureHttp: 2, route: 24 };

type Procedure = { _def: { type: "query" | "mutation" | "subscription"; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).sort(([a], [b]) => a.localeCompare(b));

const totals = { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0 };
const failures: string[] = [];
const show = (value: unknown) => {
  const text = typeof value === "string" ? value : (superjson.stringify(value) ?? "undefined");
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
};
function count(status: number, describe: () => string) {
  totals.requests++;
  if (status >= 500) {
    totals.serverErrors++;
    failures.push(`${status} ← ${describe()}`);
  } else if (status >= 400) totals.clientErrors++;
  else totals.ok++;
}

let t: TestOrg;
let pools: Pools;
let key: TestKey;
let cookie: string;
let api: PublicApi;
let server: Server;
let base: string;

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";

/** Stands in for Next: tRPC and the session routes, as app/api's route files serve them. */
async function next(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", base);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(url, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(Buffer.concat(chunks)),
  });
  let response: Response = new Response("no such page", { status: 404 });
  if (url.pathname.startsWith("/api/trpc/")) {
    response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () => createRequestContext(request),
      allowMethodOverride: false,
    });
  } else {
    for (const [id, route] of Object.entries(HTTP_ROUTES) as [HttpRouteId, (typeof HTTP_ROUTES)[HttpRouteId]][]) {
      const names: string[] = [];
      const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), "([^/]+)"))}$`);
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      } catch {
        // Next answers a path it cannot decode with 400 before any route runs.
        response = new Response("Bad Request", { status: 400 });
        break;
      }
      response = await httpHandlers[id](request, { params: Promise.resolve(params) });
      break;
    }
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

beforeAll(async () => {
  t = await createTestOrg();
  const owner = callerFor(t.users.owner);
  const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
  // A few real entities, so generated names find something and reach deeper.
  await owner.prompts.create({ ...scope, name: "fuzz-prompt", content: { type: "text", template: "Hello {{name}}" }, commitMessage: "first" });
  await owner.prompts.moveLabel({ ...scope, name: "fuzz-prompt", label: "production", version: 1 });
  await owner.datasets.create({ ...scope, name: "fuzz-ds" });
  await owner.datasets.addItems({ ...scope, name: "fuzz-ds", items: [{ input: { name: "Ada" }, expected: "Hello Ada" }], message: "seed" });
  key = await createKey(t, [...API_KEY_SCOPE_NAMES], "fuzz");
  cookie = await sessionCookieFor(t.users.owner);
  pools = {
    strings: [
      t.org.slug,
      t.project.slug,
      "fuzz-prompt",
      "fuzz-ds",
      "fuzz-queue",
      "production",
      "staging",
      "latest",
      "hello",
      "Hello {{name}}",
      "support",
      "test",
      "csv",
      "jsonl",
      "json",
      "a@example.com",
      t.users.editor.id,
      t.users.viewer.id,
      randomUUID(),
      "2026-11-27T09:00:00Z",
      "http://127.0.0.1:9/v1",
      TRACE,
      SPAN,
      "gpt-4o-mini",
      "prompt:fuzz-prompt@production",
      "1",
      "i",
      "name",
      "Initial version",
      "group:deployments",
      "prompt.version.created",
    ],
    numbers: [1, 2, 3],
    keys: { orgSlug: t.org.slug, projectSlug: t.project.slug },
  };
  api = createPublicApi({ log: () => {} });
  await api.ready();
  server = createServer(
    createRequestHandler({
      dev: false,
      trustProxy: false,
      tls: false,
      publicApi: api,
      next: (req, res) => next(req, res).catch((error: unknown) => res.writeHead(599).end(String(error))),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
});

afterAll(async () => {
  console.log(`[fuzz] totals: ${totals.requests} requests, ${totals.ok} 2xx/3xx, ${totals.clientErrors} 4xx, ${totals.serverErrors} 5xx`);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  await api?.close();
  await api?.gateway.close();
});

/** A procedure's input: its (merged) input schemas' shapes. */
function inputArbitrary(procedure: Procedure): fc.Arbitrary<unknown> {
  const parts = procedure._def.inputs.map((schema) => arbitraryFor(schema, pools));
  if (parts.length === 0) return fc.constant(undefined);
  if (parts.length === 1) return parts[0]!;
  return fc.tuple(...parts).map((values) => Object.assign({}, ...values.filter((v) => v && typeof v === "object")) as unknown);
}

// Shapeless garbage as well: the whole input of the wrong type.
const garbage = fc.oneof(fc.anything({ maxDepth: 2 }), fc.constantFrom(...HOSTILE_STRINGS));

async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${base}${path}`, { method, headers: init.headers, body: init.body });
  const text = await response.text();
  count(
    response.status,
    () => `${method} ${path.length > 300 ? `${path.slice(0, 300)}…` : path}${init.body ? ` body ${show(init.body)}` : ""}: ${text.slice(0, 300)}`,
  );
  if (response.status < 500) expect(text, `${method} ${path}`).not.toMatch(/\n\s+at |"stack"|SELECT .* FROM |INSERT INTO |[Pp]risma/);
  return response.status;
}

describe("fuzz", () => {
  it("tRPC procedures, called as the owner with generated inputs", async () => {
    const before = failures.length;
    for (const [path, procedure] of procedures) {
      const inputs = fc.sample(fc.oneof({ arbitrary: inputArbitrary(procedure), weight: 5 }, { arbitrary: garbage, weight: 1 }), {
        numRuns: RUNS.procedure,
        seed: SEED,
      });
      for (const input of inputs) {
        let status = 200;
        let cause = "";
        try {
          await callPath(callerFor(t.users.owner), path, input);
        } catch (error) {
          if (!(error instanceof TRPCError)) throw error;
          status = error.code === "INTERNAL_SERVER_ERROR" ? 500 : 400;
          cause = String(error.cause ?? error.message);
        }
        count(status, () => `${path}(${show(input)}): ${cause}`);
      }
    }
    expect(failures.slice(before)).toEqual([]);
  }, 120_000);

  it("tRPC over HTTP with a session cookie", async () => {
    const before = failures.length;
    for (const [path, procedure] of procedures) {
      for (const input of fc.sample(inputArbitrary(procedure), { numRuns: RUNS.procedureHttp, seed: SEED })) {
        const payload = superjson.stringify(input);
        const headers = { cookie, "content-type": "application/json" };
        if (procedure._def.type === "query") await send("GET", `/api/trpc/${path}?input=${percentEncode(payload)}`, { headers });
        else await send("POST", `/api/trpc/${path}`, { headers, body: payload });
      }
    }
    expect(failures.slice(before)).toEqual([]);
  }, 120_000);

  it("every public API route with a full-scope key", async () => {
    const before = failures.length;
    const auth = { authorization: `Bearer ${key.secret}` };
    // Spans start now (older ones fall outside retention and never reach storage), each its own id.
    const otlp = fc
      .record({ name: fc.constantFrom(...HOSTILE_STRINGS), key: fc.constantFrom("k", ...HOSTILE_STRINGS), value: fc.constantFrom(...HOSTILE_STRINGS) })
      .map(({ name, key: k, value }) =>
        JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [{ key: k, value: { stringValue: value } }] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: TRACE,
                      spanId: randomUUID().replaceAll("-", "").slice(0, 16),
                      name,
                      startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                      attributes: [
                        { key: k, value: { stringValue: value } },
                        { key: "gen_ai.prompt", value: { stringValue: value } },
                      ],
                      status: { message: value },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
    const csv = fc
      .tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom(...HOSTILE_STRINGS))
      .map(([a, b]) => `input,expected\n"${a.replaceAll('"', '""')}","${b.replaceAll('"', '""')}"\n`);
    for (const route of publicRoutes) {
      const params = route.params ? arbitraryFor(route.params, pools) : fc.constant({});
      const query = route.query ? arbitraryFor(route.query, pools) : fc.constant({});
      const body: fc.Arbitrary<string | undefined> = route.body
        ? arbitraryFor(route.body, pools).map((b) => JSON.stringify(b))
        : route.rawBody
          ? route.path.endsWith("/traces")
            ? otlp
            : csv
          : fc.constant(undefined);
      for (const [p, q, b] of fc.sample(fc.tuple(params, query, body), { numRuns: RUNS.route, seed: SEED })) {
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => percentEncode(String((p as Record<string, unknown>)[name] ?? "x")));
        const search = Object.entries((q ?? {}) as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${percentEncode(v instanceof Date ? (Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString()) : String(v))}`)
          .join("&");
        const contentType = route.rawBody && !route.path.endsWith("/traces") ? "text/csv" : "application/json";
        await send(route.method, `${path}${search ? `?${search}` : ""}`, { headers: { ...auth, "content-type": contentType }, body: b });
      }
    }
    expect(failures.slice(before)).toEqual([]);
  }, 120_000);

  it("the gateway", async () => {
    const before = failures.length;
    const auth = { authorization: `Bearer ${key.secret}`, "content-type": "application/json" };
    for (const route of GATEWAY_ROUTES) {
      if (route.method === "GET") {
        await send("GET", route.path, { headers: auth });
        continue;
      }
      const schema = route.path.endsWith("/responses") ? responsesRequest : route.path.endsWith("/embeddings") ? embeddingsRequest : chatCompletionRequest;
      for (const body of fc.sample(fc.oneof({ arbitrary: arbitraryFor(schema, pools), weight: 5 }, { arbitrary: garbage, weight: 1 }), {
        numRuns: RUNS.route * 2,
        seed: SEED,
      })) {
        await send("POST", route.path, { headers: auth, body: JSON.stringify(body) ?? "null" });
      }
    }
    await api.gateway.logger.flush();
    expect(failures.slice(before)).toEqual([]);
  }, 120_000);

  it("every session HTTP route with the owner's cookie", async () => {
    const before = failures.length;
    const value = fc.oneof({ arbitrary: fc.constantFrom(...pools.strings), weight: 3 }, { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 2 });
    const param = (name: string) =>
      name === "org"
        ? fc.oneof({ arbitrary: fc.constant(t.org.slug), weight: 8 }, { arbitrary: value, weight: 1 })
        : name === "project"
          ? fc.oneof({ arbitrary: fc.constant(t.project.slug), weight: 8 }, { arbitrary: value, weight: 1 })
          : name === "dataset"
            ? fc.oneof(fc.constant("fuzz-ds"), value)
            : value;
    const queryKeys = [
      "format",
      "q",
      "from",
      "to",
      "actor",
      "action",
      "targetType",
      "targetId",
      "outcome",
      "project",
      "version",
      "mapping",
      "delimiter",
      "truncated",
    ];
    const query = fc.dictionary(
      fc.constantFrom(...queryKeys),
      fc.oneof(value, fc.constantFrom("csv", "jsonl", "json", "html", "1", "-1", "1e308", '{"input":"input"}', "[]")),
      { maxKeys: 4 },
    );
    const csv = fc.constantFrom(...HOSTILE_STRINGS).map((s) => `input,expected\n"${s.replaceAll('"', '""')}",x\n`);
    for (const [, route] of Object.entries(HTTP_ROUTES)) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const arb = fc.tuple(fc.tuple(...names.map(param)), query, csv);
      for (const [values, q, body] of fc.sample(arb, { numRuns: RUNS.route, seed: SEED })) {
        let i = 0;
        const path = route.path.replace(/\{(\w+)\}/g, () => percentEncode(String(values[i++])));
        const search = Object.entries(q)
          .map(([k, v]) => `${k}=${percentEncode(String(v))}`)
          .join("&");
        await send(route.method, `${path}${search ? `?${search}` : ""}`, {
          headers: { cookie, "content-type": "text/csv" },
          body: route.method === "POST" ? body : undefined,
        });
      }
    }
    expect(failures.slice(before)).toEqual([]);
  }, 120_000);
});

describe("over HTTP", () => {
  const handle = (req: Request) =>
    fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createContext(null, testRequest()), allowMethodOverride: false });

  it("answers malformed requests with a 4xx, no stack and no SQL", async () => {
    const requests = [
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } }),
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", {
        method: "POST",
        body: JSON.stringify({ json: { email: 5 } }),
        headers: { "content-type": "application/json" },
      }),
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", { method: "GET" }),
      new Request("http://keel.test/api/trpc/account.describePasswordLink?input=%7B%22json%22%3A%7B%22token%22%3A%22%00%22%7D%7D", { method: "GET" }),
      new Request("http://keel.test/api/trpc/no.such.procedure", { method: "GET" }),
      new Request("http://keel.test/api/trpc/members.list?input=garbage", { method: "GET" }),
    ];
    for (const req of requests) {
      const res = await handle(req);
      const body = await res.text();
      expect(res.status, `${req.method} ${req.url} → ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${req.method} ${req.url} → ${body}`).toBeLessThan(500);
      expect(body).not.toMatch(/"stack"|\n\s+at |SELECT |INSERT |prisma/i);
    }
  });

  it("names the bad field in the message", async () => {
    const res = await handle(
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          json: {
            name: "A",
            email: "not-an-email",
            password: "long-enough-password",
            organizationName: "O",
            organizationSlug: "o-o",
            projectName: "P",
            projectSlug: "p-p",
          },
        }),
      }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { field?: string } } } };
    expect(body.error.json.message).toMatch(/^email: /);
    expect(body.error.json.data.field).toBe("email");
  });
});
