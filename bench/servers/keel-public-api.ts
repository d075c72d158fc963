// Bench server: Keel's real request handler (the custom server's code path for the public API,
// API-key authentication included) on a throwaway embedded PostgreSQL. Prints
// "READY <port> <secret>" when it can take load.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startTemporaryPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";

const pg = await startTemporaryPostgres();
await migrateDatabase(pg.url);
process.env.DATABASE_URL = pg.url;

const { runAudited } = await import("../../server/audit/mutation");
const { systemActor } = await import("../../server/audit/actor");
const { createOrganization } = await import("../../server/domain/orgs/organizations");
const { createApiKey } = await import("../../server/domain/api-keys/api-keys");
const { createRequestHandler } = await import("../../server/runtime/request-handler");
const { getDb } = await import("../../server/db/client");

const owner = await getDb().user.create({ data: { email: "bench@example.com", name: "Bench" } });
const key = await runAudited(systemActor("bench"), async (w) => {
  const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id, projectName: "Bench", projectSlug: "bench" });
  const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
  return createApiKey(w, { orgId: org.id, projectId: project.id, actorUserId: owner.id }, { name: "bench", scopes: ["prompts:read"] });
});

const server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, next: (_req, res) => res.writeHead(404).end() }));
server.listen(0, "127.0.0.1", () => console.log(`READY ${(server.address() as AddressInfo).port} ${key.secret}`));
const stop = async () => {
  server.close();
  await getDb().$disconnect();
  await pg.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
