#!/usr/bin/env node
// Starts Keel for the end-to-end tests, in a throwaway data directory:
//   main   on KEEL_E2E_PORT: embedded PostgreSQL, seeded with the demo workspace on first start
//          (exactly what `npm start` does; it reuses .next when the sources have not changed).
//   setup  on KEEL_E2E_SETUP_PORT (optional): a second Keel on an EMPTY database ("keel_setup",
//          on the same embedded PostgreSQL server, passed as DATABASE_URL, so nothing is seeded):
//          for the first-owner setup page.
// SIGTERM/SIGINT stop both (setup first: main owns PostgreSQL) and delete the data directory.
// Once main is up, .next holds the build it made (or reused): the first-load JS budget per route
// (scripts/bundle-budget.mjs) is checked on it here, so `npm test` needs no build of its own for it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runBudgetCheck } from "../../scripts/bundle-budget.mjs";

const root = path.resolve(import.meta.dirname, "..", "..");
const port = Number(process.env.KEEL_E2E_PORT || 3210);
const setupPort = Number(process.env.KEEL_E2E_SETUP_PORT || 0);
const START_TIMEOUT_MS = 5 * 60_000; // a cold `next build` happens inside the first start

const dataDir = await mkdtemp(path.join(tmpdir(), "keel-e2e-"));
// As root, PostgreSQL runs as the `postgres` user, which must be able to reach its directory.
await chmod(dataDir, 0o755);

/** @type {{ name: string, child: import("node:child_process").ChildProcess, exited: Promise<void> }[]} */
const instances = [];
let stopping = false;

function log(line) {
  process.stdout.write(`[e2e-server] ${line}\n`);
}

function startKeel(name, env) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      if (!stopping) {
        log(`${name} exited unexpectedly (${signal ?? `code ${code}`})`);
        void stop(1);
      }
      resolve();
    }),
  );
  const instance = { name, child, exited };
  instances.push(instance);
  return instance;
}

async function waitUntilReady(instance, url) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (instance.child.exitCode !== null) throw new Error(`${instance.name} did not start`);
    try {
      const response = await fetch(url, { redirect: "manual" });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${instance.name} was not ready within ${START_TIMEOUT_MS / 1000} s`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const instance of [...instances].reverse()) {
    if (instance.child.exitCode === null && instance.child.signalCode === null) {
      instance.child.kill("SIGTERM");
      const timer = setTimeout(() => instance.child.kill("SIGKILL"), 15_000);
      await instance.exited;
      clearTimeout(timer);
    }
  }
  await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  process.exit(code);
}

process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));

try {
  const started = Date.now();
  // The webhook spec's receiver listens on 127.0.0.1, which Keel's egress policy refuses unless
  // allowed (the demo itself needs nothing: its Simulated provider makes no call).
  const main = startKeel("keel", { PORT: String(port), KEEL_DATA_DIR: dataDir, KEEL_EGRESS_ALLOW: "127.0.0.0/8" });
  await waitUntilReady(main, `http://127.0.0.1:${port}/api/auth/csrf`);
  log(`demo instance ready on http://localhost:${port} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const overBudget = runBudgetCheck({ dir: root, log });
  if (overBudget.length) throw new Error(`first-load JS over budget (bench/bundle-budget.json):\n${overBudget.join("\n")}`);

  if (setupPort) {
    const state = JSON.parse(await readFile(path.join(dataDir, "postgres", "keel-embedded.json"), "utf8"));
    const databaseUrl = `postgresql://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/keel_setup`;
    const setup = startKeel("keel-setup", {
      PORT: String(setupPort),
      DATABASE_URL: databaseUrl,
      // keel_setup does not exist yet: Keel creates it only when told to.
      KEEL_CREATE_DATABASE: "1",
      KEEL_SECRET: randomBytes(32).toString("base64url"),
      KEEL_DATA_DIR: path.join(dataDir, "setup"),
    });
    await waitUntilReady(setup, `http://127.0.0.1:${setupPort}/api/auth/csrf`);
    log(`empty instance ready on http://localhost:${setupPort}`);
  }
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  await stop(1);
}
