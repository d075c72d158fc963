// Keel's log lines. One event is one line: `[component] message` (KEEL_LOG_FORMAT=text, the
// default) or one JSON object (KEEL_LOG_FORMAT=json: time, level, component, msg, the request or
// job id, and the error's name, code and message). An error is shaped, never dumped: its class,
// its code and the last line of its message (Prisma's messages start with a code frame of the
// caller), without stack (except at KEEL_LOG_LEVEL=debug), SQL text or credentials in URLs.
//
// Hand-written rather than pino: Keel logs little (failures and lifecycle lines), the same module
// runs in the custom server, Next's bundles, the worker and the ingest thread, and this is all of
// it. Lines go to stdout (debug, info) and stderr (warn, error) with one synchronous-enough write.
import { AsyncLocalStorage } from "node:async_hooks";
import { format, inspect } from "node:util";
import { setting, type Env } from "../env";

export type LogLevel = Env["KEEL_LOG_LEVEL"];
type LogFormat = Env["KEEL_LOG_FORMAT"];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What a line may carry besides its message: scalars, and `error` (shaped by shapeError). */
export type LogFields = {
  error?: unknown;
  requestId?: string | null;
  jobId?: string | null;
  /** The procedure or route ("prompts.list", "GET /api/public/v2/prompts/{name}"). */
  route?: string;
  status?: number;
  [field: string]: unknown;
};

export type ShapedError = { name: string; code?: string; message: string; stack?: string };

export type Logger = {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
};

// ---- the request or job in progress ----------------------------------------------------------

/** What every line logged during a piece of work carries unless it names its own. */
export type LogContext = { requestId?: string; jobId?: string; route?: string };

// On globalThis: Next's bundles load their own copy of this module, and the custom server runs
// Next's handler inside the store it set, so both copies must read the same one.
const globalForLog = globalThis as unknown as { keelLogContext?: AsyncLocalStorage<LogContext>; keelLogged?: WeakSet<object> };
const logContext = (globalForLog.keelLogContext ??= new AsyncLocalStorage<LogContext>());

/** Runs fn (and what it awaits) with `context`'s ids on every line it logs. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return logContext.run(context, fn);
}

export function currentRequestId(): string | null {
  return logContext.getStore()?.requestId ?? null;
}

// ---- error shaping --------------------------------------------------------------------------

const CREDENTIALS_IN_URL = /(\b[a-z][\w+.-]*:\/\/[^:/\s@]*):[^@\s/]*@/gi;
const SQL_TEXT = /^\s*(select|insert|update|delete|with|copy|create|alter|drop|truncate|begin|set)\s/i;

/** One line of an error's text: the last non-empty line, credentials in URLs masked, SQL left out. */
function messageLine(text: string): string {
  const line =
    text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? "";
  if (SQL_TEXT.test(line)) return "(an SQL statement, left out)";
  return line.replace(CREDENTIALS_IN_URL, "$1:***@").slice(0, 300);
}

/** The first string `code` on the error or its causes (Prisma's P1001, pg's 57P01, errno's ECONNRESET). */
function errorCode(error: object): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === "string" || typeof code === "number") return String(code);
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** An error as name, code and one line of message (and the stack, only when asked for). */
export function shapeError(error: unknown, options: { stack?: boolean } = {}): ShapedError {
  if (!(typeof error === "object" && error !== null)) return { name: typeof error, message: messageLine(String(error)) };
  const name = (error as { name?: unknown }).name;
  const message = (error as { message?: unknown }).message;
  // pg's DatabaseError names itself "error" (the protocol message type): its class says more.
  const named = typeof name === "string" && /[A-Z]/.test(name);
  const shaped: ShapedError = {
    name: named ? name : (error.constructor?.name ?? "Object"),
    message: messageLine(typeof message === "string" ? message : inspect(error, { depth: 1, breakLength: Infinity })),
  };
  const code = errorCode(error);
  if (code) shaped.code = code;
  const stack = (error as { stack?: unknown }).stack;
  if (options.stack && typeof stack === "string") shaped.stack = stack;
  return shaped;
}

// ---- formatting -----------------------------------------------------------------------------

export type LogEntry = { time: Date; level: LogLevel; component: string; msg: string; fields?: LogFields };

type FormatOptions = { stack?: boolean };

/** `[component] msg: Name CODE: message (request id)`; at debug, the stack follows on its own lines. */
export function formatText(entry: LogEntry, options: FormatOptions = {}): string {
  const { fields } = entry;
  let line = `[${entry.component}] ${entry.msg.replace(/\s*\n\s*/g, " ")}`;
  const error = fields?.error === undefined ? null : shapeError(fields.error, options);
  if (error) line += `: ${error.name}${error.code ? ` ${error.code}` : ""}: ${error.message}`;
  const ids = [fields?.requestId ? `request ${fields.requestId}` : "", fields?.jobId ? `job ${fields.jobId}` : ""].filter(Boolean);
  if (ids.length) line += ` (${ids.join(", ")})`;
  if (error?.stack) line += "\n" + error.stack.split("\n").slice(1).join("\n");
  return line;
}

/** One JSON object: time, level, component, msg, the scalar fields, and `error` shaped. */
export function formatJson(entry: LogEntry, options: FormatOptions = {}): string {
  const out: Record<string, unknown> = { time: entry.time.toISOString(), level: entry.level, component: entry.component, msg: entry.msg };
  for (const [key, value] of Object.entries(entry.fields ?? {})) {
    if (key === "error" || value === undefined || value === null) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
  }
  if (entry.fields?.error !== undefined) out.error = shapeError(entry.fields.error, options);
  return JSON.stringify(out);
}

