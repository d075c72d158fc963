// Bench server for the dataset cases: Keel's real request handler (the custom server's public API
// path) on a throwaway embedded PostgreSQL, with an organization, a project, empty datasets
// `bench-1` … `bench-<BENCH_DATASETS>` and a key with datasets:read and datasets:write. Prints
// `READY {"port":…,"secret":"…","databaseUrl":"…"}` when it can take load.
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
const { createDataset } = await import("../../server/domain/datasets/datasets");
const { createRequestHandler } = await import("../../server/runtime/request-handler");
const { createPublicApi } = await import("../../server/public-api/api");
const { getDb } = await import("../../server/db/client");

const owner = await getDb().user.create({ data: { email: "bench@example.com", name: "Bench" } });
const key = await runAudited(systemActor("bench"), async (w) => {
  const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id, projectName: "Bench", projectSlug: "bench" });
  const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
  const ctx = { orgId: org.id, projectId: project.id };
  for (let i = 1; i <= Number(process.env.BENCH_DATASETS ?? 3); i++) await createDataset(w, ctx, { name: `bench-${i}` });
  return createApiKey(w, { ...ctx, actorUserId: owner.id }, { name: "bench", scopes: ["datasets:read", "datasets:write"] });
});

const publicApi = createPublicApi();
await publicApi.ready();
const server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, publicApi, next: (_req, res) => res.writeHead(404).end() }));
server.listen(0, "127.0.0.1", () => {
  console.log(`READY ${JSON.stringify({ port: (server.address() as AddressInfo).port, secret: key.secret, databaseUrl: pg.url })}`);
});
process.removeAllListeners("SIGTERM");
process.removeAllListeners("SIGINT");
const shutdown = async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await publicApi.close();
  await getDb().$disconnect();
  await stop();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
