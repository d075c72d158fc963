// Decides whether `npm start` must (re)build the web app: a fingerprint of the sources that go
// into the build (paths, sizes, modification times) is kept next to the build output.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

const INPUTS = ["app", "components", "server", "public", "next.config.js", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];
const SKIP = new Set(["node_modules", ".next", "generated"]);

async function walk(dir: string, out: string[]) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else out.push(full);
  }
}

async function fingerprint(root: string): Promise<string> {
  const files: string[] = [];
  for (const input of INPUTS) {
    const full = path.join(root, input);
    if (!existsSync(full)) continue;
    if ((await stat(full)).isDirectory()) await walk(full, files);
    else files.push(full);
  }
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    const s = await stat(file);
    hash.update(`${path.relative(root, file)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

const marker = (root: string) => path.join(root, ".next", "keel-build-fingerprint");

export async function buildIsCurrent(root: string): Promise<boolean> {
  if (!existsSync(path.join(root, ".next", "BUILD_ID")) || !existsSync(marker(root))) return false;
  return (await readFile(marker(root), "utf8")) === (await fingerprint(root));
}

/**
 * Takes the fingerprint before the build and returns the function that records it after a
 * successful one: a source saved while `next build` runs then makes the next start rebuild,
 * instead of being recorded as built without being in the build.
 */
export async function startBuild(root: string): Promise<{ recordBuilt(): Promise<void> }> {
  const before = await fingerprint(root);
  return { recordBuilt: () => writeFile(marker(root), before) };
}
