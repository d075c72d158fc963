import proxyAddr from "proxy-addr";
import { z } from "zod";
import { DEFAULT_IMPORT_MAX_BYTES } from "./contracts/datasets";
import { emailDomains } from "./contracts/sso";
import { literalVerdict, NO_EXCEPTIONS, parseEgressAllow } from "./net/egress-allow";
// Environment, validated once at start with a message naming the bad variable. Every KEEL_*
// setting is declared here and read through `setting(name)`, never as `process.env.KEEL_*`: a
// value such as KEEL_OTLP_MAX_BYTES=8MB stops `npm start` (and the CLI) instead of turning into
// NaN somewhere that silently disables a limit.

type Bounds<D extends number | undefined = number> = { min: number; max: number; default: D };

function unset(raw: string | undefined): raw is undefined {
  return raw === undefined || raw.trim() === "";
}

/** A whole number within bounds (an empty value means the default). */
function integer<D extends number | undefined>(bounds: Bounds<D>, unit = "") {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return bounds.default as D | number;
      const text = raw.trim();
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number${unit} from ${bounds.min} to ${bounds.max} (got "${text}")` });
        return z.NEVER;
      }
      return n;
    });
}

/** A size as a whole number of bytes: "8MB" is refused rather than read as NaN. */
function bytes(bounds: Bounds) {
  return integer(bounds, " of bytes (no units)");
}

/** A positive duration in seconds (decimals allowed: tests run loops at 0.5 s). */
function seconds<D extends number | undefined>(bounds: Bounds<D>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return bounds.default as D | number;
      const text = raw.trim();
      const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      if (!(n > 0) || n < bounds.min || n > bounds.max) {
        ctx.addIssue({ code: "custom", message: `must be a number of seconds above 0, at most ${bounds.max} (got "${text}")` });
        return z.NEVER;
      }
      return n;
    });
}

function flag(fallback: "0" | "1") {
  return z
    .enum(["0", "1", "true", "false"], { error: "must be 0, 1, true or false" })
    .default(fallback)
    .transform((v) => v === "1" || v === "true");
}

/** One of a few words (an empty value means the default). */
function choice<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (unset(raw)) return fallback;
      const text = raw.trim();
      const known = values.find((v) => v === text);
      if (known !== undefined) return known;
      ctx.addIssue({ code: "custom", message: `must be ${values.slice(0, -1).join(", ")} or ${values.at(-1)} (got "${text}")` });
      return z.NEVER;
    });
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (unset(v) ? undefined : v));

/**
 * Which proxies' X-Forwarded-For entries to believe: false (none), a number of hops in front of
 * Keel, or the proxies' addresses/CIDR ranges (proxy-addr's names loopback, linklocal and
 * uniquelocal too). The client IP is the right-most address not added by a trusted proxy.
 */
export type TrustProxy = false | number | string[];

const trustProxy = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxy => {
    if (unset(raw)) return false;
    const text = raw.trim();
    if (text === "false") return false;
    // `1`/`true` (the old boolean form) mean one proxy in front of Keel.
    if (text === "true") return 1;
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops > 10) {
        ctx.addIssue({ code: "custom", message: `must be 0/false, a hop count from 1 to 10, or a comma list of proxy addresses/CIDR ranges (got "${text}")` });
        return z.NEVER;
      }
      return hops === 0 ? false : hops;
    }
    const list = text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      proxyAddr.compile(list);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `must be 0/false, a hop count, or a comma list of proxy addresses/CIDR ranges: ${(error as Error).message}` });
      return z.NEVER;
    }
    return list;
  });

/** The process roles `npm start` can run (server/runtime/roles.ts). */
export const ROLE_NAMES = ["web", "worker", "ingest"] as const;
export type Role = (typeof ROLE_NAMES)[number];

/** A comma list of roles, in their canonical order; null when unset (all of them). */
const roleList = z
  .string()
  .optional()
  .transform((raw, ctx): Role[] | null => {
    if (unset(raw)) return null;
    const named = raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = named.filter((r) => !(ROLE_NAMES as readonly string[]).includes(r));
    if (unknown.length || !named.length) {
      ctx.addIssue({ code: "custom", message: `must be a comma list of the roles web, worker and ingest, at least one (got "${raw.trim()}")` });
      return z.NEVER;
    }
    return ROLE_NAMES.filter((r) => named.includes(r));
  });

/** Where web processes send ingestion: the ingest role's address. */
export type IngestTarget = { socketPath: string } | { host: string; port: number };

const ingestTarget = z
  .string()
  .optional()
  .transform((raw, ctx): IngestTarget | undefined => {
    if (unset(raw)) return undefined;
    const text = raw.trim();
    if (text.startsWith("unix:")) {
      const socketPath = text.slice("unix:".length);
      if (socketPath.startsWith("/")) return { socketPath };
    } else {
      try {
        const url = new URL(text);
        if (url.protocol === "http:" && url.port && (url.pathname === "/" || url.pathname === "") && !url.search && !url.username)
          return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) };
      } catch {
        // reported below
      }
    }
    ctx.addIssue({ code: "custom", message: `must be http://<host>:<port> or unix:/<absolute path> of an ingest process (got "${text}")` });
    return z.NEVER;
  });

