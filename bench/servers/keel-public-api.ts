// Bench server: Keel's real request handler (the custom server's code path for the public API,
// API-key authentication and the prompt cache with its LISTEN client included) on a throwaway
// embedded PostgreSQL, seeded through the domain functions with an organization, a project, a
// chat prompt labelled production and a prompts:read key. Prints one line
// `READY {"port":…,"secret":"…","prompt":"…"}` when it can take load.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startTemporaryPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";

const pg = await startTemporaryPostgres();
const stop = async () => {
  await pg.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

await migrateDatabase(pg.url);
process.env.DATABASE_URL = pg.url;

const { runAudited } = await import("../../server/audit/mutation");
const { systemActor } = await import("../../server/audit/actor");
const { createOrganization } = await import("../../server/domain/orgs/organizations");
const { createApiKey } = await import("../../server/domain/api-keys/api-keys");
const { createPrompt } = await import("../../server/domain/prompts/versions");
const { moveLabel } = await import("../../server/domain/prompts/labels");
const { createRequestHandler } = await import("../../server/runtime/request-handler");
const { createPublicApi } = await import("../../server/public-api/api");
const { getDb } = await import("../../server/db/client");

const PROMPT = "support/reply";
const owner = await getDb().user.create({ data: { email: "bench@example.com", name: "Bench" } });
const key = await runAudited(systemActor("bench"), async (w) => {
  const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id, projectName: "Bench", projectSlug: "bench" });
  const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
  const ctx = { orgId: org.id, projectId: project.id };
  // About 1.5 KB of JSON: a realistic support prompt.
  const { prompt } = await createPrompt(w, ctx, {
    name: PROMPT,
    tags: ["support", "bench"],
    commitMessage: "Bench prompt",
    content: {
      type: "chat",
      config: { model: "gpt-4o-mini", temperature: 0.3, maxTokens: 800 },
      messages: [
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
      ],
    },
  });
  await moveLabel(w, ctx, { promptId: prompt.id, label: "production", version: 1 });
  return createApiKey(w, { ...ctx, actorUserId: owner.id }, { name: "bench", scopes: ["prompts:read"] });
});

const publicApi = createPublicApi({ listen: { connectionString: pg.url } });
await publicApi.ready();
const server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, publicApi, next: (_req, res) => res.writeHead(404).end() }));
server.listen(0, "127.0.0.1", () => {
  console.log(`READY ${JSON.stringify({ port: (server.address() as AddressInfo).port, secret: key.secret, prompt: PROMPT })}`);
});
// BENCH_PROFILE=<dir>: SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it to <dir> (the
// harness sends them around the measured run).
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
      await writeFile(`${process.env.BENCH_PROFILE}/keel-${Date.now()}.cpuprofile`, JSON.stringify(profile));
    })();
  });
}
process.removeAllListeners("SIGTERM");
process.removeAllListeners("SIGINT");
const shutdown = async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  // Let handlers still running on closed connections finish before the pool goes away.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await publicApi.close();
  await getDb().$disconnect();
  await stop();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
