// Body limits in the custom server: tRPC and the session routes refuse an oversized body with a
// readable 413 before Next (and so authentication and parsing) sees the request, by Content-Length
// and by counting a chunked upload; the dataset import keeps its own limit; public API and gateway
// 413s reach a client that is still uploading.
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestHandler } from "./request-handler";
import { SESSION_BODY_LIMIT } from "./body-limit";
import { createPublicApi, type PublicApi } from "../public-api/api";
import { createTestOrg } from "@/test/support/factories";
import { createKey } from "@/test/support/public-api";

let server: Server;
let api: PublicApi;
let base: string;
const reachedNext: { path: string; bytes: number | "aborted" }[] = [];

beforeAll(async () => {
  api = createPublicApi({ log: () => {} });
  await api.ready();
  // Stands in for Next: reads the whole body, then answers with its size.
  const next = (req: IncomingMessage, res: import("node:http").ServerResponse) => {
    let bytes = 0;
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      reachedNext.push({ path: req.url ?? "", bytes });
      if (!res.headersSent) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ bytes }));
    });
    req.on("error", () => reachedNext.push({ path: req.url ?? "", bytes: "aborted" }));
  };
  server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, publicApi: api, next }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await api.close();
});

/** Streams `total` bytes in 64 KiB chunks without a Content-Length (chunked), or with one. */
function upload(path: string, total: number, options: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method: "POST", headers: { "content-type": "application/json", ...(options.chunked ? {} : { "content-length": String(total) }), ...options.headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    const chunk = Buffer.alloc(65_536, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", write);
      }
      req.end();
    };
    req.on("response", () => (sent = total));
    write();
  });
}

describe("session body limit", () => {
  it("refuses a 50 MB tRPC POST by Content-Length with a readable 413 before Next sees it", async () => {
    const before = reachedNext.length;
    const res = await upload("/api/trpc/prompts.create", 50 * 1_048_576);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({
      error: { code: "PAYLOAD_TOO_LARGE", message: expect.stringMatching(/52,428,800 bytes; the limit for this endpoint is 8 MiB/) },
    });
    expect(reachedNext.length).toBe(before);
  });

  it("stops a chunked upload once it passes the limit, answering 413", async () => {
    const res = await upload("/api/trpc/prompts.create", SESSION_BODY_LIMIT + 1_048_576, { chunked: true });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(reachedNext.some((r) => r.path === "/api/trpc/prompts.create" && r.bytes !== "aborted" && r.bytes > SESSION_BODY_LIMIT)).toBe(false);
  });

  it("passes bodies within the limit, and the dataset import's large files, to Next", async () => {
    expect(await upload("/api/trpc/prompts.create", 1_048_576, { chunked: true })).toMatchObject({ status: 200, body: JSON.stringify({ bytes: 1_048_576 }) });
    expect(await upload("/api/auth/callback/credentials", 4_096)).toMatchObject({ status: 200 });
    expect(await upload("/api/datasets/o/p/d/import", SESSION_BODY_LIMIT + 1_048_576)).toMatchObject({
      status: 200,
      body: JSON.stringify({ bytes: SESSION_BODY_LIMIT + 1_048_576 }),
    });
    expect(await upload("/api/datasets/o/p/d/import/preview", SESSION_BODY_LIMIT + 1_048_576, { chunked: true })).toMatchObject({ status: 200 });
  });
});

describe("public routes", () => {
  it("answer 413 readably to a client still uploading (public API, OTLP and gateway)", async () => {
    const t = await createTestOrg();
    const key = await createKey(t, ["prompts:write", "traces:ingest", "gateway:invoke"]);
    const auth = { authorization: `Bearer ${key.secret}` };
    for (const chunked of [false, true]) {
      const prompt = await upload("/api/public/v1/prompts/x/versions", 40 * 1_048_576, { chunked, headers: auth });
      expect(prompt.status, `prompt version, chunked: ${chunked}`).toBe(413);
      expect(JSON.parse(prompt.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
      const gateway = await upload("/api/gateway/v1/chat/completions", 40 * 1_048_576, { chunked, headers: auth });
      expect(gateway.status, `gateway, chunked: ${chunked}`).toBe(413);
      expect(JSON.parse(gateway.body)).toMatchObject({ error: { type: "invalid_request_error" } });
      const otlp = await upload("/api/public/otel/v1/traces", 40 * 1_048_576, { chunked, headers: auth });
      expect(otlp.status, `OTLP, chunked: ${chunked}`).toBe(413);
    }
    // Unauthenticated: the 401 comes first, and the client still reads it.
    expect(await upload("/api/public/v1/prompts/x/versions", 20 * 1_048_576, { headers: { authorization: "Bearer sk-keel-nope" } })).toMatchObject({
      status: 401,
    });
  });
});
