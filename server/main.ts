// `npm start`: database (embedded unless DATABASE_URL is set), migrations, the demo workspace on a
// fresh embedded start, a production build when the sources changed, then one HTTP server and the
// evaluation worker as a child process (server/runtime/worker-process.ts).
// Requests are handled by server/runtime/request-handler.ts: the public API is answered there,
// everything else goes to Next.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { bootstrap, stopOnSignals } from "./runtime/bootstrap";
import { buildIsCurrent, startBuild } from "./runtime/build-fingerprint";
import { setting } from "./env";
import { startWorkerProcess } from "./runtime/worker-process";
import { closeWithDeadline } from "./runtime/shutdown";

const dev = process.argv.includes("--dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";

function log(line: string) {
  console.log(`[keel] ${line}`);
}

async function main() {
  const started = Date.now();
  const runtime = await bootstrap({ migrate: true, log });
  const { env } = runtime;
  const publicUrl = env.KEEL_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  process.env.NEXTAUTH_URL = publicUrl;
  process.env.NEXTAUTH_SECRET = setting("KEEL_SECRET");
  const tls = publicUrl.startsWith("https://");

  if (runtime.mode === "embedded") {
    const { getDb } = await import("./db/client");
    if ((await getDb().user.count()) === 0) {
      const { seedDemoWorkspace, DEMO_PASSWORD } = await import("./domain/seed/demo");
      await seedDemoWorkspace();
      log(`Seeded the demo workspace: sign in as owner@example.com (or admin@, editor@, reviewer@, approver@, auditor@, viewer@) with ${DEMO_PASSWORD}`);
    }
  }

  const dir = path.resolve(import.meta.dirname, "..");
  if (!dev && !(await buildIsCurrent(dir))) {
    log("Building the web app (first start or changed sources; takes a minute) …");
    const pending = await startBuild(dir);
    const build = spawnSync(path.join(dir, "node_modules", ".bin", "next"), ["build"], {
      cwd: dir,
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production", KEEL_BUILD_TYPECHECK: "0" },
    });
    if (build.status !== 0) throw new Error("next build failed");
    await pending.recordBuilt();
  }

  const app = next({ dev, dir, port: env.PORT, hostname: "localhost" });
  const handle = app.getRequestHandler();
  await app.prepare();

  // Loaded once the environment was validated (bootstrap): some modules read settings at import.
  const { createRequestHandler } = await import("./runtime/request-handler");
  const { createPublicApi } = await import("./public-api/api");
  // The public API's caches hear other instances' changes through a LISTEN connection of their own
  // (until it listens, they are bypassed).
  const publicApi = createPublicApi({ listen: { connectionString: runtime.listenUrl }, log: (line) => log(`public API: ${line}`) });
  const server = createServer(createRequestHandler({ dev, trustProxy: env.KEEL_TRUST_PROXY, tls, next: handle, publicApi }));

  // The evaluation worker (runs, online evaluation, upkeep) runs as a child process at a lower
  // priority, never on this thread that answers HTTP; KEEL_WORKER=0: not here (run `npx keel worker`).
  const worker = env.KEEL_WORKER ? startWorkerProcess({ log: (line) => log(`worker: ${line}`) }) : null;

  stopOnSignals(runtime.stop, async () => {
    log("Shutting down …");
    // Stopped first (before anything it uses, the embedded database last of all), and at once, so
    // its exit is never taken for a crash to restart.
    const workerStopped = worker?.stop();
    const { cut } = await closeWithDeadline(server, env.KEEL_SHUTDOWN_SECONDS * 1000);
    if (cut) log(`Cut ${cut} connection(s) still open after ${env.KEEL_SHUTDOWN_SECONDS} s (KEEL_SHUTDOWN_SECONDS)`);
    await workerStopped;
    await (await import("./queue/boss")).stopBoss();
    await publicApi.close();
    const { closeReadOnlyDb, getDb } = await import("./db/client");
    await getDb().$disconnect();
    await closeReadOnlyDb();
    await (await import("./telemetry/store")).closeTelemetryPool();
  });

  server.listen(env.PORT, env.HOST, () => {
    log(
      `Keel is listening on ${publicUrl} (${runtime.mode === "embedded" ? `embedded PostgreSQL in ${env.KEEL_DATA_DIR}/` : "DATABASE_URL"}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  });
}

main().catch((error: unknown) => {
  console.error(`[keel] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
