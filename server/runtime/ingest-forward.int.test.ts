// Web → ingest forwarding, both ends in this process over a real Unix socket: OTLP and Langfuse
// batches are streamed through and stored by the ingest side, which checks the key (with the
// client IP and request id the web side stamped, believed only from a web process), applies the
// body limits while the client is still uploading, answers only the ingestion paths, and a web
// process whose ingest process is gone answers 503 with Retry-After in each protocol's shape.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicApi, type PublicApi } from "../public-api/api";
import { getTrace } from "../telemetry/queries";
import { ExportTraceServiceRequestType, RpcStatusType } from "../telemetry/otlp/proto";
import { createIngestForwarder, forwardToken, type IngestForwarder } from "./ingest-forward";
import { createRequestHandler } from "./request-handler";
import { createIngestHandler } from "./roles/ingest-handler";
import { auditEventsOf, createTestOrg, type TestOrg } from "@/test/support/factories";
import { createKey, type TestKey } from "@/test/support/public-api";

const dir = mkdtempSync(path.join(os.tmpdir(), "keel-forward-"));
const socketPath = path.join(dir, "ingest.sock");
const token = forwardToken(randomBytes(32).toString("base64url"));

let ingestApi: PublicApi;
let webApi: PublicApi;
let ingestServer: Server;
let webServer: Server;
let forwarder: IngestForwarder;
let web: string;
let t: TestOrg;
let writer: TestKey;
let reader: TestKey;
const forwardLog: string[] = [];

async function startIngest() {
  ingestServer = createServer(createIngestHandler({ publicApi: ingestApi, trustProxy: false, tls: false, forwardToken: token }));
  await new Promise<void>((resolve) => ingestServer.listen(socketPath, resolve));
}

async function stopIngest() {
  ingestServer.closeAllConnections();
  await new Promise<void>((resolve) => ingestServer.close(() => resolve()));
}

beforeAll(async () => {
  ingestApi = createPublicApi({ log: () => {}, ingestThreads: 0 });
  webApi = createPublicApi({ log: () => {}, ingestThreads: 0 });
  await Promise.all([ingestApi.ready(), webApi.ready()]);
  await startIngest();
  forwarder = createIngestForwarder({ socketPath }, { token, log: (line) => forwardLog.push(line) });
  // One proxy in front of the web process: X-Forwarded-For names the client.
  webServer = createServer(
    createRequestHandler({ dev: false, trustProxy: 1, tls: false, publicApi: webApi, ingest: forwarder, next: (_req, res) => res.writeHead(418).end() }),
  );
  await new Promise<void>((resolve) => webServer.listen(0, "127.0.0.1", resolve));
  web = `http://127.0.0.1:${(webServer.address() as AddressInfo).port}`;
  t = await createTestOrg();
  writer = await createKey(t, ["traces:ingest"], "exporter");
  reader = await createKey(t, ["prompts:read"], "reader");
});

afterAll(async () => {
  forwarder.close();
  webServer.closeAllConnections();
  await new Promise<void>((resolve) => webServer.close(() => resolve()));
  await stopIngest().catch(() => {});
  await Promise.all([ingestApi.close(), webApi.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

function otlpJson(traceId: string, spanId = hex(8)) {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "forwarded" } }] },
        scopeSpans: [{ spans: [{ traceId, spanId, name: "chat", kind: 3, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 5_000_000n) }] }],
      },
    ],
  };
}

const addressOf = (url: URL) => ({ host: url.hostname, port: url.port, path: url.pathname + url.search });

type Answer = { status: number; headers: IncomingHttpHeaders; body: Buffer };

/** A request to the web process or (with socketPath) straight to the ingest process. */
function send(
  target: { url: string } | { socketPath: string; path: string },
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; stream?: { total: number } } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const address = "url" in target ? addressOf(new URL(target.url)) : target;
    const req = request(
      {
        ...address,
        method: options.method ?? "POST",
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    if (options.stream) {
      // Uploads `total` bytes in 64 KiB pieces, as long as no answer has come.
      const chunk = Buffer.alloc(65_536, 0x20);
      let sent = 0;
      let answered = false;
      req.on("response", () => (answered = true));
      const write = () => {
        while (!answered && sent < options.stream!.total) {
          const piece = chunk.subarray(0, Math.min(chunk.length, options.stream!.total - sent));
          sent += piece.length;
          if (!req.write(piece)) return void req.once("drain", write);
        }
        req.end();
      };
      write();
    } else req.end(options.body);
  });
}

const otlp = (body: unknown, secret: string, headers: Record<string, string> = {}) =>
  send(
    { url: `${web}/api/public/otel/v1/traces` },
    { headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) },
  );

