// One Keel web instance as a process of its own, without Next.js: Keel's request handler (the
// public API and the gateway, with a LISTEN client for other instances' changes) and the real tRPC
// route (app/api/trpc/[trpc]/route.ts) bridged from node:http. Pages are not served (404). Tests
// start several, on one database, to check what instances share. Run with
// `node --conditions=react-server --import tsx test/support/web-instance.ts` and DATABASE_URL,
// KEEL_SECRET set; it prints `listening <port>` once it answers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseEnv } from "@/server/env";
import { createRequestHandler } from "@/server/runtime/request-handler";
import { createPublicApi } from "@/server/public-api/api";
import { sessionDatabaseUrl } from "@/server/db/connections";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";

const env = parseEnv();
process.env.NEXTAUTH_URL ??= "http://localhost";

/** A node request as the WHATWG Request a Next route handler takes. */
async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const chunks: Buffer[] = [];
  if (req.method !== "GET" && req.method !== "HEAD") for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
}

async function trpc(req: IncomingMessage, res: ServerResponse) {
  const request = await toRequest(req);
  const response = await (req.method === "POST" ? POST : GET)(request);
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => name !== "set-cookie" && headers.push([name, value]));
  for (const cookie of response.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  res.writeHead(response.status, headers.flat());
  res.end(Buffer.from(await response.arrayBuffer()));
}

const publicApi = createPublicApi({ listen: { connectionString: sessionDatabaseUrl() }, log: (line) => console.error(`[web] ${line}`) });
await publicApi.ready();
const handler = createRequestHandler({
  dev: false,
  trustProxy: env.KEEL_TRUST_PROXY,
  tls: false,
  publicApi,
  next: (req, res) => {
    if ((req.url ?? "").startsWith("/api/trpc/")) {
      trpc(req, res).catch((error: unknown) => {
        console.error("[web] tRPC bridge failed:", error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    res.writeHead(404).end();
  },
});
const server = createServer(handler);
server.listen(0, "127.0.0.1", () => console.log(`listening ${(server.address() as AddressInfo).port}`));

const stop = () => {
  server.closeAllConnections();
  server.close();
  void publicApi.close().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
