// A PostgreSQL primary and a streaming hot standby of it, both started by the test on ports of
// their own from Debian's PostgreSQL binaries (/usr/lib/postgresql/<version>/bin): initdb, then
// pg_basebackup -R (standby.signal and primary_conninfo) for the standby. As root, the binaries
// run as the `postgres` user (spawned with its uid, so a server is this process's own child). `replicaToolsUnavailable()` says why the tests skip when the
// binaries are missing.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const INSTALL_COMMAND = "apt-get install -y postgresql";

function binDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(base, v, "bin", "pg_basebackup")) && existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : null;
}

/** Why the replica tests skip (null: they run). */
export function replicaToolsUnavailable(): string | null {
  if (!binDir()) return `PostgreSQL's server binaries with pg_basebackup are not under /usr/lib/postgresql/<version>/bin: install them (${INSTALL_COMMAND})`;
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"], { stdio: "ignore" }).status !== 0)
    return "running as root without a `postgres` user to run the servers as";
  return null;
}

export type ReplicatedPostgres = {
  /** URLs of `database` on the primary and on the standby. */
  primaryUrl(database?: string): string;
  standbyUrl(database?: string): string;
  /** Stops applying WAL on the standby (it keeps receiving it) / applies again. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the standby has applied everything the primary has flushed. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** As root: the `postgres` user's ids, which PostgreSQL's binaries run as (they refuse root). */
function postgresIds(): { uid: number; gid: number } | object {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** Runs a PostgreSQL binary and fails with its output. */
function run(bin: string, args: string[]): void {
  const result = spawnSync(bin, args, { encoding: "utf8", timeout: 120_000, ...postgresIds() });
  if (result.status !== 0) throw new Error(`${path.basename(bin)} failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`);
}

function serve(bin: string, dataDir: string, port: number, socketDir: string): ChildProcess {
  const args = [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-k",
    socketDir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "wal_level=replica",
    "-c",
    "max_wal_senders=4",
    "-c",
    "hot_standby=on",
    // Throwaway data: no waiting on the disk.
    "-c",
    "fsync=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "shared_buffers=16MB",
  ];
  return spawn(path.join(bin, "postgres"), args, { stdio: ["ignore", "ignore", "pipe"], ...postgresIds() });
}

async function waitForServer(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (const deadline = Date.now() + 30_000; ;) {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start: ${output().trim() || (error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Starts a primary (with `database` created) and a streaming standby of it. */
export async function startReplicatedPostgres(database = "keel"): Promise<ReplicatedPostgres> {
  const bin = binDir();
  if (!bin) throw new Error(replicaToolsUnavailable() ?? "PostgreSQL binaries are missing");
  const dir = await mkdtemp(path.join(os.tmpdir(), "keel-replica-"));
  await chmod(dir, 0o755);
  const [primaryDir, standbyDir, socketDir] = ["primary", "standby", "sockets"].map((name) => path.join(dir, name)) as [string, string, string];
  await mkdir(socketDir, { mode: 0o777 });
  await chmod(socketDir, 0o777);
  if (process.getuid?.() === 0) spawnSync("chown", ["postgres", dir]);
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const url = (port: number, db: string) => `postgresql://postgres@127.0.0.1:${port}/${db}`;
  const servers: ChildProcess[] = [];
  let log = "";
  const collect = (child: ChildProcess) => child.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4_000)));

  const stop = async () => {
    for (const child of servers.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once("exit", r));
      // SIGINT: fast shutdown (no waiting for clients).
      child.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    run(path.join(bin, "initdb"), ["-D", primaryDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    const primary = serve(bin, primaryDir, primaryPort, socketDir);
    servers.push(primary);
    collect(primary);
    await waitForServer(url(primaryPort, "postgres"), primary, () => log);
    await query(url(primaryPort, "postgres"), `CREATE DATABASE "${database}"`);
    // -R writes standby.signal and primary_conninfo; -X stream brings the WAL the copy needs.
    run(path.join(bin, "pg_basebackup"), [
      "-h",
      "127.0.0.1",
      "-p",
      String(primaryPort),
      "-U",
      "postgres",
      "-D",
      standbyDir,
      "-R",
      "-X",
      "stream",
      "-c",
      "fast",
      "--no-sync",
    ]);
    const standby = serve(bin, standbyDir, standbyPort, socketDir);
    servers.push(standby);
    collect(standby);
    await waitForServer(url(standbyPort, "postgres"), standby, () => log);
  } catch (error) {
    await stop();
    throw error;
  }

  const standbyAdmin = url(standbyPort, "postgres");
  return {
    primaryUrl: (db = database) => url(primaryPort, db),
    standbyUrl: (db = database) => url(standbyPort, db),
    pauseReplay: async () => {
      await query(standbyAdmin, "SELECT pg_wal_replay_pause()");
    },
    resumeReplay: async () => {
      await query(standbyAdmin, "SELECT pg_wal_replay_resume()");
    },
    caughtUp: async () => {
      const [{ lsn }] = (await query<{ lsn: string }>(url(primaryPort, "postgres"), "SELECT pg_current_wal_flush_lsn()::text AS lsn")) as [{ lsn: string }];
      for (const deadline = Date.now() + 30_000; ;) {
        const [row] = await query<{ behind: boolean }>(standbyAdmin, `SELECT pg_last_wal_replay_lsn() < '${lsn}'::pg_lsn AS behind`);
        if (!row?.behind) return;
        if (Date.now() > deadline) throw new Error(`The standby did not replay up to ${lsn}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop,
  };
}
