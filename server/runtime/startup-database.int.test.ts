// Start-up against a DATABASE_URL that is wrong says so in one line and stops, instead of hanging
// or starting an empty instance: `keel migrate` runs the same start-up as `npm start`.
import { execFile } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { withDatabase } from "../db/embedded";

type Run = { code: number; stdout: string; stderr: string; ms: number };
function keelMigrate(env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile("node", ["bin/keel.mjs", "migrate"], { env: { ...process.env, KEEL_SECRET: "s".repeat(32), ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

const missing = `keel_startup_${Date.now().toString(36)}`;
const url = withDatabase(process.env.DATABASE_URL!, missing);

async function dropMissing() {
  const admin = new pg.Client({ connectionString: withDatabase(process.env.DATABASE_URL!, "postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(missing)} WITH (FORCE)`).finally(() => admin.end());
}
afterAll(dropMissing);

describe("start-up with a DATABASE_URL that is wrong", () => {
  it("refuses a database name the server does not have, unless KEEL_CREATE_DATABASE=1", async () => {
    const refused = await keelMigrate({ DATABASE_URL: url });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^keel: The database "${missing}" does not exist on .+ Create it, or set KEEL_CREATE_DATABASE=1`)),
    ]);
    const created = await keelMigrate({ DATABASE_URL: url, KEEL_CREATE_DATABASE: "1" });
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/Applied \d+ migration/);
  }, 90_000);

  it("gives up on a server that accepts connections and never answers, naming DATABASE_URL, within the connect timeout", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const r = await keelMigrate({ DATABASE_URL: `postgresql://keel:secret-password@127.0.0.1:${port}/keel`, KEEL_DB_CONNECT_TIMEOUT_SECONDS: "1" });
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`Could not connect to the database in DATABASE_URL (127.0.0.1:${port}): it did not answer within 1 s`);
      expect(r.stderr).not.toContain("secret-password");
      expect(r.ms).toBeLessThan(30_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);

  it("names the address of a server that refuses connections", async () => {
    const r = await keelMigrate({ DATABASE_URL: "postgresql://keel@127.0.0.1:1/keel" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringContaining("Could not connect to the database in DATABASE_URL (127.0.0.1:1): connect ECONNREFUSED"),
    ]);
  }, 60_000);
});
