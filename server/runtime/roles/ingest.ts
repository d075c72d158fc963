// The ingest role (`npx keel ingest`, and `npm start`'s ingest processes): OTLP and Langfuse
// ingestion only (decompress, authenticate the key, decode, price, write), in a process of its own
// at a lower OS priority, so a flood of traces costs the web processes nothing but forwarding the
// bytes. It listens on KEEL_INGEST_PORT, or under `npm start` on a private Unix socket, and takes
// requests from web processes (server/runtime/ingest-forward.ts) or straight
// from a load balancer that routes the ingestion paths here. Its decode threads follow the cores
// (server/runtime/capacity.ts).
import { setting } from "../../env";
import { bootstrap } from "../bootstrap";
import { logger, routeConsoleThroughLog } from "../log";
import { closeConnections, reportFatal, untilStopped } from "./lifecycle";

const roleLog = logger("ingest");
function log(line: string) {
  roleLog.info(line);
}

/** Runs an ingest process until it is told to stop. */
export async function runIngestRole(options: { supervised: boolean }): Promise<void> {
  if (!setting("KEEL_INGEST_SOCKET") && setting("KEEL_INGEST_PORT") === undefined)
    throw new Error("Set KEEL_INGEST_PORT: the port this ingest process listens on (web processes reach it through KEEL_INGEST_URL)");
  // A long-running role: libraries' console output is log lines too (JSON in json mode).
  routeConsoleThroughLog("ingest");
  const stopped = untilStopped(options.supervised);
  // Under `npm start` the supervisor has migrated and said what start-up had to say.
  const runtime = await bootstrap({ migrate: !options.supervised, log: options.supervised ? () => {} : log, stopsOnSignals: true });
  const { env } = runtime;
  const socketPath = env.KEEL_INGEST_SOCKET;
  // Loaded once the environment was validated (bootstrap): some modules read settings at import.
  const { createServer } = await import("node:http");
  const { createPublicApi } = await import("../../public-api/api");
  const { createIngestHandler } = await import("./ingest-handler");
  const { forwardToken } = await import("../ingest-forward");
  const { ingestThreads } = await import("../capacity");
  const { closeWithDeadline } = await import("../shutdown");
  const threads = ingestThreads("ingest");
  // Its key cache hears revocations made anywhere (LISTEN), as a web process's does.
  const publicApi = createPublicApi({ listen: { connectionString: runtime.listenUrl }, ingestThreads: threads, log: (line) => log(`public API: ${line}`) });
  const tls = (env.KEEL_PUBLIC_URL ?? "").startsWith("https://");
  const server = createServer(createIngestHandler({ publicApi, trustProxy: env.KEEL_TRUST_PROXY, tls, forwardToken: forwardToken(env.KEEL_SECRET!) }));
  // Longer than the web processes' pooled connections live (30 s) and a load balancer's usual idle
  // timeout (60 s): the client closes an idle connection first, so none is reused as it closes.
  server.keepAliveTimeout = 65_000;
  // Threads loaded and the LISTEN client listening before the first batch is taken.
  await publicApi.ready();

  const where = socketPath ?? `${env.HOST}:${env.KEEL_INGEST_PORT}`;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const message = `could not listen on ${where}: ${error.code === "EADDRINUSE" ? "the address is in use" : error.message}`;
      reportFatal(message);
      reject(new Error(message));
    });
    if (socketPath) server.listen(socketPath, resolve);
    else server.listen(env.KEEL_INGEST_PORT, env.HOST, resolve);
  }).catch(async (error: unknown) => {
    await publicApi.close();
    await closeConnections();
    await runtime.stop();
    throw error;
  });
  if (!options.supervised) log(`listening on ${where} (${threads} decode thread(s))`);

  await stopped;
  const { cut } = await closeWithDeadline(server, env.KEEL_SHUTDOWN_SECONDS * 1000);
  if (cut) log(`cut ${cut} connection(s) still open after ${env.KEEL_SHUTDOWN_SECONDS} s (KEEL_SHUTDOWN_SECONDS)`);
  await publicApi.close();
  await closeConnections();
  await runtime.stop();
}
