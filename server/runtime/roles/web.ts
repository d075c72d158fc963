// The web role (`npx keel web`, and `npm start`'s web processes): the custom server, answering
// the public API and the gateway itself and everything else (pages, tRPC, auth) through Next.
// With an ingest process (KEEL_INGEST_URL) it streams OTLP and Langfuse ingestion through to it
// (server/runtime/ingest-forward.ts); without one it ingests in worker threads of its own.
// KEEL_WEB_API_ONLY=1 leaves Next out: such a process answers only /api/public/ and /api/gateway/
// (an API pool behind a load balancer's path rule, or tests without a build).
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { setting } from "../../env";
import { bootstrap } from "../bootstrap";
import { logFormat, logger, routeConsoleThroughLog } from "../log";
import { closeConnections, reportFatal, untilStopped } from "./lifecycle";

const roleLog = logger("web");
function log(line: string) {
  roleLog.info(line);
}

export type WebRoleOptions = { supervised: boolean; dev: boolean };

/** Runs a web process until it is told to stop. */
export async function runWebRole(options: WebRoleOptions): Promise<void> {
  // Next's own reports (and any library's console output) as one line each; in development, in
  // text, Next keeps its full error output.
  if (!options.dev || logFormat() === "json") routeConsoleThroughLog("next");
  const stopped = untilStopped(options.supervised);
  const started = Date.now();
  // Under `npm start` the supervisor has migrated and said what start-up had to say.
  const runtime = await bootstrap({ migrate: !options.supervised, log: options.supervised ? () => {} : log, stopsOnSignals: true });
  const { env } = runtime;
  const publicUrl = env.KEEL_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  process.env.NEXTAUTH_URL = publicUrl;
  process.env.NEXTAUTH_SECRET = setting("KEEL_SECRET");
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const dir = path.resolve(import.meta.dirname, "..", "..", "..");

  let next: (req: IncomingMessage, res: ServerResponse) => unknown;
  if (env.KEEL_WEB_API_ONLY) {
    const { sendError } = await import("../../public-api/http");
    next = (_req, res) => sendError(res, "NOT_FOUND", "This Keel web process serves only /api/public/ and /api/gateway/ (KEEL_WEB_API_ONLY=1)");
  } else {
    // `npm start` builds before it starts web processes; on its own a web process serves the
    // build that is there (several starting at once must not each build).
    if (!options.dev && !existsSync(path.join(dir, ".next", "BUILD_ID"))) {
      await runtime.stop();
      throw new Error("The web app is not built: run `npm run build` (or `npm start` once) first, or set KEEL_WEB_API_ONLY=1 for the API alone");
    }
    const { default: createNext } = await import("next");
    const app = createNext({ dev: options.dev, dir, port: env.PORT, hostname: "localhost" });
    next = app.getRequestHandler();
    await app.prepare();
  }

  // Loaded once the environment was validated (bootstrap): some modules read settings at import.
  const { createServer } = await import("node:http");
  const { createRequestHandler } = await import("../request-handler");
  const { createPublicApi } = await import("../../public-api/api");
  const { createIngestForwarder, forwardToken } = await import("../ingest-forward");
  const { closeWithDeadline } = await import("../shutdown");
  const target = env.KEEL_INGEST_URL;
  const ingest = target ? createIngestForwarder(target, { token: forwardToken(env.KEEL_SECRET!), log }) : undefined;
  // The public API's caches hear other instances' changes through a LISTEN connection of their
  // own (until it listens, they are bypassed). Ingestion sent on needs no decode threads here.
  const publicApi = createPublicApi({
    listen: { connectionString: runtime.listenUrl },
    log: (line) => log(`public API: ${line}`),
    ...(ingest ? { ingestThreads: 0 } : {}),
  });
  const tls = publicUrl.startsWith("https://");
  const server = createServer(createRequestHandler({ dev: options.dev, trustProxy: env.KEEL_TRUST_PROXY, tls, next, publicApi, ingest }));

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const message = `could not listen on ${env.HOST}:${env.PORT}: ${error.code === "EADDRINUSE" ? "the port is in use (PORT)" : error.message}`;
      reportFatal(message);
      reject(new Error(message));
    });
    server.listen(env.PORT, env.HOST, resolve);
  }).catch(async (error: unknown) => {
    ingest?.close();
    await publicApi.close();
    await closeConnections();
    await runtime.stop();
    throw error;
  });
  if (!options.supervised) {
    const where = target ? `ingestion goes to ${"socketPath" in target ? target.socketPath : `${target.host}:${target.port}`}` : "ingesting itself";
    log(`Keel is listening on ${publicUrl} (${where}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  await stopped;
  const { cut } = await closeWithDeadline(server, env.KEEL_SHUTDOWN_SECONDS * 1000);
  if (cut) log(`cut ${cut} connection(s) still open after ${env.KEEL_SHUTDOWN_SECONDS} s (KEEL_SHUTDOWN_SECONDS)`);
  ingest?.close();
  await publicApi.close();
  await closeConnections();
  await runtime.stop();
}
