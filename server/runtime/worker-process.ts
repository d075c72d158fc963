// How `npm start` runs its role processes (server/runtime/roles/supervisor.ts): each is a child
// process, the same code as `npx keel web|worker|ingest`, optionally at a lower OS priority (the
// worker and ingest processes yield the cores to web), restarted with a log line when it dies, and
// stopped (SIGTERM, then SIGKILL after a grace period) before the embedded database is.
// `superviseProcess` is the generic part, tested with stand-in children; `startWorkerProcess`
// runs the evaluation worker (runs, online evaluation, rollups, sweeps, webhooks, checkpoints), so
// user work (evaluators, judges, JSON Schemas) never runs on the thread that answers HTTP.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export type SupervisorOptions = {
  /** The child to run, spawned in a process group of its own (a terminal's Ctrl-C reaches only this process)… */
  command?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** …or how to start it otherwise (a node:cluster fork, which shares its listening sockets through this process). */
  launch?: () => ChildProcess;
  /** What the log lines call the child ("the worker process"). */
  name: string;
  log: (line: string) => void;
  /**
   * How much lower than this process's own priority the child runs (added to our nice value,
   * capped at 19), set right after it starts; null leaves it. Relative, so a server started under
   * `nice` still keeps its worker below itself.
   */
  priority?: number | null;
  /** Each output line of the child; without it the child writes to this process's stdout and stderr. */
  output?: (line: string) => void;
  /** The first restart waits this long; it doubles while the child keeps dying young, up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** stop() sends SIGTERM, then SIGKILL after this long. */
  stopTimeoutMs?: number;
  /** Called with each new child's pid (the first start and every restart). */
  onSpawn?: (pid: number) => void;
};

export type Supervisor = {
  /** The running child's pid, or null between a crash and its restart. */
  readonly pid: number | null;
  /** Stops the child and any restart; resolves once it has exited. */
  stop(): Promise<void>;
};

/** A child that lived this long counts as healthy: its next crash restarts after the first delay again. */
const HEALTHY_AFTER_MS = 60_000;

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code ?? "?"}`;
}

function forwardLines(stream: NodeJS.ReadableStream | null, output: (line: string) => void) {
  if (!stream) return;
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) output(line);
  });
}

/** Runs a child process until stop(), restarting it whenever it exits on its own. */
export function superviseProcess(options: SupervisorOptions): Supervisor {
  const firstDelay = options.restartDelayMs ?? 1_000;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const priority = options.priority === undefined ? 10 : options.priority;
  let delay = firstDelay;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let restartTimer: NodeJS.Timeout | null = null;
  let stopping = false;

  const start = () => {
    restartTimer = null;
    if (stopping) return;
    const startedAt = Date.now();
    // Its own process group: a Ctrl-C in the terminal reaches only this process, which then stops
    // the child in order (before the database). The child leaves by itself if this process dies.
    const current =
      options.launch?.() ??
      spawn(options.command ?? process.execPath, options.args ?? [], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: options.output ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
        detached: true,
      });
    child = current;
    if (options.output) {
      forwardLines(current.stdout, options.output);
      forwardLines(current.stderr, options.output);
    }
    exited = new Promise<void>((resolve) => {
      current.once("exit", (code, signal) => {
        if (child === current) child = null;
        resolve();
        if (stopping) return;
        if (Date.now() - startedAt > HEALTHY_AFTER_MS) delay = firstDelay;
        options.log(`${options.name} exited (${describeExit(code, signal)}); restarting it in ${delay >= 1_000 ? `${delay / 1_000} s` : `${delay} ms`}`);
        restartTimer = setTimeout(start, delay);
        delay = Math.min(delay * 2, maxDelay);
      });
    });
    current.once("error", (error) => options.log(`${options.name} could not start: ${error.message}`));
    if (current.pid === undefined) return;
    if (priority !== null) {
      try {
        os.setPriority(current.pid, Math.min(os.getPriority() + priority, 19));
      } catch (error) {
        options.log(`could not lower the priority of ${options.name}: ${(error as Error).message}`);
      }
    }
    options.onSpawn?.(current.pid);
  };

  start();

  return {
    get pid() {
      return child?.pid ?? null;
    },
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return exited;
      current.kill("SIGTERM");
      const killer = setTimeout(() => current.kill("SIGKILL"), options.stopTimeoutMs ?? 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Set in a role process's environment by `npm start`: it skips migrations (done) and leaves with its parent. */
export const SUPERVISED_ENV = "KEEL_ROLE_SUPERVISED" as const;

/** The `keel` CLI's entry (server/cli/keel.ts) and how Node runs it: under tsx, like bin/keel.mjs. */
export function cliEntry(): { root: string; script: string; execArgv: string[] } {
  const root = path.resolve(import.meta.dirname, "..", "..");
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { root, script: path.join(root, "server", "cli", "keel.ts"), execArgv: ["--conditions=react-server", "--import", tsx] };
}

/** `npx keel worker` as a supervised child of this process. */
export function startWorkerProcess(options: {
  log: (line: string) => void;
  output?: (line: string) => void;
  env?: Record<string, string>;
  onSpawn?: (pid: number) => void;
  stopTimeoutMs?: number;
  restartDelayMs?: number;
}): Supervisor {
  const cli = cliEntry();
  return superviseProcess({
    command: process.execPath,
    args: [...cli.execArgv, cli.script, "worker"],
    cwd: cli.root,
    env: { ...process.env, ...options.env, [SUPERVISED_ENV]: "1" },
    name: "the worker process",
    log: options.log,
    output: options.output,
    onSpawn: options.onSpawn,
    stopTimeoutMs: options.stopTimeoutMs,
    restartDelayMs: options.restartDelayMs,
  });
}