describe("web → ingest forwarding", () => {
  it("streams OTLP (JSON and protobuf) and Langfuse batches to the ingest process, which stores them and answers", async () => {
    const traceId = hex(16);
    const json = await otlp(otlpJson(traceId), writer.secret, { "x-request-id": "forwarded-req-1" });
    expect(json.status).toBe(200);
    // The ingest process answered, with the request id the web process kept.
    expect(json.headers["x-request-id"]).toBe("forwarded-req-1");
    expect(JSON.parse(json.body.toString())).toEqual({});

    const protoTrace = hex(16);
    const message = ExportTraceServiceRequestType.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(protoTrace, "hex"),
                  spanId: randomBytes(8),
                  name: "protobuf span",
                  startTimeUnixNano: Date.now() * 1_000_000,
                  endTimeUnixNano: Date.now() * 1_000_000 + 1_000,
                },
              ],
            },
          ],
        },
      ],
    });
    const proto = await send(
      { url: `${web}/api/public/otel/v1/traces` },
      {
        headers: { authorization: `Bearer ${writer.secret}`, "content-type": "application/x-protobuf" },
        body: Buffer.from(ExportTraceServiceRequestType.encode(message).finish()),
      },
    );
    expect(proto.status).toBe(200);
    expect(proto.headers["content-type"]).toBe("application/x-protobuf");

    const langfuseTrace = `lf-${hex(6)}`;
    const langfuse = await send(
      { url: `${web}/api/public/ingestion` },
      {
        headers: { authorization: `Bearer ${writer.secret}`, "content-type": "application/json" },
        body: JSON.stringify({
          batch: [{ id: hex(8), type: "trace-create", timestamp: new Date().toISOString(), body: { id: langfuseTrace, name: "forwarded trace" } }],
        }),
      },
    );
    expect(langfuse.status).toBe(207);
    expect(JSON.parse(langfuse.body.toString())).toMatchObject({ successes: [{ status: 201 }], errors: [] });

    expect((await getTrace(t.project.id, traceId))?.spans).toHaveLength(1);
    expect((await getTrace(t.project.id, protoTrace))?.spans.map((s) => s.name)).toEqual(["protobuf span"]);
    expect(forwardLog).toEqual([]);
  });

  it("checks the key in the ingest process, recording a refusal with the client IP and request id the web process saw", async () => {
    expect((await otlp(otlpJson(hex(16)), "sk-keel-not-a-key")).status).toBe(401);
    const refused = await otlp(otlpJson(hex(16)), reader.secret, { "x-forwarded-for": "203.0.113.9", "x-request-id": "forwarded-req-2" });
    expect(refused.status).toBe(403);
    const denied = (await auditEventsOf(t.org.id)).filter((e) => e.outcome === "denied" && e.requestId === "forwarded-req-2");
    expect(denied).toHaveLength(1);
    expect(denied[0]!.ip).toBe("203.0.113.9");
  });

  it("believes a client IP only from a web process: a client talking to the ingest process directly cannot claim one", async () => {
    const direct = await send(
      { socketPath, path: "/api/public/otel/v1/traces" },
      {
        headers: {
          authorization: `Bearer ${reader.secret}`,
          "content-type": "application/json",
          "x-keel-forwarded": "made-up",
          "x-keel-client-ip": "198.51.100.7",
          "x-request-id": "direct-req-3",
        },
        body: JSON.stringify(otlpJson(hex(16))),
      },
    );
    expect(direct.status).toBe(403);
    const denied = (await auditEventsOf(t.org.id)).filter((e) => e.outcome === "denied" && e.requestId === "direct-req-3");
    expect(denied).toHaveLength(1);
    expect(denied[0]!.ip).not.toBe("198.51.100.7");

    // Only the ingestion paths: the rest of the API is the web processes'.
    const other = await send({ socketPath, path: "/api/public/v1/whoami" }, { method: "GET", headers: { authorization: `Bearer ${writer.secret}` } });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body.toString()).error.message).toMatch(
      /This is a Keel ingest process: it answers POST \/api\/public\/otel\/v1\/traces and POST \/api\/public\/ingestion/,
    );
  });

  it("passes the ingest process's 413 to a client still uploading, by Content-Length and chunked", async () => {
    for (const chunked of [false, true]) {
      const total = 40 * 1_048_576;
      const headers: Record<string, string> = { authorization: `Bearer ${writer.secret}`, "content-type": "application/json" };
      if (!chunked) headers["content-length"] = String(total);
      const res = await send({ url: `${web}/api/public/otel/v1/traces` }, { headers, stream: { total } });
      expect(res.status, `chunked: ${chunked}`).toBe(413);
      expect(JSON.parse(res.body.toString())).toMatchObject({ code: 8, message: expect.stringContaining("the limit is") });
    }
  });

  it("answers 503 with Retry-After while no ingest process listens, in each protocol's shape, and forwards again once one does", async () => {
    await stopIngest();
    try {
      const json = await otlp(otlpJson(hex(16)), writer.secret);
      expect(json.status).toBe(503);
      expect(json.headers["retry-after"]).toBe("1");
      expect(JSON.parse(json.body.toString())).toMatchObject({ code: 14, message: expect.stringContaining("retry this batch") });

      const proto = await send(
        { url: `${web}/api/public/otel/v1/traces` },
        { headers: { authorization: `Bearer ${writer.secret}`, "content-type": "application/x-protobuf" }, body: Buffer.alloc(64) },
      );
      expect(proto.status).toBe(503);
      expect(proto.headers["content-type"]).toBe("application/x-protobuf");
      expect(RpcStatusType.decode(proto.body).code).toBe(14);

      const langfuse = await send(
        { url: `${web}/api/public/ingestion` },
        { headers: { authorization: `Bearer ${writer.secret}`, "content-type": "application/json" }, body: JSON.stringify({ batch: [] }) },
      );
      expect(langfuse.status).toBe(503);
      expect(langfuse.headers["retry-after"]).toBe("1");
      expect(JSON.parse(langfuse.body.toString())).toEqual({ message: expect.stringContaining("ingest process is not available") });
      // One line for the outage, not one per request.
      expect(forwardLog).toHaveLength(1);
      expect(forwardLog[0]).toMatch(/^the ingest process did not answer \(connect ENOENT .+\); 1 ingestion request\(s\) answered 503 with Retry-After so far$/);
      // The rest of the public API is the web process's own and goes on.
      expect((await send({ url: `${web}/api/public/v1/whoami` }, { method: "GET", headers: { authorization: `Bearer ${writer.secret}` } })).status).toBe(200);
    } finally {
      await startIngest();
    }
    const traceId = hex(16);
    expect((await otlp(otlpJson(traceId), writer.secret)).status).toBe(200);
    expect((await getTrace(t.project.id, traceId))?.spans).toHaveLength(1);
  });
});
