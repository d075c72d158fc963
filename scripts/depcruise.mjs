#!/usr/bin/env node
// `npm run lint:deps`: dependency-cruiser's CLI with .dependency-cruiser.cjs over the app's code.
// dependency-cruiser 18's binary refuses Node 20 (it follows Node's release cycle: ^22), which
// this project still supports (engines: >=20.19); its CLI module runs fine on 20, so it is called
// directly here, skipping only that version check. Drop this file for `depcruise` once Node 22 is
// the floor.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The package's main entry resolves through "exports"; its CLI module sits two folders up from it.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.resolve("dependency-cruiser"))), "..", "..");
const { default: cli } = await import(pathToFileURL(path.join(packageRoot, "src", "cli", "index.mjs")).href);

const targets = process.argv.slice(2);
process.exitCode = await cli(targets.length ? targets : ["app", "components", "server", "bin", "scripts"], {
  config: ".dependency-cruiser.cjs",
  outputType: "err",
  progress: "none",
});
