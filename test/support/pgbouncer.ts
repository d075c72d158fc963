// A real PgBouncer (Debian's `pgbouncer` package) in front of the integration tests' PostgreSQL:
// its own config in a temporary directory, its own port, the pool mode the test asks for. When
// the binary is missing, the first use tries `apt-get install -y pgbouncer` (as root, or through
// `sudo -n`); where that fails, `pgbouncerUnavailable()` says why and the tests skip saying so.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const CANDIDATES = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"];
export const INSTALL_COMMAND = "apt-get install -y pgbouncer";

let located: { binary: string } | { missing: string } | undefined;

function find(): string | undefined {
  return CANDIDATES.find((file) => existsSync(file));
}

function aptGet(args: string[]): boolean {
  const root = process.getuid?.() === 0;
  const [command, argv] = root ? ["apt-get", args] : ["sudo", ["-n", "apt-get", ...args]];
  const result = spawnSync(command, argv, { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 240_000 });
  return result.status === 0;
}

/** The pgbouncer binary, installing Debian's package if it is missing; null when neither works. */
export function pgbouncerBinary(): string | null {
  if (!located) {
    let binary = find();
    if (!binary) {
      // A fresh package index first only if the install alone fails (a stale index).
      if (!aptGet(["install", "-y", "-qq", "pgbouncer"]) && aptGet(["update", "-qq"])) aptGet(["install", "-y", "-qq", "pgbouncer"]);
      binary = find();
    }
    located = binary ? { binary } : { missing: `PgBouncer is not installed and \`${INSTALL_COMMAND}\` failed here: install it to run these tests` };
  }
  return "binary" in located ? located.binary : null;
}

/** Why the PgBouncer tests skip (null: they run). */
export function pgbouncerUnavailable(): string | null {
  return pgbouncerBinary() ? null : (located as { missing: string }).missing;
}

export type RunningPgBouncer = {
  port: number;
  /** A URL through PgBouncer to `database` on the server, with Keel's `pgbouncer=true`. */
  url(database: string): string;
  /** A statement on PgBouncer's admin console (SHOW STATS, SHOW POOLS, …). */
  admin<R extends pg.QueryResultRow>(statement: string): Promise<R[]>;
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

/** Starts PgBouncer in front of the server `serverUrl` points at (any database on it). */
export async function startPgBouncer(serverUrl: string, options: { poolMode?: "transaction" | "session"; poolSize?: number } = {}): Promise<RunningPgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error(pgbouncerUnavailable() ?? "PgBouncer is missing");
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), "keel-pgbouncer-"));
  // PgBouncer refuses to run as root; as root it drops to `nobody`, who must read its config.
  await chmod(dir, 0o755);
  const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const target = [`host=${server.hostname}`, `port=${server.port || "5432"}`, `user=${user}`, ...(password ? [`password=${quote(password)}`] : [])].join(" ");
  const ini = [
    "[databases]",
    `* = ${target}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${path.join(dir, "users.txt")}`,
    `admin_users = ${user}`,
    `pool_mode = ${options.poolMode ?? "transaction"}`,
    `default_pool_size = ${options.poolSize ?? 10}`,
    "max_client_conn = 500",
    // Counters in SHOW STATS are published every stats_period (60 s by default).
    "stats_period = 1",
    ...(process.getuid?.() === 0 ? ["user = nobody"] : []),
  ].join("\n");
  await writeFile(path.join(dir, "pgbouncer.ini"), ini + "\n", { mode: 0o644 });
  await writeFile(path.join(dir, "users.txt"), `"${user}" ""\n`, { mode: 0o644 });

  const child: ChildProcess = spawn(binary, [path.join(dir, "pgbouncer.ini")], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = (database: string) => {
    const u = new URL(serverUrl);
    u.hostname = "127.0.0.1";
    u.port = String(port);
    u.pathname = `/${database}`;
    u.searchParams.set("pgbouncer", "true");
    return u.toString();
  };
  const admin = async <R extends pg.QueryResultRow>(statement: string): Promise<R[]> => {
    const client = new pg.Client({ host: "127.0.0.1", port, user, database: "pgbouncer" });
    client.on("error", () => {});
    await client.connect();
    try {
      // The admin console speaks only the simple query protocol, which pg uses for a bare string.
      return (await client.query<R>(statement)).rows;
    } finally {
      await client.end();
    }
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };

  for (const deadline = Date.now() + 15_000; ;) {
    try {
      await admin("SHOW VERSION");
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PgBouncer did not start: ${output.trim() || (error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port, url, admin, stop };
}
