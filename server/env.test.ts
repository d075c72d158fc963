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
    expect(setting("KEEL_QUEUE_EXPIRE_SECONDS", {})).toBe(10);
    // An empty value is the default, as an unset one.
    expect(setting("KEEL_TELEMETRY_POOL", { KEEL_TELEMETRY_POOL: "" })).toBe(8);
    expect(setting("KEEL_DB_STATEMENT_TIMEOUT_SECONDS", {})).toBe(30);
    expect(() => parseEnv({ KEEL_DB_STATEMENT_TIMEOUT_SECONDS: "30s" })).toThrow(/KEEL_DB_STATEMENT_TIMEOUT_SECONDS/);
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

  it("reads KEEL_ROLES as a list of known roles, and refuses combinations that cannot work", () => {
    // Unset: all three (null lets KEEL_WORKER=0, deprecated, still take the worker away).
    expect(setting("KEEL_ROLES", {})).toBeNull();
    expect(setting("KEEL_ROLES", { KEEL_ROLES: " ingest, web,web " })).toEqual(["web", "ingest"]);
    expect(() => parseEnv({ KEEL_ROLES: "web,api" })).toThrow(
      /KEEL_ROLES: must be a comma list of the roles web, worker and ingest, at least one \(got "web,api"\)/,
    );
    expect(() => parseEnv({ KEEL_ROLES: "," })).toThrow(/KEEL_ROLES/);
    expect(() => parseEnv({ KEEL_ROLES: "web,worker", KEEL_WORKER: "0" })).toThrow(/KEEL_WORKER: KEEL_WORKER=0 \(deprecated\) contradicts KEEL_ROLES/);
    expect(parseEnv({ KEEL_ROLES: "web,ingest", KEEL_WORKER: "0" }).KEEL_ROLES).toEqual(["web", "ingest"]);
    // Nothing would reach an ingest process without a web process in front of it or a port of its own.
    expect(() => parseEnv({ KEEL_ROLES: "ingest,worker" })).toThrow(/KEEL_ROLES: runs ingest without web: set KEEL_INGEST_PORT/);
    expect(parseEnv({ KEEL_ROLES: "ingest", KEEL_INGEST_PORT: "4318" }).KEEL_INGEST_PORT).toBe(4318);
    expect(() => parseEnv({ KEEL_WEB_PROCESSES: "0" })).toThrow(/KEEL_WEB_PROCESSES/);
    expect(() => parseEnv({ KEEL_INGEST_PORT: "70000" })).toThrow(/KEEL_INGEST_PORT/);
  });

  it("reads KEEL_INGEST_URL as an http address or a Unix socket, nothing else", () => {
    expect(setting("KEEL_INGEST_URL", { KEEL_INGEST_URL: "http://ingest.internal:4318" })).toEqual({ host: "ingest.internal", port: 4318 });
    expect(setting("KEEL_INGEST_URL", { KEEL_INGEST_URL: "http://[::1]:4318/" })).toEqual({ host: "::1", port: 4318 });
    expect(setting("KEEL_INGEST_URL", { KEEL_INGEST_URL: "unix:/run/keel/ingest.sock" })).toEqual({ socketPath: "/run/keel/ingest.sock" });
    for (const bad of ["https://ingest:4318", "http://ingest", "http://ingest:4318/otel", "unix:ingest.sock", "ingest:4318"])
      expect(() => parseEnv({ KEEL_INGEST_URL: bad }), bad).toThrow(/KEEL_INGEST_URL: must be http:\/\/<host>:<port> or unix:\/<absolute path>/);
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
    expect(offenders).toEqual([]);
  });

  it("stops the CLI at start with the variable's name", () => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
    let stderr = "";
    let status = 0;
    try {
      execFileSync(process.execPath, [path.join(root, "bin/keel.mjs"), "migrate"], {
        cwd: root,
        env: { ...process.env, KEEL_OTLP_MAX_BYTES: "8MB", DATABASE_URL: "" },
        stdio: "pipe",
      });
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/KEEL_OTLP_MAX_BYTES: must be a whole number of bytes/);
  }, 60_000);
});

const parseWith = (vars: Record<string, string>) => parseEnv({ NODE_ENV: "test", ...vars });

