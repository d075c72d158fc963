// `npm start`'s role processes, with stand-in roles: web and ingest processes share their
// listening sockets through this process (node:cluster, round-robin), ingest and worker run at a
// lower priority, a killed process of any role is logged and restarted alone, and stop() ends all.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Role } from "../../env";
import { startRoleProcesses, type RoleProcesses } from "./supervisor";

// A stand-in for `keel <role>`: web and ingest answer with their role and pid (web on PORT, ingest
// on its socket), the worker idles; each stops on SIGTERM and, supervised, ignores SIGINT.
const STAND_IN = `
import http from "node:http";
const role = process.argv[2];
if (process.env.KEEL_ROLE_SUPERVISED === "1") process.on("SIGINT", () => {});
if (process.env.STAND_IN_FATAL === role) {
  process.send?.({ keel: "fatal", message: "could not listen on 0.0.0.0:1: the port is in use (PORT)" });
  process.exit(1);
}
let server = null;
if (role !== "worker") {
  server = http.createServer((req, res) => res.end(JSON.stringify({ role, pid: process.pid, ingestUrl: process.env.KEEL_INGEST_URL ?? null })));
  if (role === "web") server.listen(Number(process.env.PORT), "127.0.0.1");
  else server.listen(process.env.KEEL_INGEST_SOCKET);
} else setInterval(() => {}, 1000);
process.on("SIGTERM", () => {
  console.log(role + " stopping");
  if (server) server.close(() => process.exit(0));
  else process.exit(0);
});
`;

const dir = mkdtempSync(path.join(os.tmpdir(), "keel-roles-"));
const script = path.join(dir, "stand-in.mjs");
writeFileSync(script, STAND_IN);
const socket = path.join(dir, "ingest.sock");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function get(where: { port: number } | { socketPath: string }): Promise<{ role: string; pid: number; ingestUrl: string | null }> {
  return new Promise((resolve, reject) => {
    // A new connection each time: the round-robin hands out connections, not requests.
    const req = http.get({ ...("port" in where ? { host: "127.0.0.1", port: where.port } : where), path: "/", agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(JSON.parse(body)));
    });
    req.on("error", reject);
  });
}

async function until<T>(read: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
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

let processes: RoleProcesses | null = null;
afterEach(async () => {
  await processes?.stop();
  processes = null;
  delete process.env.PORT;
  delete process.env.STAND_IN_FATAL;
});

function start(roles: Role[], logs: string[], webProcesses = 1) {
  processes = startRoleProcesses({
    roles,
    webProcesses,
    ingestProcesses: 1,
    dev: false,
    ingestSocket: socket,
    ingestUrl: `unix:${socket}`,
    stopTimeoutMs: 5_000,
    restartDelayMs: 50,
    log: (line) => logs.push(line),
    entry: { script, execArgv: [] },
  });
  return processes;
}

describe("npm start's role processes", () => {
  it("shares one port among the web processes, runs ingest and worker lower, and restarts a killed process of any role alone", async () => {
    const port = await freePort();
    process.env.PORT = String(port);
    const logs: string[] = [];
    const roles = start(["web", "worker", "ingest"], logs, 2);
    await roles.ready;

    const first = roles.pids();
    const [web1, web2] = first.web as number[];
    const [ingest] = first.ingest as number[];
    const [worker] = first.worker as number[];
    expect(new Set([web1, web2, ingest, worker, process.pid]).size).toBe(5);
    expect(os.getPriority(web1!)).toBe(os.getPriority());
    expect(os.getPriority(ingest!)).toBe(Math.min(os.getPriority() + 5, 19));
    expect(os.getPriority(worker!)).toBe(Math.min(os.getPriority() + 10, 19));

    // Both web processes answer on the one port, each told where ingestion goes.
    const answers = await Promise.all(Array.from({ length: 8 }, () => get({ port })));
    expect(new Set(answers.map((a) => a.pid))).toEqual(new Set([web1, web2]));
    expect(answers.every((a) => a.role === "web" && a.ingestUrl === `unix:${socket}`)).toBe(true);
    expect(await get({ socketPath: socket })).toMatchObject({ role: "ingest", pid: ingest });

    // A killed web process: the other one answers every request meanwhile, and it comes back.
    process.kill(web1!, "SIGKILL");
    await until(() => logs.includes("the web process 1 exited (signal SIGKILL); restarting it in 50 ms"), "the restart line");
    for (let i = 0; i < 4; i++) expect((await get({ port })).role).toBe("web");
    const web1Again = await until(() => roles.pids().web[0] !== web1 && roles.pids().web[0], "a new web process 1");
    await until(
      async () => (await Promise.all(Array.from({ length: 6 }, () => get({ port })))).some((a) => a.pid === web1Again),
      "the new web process answering",
    );

    // A killed ingest process and a killed worker: each restarts alone.
    process.kill(ingest!, "SIGKILL");
    process.kill(worker!, "SIGKILL");
    const ingestAgain = await until(() => roles.pids().ingest[0] !== ingest && roles.pids().ingest[0], "a new ingest process");
    const workerAgain = await until(() => roles.pids().worker[0] !== worker && roles.pids().worker[0], "a new worker process");
    expect(logs).toContain("the ingest process exited (signal SIGKILL); restarting it in 50 ms");
    expect(logs).toContain("the worker process exited (signal SIGKILL); restarting it in 50 ms");
    expect(roles.pids().web).toEqual([web1Again, web2]);
    expect(await until(() => get({ socketPath: socket }).catch(() => null), "the new ingest process answering")).toMatchObject({ pid: ingestAgain });
    expect(os.getPriority(ingestAgain)).toBe(Math.min(os.getPriority() + 5, 19));
    expect(os.getPriority(workerAgain)).toBe(Math.min(os.getPriority() + 10, 19));

    await roles.stop();
    for (const pid of [web1Again, web2!, ingestAgain, workerAgain]) expect(alive(pid), `pid ${pid}`).toBe(false);
    // Nothing is restarted after a requested stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(Object.values(roles.pids()).flat()).toEqual([null, null, null, null]);
    expect(logs.filter((line) => line.includes("exited"))).toHaveLength(3);
    await expect(get({ port })).rejects.toThrow();
  }, 60_000);

  it("fails the start with the reason when a role cannot listen, instead of restarting it for ever", async () => {
    process.env.PORT = String(await freePort());
    process.env.STAND_IN_FATAL = "web";
    const logs: string[] = [];
    const roles = start(["web", "worker"], logs);
    await expect(roles.ready).rejects.toThrow("The web process could not start: could not listen on 0.0.0.0:1: the port is in use (PORT)");
  }, 30_000);

  it("is ready at once with no web or ingest process, and stops the worker on request", async () => {
    const logs: string[] = [];
    const roles = start(["worker"], logs);
    await roles.ready;
    const [worker] = roles.pids().worker as number[];
    expect(alive(worker!)).toBe(true);
    await roles.stop();
    expect(alive(worker!)).toBe(false);
    expect(logs).toEqual([`the worker process runs as pid ${worker}`]);
  }, 30_000);
});
