// End-to-end tests through a real browser against a real Keel (e2e/support/server.mjs starts it
// in a temporary data directory). Set KEEL_E2E_BASE_URL (and KEEL_E2E_SETUP_URL, an instance on
// an empty database) to run against servers you started yourself.
import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";

// Ports are chosen once, in the runner, and inherited by the workers through the environment.
if (!process.env.KEEL_E2E_BASE_URL && (!process.env.KEEL_E2E_PORT || !process.env.KEEL_E2E_SETUP_PORT)) {
  const ports = execFileSync(
    process.execPath,
    [
      "-e",
      `const net = require("node:net");
       Promise.all([0, 1].map(() => new Promise((resolve) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => resolve(s)); })))
         .then((servers) => { process.stdout.write(servers.map((s) => s.address().port).join(" ")); servers.forEach((s) => s.close()); });`,
    ],
    { encoding: "utf8" },
  ).split(" ");
  process.env.KEEL_E2E_PORT = ports[0];
  process.env.KEEL_E2E_SETUP_PORT = ports[1];
}

const external = !!process.env.KEEL_E2E_BASE_URL;
process.env.KEEL_E2E_BASE_URL ??= `http://localhost:${process.env.KEEL_E2E_PORT}`;
process.env.KEEL_E2E_SETUP_URL ??= `http://localhost:${process.env.KEEL_E2E_SETUP_PORT}`;

export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.KEEL_E2E_BASE_URL,
    browserName: "chromium",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    viewport: { width: 1360, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: external
    ? undefined
    : {
        command: "node e2e/support/server.mjs",
        url: `${process.env.KEEL_E2E_SETUP_URL}/api/auth/csrf`,
        timeout: 6 * 60_000,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
        gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
      },
});
