// Start-up shared by `npm start` and the `keel` CLI: validate the environment, pick the database
// (DATABASE_URL, or the embedded server under .keel/), settle the session secret, migrate.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseEnv, setting, type Env } from "../env";
import { startEmbeddedPostgres } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";
import { logger } from "./log";

const log = logger("keel");

export type Runtime = {
  env: Env;
  mode: "embedded" | "external";
  databaseUrl: string;
  /** A session connection for LISTEN and migrations: KEEL_LISTEN_DATABASE_URL, else the database's own URL (server/db/connections.ts). */
  listenUrl: string;
  /** True when the embedded data directory was created by this start. */
  freshEmbedded: boolean;
  stop(): Promise<void>;
};

/** A value generated once and kept in the embedded data directory. */
async function keptSecret(dataDir: string, name: string): Promise<string> {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret + "\n", { mode: 0o600 });
  return secret;
}

export async function bootstrap(options: {
  migrate: boolean;
  log?: (line: string) => void;
  /** The caller stops the embedded database itself on SIGINT/SIGTERM, after its own work (server/db/embedded.ts ownProcessGroup). */
  stopsOnSignals?: boolean;
}): Promise<Runtime> {
  const log = options.log ?? (() => {});
  const env = parseEnv();
  let mode: Runtime["mode"] = "external";
  let databaseUrl = env.DATABASE_URL;
  let freshEmbedded = false;
  let stop = async () => {};

  if (databaseUrl) {
    if (!env.KEEL_SECRET) {
      throw new Error("KEEL_SECRET is required when DATABASE_URL is set (at least 32 random characters, e.g. `openssl rand -base64 32`)");
    }
  } else {
    mode = "embedded";
    const dataDir = path.resolve(env.KEEL_DATA_DIR);
    await mkdir(dataDir, { recursive: true });
    const pgDir = path.join(dataDir, "postgres");
    freshEmbedded = !existsSync(path.join(pgDir, "PG_VERSION"));
    log(freshEmbedded ? "Creating the embedded PostgreSQL database in .keel/ …" : "Starting the embedded PostgreSQL …");
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, ownProcessGroup: options.stopsOnSignals });
    databaseUrl = pg.url;
    stop = pg.stop;
    process.env.KEEL_SECRET ??= await keptSecret(dataDir, "secret");
    // Encrypts provider API keys at rest (AES-256-GCM, server/crypto).
    process.env.KEEL_ENCRYPTION_KEY ??= await keptSecret(dataDir, "encryption-key");
  }

  if (setting("KEEL_ENCRYPTION_KEY")) {
    // Fail at start, naming the variable, rather than on the first save of a provider key.
    const { loadKeyring } = await import("../crypto/secrets");
    loadKeyring();
  } else {
    log("KEEL_ENCRYPTION_KEY is not set: provider API keys cannot be stored until it is (32 random bytes, base64)");
  }
  process.env.DATABASE_URL = databaseUrl;
  try {
    if (options.migrate) {
      // A session of their own: the migration lock is held across statements.
      const { applied } = await migrateDatabase(env.KEEL_LISTEN_DATABASE_URL ?? databaseUrl, {
        createDatabase: mode === "embedded" || env.KEEL_CREATE_DATABASE,
        connectTimeoutMs: env.KEEL_DB_CONNECT_TIMEOUT_SECONDS * 1000,
      }).catch((error: unknown) => {
        throw mode === "external" ? unreachable(error, databaseUrl, env.KEEL_DB_CONNECT_TIMEOUT_SECONDS) : error;
      });
      if (applied.length) log(`Applied ${applied.length} migration(s): ${applied.join(", ")}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { env: parseEnv(), mode, databaseUrl, listenUrl: env.KEEL_LISTEN_DATABASE_URL ?? databaseUrl, freshEmbedded, stop };
}

/** A start-up failure to reach DATABASE_URL as one line naming it (never the password); other errors as they are. */
function unreachable(error: unknown, databaseUrl: string, timeoutSeconds: number): unknown {
  const code = (error as { code?: string }).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  const timedOut = /timeout/i.test(message);
  if (!timedOut && !["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "28P01", "28000"].includes(code)) return error;
  const where = new URL(databaseUrl);
  const target = `${where.hostname}:${where.port || "5432"}`;
  const reason = timedOut
    ? `it did not answer within ${timeoutSeconds} s (KEEL_DB_CONNECT_TIMEOUT_SECONDS)`
    : code.startsWith("28")
      ? `it refused the credentials (${message})`
      : `${message}`;
  return new Error(`Could not connect to the database in DATABASE_URL (${target}): ${reason}. Check that PostgreSQL runs there and accepts connections.`, {
    cause: error,
  });
}

/**
 * Stops the embedded server on SIGINT/SIGTERM (and on a crash) before exiting. Returns the same
 * shutdown for the caller's own reasons (a start that cannot work).
 */
export function stopOnSignals(stop: () => Promise<void>, beforeStop: () => Promise<void> = async () => {}): (code: number) => void {
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    void beforeStop()
      .catch(() => {})
      .then(() => stop())
      .catch((error: unknown) => log.error("stopping the database failed", { error }))
      .finally(() => process.exit(code));
  };
  process.on("SIGINT", () => shutdown(130));
  process.on("SIGTERM", () => shutdown(143));
  // `npm start` does not always pass a SIGTERM on to its child: when the parent goes away
  // (we are re-parented), stop as if signalled instead of running on as an orphan.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && shutdown(143), 1000).unref();
  process.on("uncaughtException", (error) => {
    log.error("uncaught exception; stopping", { error });
    shutdown(1);
  });
  return shutdown;
}
