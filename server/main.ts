// `npm start` (and `npm run dev`): the supervisor. It owns the database (embedded unless
// DATABASE_URL is set), the migrations, the demo workspace on a fresh embedded start and the
// production build when the sources changed, then runs the roles (KEEL_ROLES) as processes of
// their own (server/runtime/roles/supervisor.ts): web (pages, public API, gateway), worker
// (evaluations and upkeep) and ingest (OTLP and Langfuse ingestion), each restarted on its own
// when it dies. Ctrl-C or SIGTERM stops the roles first and the database last.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseEnv, ROLE_NAMES, type Role } from "./env";
import { bootstrap, stopOnSignals } from "./runtime/bootstrap";
import { buildIsCurrent, startBuild } from "./runtime/build-fingerprint";
import { cores } from "./runtime/capacity";
import { logFormat, logger, relayChildLine, routeConsoleThroughLog } from "./runtime/log";
import { closeConnections } from "./runtime/roles/lifecycle";
import { ingestSocketPath, removeSocket, startRoleProcesses, type RoleProcesses } from "./runtime/roles/supervisor";

const dev = process.argv.includes("--dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const keelLog = logger("keel");
function log(line: string) {
  keelLog.info(line);
}
// Any library's console output as log lines (JSON in json mode); the roles do the same for theirs.
routeConsoleThroughLog("keel");

/** The address a web process reaches a local ingest process's TCP port at. */
function localAddress(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}

/** Set once a stop began: what fails under it (the seed, the build) is not an error to report. */
let stopping = false;

async function main() {
  const started = Date.now();
  // A signal while the embedded database starts and migrates is held until it is up, and then
  // stops it: it runs in a process group of its own, so nothing else would.
  let held: number | null = null;
  const holders = parseEnv().DATABASE_URL ? {} : { SIGINT: () => (held ??= 130), SIGTERM: () => (held ??= 143) };
  for (const [signal, hold] of Object.entries(holders)) process.on(signal, hold);
  const runtime = await bootstrap({ migrate: true, log, stopsOnSignals: true });
  for (const [signal, hold] of Object.entries(holders)) process.off(signal, hold);

  let processes: RoleProcesses | null = null;
  let ingestSocket: string | null = null;
  const shutdown = stopOnSignals(runtime.stop, async () => {
    stopping = true;
    log("Shutting down …");
    await processes?.stop();
    await removeSocket(ingestSocket);
  });
  if (held !== null) return shutdown(held);
  const { env } = runtime;
  const roles: Role[] = env.KEEL_ROLES ?? ROLE_NAMES.filter((role) => role !== "worker" || env.KEEL_WORKER);
  if (!env.KEEL_WORKER && !env.KEEL_ROLES) log("KEEL_WORKER=0 is deprecated: KEEL_ROLES=web,ingest says the same");
  const publicUrl = env.KEEL_PUBLIC_URL ?? `http://localhost:${env.PORT}`;

  if (runtime.mode === "embedded") {
    const { getDb } = await import("./db/client");
    if ((await getDb().user.count()) === 0) {
      const { seedDemoWorkspace, DEMO_PASSWORD } = await import("./domain/seed/demo");
      await seedDemoWorkspace();
      log(`Seeded the demo workspace: sign in as owner@example.com (or admin@, editor@, reviewer@, approver@, auditor@, viewer@) with ${DEMO_PASSWORD}`);
    }
  }
  // The roles have connections of their own; this process keeps none open.
  await closeConnections();

  const dir = path.resolve(import.meta.dirname, "..");
  const web = roles.includes("web");
  if (web && !dev && !env.KEEL_WEB_API_ONLY && !(await buildIsCurrent(dir))) {
    log("Building the web app (first start or changed sources; takes a minute) …");
    const pending = await startBuild(dir);
    // In JSON mode its output is relayed as JSON lines too.
    const json = logFormat() === "json";
    const build = spawnSync(path.join(dir, "node_modules", ".bin", "next"), ["build"], {
      cwd: dir,
      stdio: json ? ["ignore", "pipe", "pipe"] : "inherit",
      env: { ...process.env, NODE_ENV: "production", KEEL_BUILD_TYPECHECK: "0" },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (json) for (const line of `${build.stdout}\n${build.stderr}`.split("\n")) if (line.trim()) relayChildLine("next-build", line);
    // Interrupted (Ctrl-C reaches `next build` too): the signal's own shutdown is under way.
    if (build.status !== 0) {
      if (build.signal === null) keelLog.error("next build failed");
      return shutdown(1);
    }
    await pending.recordBuilt();
  }

  let webProcesses = env.KEEL_WEB_PROCESSES;
  if (dev && webProcesses > 1) {
    log("`npm run dev` runs one web process (KEEL_WEB_PROCESSES is for `npm start`)");
    webProcesses = 1;
  }
  const ingest = roles.includes("ingest");
  ingestSocket = ingest && env.KEEL_INGEST_PORT === undefined ? await ingestSocketPath() : null;
  const ingestUrl = !ingest ? null : ingestSocket ? `unix:${ingestSocket}` : `http://${localAddress(env.HOST)}:${env.KEEL_INGEST_PORT}`;
  const counts: Record<Role, number> = { web: webProcesses, ingest: env.KEEL_INGEST_PROCESSES, worker: 1 };
  const running = roles.map((role) => (counts[role] > 1 ? `${counts[role]} ${role}` : role)).join(", ");
  log(`Starting ${running} on ${cores()} core(s) …`);

  if (stopping) return;
  processes = startRoleProcesses({
    roles,
    webProcesses,
    ingestProcesses: env.KEEL_INGEST_PROCESSES,
    dev,
    ingestSocket,
    ingestUrl,
    // Each role has KEEL_SHUTDOWN_SECONDS for what it has in flight; past that and a little
    // more for closing its pools, it is killed.
    stopTimeoutMs: (env.KEEL_SHUTDOWN_SECONDS + 5) * 1000,
    log,
  });

  try {
    await processes.ready;
  } catch (error) {
    log((error as Error).message);
    shutdown(1);
    return;
  }
  const database = runtime.mode === "embedded" ? `embedded PostgreSQL in ${env.KEEL_DATA_DIR}/` : "DATABASE_URL";
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (web) log(`Keel is listening on ${publicUrl} (${database}; ${running}; ready in ${seconds} s)`);
  else log(`Keel runs ${running}, without a web process (${database}; ready in ${seconds} s)`);
}

main().catch((error: unknown) => {
  if (stopping) return;
  keelLog.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
