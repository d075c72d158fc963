// One failure, one log line, with the request id the client got back in X-Request-Id (and in the
// 5xx body), in text and in JSON (KEEL_LOG_FORMAT=json). This file's Keel points at a port nothing
// listens on, so every request that needs the database fails as it does in an outage.
import { randomBytes, randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { encode } from "next-auth/jwt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startPublicApi, type RunningApi } from "@/test/support/public-api";
import { sessionCookieName } from "../auth/options";
import { createContext, createRouter, logUnseenFailure, publicProcedure } from "../api/trpc";
import { withLogContext } from "./log";

process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:1/keel_unreachable";
process.env.KEEL_SECRET ??= "test-secret-".padEnd(40, "x");

const auth = { authorization: `Bearer sk-keel-${randomBytes(32).toString("base64url")}` };
let api: RunningApi;
let lines: string[];

beforeAll(async () => {
  api = await startPublicApi();
});
afterAll(async () => {
  await api?.close();
});
beforeEach(() => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      return true;
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** What was logged while `request` ran, and a moment after (a second line would show up here). */
async function logged<T>(request: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  lines.length = 0;
  const result = await request();
  await new Promise((r) => setTimeout(r, 100));
  return { result, lines: [...lines] };
}

const promptUrl = () => `${api.base}/api/public/v2/prompts/greeting?label=production`;

describe("a public API request that fails because the database is unreachable", () => {
  it("logs exactly one text line with the route, the error's class and code, and the request id it answered with", async () => {
    const { result: response, lines: out } = await logged(() => fetch(promptUrl(), { headers: auth }));
    expect(response.status).toBe(503);
    const requestId = response.headers.get("x-request-id")!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await response.json()) as { error: { requestId?: string } }).error.requestId).toBe(requestId);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(
      `[public-api] GET /api/public/v2/prompts/{name}: database unavailable (503): PrismaClientKnownRequestError P1001: Can't reach database server at 127.0.0.1:1 (request ${requestId})`,
    );
  });

  it("in JSON mode logs exactly one JSON object carrying the same facts, and the client's own request id", async () => {
    vi.stubEnv("KEEL_LOG_FORMAT", "json");
    const mine = `client-${randomUUID()}`;
    const { result: response, lines: out } = await logged(() => fetch(promptUrl(), { headers: { ...auth, "x-request-id": mine } }));
    expect(response.status).toBe(503);
    expect(response.headers.get("x-request-id")).toBe(mine);
    expect(out).toHaveLength(1);
    const entry = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(entry).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: "error",
      component: "public-api",
      msg: "GET /api/public/v2/prompts/{name}: database unavailable (503)",
      route: "GET /api/public/v2/prompts/{name}",
      status: 503,
      requestId: mine,
      error: { name: "PrismaClientKnownRequestError", code: "P1001", message: "Can't reach database server at 127.0.0.1:1" },
    });
  });

  it("the gateway logs one line with the request id too", async () => {
    const { result: response, lines: out } = await logged(() =>
      fetch(`${api.base}/api/gateway/v1/chat/completions`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }),
      }),
    );
    expect(response.status).toBe(503);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\[gateway\] POST \/api\/gateway\/v1\/chat\/completions: database unavailable \(503\): \w+ P1001: .+ \(request [0-9a-f-]{36}\)$/);
    expect(out[0]).toContain(`(request ${response.headers.get("x-request-id")})`);
  });
});

describe("a tRPC call that fails", () => {
  const cookie = async () => {
    const token = await encode({ token: { uid: randomUUID(), sv: 1, sid: randomUUID() }, secret: process.env.KEEL_SECRET! });
    return `${sessionCookieName()}=${token}`;
  };

  it("logs one line when the session lookup (before any procedure) cannot reach the database, with the request id", async () => {
    vi.stubEnv("KEEL_LOG_FORMAT", "json");
    const { GET } = await import("@/app/api/trpc/[trpc]/route");
    const input = encodeURIComponent(JSON.stringify({ json: { orgSlug: "acme", projectSlug: "support-assistant" } }));
    const requestId = randomUUID();
    // As the custom server hands it to Next: with the request id it stamped, in its log context.
    const req = new Request(`http://localhost/api/trpc/projects.get?input=${input}`, { headers: { cookie: await cookie(), "x-request-id": requestId } });
    const { result: response, lines: out } = await logged(async () => withLogContext({ requestId }, () => GET(req)));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { json: { data: { code: string; requestId?: string } } } };
    expect(body.error.json.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", requestId });
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({
      level: "error",
      component: "trpc",
      route: "projects.get",
      status: 503,
      requestId,
      error: { name: "PrismaClientKnownRequestError", code: "P1001" },
    });
  });

  it("logs an unexpected error in a procedure once (the middleware's line; the adapter's onError sees it was logged), without a stack", async () => {
    const router = createRouter({
      boom: publicProcedure("test: fails on purpose").query((): number => {
        throw new TypeError("Cannot read properties of undefined (reading 'id')");
      }),
    });
    const requestId = randomUUID();
    const req = new Request("http://localhost/api/trpc/boom", { headers: { "x-request-id": requestId } });
    const { result: response, lines: out } = await logged(() =>
      fetchRequestHandler({
        endpoint: "/api/trpc",
        req,
        router,
        createContext: () => createContext(null, { requestId, ip: null, userAgent: null }),
        onError: ({ error, path, ctx }) => logUnseenFailure(error, path, ctx?.request.requestId ?? null),
      }),
    );
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { json: { message: string; data: { requestId?: string } } } };
    expect(body.error.json.message).toBe("Something went wrong on our side. The error was logged.");
    expect(body.error.json.data.requestId).toBe(requestId);
    expect(out).toEqual([`[trpc] boom failed (500): TypeError: Cannot read properties of undefined (reading 'id') (request ${requestId})`]);
  });
});
