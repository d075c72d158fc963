// `npm start`'s role processes: KEEL_WEB_PROCESSES web processes sharing PORT, KEEL_INGEST_PROCESSES
// ingest processes sharing the ingest socket (or KEEL_INGEST_PORT), and one worker, each the same
// code as its `npx keel <role>` command and each supervised on its own (server/runtime/worker-process.ts):
// a crash is logged and that process alone is restarted. Node 20's http has no SO_REUSEPORT, so the
// web and ingest processes are node:cluster workers of this process, which accepts their
// connections and hands them out round-robin; the worker is a plain child in a process group of
// its own. Ingest and worker run at a lower OS priority than web, so under load the cores go to
// the processes answering people first.
import cluster from "node:cluster";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Role } from "../../env";
import { cliEntry, superviseProcess, SUPERVISED_ENV, type Supervisor } from "../worker-process";

/** Nice levels below this process (null: the same). */
export const ROLE_PRIORITY: Record<Role, number | null> = { web: null, ingest: 5, worker: 10 };

export type RoleProcessesOptions = {
  roles: readonly Role[];
  webProcesses: number;
  ingestProcesses: number;
  /** `npm run dev`: Next in development mode. */
  dev: boolean;
  /** Where the ingest processes listen when it is a Unix socket (else they take KEEL_INGEST_PORT). */
  ingestSocket: string | null;
  /** What the web processes forward ingestion to (KEEL_INGEST_URL), when ingest is one of the roles. */
  ingestUrl: string | null;
  /** How long a role may take to stop after SIGTERM before it is killed. */
  stopTimeoutMs: number;
  log: (line: string) => void;
  /** The first restart's delay (doubling while a process keeps dying young). */
  restartDelayMs?: number;
  /** What runs `<role> [args]` (default: the keel CLI; tests put stand-ins here). */
  entry?: { script: string; execArgv: string[] };
};

export type RoleProcesses = {
  /**
   * Resolves once every web and ingest process has listened once (at once when there are none);
   * rejects when one exits or cannot listen before its role ever did (a port in use, a missing
   * build): a start that cannot work stops instead of restarting for ever.
   */
  ready: Promise<void>;
  /** The running processes' pids by role (null: between a crash and its restart). */
  pids(): Record<Role, (number | null)[]>;
  /** Stops every role process (SIGTERM, then SIGKILL after stopTimeoutMs) and resolves once all have exited. */
  stop(): Promise<void>;
};

type Slot = { role: Role; index: number; supervisor: Supervisor };

