// `npm start`: database (embedded unless DATABASE_URL is set), migrations, the demo workspace on a
// fresh embedded start, a production build when the sources changed, then one HTTP server.
// The server sets what Next cannot set per request itself: the client IP and request id for the
// audit log, and a Content-Security-Policy with a fresh nonce (no inline script runs without it).
// Hot SDK-facing paths will be answered here, before Next (see ../shared/STACK.md).
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import next from "next";
import { bootstrap, stopOnSignals } from "./runtime/bootstrap";
import { buildIsCurrent, recordBuild } from "./runtime/build-fingerprint";

const dev = process.argv.includes("--dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";

function log(line: string) {
  console.log(`[keel] ${line}`);
}

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? null;
}

async function main() {
  const started = Date.now();
  const runtime = await bootstrap({ migrate: true, log });
  const { env } = runtime;
  const publicUrl = env.KEEL_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  process.env.NEXTAUTH_URL = publicUrl;
  process.env.NEXTAUTH_SECRET = process.env.KEEL_SECRET;
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
    const build = spawnSync(path.join(dir, "node_modules", ".bin", "next"), ["build"], { cwd: dir, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    if (build.status !== 0) throw new Error("next build failed");
    await recordBuild(dir);
  }

  const app = next({ dev, dir, port: env.PORT, hostname: "localhost" });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Never trust client-sent values for these.
    req.headers["x-keel-client-ip"] = clientIp(req, env.KEEL_TRUST_PROXY) ?? "";
    const incomingId = req.headers["x-request-id"];
    if (typeof incomingId !== "string" || !/^[\w.-]{1,128}$/.test(incomingId)) req.headers["x-request-id"] = randomUUID();
    res.setHeader("X-Request-Id", req.headers["x-request-id"] as string);

    const nonce = randomBytes(16).toString("base64");
    const csp = contentSecurityPolicy(nonce);
    // Next reads the nonce from the request's CSP header and puts it on its own scripts.
    req.headers["content-security-policy"] = csp;
    res.setHeader("Content-Security-Policy", csp);
    if (tls) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    void handle(req, res);
  });

  stopOnSignals(runtime.stop, async () => {
    log("Shutting down …");
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { getDb } = await import("./db/client");
    await getDb().$disconnect();
  });

  server.listen(env.PORT, env.HOST, () => {
    log(`Keel is listening on ${publicUrl} (${runtime.mode === "embedded" ? "embedded PostgreSQL in .keel/" : "DATABASE_URL"}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });
}

main().catch((error: unknown) => {
  console.error(`[keel] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
