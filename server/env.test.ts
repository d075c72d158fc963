import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv, setting } from "./env";

describe("environment settings", () => {
  it("refuses a size with a unit at start, naming the variable, instead of reading NaN", () => {
    expect(() => parseEnv({ KEEL_OTLP_MAX_BYTES: "8MB" })).toThrow(/KEEL_OTLP_MAX_BYTES: must be a whole number of bytes/);
    expect(() => setting("KEEL_OTLP_MAX_BYTES", { KEEL_OTLP_MAX_BYTES: "8MB" })).toThrow(/KEEL_OTLP_MAX_BYTES/);
    expect(setting("KEEL_OTLP_MAX_BYTES", { KEEL_OTLP_MAX_BYTES: "1048576" })).toBe(1_048_576);
    expect(setting("KEEL_OTLP_MAX_BYTES", {})).toBe(8 * 1_048_576);
  });

  it("refuses counts that are not whole numbers within bounds, and seconds that are not positive", () => {
    expect(() => parseEnv({ KEEL_OTLP_MAX_INFLIGHT: "0" })).toThrow(/KEEL_OTLP_MAX_INFLIGHT/);
    expect(() => parseEnv({ KEEL_WORKER_RUNS: "2.5" })).toThrow(/KEEL_WORKER_RUNS/);
    expect(() => parseEnv({ KEEL_TELEMETRY_POOL: "-1" })).toThrow(/KEEL_TELEMETRY_POOL/);
    expect(() => parseEnv({ KEEL_WEBHOOK_POLL_SECONDS: "0" })).toThrow(/KEEL_WEBHOOK_POLL_SECONDS/);
    expect(() => parseEnv({ KEEL_QUEUE_POLL_SECONDS: "fast" })).toThrow(/KEEL_QUEUE_POLL_SECONDS/);
    expect(setting("KEEL_QUEUE_POLL_SECONDS", { KEEL_QUEUE_POLL_SECONDS: "0.5" })).toBe(0.5);
    expect(setting("KEEL_QUEUE_EXPIRE_SECONDS", {})).toBeUndefined();
    // An empty value is the default, as an unset one.
    expect(setting("KEEL_INGEST_THREADS", { KEEL_INGEST_THREADS: "" })).toBe(1);
  });

  it("reads KEEL_TRUST_PROXY as off, a hop count or a list of proxy addresses", () => {
    expect(setting("KEEL_TRUST_PROXY", {})).toBe(false);
    expect(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "0" })).toBe(false);
    expect(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "false" })).toBe(false);
    expect(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "true" })).toBe(1);
    expect(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "1" })).toBe(1);
    expect(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "2" })).toBe(2);
    expect(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "10.0.0.0/8, 192.168.1.5,loopback" })).toEqual(["10.0.0.0/8", "192.168.1.5", "loopback"]);
    expect(() => parseEnv({ KEEL_TRUST_PROXY: "10.0.0.0/99" })).toThrow(/KEEL_TRUST_PROXY/);
    expect(() => parseEnv({ KEEL_TRUST_PROXY: "proxy.internal" })).toThrow(/KEEL_TRUST_PROXY/);
  });

  it("follows process.env when it changes after import", () => {
    const before = process.env.KEEL_DEPLOY_SWEEP_SECONDS;
    try {
      process.env.KEEL_DEPLOY_SWEEP_SECONDS = "3";
      expect(setting("KEEL_DEPLOY_SWEEP_SECONDS")).toBe(3);
      process.env.KEEL_DEPLOY_SWEEP_SECONDS = "7";
      expect(setting("KEEL_DEPLOY_SWEEP_SECONDS")).toBe(7);
    } finally {
      if (before === undefined) delete process.env.KEEL_DEPLOY_SWEEP_SECONDS;
      else process.env.KEEL_DEPLOY_SWEEP_SECONDS = before;
    }
  });

  it("is the only reader of KEEL_* variables under server/", () => {
    const root = path.dirname(new URL(import.meta.url).pathname);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "generated") walk(file);
        } else if (/\.tsx?$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && file !== path.join(root, "env.ts")) {
          readFileSync(file, "utf8")
            .split("\n")
            .forEach((line, i) => {
              // Reads only: the embedded start still writes generated secrets into process.env.
              if (/process\.env(\.KEEL_|\[)/.test(line) && !/process\.env\.KEEL_\w+ \?\?=/.test(line)) offenders.push(`${path.relative(root, file)}:${i + 1}`);
            });
        }
      }
    };
    walk(root);
    // Sessions (server/auth/options.ts, session.ts) read KEEL_SECRET, which parseEnv checks at start.
    expect(offenders.filter((o) => !/^auth\/(options|session)\.ts:/.test(o))).toEqual([]);
  });

  it("stops the CLI at start with the variable's name", () => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
    let stderr = "";
    let status = 0;
    try {
      execFileSync(process.execPath, [path.join(root, "bin/keel.mjs"), "migrate"], { cwd: root, env: { ...process.env, KEEL_OTLP_MAX_BYTES: "8MB", DATABASE_URL: "" }, stdio: "pipe" });
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/KEEL_OTLP_MAX_BYTES: must be a whole number of bytes/);
  }, 60_000);
});
