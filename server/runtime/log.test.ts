// Log lines: one per event, the same facts in text and JSON, errors shaped (class, code, last
// line) and never carrying a stack (unless asked for at debug), SQL text or a URL's password.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseEnv } from "../env";
import {
  formatJson,
  formatText,
  logger,
  logRequestFailure,
  relayChildLine,
  repeatLimited,
  routeConsoleThroughLog,
  shapeError,
  wasLogged,
  withLogContext,
  type LogEntry,
} from "./log";

/** What Prisma 7 throws when the database cannot be reached: a code frame, then the reason. */
function prismaUnreachable(): Error {
  const error = new Error(
    "\nInvalid `getDb().user.count()` invocation in\n/app/server/domain/x.ts:3:37\n\n  1 import x\n→ 3 const n = await getDb().user.count(\nCan't reach database server at 127.0.0.1:1",
  );
  error.name = "PrismaClientKnownRequestError";
  return Object.assign(error, { code: "P1001" });
}

const at = new Date("2026-01-02T03:04:05.678Z");
const entry = (fields: LogEntry["fields"], msg = "prompts.get: database unavailable (503)"): LogEntry => ({
  time: at,
  level: "error",
  component: "trpc",
  msg,
  fields,
});

describe("formatting", () => {
  it("writes a text line as [component] message: Class CODE: last line (request id)", () => {
    const line = formatText(entry({ error: prismaUnreachable(), requestId: "req-1", route: "prompts.get", status: 503 }));
    expect(line).toBe(
      "[trpc] prompts.get: database unavailable (503): PrismaClientKnownRequestError P1001: Can't reach database server at 127.0.0.1:1 (request req-1)",
    );
    expect(formatText({ ...entry(undefined, "Keel is listening"), level: "info", component: "keel" })).toBe("[keel] Keel is listening");
    expect(formatText(entry({ jobId: "job-9" }, "the job failed"))).toBe("[trpc] the job failed (job job-9)");
  });

  it("writes one JSON object with time, level, component, msg, the ids and the error's name, code and message", () => {
    const line = formatJson(entry({ error: prismaUnreachable(), requestId: "req-1", route: "prompts.get", status: 503, ignored: { nested: true } }));
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      time: "2026-01-02T03:04:05.678Z",
      level: "error",
      component: "trpc",
      msg: "prompts.get: database unavailable (503)",
      requestId: "req-1",
      route: "prompts.get",
      status: 503,
      error: { name: "PrismaClientKnownRequestError", code: "P1001", message: "Can't reach database server at 127.0.0.1:1" },
    });
  });

  it("keeps a stack, SQL text and a URL's password out of both formats", () => {
    const sqlError = Object.assign(new Error("SELECT secret FROM users WHERE id = 1"), { code: "42601" });
    const urlError = new Error("connect to postgresql://keel:hunter2@db.internal:5432/keel failed");
    for (const error of [sqlError, urlError, prismaUnreachable()]) {
      const text = formatText(entry({ error }));
      const json = formatJson(entry({ error }));
      for (const line of [text, json]) {
        expect(line).not.toMatch(/\n|    at |SELECT secret|hunter2|code frame|getDb\(\)/);
      }
    }
    expect(shapeError(sqlError)).toEqual({ name: "Error", code: "42601", message: "(an SQL statement, left out)" });
    expect(shapeError(urlError).message).toBe("connect to postgresql://keel:***@db.internal:5432/keel failed");
  });

  it("shows the stack only when asked (KEEL_LOG_LEVEL=debug)", () => {
    const error = new TypeError("x is undefined");
    expect(formatText(entry({ error }), { stack: true }).split("\n").length).toBeGreaterThan(1);
    expect(JSON.parse(formatJson(entry({ error }), { stack: true })).error.stack).toMatch(/TypeError: x is undefined\n\s+at /);
    expect(JSON.parse(formatJson(entry({ error }))).error).toEqual({ name: "TypeError", message: "x is undefined" });
  });

  it("shapes what is not an Error, and takes the code from a cause", () => {
    expect(shapeError("boom")).toEqual({ name: "string", message: "boom" });
    expect(shapeError({ kind: "DatabaseNotReachable" })).toEqual({ name: "Object", message: "{ kind: 'DatabaseNotReachable' }" });
    const wrapped = new Error("outer", { cause: Object.assign(new Error("inner"), { code: "ECONNREFUSED" }) });
    expect(shapeError(wrapped)).toEqual({ name: "Error", code: "ECONNREFUSED", message: "outer" });
    // pg's DatabaseError names itself "error".
    class DatabaseError extends Error {
      code = "57P01";
      name = "error";
    }
    expect(shapeError(new DatabaseError("terminating connection due to administrator command"))).toEqual({
      name: "DatabaseError",
      code: "57P01",
      message: "terminating connection due to administrator command",
    });
  });
});