describe("KEEL_EGRESS_ALLOW", () => {
  it("takes CIDRs and host names", () => {
    expect(parseWith({ KEEL_EGRESS_ALLOW: "127.0.0.0/8, ::1/128, localhost, models.internal" }).KEEL_EGRESS_ALLOW).toBe(
      "127.0.0.0/8, ::1/128, localhost, models.internal",
    );
    expect(parseWith({}).KEEL_EGRESS_ALLOW).toBeUndefined();
  });

  it.each(["10.0.0.0/33", "300.1.2.3", "http://models.internal", "2130706433"])("refuses %s at start, naming the variable and the entry", (entry) => {
    expect(() => parseWith({ KEEL_EGRESS_ALLOW: `127.0.0.0/8,${entry}` })).toThrow(`KEEL_EGRESS_ALLOW: "${entry}" is neither a CIDR`);
  });
});

describe("KEEL_AUDIT_CHECKPOINT_SINK", () => {
  it.each(["http://127.0.0.1:9/sink", "http://169.254.169.254/", "https://[::1]/sink", "http://2130706433/"])("refuses %s at start unless allowed", (sink) => {
    expect(() => parseWith({ KEEL_AUDIT_CHECKPOINT_SINK: sink })).toThrow(/KEEL_AUDIT_CHECKPOINT_SINK: is refused by Keel's egress policy/);
    expect(parseWith({ KEEL_AUDIT_CHECKPOINT_SINK: sink, KEEL_EGRESS_ALLOW: "127.0.0.0/8,169.254.169.254,::1/128" }).KEEL_AUDIT_CHECKPOINT_SINK).toBe(sink);
  });

  it("takes a file path or a public URL", () => {
    expect(parseWith({ KEEL_AUDIT_CHECKPOINT_SINK: "/var/log/keel/checkpoints.jsonl" }).KEEL_AUDIT_CHECKPOINT_SINK).toBe("/var/log/keel/checkpoints.jsonl");
    expect(parseWith({ KEEL_AUDIT_CHECKPOINT_SINK: "https://audit.example.com/keel" }).KEEL_AUDIT_CHECKPOINT_SINK).toBe("https://audit.example.com/keel");
  });
});

describe("KEEL_LISTEN_DATABASE_URL and KEEL_READ_DATABASE_URL", () => {
  const pooled = "postgresql://keel@pgbouncer:6432/keel?pgbouncer=true";
  const direct = "postgresql://keel@db:5432/keel";

  it("is required, and must differ, when DATABASE_URL goes through PgBouncer", () => {
    expect(() => parseWith({ DATABASE_URL: pooled })).toThrow(
      /KEEL_LISTEN_DATABASE_URL: is required when DATABASE_URL goes through PgBouncer \(pgbouncer=true\)/,
    );
    expect(() => parseWith({ DATABASE_URL: pooled, KEEL_LISTEN_DATABASE_URL: pooled })).toThrow(/KEEL_LISTEN_DATABASE_URL: is required/);
    expect(parseWith({ DATABASE_URL: pooled, KEEL_LISTEN_DATABASE_URL: direct }).KEEL_LISTEN_DATABASE_URL).toBe(direct);
    expect(parseWith({ DATABASE_URL: direct }).KEEL_LISTEN_DATABASE_URL).toBeUndefined();
  });

  it("refuses a pgbouncer parameter other than true or false, a URL that is not PostgreSQL's, and a session URL without DATABASE_URL", () => {
    expect(() => parseWith({ DATABASE_URL: `${direct}?pgbouncer=yes` })).toThrow(/DATABASE_URL: its pgbouncer parameter must be true or false \(got "yes"\)/);
    expect(() => parseWith({ DATABASE_URL: direct, KEEL_LISTEN_DATABASE_URL: "http://db:5432/keel" })).toThrow(
      /KEEL_LISTEN_DATABASE_URL: must be a postgresql:\/\/ URL/,
    );
    expect(() => parseWith({ KEEL_LISTEN_DATABASE_URL: direct })).toThrow(/KEEL_LISTEN_DATABASE_URL: needs DATABASE_URL as well/);
    expect(() => parseWith({ KEEL_READ_DATABASE_URL: direct })).toThrow(/KEEL_READ_DATABASE_URL: needs DATABASE_URL as well/);
    expect(() => parseWith({ DATABASE_URL: direct, KEEL_READ_DATABASE_URL: `${direct}?pgbouncer=1` })).toThrow(
      /KEEL_READ_DATABASE_URL: its pgbouncer parameter/,
    );
    expect(parseWith({ DATABASE_URL: direct, KEEL_READ_DATABASE_URL: "postgresql://keel@replica:5432/keel" }).KEEL_READ_DATABASE_URL).toBe(
      "postgresql://keel@replica:5432/keel",
    );
    expect(() => parseWith({ DATABASE_URL: direct, KEEL_READ_DATABASE_URL: direct })).toThrow(
      /KEEL_READ_DATABASE_URL: names the connection LISTEN and migrations use/,
    );
  });
});
