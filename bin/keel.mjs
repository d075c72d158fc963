#!/usr/bin/env node
// `npx keel …`: runs the TypeScript CLI with tsx under the react-server condition (server modules
// guard themselves with `server-only`, which resolves to nothing under that condition).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve("tsx")).href;
const result = spawnSync(
  process.execPath,
  ["--conditions=react-server", "--import", tsx, path.join(root, "server", "cli", "keel.ts"), ...process.argv.slice(2)],
  { stdio: "inherit", cwd: process.cwd() },
);
process.exit(result.status ?? 1);