describe("writing", () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("writes info to stdout and errors to stderr, one line each, in the format KEEL_LOG_FORMAT names", () => {
    const log = logger("keel");
    log.info("Keel is listening");
    log.error("stopping the database failed", { error: prismaUnreachable() });
    expect(out).toEqual(["[keel] Keel is listening\n"]);
    expect(err).toEqual(["[keel] stopping the database failed: PrismaClientKnownRequestError P1001: Can't reach database server at 127.0.0.1:1\n"]);

    vi.stubEnv("KEEL_LOG_FORMAT", "json");
    log.warn("an idle connection failed");
    expect(err).toHaveLength(2);
    expect(JSON.parse(err[1]!)).toMatchObject({ level: "warn", component: "keel", msg: "an idle connection failed" });
  });

  it("leaves out lines below KEEL_LOG_LEVEL", () => {
    vi.stubEnv("KEEL_LOG_LEVEL", "warn");
    const log = logger("worker");
    log.info("listening");
    log.debug("details");
    log.warn("slow");
    expect(out).toEqual([]);
    expect(err).toEqual(["[worker] slow\n"]);
  });

  it("adds the request or job id of the work in progress, across awaits", async () => {
    const log = logger("http");
    await withLogContext({ requestId: "req-7" }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      log.error("datasets.export failed mid-stream", { error: new Error("gone") });
    });
    await withLogContext({ jobId: "job-3" }, async () => log.info("claimed"));
    log.info("outside");
    expect(err).toEqual(["[http] datasets.export failed mid-stream: Error: gone (request req-7)\n"]);
    expect(out).toEqual(["[http] claimed (job job-3)\n", "[http] outside\n"]);
  });

  it("logs a request's failure once: a later report of the same error is recognised", () => {
    const cause = prismaUnreachable();
    const wrapper = new Error("INTERNAL_SERVER_ERROR", { cause });
    expect(wasLogged(wrapper)).toBe(false);
    logRequestFailure(logger("trpc"), { route: "prompts.list", status: 500, requestId: "req-2", error: cause });
    expect(wasLogged(wrapper)).toBe(true);
    expect(err).toEqual([
      "[trpc] prompts.list failed (500): PrismaClientKnownRequestError P1001: Can't reach database server at 127.0.0.1:1 (request req-2)\n",
    ]);
  });

  it("refuses a malformed KEEL_LOG_FORMAT or KEEL_LOG_LEVEL at start, naming it, and still writes that line", () => {
    expect(() => parseEnv({ KEEL_LOG_FORMAT: "xml" })).toThrow(/KEEL_LOG_FORMAT: must be text or json \(got "xml"\)/);
    expect(() => parseEnv({ KEEL_LOG_LEVEL: "verbose" })).toThrow(/KEEL_LOG_LEVEL: must be debug, info, warn or error/);
    expect(parseEnv({ KEEL_LOG_FORMAT: "", KEEL_LOG_LEVEL: " debug " })).toMatchObject({ KEEL_LOG_FORMAT: "text", KEEL_LOG_LEVEL: "debug" });
    vi.stubEnv("KEEL_LOG_FORMAT", "xml");
    logger("keel").error("Invalid environment: KEEL_LOG_FORMAT: must be text or json");
    expect(err).toEqual(["[keel] Invalid environment: KEEL_LOG_FORMAT: must be text or json\n"]);
  });

  it("passes a child's JSON lines through unchanged in JSON mode and wraps its other lines", () => {
    vi.stubEnv("KEEL_LOG_FORMAT", "json");
    const childLine = JSON.stringify({ time: at.toISOString(), level: "info", component: "worker", msg: "listening" });
    relayChildLine("worker", childLine);
    relayChildLine("worker", "Debugger attached.", "stderr");
    expect(out).toEqual([childLine + "\n"]);
    expect(JSON.parse(err[0]!)).toMatchObject({ level: "warn", component: "worker", msg: "Debugger attached." });
    vi.stubEnv("KEEL_LOG_FORMAT", "text");
    relayChildLine("worker", "[worker] listening");
    expect(out[1]).toBe("[worker] listening\n");
  });

  it("routes console output through the logger: one line, no stack, and nothing for an error already logged", async () => {
    const saved = { ...console };
    try {
      routeConsoleThroughLog("next");
      const logged = prismaUnreachable();
      logger("trpc").error("prompts.list failed (500)", { error: logged });
      console.error(logged);
      // How Next reports a page that failed, inside the request the custom server handed it.
      await withLogContext({ requestId: "req-5", route: "GET /o/acme" }, async () => console.error("⨯", new TypeError("Cannot read properties of undefined")));
      console.warn("a warning\nover two lines");
      console.error("(node:123) DeprecationWarning: Calling client.query() when the client is already executing a query is deprecated");
      console.log({ error: new Error("inside an object") });
    } finally {
      Object.assign(console, saved);
    }
    expect(err).toEqual([
      expect.stringMatching(/^\[trpc\] prompts.list failed/),
      "[next] GET /o/acme failed: TypeError: Cannot read properties of undefined (request req-5)\n",
      "[next] a warning over two lines\n",
      expect.stringMatching(/^\[next\] \(node:123\) DeprecationWarning/),
    ]);
    expect(out).toEqual(["[next] { error: Error: inside an object }\n"]);
  });

  it("writes a repeated background failure once per window, then says how many were left out", () => {
    vi.useFakeTimers({ now: 0, toFake: ["Date"] });
    try {
      const log = repeatLimited(logger("telemetry"), 10_000);
      for (let i = 0; i < 5; i++) log.error("folding rollups failed", { error: new Error("connect ECONNREFUSED 127.0.0.1:5432") });
      log.error("upkeep failed", { error: new Error("connect ECONNREFUSED 127.0.0.1:5432") });
      vi.setSystemTime(10_001);
      log.error("folding rollups failed", { error: new Error("connect ECONNREFUSED 127.0.0.1:5432") });
    } finally {
      vi.useRealTimers();
    }
    expect(err).toEqual([
      "[telemetry] folding rollups failed: Error: connect ECONNREFUSED 127.0.0.1:5432\n",
      "[telemetry] upkeep failed: Error: connect ECONNREFUSED 127.0.0.1:5432\n",
      "[telemetry] folding rollups failed (4 more like it since the last line): Error: connect ECONNREFUSED 127.0.0.1:5432\n",
    ]);
  });
});