// ---- writing --------------------------------------------------------------------------------

/** Errors already logged (and their causes): a later report of the same failure (Next's, tRPC's) is not a second line. */
const logged = (globalForLog.keelLogged ??= new WeakSet<object>());

function markLogged(error: unknown) {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) logged.add(e);
}

/** Whether this error (or one it wraps) was already logged. */
export function wasLogged(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (logged.has(e)) return true;
  }
  return false;
}

/** A malformed setting stops the start (env.ts) with a line that must still be written: in text, at info. */
function valid<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

export function logFormat(): LogFormat {
  return valid(() => setting("KEEL_LOG_FORMAT"), "text");
}

function write(level: LogLevel, component: string, msg: string, fields?: LogFields) {
  const threshold = valid(() => setting("KEEL_LOG_LEVEL"), "info");
  if (RANK[level] < RANK[threshold]) return;
  if (fields?.error !== undefined) markLogged(fields.error);
  const context = logContext.getStore();
  const withIds = context
    ? { ...fields, route: fields?.route || context.route, requestId: fields?.requestId || context.requestId, jobId: fields?.jobId || context.jobId }
    : fields;
  const entry: LogEntry = { time: new Date(), level, component, msg, fields: withIds };
  const options = { stack: threshold === "debug" };
  const line = logFormat() === "json" ? formatJson(entry, options) : formatText(entry, options);
  (RANK[level] >= RANK.warn ? process.stderr : process.stdout).write(line + "\n");
}

/** The logger of one component (`[component]` in text, `"component"` in JSON). */
export function logger(component: string): Logger {
  return {
    debug: (msg, fields) => write("debug", component, msg, fields),
    info: (msg, fields) => write("info", component, msg, fields),
    warn: (msg, fields) => write("warn", component, msg, fields),
    error: (msg, fields) => write("error", component, msg, fields),
  };
}

/**
 * A logger for loops that fail on every tick while the database is away (upkeep, sweeps, the
 * queue's polls): the same message and error at most once per window, the next one saying how
 * many were left out. Never for requests: each failed request is its own line with its own id.
 */
export function repeatLimited(log: Logger, windowMs = 10_000): Logger {
  const last = new Map<string, { at: number; skipped: number }>();
  const limited =
    (level: LogLevel): Logger[LogLevel] =>
    (msg, fields) => {
      const key = `${level} ${msg} ${fields?.error === undefined ? "" : shapeError(fields.error).message}`;
      const now = Date.now();
      const seen = last.get(key);
      if (seen && now - seen.at < windowMs) {
        seen.skipped++;
        return;
      }
      if (last.size > 100) last.clear();
      last.set(key, { at: now, skipped: 0 });
      const more = seen?.skipped ? ` (${seen.skipped} more like it since the last line)` : "";
      log[level](msg + more, fields);
    };
  return { debug: limited("debug"), info: limited("info"), warn: limited("warn"), error: limited("error") };
}

/**
 * The one line of a request that failed unexpectedly (500) or because the database could not be
 * reached (503): the route, the status, the request id and the error's name, code and last line.
 */
export function logRequestFailure(log: Logger, failure: { route: string; status: number; error: unknown; requestId?: string | null }) {
  const { route, status, error, requestId } = failure;
  const what = status === 503 ? `${route}: database unavailable` : `${route} failed`;
  log.error(`${what} (${status})`, { route, status, requestId: requestId ?? undefined, error });
}

// ---- other writers' output ------------------------------------------------------------------

/**
 * A line a child process wrote (the supervised worker): in JSON mode a JSON line passes as it is
 * (the child logs in the same format) and anything else becomes a JSON line of `component`; in
 * text mode it is written unchanged.
 */
export function relayChildLine(component: string, line: string, stream: "stdout" | "stderr" = "stdout") {
  if (logFormat() === "json" && !(line.startsWith("{") && isJsonObject(line))) {
    return write(stream === "stderr" ? "warn" : "info", component, line);
  }
  (stream === "stderr" ? process.stderr : process.stdout).write(line + "\n");
}

function isJsonObject(line: string): boolean {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}

const STACK_FRAME = /^\s+at\s/;
const NODE_WARNING = /^\(node:\d+\) \w*Warning\b/;
const CONSOLE_LEVELS = { debug: "debug", log: "info", info: "info", warn: "warn", error: "error" } as const;

/**
 * Routes console output of this process (Next's own reports, libraries) through the logger: one
 * line each, errors shaped like Keel's, and a report of an error Keel already logged (Next
 * re-reporting a procedure's failure) dropped. The web and worker processes call it at start.
 */
export function routeConsoleThroughLog(component = "console") {
  const log = logger(component);
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) => {
      const error = args.find((a) => a instanceof Error);
      if (error && wasLogged(error)) return;
      const rest = args.filter((a) => a !== error);
      // A message that quotes an error (an object holding one) keeps its text, not its stack.
      let msg = format(...rest)
        .split("\n")
        .filter((l) => !STACK_FRAME.test(l))
        .join("\n")
        .trim();
      // Next reports a request's failure as `⨯ <error>`: say which request.
      if (error && !/\p{L}/u.test(msg)) msg = `${logContext.getStore()?.route ?? "a request"} failed`;
      // Node's own warnings (deprecations) arrive through console.error.
      const as = level === "error" && !error && NODE_WARNING.test(msg) ? "warn" : level;
      log[as](msg || "(empty)", error ? { error } : undefined);
    };
  }
}
