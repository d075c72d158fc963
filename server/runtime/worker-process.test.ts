// The supervisor `npm start` runs its worker under: the child is another process at a lower
// priority, is restarted with a log line when it dies, and stop() ends it (and any restart).
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { superviseProcess, type Supervisor } from "./worker-process";

// A stand-in worker: runs until SIGTERM, then exits cleanly.
const CHILD = "process.on('SIGTERM', () => process.stdout.write('stopping\\n', () => process.exit(0))); console.log('ready'); setInterval(() => {}, 1000);";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(read: () => T | null | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let supervisor: Supervisor | null = null;
afterEach(async () => {
  await supervisor?.stop();
  supervisor = null;
});

describe("superviseProcess", () => {
  it("runs the child as another process at a lower priority, restarts it after a crash, and stops it on request", async () => {
    const logs: string[] = [];
    const output: string[] = [];
    const pids: number[] = [];
    supervisor = superviseProcess({
      command: process.execPath,
      args: ["-e", CHILD],
      name: "the worker process",
      log: (line) => logs.push(line),
      output: (line) => output.push(line),
      restartDelayMs: 50,
      onSpawn: (pid) => pids.push(pid),
    });
    const first = await until(() => pids[0], "the first child");
    expect(first).not.toBe(process.pid);
    expect(supervisor.pid).toBe(first);
    const lowered = Math.min(os.getPriority() + 10, 19);
    expect(os.getPriority(first)).toBe(lowered);
    await until(() => output.includes("ready"), "the child's output");

    process.kill(first, "SIGKILL");
    const second = await until(() => pids[1], "a restart");
    expect(second).not.toBe(first);
    expect(logs).toContain("the worker process exited (signal SIGKILL); restarting it in 50 ms");
    expect(os.getPriority(second)).toBe(lowered);
    await until(() => output.filter((line) => line === "ready").length === 2, "the restarted child's output");

    await supervisor.stop();
    expect(alive(second)).toBe(false);
    expect(supervisor.pid).toBeNull();
    // It was asked to stop (SIGTERM), not killed.
    await until(() => output.includes("stopping"), "the child's goodbye", 2_000);
    // No restart after a requested stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pids).toHaveLength(2);
    expect(logs).toHaveLength(1);
  });

  it("backs off while the child keeps dying, and stop() cancels a pending restart", async () => {
    const logs: string[] = [];
    const pids: number[] = [];
    supervisor = superviseProcess({
      command: process.execPath,
      args: ["-e", "process.exit(3)"],
      name: "the worker process",
      log: (line) => logs.push(line),
      output: () => {},
      restartDelayMs: 20,
      maxRestartDelayMs: 60,
      onSpawn: (pid) => pids.push(pid),
    });
    await until(() => logs.length >= 4, "three restarts");
    expect(logs.slice(0, 4)).toEqual([
      "the worker process exited (code 3); restarting it in 20 ms",
      "the worker process exited (code 3); restarting it in 40 ms",
      "the worker process exited (code 3); restarting it in 60 ms",
      "the worker process exited (code 3); restarting it in 60 ms",
    ]);
    await supervisor.stop();
    const count = pids.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(pids.length).toBe(count);
  });

  it("kills a child that ignores SIGTERM after the grace period", async () => {
    const pids: number[] = [];
    const output: string[] = [];
    supervisor = superviseProcess({
      command: process.execPath,
      args: ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);"],
      name: "the worker process",
      log: () => {},
      output: (line) => output.push(line),
      stopTimeoutMs: 100,
      onSpawn: (pid) => pids.push(pid),
    });
    await until(() => output.includes("ready"), "the child");
    await supervisor.stop();
    expect(alive(pids[0]!)).toBe(false);
  });
});
