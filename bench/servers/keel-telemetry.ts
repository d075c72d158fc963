// Bench server for the telemetry cases (otel-ingest, gateway, prompt-under-ingest): Keel's real
// request handler (the custom server's path for the public API and the gateway, answered before
// Next) on a throwaway embedded PostgreSQL, seeded through the domain functions with an
// organization, a project, a chat prompt labelled production and three keys (traces:ingest,
// prompts:read, gateway:invoke).
//
// With FAKE_URL (an OpenAI-compatible provider, bench/servers/fake-openai.ts) it also sets the
// gateway up as a project would: a provider connection to the fake, used by the prompt and as the
// project's gateway connection for plain model names, and two guardrails on every call: PII
// masked in the input, a length limit on the output (flag).
//
// Prints `READY {"port":…,"control":…,"ingestSecret":…,"readSecret":…,"gatewaySecret":…,
// "prompt":…,"databaseUrl":…,"projectId":…}`. The control server answers `GET /stats` with the
// telemetry pool's connections (total, idle, waiting: requests queued for a connection) and the
// gateway logger's counters, the event loop's delay and GC pauses (since the last `POST /reset`), and
// `POST /flush` once the gateway's queued call traces are written.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { startTemporaryPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";
import type { GuardrailInput } from "../../server/contracts/observability";

const pg = await startTemporaryPostgres();
const stopPostgres = async () => {
  await pg.stop();
  process.exit(0);
};
process.on("SIGTERM", stopPostgres);
process.on("SIGINT", stopPostgres);

await migrateDatabase(pg.url);
process.env.DATABASE_URL = pg.url;
// Provider keys are stored encrypted.
process.env.KEEL_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64url");
// The fake provider listens on loopback, which the egress policy refuses unless allowed.
process.env.KEEL_EGRESS_ALLOW ??= "127.0.0.0/8";

const { runAudited } = await import("../../server/audit/mutation");
const { systemActor } = await import("../../server/audit/actor");
const { createOrganization } = await import("../../server/domain/orgs/organizations");
const { createApiKey } = await import("../../server/domain/api-keys/api-keys");
const { createPrompt } = await import("../../server/domain/prompts/versions");
const { moveLabel } = await import("../../server/domain/prompts/labels");
const { createProviderConnection } = await import("../../server/domain/providers/connections");
const { createGuardrail, updateTelemetrySettings } = await import("../../server/domain/observability/settings");
const { createRequestHandler } = await import("../../server/runtime/request-handler");
const { createPublicApi } = await import("../../server/public-api/api");
const { telemetryPool, closeTelemetryPool } = await import("../../server/telemetry/store");
const { getDb } = await import("../../server/db/client");

const PROMPT = "support/reply";
const FAKE_URL = process.env.FAKE_URL;
/** The guardrails every gateway call passes (FAKE_URL only): input PII masking, an output length limit. */
const GUARDRAILS: GuardrailInput[] = [
  {
    name: "Mask personal data",
    description: "Emails and phone numbers never reach the model",
    stage: "input",
    action: "flag",
    config: { kind: "pii", entities: ["email", "phone"], mode: "mask" },
    promptName: null,
    environment: null,
    enabled: true,
  },
  {
    name: "Short answers",
    description: "Flag answers over 2,000 characters",
    stage: "output",
    action: "flag",
    config: { kind: "max_length", maxChars: 2_000 },
    promptName: null,
    environment: null,
    enabled: true,
  },
];

const owner = await getDb().user.create({ data: { email: "bench@example.com", name: "Bench" } });
const actor = systemActor("bench");
const seeded = await runAudited(actor, async (w) => {
  const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id, projectName: "Bench", projectSlug: "bench" });
  const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
  const ctx = { orgId: org.id, projectId: project.id };
  const keyCtx = { ...ctx, actorUserId: owner.id };
  return {
    ctx,
    ingest: await createApiKey(w, keyCtx, { name: "otel exporter", scopes: ["traces:ingest"] }),
    read: await createApiKey(w, keyCtx, { name: "sdk", scopes: ["prompts:read"] }),
    gateway: await createApiKey(w, keyCtx, { name: "gateway client", scopes: ["gateway:invoke"] }),
  };
});
const { ctx } = seeded;

