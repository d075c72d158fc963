// Shared by the integration tests that run Keel's own processes: polling until something holds,
// and `npx keel worker` as a child process on the test's database.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Calls `fn` until it returns something truthy (returned), or fails naming `what` after `timeoutMs`. */
export async function pollUntil<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * `npx keel worker` (under tsx, as bin/keel.mjs runs it) with this process's environment plus
 * `env`; added to `children` until it exits. Its output is kept (the last 8 KB) for messages.
 */
export function spawnKeelWorker(env: Record<string, string>, children: Set<ChildProcess>): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(root, "server/cli/keel.ts"), "worker"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production" as const, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-8_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  children.add(child);
  child.on("exit", () => children.delete(child));
  return Object.assign(child, { output: () => output });
}

/** Resolves once the worker says it listens for runs; rejects if it exits first. */
export function workerListening(child: ChildProcess & { output(): string }): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const check = () => child.output().includes("listening for evaluation runs") && resolve(child);
    child.stdout!.on("data", check);
    check();
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it listened:\n${child.output()}`)));
  });
}
