// Keel's web process minus Next, for fault tests that need the real thing in a child process:
// the same start-up as `npm start` (environment, database check), the same request handler with
// the public API, OTLP ingestion (in its worker thread) and the gateway, the same LISTEN client
// and the same crash handling (an uncaught error logs and exits 1). Pages, tRPC and auth are
// Next's and answer 404 here. Listens on 127.0.0.1 at the port given as its argument (default: a
// free one) and prints `[keel] listening on <port>` once it accepts requests.
//
//   DATABASE_URL=… KEEL_SECRET=… node --conditions=react-server --import tsx test/support/keel-web.ts [port]
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { bootstrap, stopOnSignals } from "../../server/runtime/bootstrap";
import { closeWithDeadline } from "../../server/runtime/shutdown";

function log(line: string) {
  console.log(`[keel] ${line}`);
}

const runtime = await bootstrap({ migrate: false, log });
const { env } = runtime;
// Loaded once the environment was validated, as server/main.ts does.
const { createRequestHandler } = await import("../../server/runtime/request-handler");
const { createPublicApi } = await import("../../server/public-api/api");
const publicApi = createPublicApi({ listen: { connectionString: runtime.databaseUrl }, log: (line) => log(`public API: ${line}`) });
await publicApi.ready();
const server = createServer(
  createRequestHandler({
    dev: false,
    trustProxy: env.KEEL_TRUST_PROXY,
    tls: false,
    next: (_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end("Not served by this harness (no Next)"),
    publicApi,
  }),
);

stopOnSignals(runtime.stop, async () => {
  await closeWithDeadline(server, env.KEEL_SHUTDOWN_SECONDS * 1000);
  await (await import("../../server/queue/boss")).stopBoss();
  await publicApi.close();
  const { closeReadOnlyDb, getDb } = await import("../../server/db/client");
  await getDb().$disconnect();
  await closeReadOnlyDb();
  await (await import("../../server/telemetry/store")).closeTelemetryPool();
});

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => log(`listening on ${(server.address() as AddressInfo).port}`));
