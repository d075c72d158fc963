#!/usr/bin/env node
// `npx keel …`: runs the TypeScript CLI with tsx under the react-server condition (server modules
// guard themselves with `server-only`, which resolves to nothing under that condition). SIGINT and
// SIGTERM are passed on, so a process manager that stops this process stops a long-running
// command (`keel web|worker|ingest`) too, instead of leaving it running.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve("tsx")).href;
const child = spawn(process.execPath, ["--conditions=react-server", "--import", tsx, path.join(root, "server", "cli", "keel.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: process.cwd(),
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + os.constants.signals[signal] : 1)));
