// Installs the client kit (test/clients/package-lock.json) when it is missing or out of date. The
// kit holds real SDKs whose OpenTelemetry peers (2.x) conflict with the app's own (3.x), so they
// cannot live in the root package; the integration tier's global setup calls this before any test
// file loads, and `node test/clients/ensure.mjs` does the same by hand.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));

function lockfile(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8")).packages ?? {};
  } catch {
    return null;
  }
}

/** True when node_modules holds exactly the versions the lockfile names. */
export function kitIsCurrent() {
  const wanted = lockfile(`${dir}/package-lock.json`);
  const installed = lockfile(`${dir}/node_modules/.package-lock.json`);
  if (!wanted || !installed) return false;
  return Object.entries(wanted).every(([path, entry]) => path === "" || installed[path]?.version === entry.version);
}

export function ensureClientKit() {
  if (kitIsCurrent()) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`Installing the client kit in ${dir} failed (npm ci exited with ${result.status})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureClientKit();
