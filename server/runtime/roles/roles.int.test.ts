// `npm start` as an operator runs it (server/main.ts, real role processes; web without Next,
// KEEL_WEB_API_ONLY=1, so no build is needed): under steady OTLP load, each role process is
// killed in turn with SIGKILL; it is logged and restarted alone, the others keep their pids, and
// every span that was acknowledged is stored. SIGTERM stops everything within
// KEEL_SHUTDOWN_SECONDS even with a stalled upload, and Ctrl-C (SIGINT to the terminal's whole
// process group) stops the roles and then the embedded PostgreSQL quietly, leaving no process.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTestOrg } from "@/test/support/factories";
import { createKey } from "@/test/support/public-api";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "keel-roles-"));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its directory.
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => T | null | undefined | false, what: string, output: string[], timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.join("\n")}`);
    await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type Keel = { child: ChildProcess; output: string[]; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };
const started: Keel[] = [];
afterEach(async () => {
  for (const keel of started.splice(0)) {
    if (keel.child.exitCode === null && keel.child.signalCode === null) {
      keel.child.kill("SIGTERM");
      await keel.exited;
    }
  }
});

/** `npm start` (or, with args, `npx keel <args>`), in a process group of its own as a terminal's foreground job is. */
function startKeel(env: Record<string, string | undefined>, args = ["--conditions=react-server", "--import", "tsx", "server/main.ts"]): Keel {
  const childEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      output.push(...lines.filter((line) => line.trim()));
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const keel = { child, output, exited };
  started.push(keel);
  return keel;
}

/** The pid each role process last started as, from the supervisor's log lines. */
function pidsOf(output: string[]): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const line of output) {
    const m = /^\[keel\] the (web|worker|ingest) process runs as pid (\d+)$/.exec(line);
    if (m) pids[m[1]!] = Number(m[2]);
  }
  return pids;
}

/** Every process in a process group (Linux /proc). */
function processGroup(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** The supervisor's private directories for the ingest socket. */
const socketDirs = (pid: number) => readdirSync(os.tmpdir()).filter((entry) => entry.startsWith(`keel-ingest-${pid}-`));

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const SPANS = 10;

function batch(traceId: string) {
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId,
    spanId: hex(8),
    name: `step ${i}`,
    kind: 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 1_000_000n),
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
}

/** Exporters posting OTLP batches until stopped, noting each trace whose batch was acknowledged (2xx). */
function startLoad(port: number, secret: string, exporters = 3) {
  const agent = new http.Agent({ keepAlive: true });
  const acked: string[] = [];
  const statuses: Record<string, number> = {};
  let running = true;
  const post = (traceId: string) =>
    new Promise<number | string>((resolve) => {
      const body = batch(traceId);
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/api/public/otel/v1/traces",
          method: "POST",
          agent,
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", () => resolve("aborted"));
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      req.end(body);
    });
  const loops = Array.from({ length: exporters }, async () => {
    while (running) {
      const traceId = hex(16);
      const status = await post(traceId);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (typeof status === "number" && status >= 200 && status < 300) acked.push(traceId);
      // Refused or failed: an exporter waits and sends a new batch (the old one was not taken).
      else await sleep(100);
    }
  });
  return {
    acked,
    statuses,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

async function getStatus(port: number, pathname: string, secret: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { headers: { authorization: `Bearer ${secret}` } });
  await res.arrayBuffer();
  return res.status;
}

/** Lines that would mean a noisy stop: connections cut under a role, pg client dumps, stack traces. */
const NOISE = /error|terminating connection|Connection terminated|ECONNRESET|ECONNREFUSED|uncaught|\bat .+:\d+:\d+\)?$/i;

describe("npm start's roles as processes", () => {
  it("restarts a killed web, ingest or worker process alone and loses no acknowledged span; SIGTERM stops all within KEEL_SHUTDOWN_SECONDS", async () => {
    const t = await createTestOrg();
    const key = await createKey(t, ["traces:ingest"], "exporter");
    const port = await freePort();
    const keel = startKeel({
      DATABASE_URL: process.env.DATABASE_URL,
      KEEL_SECRET: randomBytes(32).toString("base64url"),
      KEEL_DATA_DIR: tempDir(),
      KEEL_WEB_API_ONLY: "1",
      KEEL_SHUTDOWN_SECONDS: "2",
      PORT: String(port),
      HOST: "127.0.0.1",
    });
    const { output } = keel;
    await until(() => output.some((line) => line.startsWith("[keel] Keel is listening on ")), "the start", output, 120_000);
    const first = pidsOf(output);
    expect(Object.keys(first).sort()).toEqual(["ingest", "web", "worker"]);
    expect(socketDirs(keel.child.pid!)).toHaveLength(1);

    const load = startLoad(port, key.secret);
    try {
      await until(() => load.acked.length >= 10, "the first acknowledged batches", output);
      let pids = first;
      for (const role of ["ingest", "web", "worker"] as const) {
        const others = Object.entries(pids).filter(([name]) => name !== role);
        process.kill(pids[role]!, "SIGKILL");
        await until(() => output.includes(`[keel] the ${role} process exited (signal SIGKILL); restarting it in 1 s`), `the ${role} crash line`, output);
        // The web process answers the rest of the API while ingest or the worker is down.
        if (role !== "web") expect(await getStatus(port, "/api/public/v1/whoami", key.secret)).toBe(200);
        const restarted = await until(() => pidsOf(output)[role] !== pids[role] && pidsOf(output)[role], `a new ${role} process`, output);
        // Ingestion goes on end to end after the restart.
        const acked = load.acked.length;
        await until(() => load.acked.length >= acked + 10, `acknowledged batches after the ${role} restart`, output);
        for (const [name, pid] of others) {
          expect(pidsOf(output)[name], `${name} after killing ${role}`).toBe(pid);
          expect(alive(pid), `${name} after killing ${role}`).toBe(true);
        }
        pids = { ...pids, [role]: restarted };
      }
    } finally {
      await load.stop();
    }

    // Every acknowledged batch is stored, whole.
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ trace_id: string; n: number }>(
        "SELECT trace_id, count(*)::int AS n FROM telemetry.spans WHERE project_id = $1 AND trace_id = ANY($2) GROUP BY trace_id",
        [t.project.id, load.acked],
      );
      const stored = new Map(rows.map((r) => [r.trace_id, r.n]));
      const lost = load.acked.filter((traceId) => stored.get(traceId) !== SPANS);
      expect(lost, JSON.stringify(load.statuses)).toEqual([]);
      expect(load.acked.length).toBeGreaterThan(30);
    } finally {
      await db.end();
    }

    // SIGTERM while a client has stalled mid-upload: the web and ingest processes cut it after
    // KEEL_SHUTDOWN_SECONDS, and everything stops.
    const stalled = http.request({
      host: "127.0.0.1",
      port,
      path: "/api/public/otel/v1/traces",
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json", "content-length": "1000000" },
    });
    stalled.on("error", () => {});
    stalled.write("{");
    await sleep(500);
    const rolePids = Object.values(pidsOf(output));
    const from = output.length;
    keel.child.kill("SIGTERM");
    expect(await keel.exited).toEqual({ code: 143, signal: null });
    const shutdown = output.slice(from);
    expect(shutdown[0]).toBe("[keel] Shutting down …");
    expect(shutdown).toContain("[web] cut 1 connection(s) still open after 2 s (KEEL_SHUTDOWN_SECONDS)");
    expect(shutdown.filter((line) => NOISE.test(line))).toEqual([]);
    for (const pid of rolePids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(socketDirs(keel.child.pid!)).toEqual([]);
  }, 300_000);

  it("runs one role per `npx keel web|ingest` against DATABASE_URL, web forwarding ingestion to ingest, each stopped by SIGTERM", async () => {
    const t = await createTestOrg();
    const key = await createKey(t, ["traces:ingest"], "exporter");
    const [port, ingestPort] = [await freePort(), await freePort()];
    const shared = { DATABASE_URL: process.env.DATABASE_URL, KEEL_SECRET: randomBytes(32).toString("base64url"), HOST: "127.0.0.1" };
    const keel = (args: string[], env: Record<string, string>) => startKeel({ ...shared, ...env }, ["bin/keel.mjs", ...args]);

    const missing = keel(["ingest"], {});
    expect(await missing.exited).toEqual({ code: 1, signal: null });
    expect(missing.output).toEqual(["keel: Set KEEL_INGEST_PORT: the port this ingest process listens on (web processes reach it through KEEL_INGEST_URL)"]);

    const ingest = keel(["ingest"], { KEEL_INGEST_PORT: String(ingestPort) });
    await until(() => ingest.output.some((line) => line.startsWith(`[ingest] listening on 127.0.0.1:${ingestPort} (`)), "the ingest process", ingest.output);
    const web = keel(["web"], { PORT: String(port), KEEL_WEB_API_ONLY: "1", KEEL_INGEST_URL: `http://127.0.0.1:${ingestPort}` });
    await until(
      () => web.output.some((line) => line.startsWith(`[web] Keel is listening on http://localhost:${port} (ingestion goes to 127.0.0.1:${ingestPort};`)),
      "the web process",
      web.output,
    );
    const load = startLoad(port, key.secret, 1);
    await until(() => load.acked.length >= 3, "acknowledged batches", [...web.output, ...ingest.output]);
    await load.stop();
    expect(load.statuses).toEqual({ 200: load.acked.length });

    for (const role of [web, ingest]) {
      role.child.kill("SIGTERM");
      expect(await role.exited).toEqual({ code: 0, signal: null });
      expect(processGroup(role.child.pid!)).toEqual([]);
    }
  }, 180_000);

  it("stops every role and then the embedded PostgreSQL quietly on Ctrl-C, leaving no process behind", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const keel = startKeel({ DATABASE_URL: undefined, KEEL_DATA_DIR: dataDir, KEEL_WEB_API_ONLY: "1", PORT: String(port), HOST: "127.0.0.1" });
    const { output } = keel;
    await until(() => output.some((line) => line.startsWith("[keel] Keel is listening on ")), "the start", output, 180_000);
    const postmaster = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    expect(alive(postmaster)).toBe(true);
    const rolePids = Object.values(pidsOf(output));
    expect(rolePids).toHaveLength(3);
    // Work in flight when Ctrl-C comes: the demo's evaluation runs in the worker, requests to web.
    const requests = Array.from({ length: 20 }, () => getStatus(port, "/api/public/v1/whoami", "sk-keel-none").catch(() => 0));
    await Promise.all(requests);

    const from = output.length;
    // A terminal's Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-keel.child.pid!, "SIGINT");
    expect(await keel.exited).toEqual({ code: 130, signal: null });
    const shutdown = output.slice(from);
    expect(shutdown[0]).toBe("[keel] Shutting down …");
    expect(shutdown.filter((line) => NOISE.test(line))).toEqual([]);
    expect(shutdown.length).toBeLessThanOrEqual(5);
    for (const pid of [...rolePids, postmaster]) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(processGroup(keel.child.pid!)).toEqual([]);
    expect(socketDirs(keel.child.pid!)).toEqual([]);
  }, 300_000);
});