/** A connection string's `pgbouncer` parameter (`true`: it reaches PostgreSQL through PgBouncer; server/db/connections.ts). */
export function pgbouncerParam(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("pgbouncer") ?? undefined;
  } catch {
    return undefined;
  }
}

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL" }).optional();

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: postgresUrl,
    /** A session connection (PostgreSQL itself, or PgBouncer in session mode) for LISTEN and migrations; required when DATABASE_URL has pgbouncer=true. Default: DATABASE_URL. */
    KEEL_LISTEN_DATABASE_URL: postgresUrl,
    /** A streaming replica of DATABASE_URL for dashboards, explorers, exports and public reads (server/db/replica.ts). Default: none. */
    KEEL_READ_DATABASE_URL: postgresUrl,
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    /** Signs sessions. Generated and kept in .keel/ in embedded mode; required otherwise. */
    KEEL_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** The address people use to reach Keel; https:// turns on Secure cookies and HSTS. */
    KEEL_PUBLIC_URL: z.url().optional(),
    /**
     * Behind a reverse proxy: `1` (or `true`) for one proxy hop, a larger hop count, or the proxies'
     * addresses/CIDR ranges (comma list). The client IP is then the right-most X-Forwarded-For entry
     * a trusted proxy did not add, and X-Forwarded-Host is believed. `0`/`false` (default): neither.
     */
    KEEL_TRUST_PROXY: trustProxy,
    KEEL_DATA_DIR: z.string().min(1).default(".keel"),
    /** Which roles `npm start` runs as processes of its own: web, worker, ingest (default all three). */
    KEEL_ROLES: roleList,
    /** Deprecated: `0` is `KEEL_ROLES=web,ingest` (workers run as `npx keel worker`). */
    KEEL_WORKER: flag("1"),
    /** `npm start`: web processes behind PORT (the supervisor hands connections round-robin). */
    KEEL_WEB_PROCESSES: integer({ min: 1, max: 64, default: 1 }),
    /** `npm start`: ingest processes behind the ingest socket or KEEL_INGEST_PORT. */
    KEEL_INGEST_PROCESSES: integer({ min: 1, max: 64, default: 1 }),
    /** The TCP port an ingest process listens on (HOST); `npm start` uses a private Unix socket without it. */
    KEEL_INGEST_PORT: integer({ min: 1, max: 65_535, default: undefined }),
    /** Where a web process sends OTLP and Langfuse ingestion (an ingest process); unset: it ingests itself. */
    KEEL_INGEST_URL: ingestTarget,
    /** Web processes answer only the public API and the gateway (no pages, so no build is needed). */
    KEEL_WEB_API_ONLY: flag("0"),
    /** Set by `npm start` on the role processes it supervises (internal): skip migrations, stop with the parent. */
    KEEL_ROLE_SUPERVISED: flag("0"),
    /** Set by `npm start` on its ingest processes (internal): the Unix socket they listen on. */
    KEEL_INGEST_SOCKET: optionalText,
    /** Encrypts provider API keys at rest (server/crypto/secrets.ts checks its format). */
    KEEL_ENCRYPTION_KEY: optionalText,
    /** Older keys still readable while `npx keel rotate-keys` re-encrypts (comma list). */
    KEEL_ENCRYPTION_PREVIOUS_KEYS: optionalText,
    /**
     * Exceptions to the egress policy (server/net/egress.ts): comma-separated CIDRs (127.0.0.0/8,
     * ::1/128), addresses and host names that outbound calls may reach although they are not public.
     */
    KEEL_EGRESS_ALLOW: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        try {
          parseEgressAllow(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    /** Where audit checkpoints are also pushed: a file path or an http(s) URL (checked by the egress policy). */
    KEEL_AUDIT_CHECKPOINT_SINK: optionalText,
    KEEL_AUDIT_CHECKPOINT_MINUTES: integer({ min: 1, max: 7 * 24 * 60, default: 60 }),
    /** Worker threads decoding OTLP batches (0: the main thread). Unset: from the cores (server/runtime/capacity.ts). */
    KEEL_INGEST_THREADS: integer({ min: 0, max: 64, default: undefined }),
    /** Largest OTLP request body (the decompressed limit is four times this). */
    KEEL_OTLP_MAX_BYTES: bytes({ min: 1024, max: 1024 * 1_048_576, default: 8 * 1_048_576 }),
    /** OTLP batches one process takes at once before answering 503 (backpressure). */
    KEEL_OTLP_MAX_INFLIGHT: integer({ min: 1, max: 10_000, default: 24 }),
    KEEL_TELEMETRY_POOL: integer({ min: 1, max: 1000, default: 8 }),
    /** Longest a single SQL statement may run on any of Keel's connections before PostgreSQL cancels it. */
    KEEL_DB_STATEMENT_TIMEOUT_SECONDS: seconds({ min: 0, max: 86_400, default: 30 }),
    /** How long start-up waits for the database in DATABASE_URL to answer before it gives up, naming it. */
    KEEL_DB_CONNECT_TIMEOUT_SECONDS: seconds({ min: 1, max: 600, default: 10 }),
    /** Lets start-up create the database DATABASE_URL names when the server has none by that name (off: a typo is an error, not an empty instance). */
    KEEL_CREATE_DATABASE: flag("0"),
    /** On SIGTERM/Ctrl-C: how long requests in flight may take to finish before open connections are cut and the process stops. */
    KEEL_SHUTDOWN_SECONDS: seconds({ min: 1, max: 3600, default: 25 }),
    /** While the database is unavailable, the public prompt API answers with the last prompt it knew to be current up to this long ago (0: never). */
    KEEL_PROMPT_STALE_IF_ERROR_SECONDS: integer({ min: 0, max: 7 * 86_400, default: 3600 }, " of seconds"),
    /** While the database is unavailable, an API key verified up to this long ago is still accepted (0: never); revocations apply once it is back. */
    KEEL_API_KEY_STALE_IF_ERROR_SECONDS: integer({ min: 0, max: 86_400, default: 300 }, " of seconds"),
    KEEL_DATASET_IMPORT_MAX_BYTES: bytes({ min: 1, max: 64 * 1024 * 1_048_576, default: DEFAULT_IMPORT_MAX_BYTES }),
    /** Evaluation runs one worker process works on at once. Unset: from the cores (server/runtime/capacity.ts). */
    KEEL_WORKER_RUNS: integer({ min: 1, max: 1000, default: undefined }),
    KEEL_EVAL_PROVIDER_CONCURRENCY: integer({ min: 1, max: 10_000, default: 32 }),
    /** How long a claimed run item stays claimed without its worker's heartbeat (a third of it) before another worker may take it. */
    KEEL_EVAL_LEASE_SECONDS: seconds({ min: 0, max: 86_400, default: 10 }),
    /** How long one job works on a run before handing the rest on (fairness between runs). */
    KEEL_EVAL_SLICE_SECONDS: seconds({ min: 0, max: 86_400, default: 30 }),
    /** How long a job being worked on may go without its worker's heartbeat (a third of it) before it is retried elsewhere. */
    KEEL_QUEUE_EXPIRE_SECONDS: seconds({ min: 0, max: 86_400, default: 10 }),
    KEEL_QUEUE_MAINTENANCE_SECONDS: seconds({ min: 0, max: 86_400, default: 15 }),
    /** How often an idle worker polls for jobs, and every worker checks for lost ones. */
    KEEL_QUEUE_POLL_SECONDS: seconds({ min: 0, max: 3_600, default: 1 }),
    KEEL_ONLINE_EVAL_SECONDS: seconds({ min: 0, max: 86_400, default: 5 }),
    KEEL_DEPLOY_SWEEP_SECONDS: seconds({ min: 0, max: 86_400, default: 15 }),
    KEEL_WEBHOOK_RETRY_BASE_SECONDS: seconds({ min: 0, max: 86_400, default: 10 }),
    KEEL_WEBHOOK_POLL_SECONDS: seconds({ min: 0, max: 3_600, default: 2 }),
    /** `npx keel eval`: the Keel to call and a project key with evaluations:write. */
    KEEL_URL: z.url({ error: "must be a URL such as http://localhost:3000" }).optional(),
    KEEL_API_KEY: optionalText,
    /** `text`: one `[component] …` line per event; `json`: one JSON object per line (server/runtime/log.ts). */
    KEEL_LOG_FORMAT: choice(["text", "json"], "text"),
    /** Lines below this level are not written; `debug` also prints the stack of an unexpected error. */
    KEEL_LOG_LEVEL: choice(["debug", "info", "warn", "error"], "info"),
    /**
     * The instance-wide single sign-on (OpenID Connect) provider, shown as a button on the sign-in page:
     * its issuer (https), Keel's client id and secret there, the button's name, and the email domains
     * whose existing accounts it may sign in (comma list). Set all four or none (docs/identity.md).
     */
    KEEL_OIDC_ISSUER: optionalText,
    KEEL_OIDC_CLIENT_ID: optionalText,
    KEEL_OIDC_CLIENT_SECRET: optionalText,
    KEEL_OIDC_NAME: optionalText,
    KEEL_OIDC_ALLOWED_DOMAINS: optionalText,
    /** Prints the schema engine's log lines (debugging migrations). */
    KEEL_SCHEMA_ENGINE_LOG: optionalText,
  })
  .superRefine((env, ctx) => {
    if (env.KEEL_ROLES?.includes("worker") && !env.KEEL_WORKER)
      ctx.addIssue({
        code: "custom",
        path: ["KEEL_WORKER"],
        message: "KEEL_WORKER=0 (deprecated) contradicts KEEL_ROLES, which names worker: drop KEEL_WORKER",
      });
    if (env.KEEL_ROLES?.includes("ingest") && !env.KEEL_ROLES.includes("web") && env.KEEL_INGEST_PORT === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["KEEL_ROLES"],
        message: "runs ingest without web: set KEEL_INGEST_PORT so exporters (or your load balancer) can reach the ingest process",
      });
    // A sink URL at a refused address literal fails at start, not at the first checkpoint; a name
    // is checked when the sink is called (no lookups here).
    const sink = env.KEEL_AUDIT_CHECKPOINT_SINK;
    if (!sink || !/^https?:\/\//i.test(sink)) return;
    let policy = NO_EXCEPTIONS;
    try {
      policy = parseEgressAllow(env.KEEL_EGRESS_ALLOW);
    } catch {
      return; // reported on KEEL_EGRESS_ALLOW itself
    }
    const verdict = literalVerdict(policy, sink);
    if (typeof verdict === "object" && "refused" in verdict) ctx.addIssue({ code: "custom", path: ["KEEL_AUDIT_CHECKPOINT_SINK"], message: verdict.refused });
  })
  .superRefine((env, ctx) => {
    // The instance-wide single sign-on provider: all of it or none of it.
    const oidc = ["KEEL_OIDC_ISSUER", "KEEL_OIDC_CLIENT_ID", "KEEL_OIDC_CLIENT_SECRET", "KEEL_OIDC_ALLOWED_DOMAINS"] as const;
    const set = oidc.filter((name) => env[name] !== undefined);
    if (set.length === 0) {
      if (env.KEEL_OIDC_NAME)
        ctx.addIssue({
          code: "custom",
          path: ["KEEL_OIDC_NAME"],
          message: "needs KEEL_OIDC_ISSUER, KEEL_OIDC_CLIENT_ID, KEEL_OIDC_CLIENT_SECRET and KEEL_OIDC_ALLOWED_DOMAINS",
        });
      return;
    }
    for (const name of oidc.filter((n) => env[n] === undefined))
      ctx.addIssue({ code: "custom", path: [name], message: `is required with ${set.join(", ")} (the instance-wide single sign-on provider)` });
    const domains = emailDomains.safeParse(env.KEEL_OIDC_ALLOWED_DOMAINS ?? "");
    if (env.KEEL_OIDC_ALLOWED_DOMAINS !== undefined && !domains.success)
      ctx.addIssue({
        code: "custom",
        path: ["KEEL_OIDC_ALLOWED_DOMAINS"],
        message: `must be a comma list of email domains: ${domains.error.issues[0]?.message}`,
      });
    const issuer = env.KEEL_OIDC_ISSUER;
    if (issuer === undefined) return;
    let url: URL | null = null;
    try {
      url = new URL(issuer);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash || url.username) {
      ctx.addIssue({ code: "custom", path: ["KEEL_OIDC_ISSUER"], message: `must be the issuer's https:// URL (got "${issuer}")` });
      return;
    }
    let policy = NO_EXCEPTIONS;
    try {
      policy = parseEgressAllow(env.KEEL_EGRESS_ALLOW);
    } catch {
      return; // reported on KEEL_EGRESS_ALLOW itself
    }
    const verdict = literalVerdict(policy, issuer);
    if (typeof verdict === "object" && "refused" in verdict) ctx.addIssue({ code: "custom", path: ["KEEL_OIDC_ISSUER"], message: verdict.refused });
    else if (url.protocol === "http:" && verdict !== "allowed")
      ctx.addIssue({
        code: "custom",
        path: ["KEEL_OIDC_ISSUER"],
        message: "must be https:// (plain http only for a loopback issuer KEEL_EGRESS_ALLOW allows)",
      });
  })
  .superRefine((env, ctx) => {
    // Where each kind of work connects (server/db/connections.ts).
    const issue = (name: string, message: string) => ctx.addIssue({ code: "custom", path: [name], message });
    for (const name of ["DATABASE_URL", "KEEL_LISTEN_DATABASE_URL", "KEEL_READ_DATABASE_URL"] as const) {
      const value = env[name] && pgbouncerParam(env[name]);
      if (value !== undefined && value !== "true" && value !== "false") issue(name, `its pgbouncer parameter must be true or false (got "${value}")`);
    }
    if (!env.DATABASE_URL) {
      for (const name of ["KEEL_LISTEN_DATABASE_URL", "KEEL_READ_DATABASE_URL"] as const)
        if (env[name]) issue(name, "needs DATABASE_URL as well (the embedded database is used without either)");
    } else if (pgbouncerParam(env.DATABASE_URL) === "true" && (env.KEEL_LISTEN_DATABASE_URL ?? env.DATABASE_URL) === env.DATABASE_URL) {
      issue(
        "KEEL_LISTEN_DATABASE_URL",
        "is required when DATABASE_URL goes through PgBouncer (pgbouncer=true): LISTEN and migrations need a session of their own, on PostgreSQL itself or PgBouncer in session mode",
      );
    } else if (env.KEEL_READ_DATABASE_URL && env.KEEL_READ_DATABASE_URL === (env.KEEL_LISTEN_DATABASE_URL ?? env.DATABASE_URL)) {
      // A standby cannot LISTEN (nor take migrations): notifications are the primary's.
      issue("KEEL_READ_DATABASE_URL", "names the connection LISTEN and migrations use: point it at the replica, and KEEL_LISTEN_DATABASE_URL at the primary");
    }
  });

export type Env = z.infer<typeof schema>;
type SettingName = keyof Env & `KEEL_${string}`;

function describe(issues: z.core.$ZodIssue[], name?: string): string {
  const lines = issues.map((i) => `  ${name ?? i.path.join(".")}: ${i.message}`);
  return `Invalid environment:\n${lines.join("\n")}`;
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) throw new Error(describe(result.error.issues));
  return result.data;
}

const cache = new Map<string, { raw: string | undefined; value: unknown }>();

/**
 * One validated KEEL_* setting. Read at call time (tests and the start-up code set variables
 * after import), parsed once per distinct value. `npm start` and the CLI validate all of them at
 * start (parseEnv), so a bad value never gets this far in a running server.
 */
export function setting<K extends SettingName>(name: K, source: Record<string, string | undefined> = process.env): Env[K] {
  const raw = source[name];
  if (source === process.env) {
    const hit = cache.get(name);
    if (hit && hit.raw === raw) return hit.value as Env[K];
  }
  const result = schema.shape[name].safeParse(raw);
  if (!result.success) throw new Error(describe(result.error.issues, name));
  if (source === process.env) cache.set(name, { raw, value: result.data });
  return result.data as Env[K];
}