const connection = FAKE_URL
  ? await runAudited(actor, (w) =>
      createProviderConnection(w, ctx, {
        name: "Fake OpenAI",
        kind: "openai_compatible",
        baseUrl: FAKE_URL,
        apiKey: "sk-bench-1234567890",
        defaultModel: "gpt-4o-mini",
      }),
    )
  : null;

// The same ~1.5 KB support prompt as the prompt-api case.
const promptMessages = [
  {
    role: "system",
    content:
      "You are the support assistant of {{company}}. Answer in {{language}}, in at most three short paragraphs. " +
      "Be precise and friendly; never invent order numbers, prices or policies. When you are not sure, say so and offer to hand over to a person. " +
      "Use the customer's name ({{customer_name}}) once. Their plan is {{plan}}; features outside it need an upgrade, which you may mention once. " +
      "Known issues today: {{known_issues}}. Refunds follow the policy at {{refund_policy_url}}; do not promise a refund yourself. " +
      "If the message contains personal data of someone else, do not repeat it. Format lists with dashes, and keep code in fenced blocks.",
  },
  { role: "user", content: "Previous conversation:\n{{history}}\n\nNew message from {{customer_name}}:\n{{message}}" },
] as const;
await runAudited(actor, async (w) => {
  const { prompt } = await createPrompt(w, ctx, {
    name: PROMPT,
    tags: ["support", "bench"],
    commitMessage: "Bench prompt",
    content: {
      type: "chat",
      config: { ...(connection ? { providerId: connection.id } : {}), model: "gpt-4o-mini", temperature: 0.3, maxTokens: 800 },
      messages: [...promptMessages],
    },
  });
  await moveLabel(w, ctx, { promptId: prompt.id, label: "production", version: 1 });
});

if (connection) {
  await runAudited(actor, (w) =>
    updateTelemetrySettings(w, ctx, {
      retentionDays: 30,
      gatewayConnectionId: connection.id,
      fallbackConnectionId: null,
      fallbackModel: null,
      gatewayTimeoutMs: 30_000,
    }),
  );
  for (const g of GUARDRAILS) {
    await runAudited(actor, (w) => createGuardrail(w, ctx, g));
  }
}

const publicApi = createPublicApi({ listen: { connectionString: pg.url } });
await publicApi.ready();
const server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, publicApi, next: (_req, res) => res.writeHead(404).end() }));

// How long the event loop was blocked (a request arriving then waits that long) and garbage
// collection pauses, since the last `POST /reset`.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ["gc"] });
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

const control = createServer((req, res) => {
  void (async () => {
    if (req.method === "POST" && req.url === "/flush") await publicApi.gateway.logger.flush();
    const pool = telemetryPool();
    const stats = {
      pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      logger: publicApi.gateway.logger.snapshot(),
      eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
      gc: { count: gc.count, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs) },
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    if (req.method === "POST" && req.url === "/reset") {
      loopDelay.reset();
      Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 });
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(stats));
  })();
});

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
console.log(
  `READY ${JSON.stringify({
    port: (server.address() as AddressInfo).port,
    control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    ingestSecret: seeded.ingest.secret,
    readSecret: seeded.read.secret,
    gatewaySecret: seeded.gateway.secret,
    prompt: PROMPT,
    promptMessages,
    databaseUrl: pg.url,
    projectId: ctx.projectId,
    guardrails: connection ? GUARDRAILS.map((g) => g.name) : [],
  })}`,
);

// BENCH_PROFILE=<dir>: SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it to <dir>.
if (process.env.BENCH_PROFILE) {
  const { Session } = await import("node:inspector/promises");
  const { writeFile } = await import("node:fs/promises");
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on("SIGUSR2", () => {
    void (async () => {
      if (!profiling) {
        profiling = true;
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        return;
      }
      profiling = false;
      const { profile } = await session.post("Profiler.stop");
      await writeFile(`${process.env.BENCH_PROFILE}/keel-telemetry-${Date.now()}.cpuprofile`, JSON.stringify(profile));
    })();
  });
}

process.removeAllListeners("SIGTERM");
process.removeAllListeners("SIGINT");
const shutdown = async () => {
  server.closeAllConnections();
  control.close();
  await new Promise((resolve) => server.close(resolve));
  // Let handlers still running on closed connections finish before the pools go away.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await publicApi.close();
  await closeTelemetryPool();
  await getDb().$disconnect();
  await stopPostgres();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