export function startRoleProcesses(options: RoleProcessesOptions): RoleProcesses {
  const slots: Slot[] = [];
  const listening = new Set<string>();
  const wanted = new Set<string>();
  let settle: { resolve(): void; reject(error: Error): void } | null = null;
  const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const roleReady = new Set<Role>();
  const checkReady = () => {
    if (settle && [...wanted].every((key) => listening.has(key))) {
      settle.resolve();
      settle = null;
    }
  };
  let stopping = false;
  const failStart = (role: Role, reason: string) => {
    // A process stopped before it listened because everything is stopping did not fail.
    if (!settle || roleReady.has(role) || stopping) return;
    settle.reject(new Error(`The ${role} process could not start: ${reason}`));
    settle = null;
  };

  const cli = options.entry ?? cliEntry();
  if (cluster.isPrimary) cluster.schedulingPolicy = cluster.SCHED_RR;
  const name = (role: Role, index: number, count: number) => `the ${role} process${count > 1 ? ` ${index + 1}` : ""}`;
  const common = {
    log: options.log,
    restartDelayMs: options.restartDelayMs,
    stopTimeoutMs: options.stopTimeoutMs,
  };

  /** A node:cluster worker running `keel <role>`: its server's listen() shares this process's socket. */
  const clustered = (role: "web" | "ingest", index: number, count: number, args: string[], env: Record<string, string>) => {
    const key = `${role}:${index}`;
    wanted.add(key);
    const supervisor = superviseProcess({
      ...common,
      name: name(role, index, count),
      priority: ROLE_PRIORITY[role],
      launch: () => {
        cluster.setupPrimary({ exec: cli.script, args: [role, ...args], execArgv: cli.execArgv });
        const worker = cluster.fork({ ...env, [SUPERVISED_ENV]: "1" });
        worker.on("listening", () => {
          listening.add(key);
          roleReady.add(role);
          checkReady();
        });
        worker.on("message", (message: unknown) => {
          if (typeof message === "object" && message !== null && (message as { keel?: unknown }).keel === "fatal")
            failStart(role, String((message as { message?: unknown }).message));
        });
        worker.process.once("exit", (code, signal) => {
          if (!roleReady.has(role)) failStart(role, `it exited (${signal ? `signal ${signal}` : `code ${code ?? "?"}`}) before it listened`);
        });
        return worker.process;
      },
      onSpawn: (pid) => options.log(`${name(role, index, count)} runs as pid ${pid}`),
    });
    slots.push({ role, index, supervisor });
  };

  if (options.roles.includes("ingest")) {
    const env: Record<string, string> = options.ingestSocket ? { KEEL_INGEST_SOCKET: options.ingestSocket } : {};
    for (let i = 0; i < options.ingestProcesses; i++) clustered("ingest", i, options.ingestProcesses, [], env);
  }
  if (options.roles.includes("web")) {
    const env: Record<string, string> = options.ingestUrl ? { KEEL_INGEST_URL: options.ingestUrl } : {};
    for (let i = 0; i < options.webProcesses; i++) clustered("web", i, options.webProcesses, options.dev ? ["--dev"] : [], env);
  }
  if (options.roles.includes("worker")) {
    const supervisor = superviseProcess({
      ...common,
      name: name("worker", 0, 1),
      priority: ROLE_PRIORITY.worker,
      command: process.execPath,
      args: [...cli.execArgv, cli.script, "worker"],
      env: { ...process.env, [SUPERVISED_ENV]: "1" },
      onSpawn: (pid) => options.log(`the worker process runs as pid ${pid}`),
    });
    slots.push({ role: "worker", index: 0, supervisor });
  }
  checkReady();

  return {
    ready,
    pids() {
      const out: Record<Role, (number | null)[]> = { web: [], worker: [], ingest: [] };
      for (const slot of slots) out[slot.role][slot.index] = slot.supervisor.pid;
      return out;
    },
    async stop() {
      stopping = true;
      // All at once: each finishes what it has in flight within its own deadline
      // (KEEL_SHUTDOWN_SECONDS); a web process's forwarded batches are answered by the ingest
      // process before it closes, and what arrives after that gets 503 with Retry-After.
      await Promise.all(slots.map((slot) => slot.supervisor.stop()));
    },
  };
}

/**
 * Where `npm start`'s ingest processes listen: a Unix socket in a directory of this process's own
 * under the temporary directory (mode 0700: only this user can connect). Not in the data
 * directory, which may sit in the project, where file watchers and scanners (Turbopack, Tailwind)
 * would trip over a socket. Directories left by a supervisor that was killed are removed.
 */
export async function ingestSocketPath(): Promise<string> {
  for (const entry of await readdir(os.tmpdir()).catch(() => [])) {
    const pid = /^keel-ingest-(\d+)-/.exec(entry)?.[1];
    if (pid && !alive(Number(pid))) await rm(path.join(os.tmpdir(), entry), { recursive: true, force: true }).catch(() => {});
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `keel-ingest-${process.pid}-`));
  return path.join(dir, "ingest.sock");
}

/** Removes the socket's directory (the socket itself is gone once its last listener closed). */
export async function removeSocket(file: string | null): Promise<void> {
  if (file) await rm(path.dirname(file), { recursive: true, force: true }).catch(() => {});
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
