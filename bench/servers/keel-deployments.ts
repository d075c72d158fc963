// Bench: what governance costs. On a throwaway embedded PostgreSQL, through the audited domain
// functions the app and API call:
//   reference  a direct label move of an unprotected environment (one audited transaction)
//   promotion  the approval that completes a protected environment's rules and promotes in the
//              same transaction (approval row, rules matched, CAS, gate re-check, label move,
//              deployment record, outbox, five audit events)
//   full       request + first approval + promoting approval (three transactions)
//   race       ten approvers approving one request at once (rule: 2 approvers): the time until all
//              ten have an answer, and a check that exactly one deployment happened
// BENCH_DEPLOYMENTS (default 200) rounds of each. Prints `RESULT {…}` with medians and p95s (ms).
import { startTemporaryPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";

const rounds = Number(process.env.BENCH_DEPLOYMENTS ?? 200);
const races = Math.max(5, Math.round(rounds / 10));
const pg = await startTemporaryPostgres();

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { median: Number(at(0.5).toFixed(2)), p95: Number(at(0.95).toFixed(2)), n: ms.length };
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [Number(process.hrtime.bigint() - started) / 1e6, result];
}

try {
  await migrateDatabase(pg.url);
  process.env.DATABASE_URL = pg.url;
  process.env.KEEL_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64url");
  const { runAudited } = await import("../../server/audit/mutation");
  const { systemActor } = await import("../../server/audit/actor");
  const { createOrganization } = await import("../../server/domain/orgs/organizations");
  const { createPrompt, createVersion } = await import("../../server/domain/prompts/versions");
  const { moveLabel, setEnvironmentProtection } = await import("../../server/domain/prompts/labels");
  const { setPolicy } = await import("../../server/domain/deployments/policy");
  const { approveRequest, createRequest } = await import("../../server/domain/deployments/requests");
  const { getDb } = await import("../../server/db/client");
  type Actor = import("../../server/audit/actor").Actor;
  type Role = import("../../server/contracts/permissions").Role;

  const request = systemActor("bench").request;
  const person = async (email: string, role: Role): Promise<Actor> => {
    const user = await getDb().user.create({ data: { email, name: email } });
    return { type: "user", id: user.id, label: email, role, request };
  };
  const owner = await person("owner@bench", "owner");
  const ctx = await runAudited(systemActor("bench"), async (w) => {
    const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id!, projectName: "Bench", projectSlug: "bench" });
    const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
    return { orgId: org.id, projectId: project.id };
  });
  const member = async (email: string, role: Role) => {
    const actor = await person(email, role);
    await getDb().membership.create({ data: { orgId: ctx.orgId, userId: actor.id!, role } });
    return actor;
  };
  const editor = await member("editor@bench", "editor");
  const approver = await member("approver@bench", "approver");
  const admin = await member("admin@bench", "admin");
  const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => member(`racer-${i}@bench`, "approver")));

  const versions = rounds * 2 + races + 2;
  const { prompt } = await runAudited(editor, (w) =>
    createPrompt(w, ctx, { name: "bench/reply", content: { type: "text", template: "v1 {{q}}", config: {} }, commitMessage: "v1" }),
  );
  for (let v = 2; v <= versions; v++) {
    await runAudited(editor, (w) =>
      createVersion(w, ctx, { promptId: prompt.id, content: { type: "text", template: `v${v} {{q}}`, config: {} }, commitMessage: `v${v}` }),
    );
  }
  await runAudited(owner, (w) => setEnvironmentProtection(w, ctx, { name: "production", protected: true }));
  const twoRules = {
    rules: [
      { name: "Release approver", required: 1, roles: ["approver" as const], users: [] },
      { name: "Engineering lead", required: 1, roles: ["admin" as const, "owner" as const], users: [] },
    ],
  };
  await runAudited(owner, (w) => setPolicy(w, ctx, { environment: "production", policy: twoRules }));

  // Warm-up: connections, prepared statements, JIT.
  for (let i = 0; i < 10; i++) await runAudited(editor, (w) => moveLabel(w, ctx, { promptId: prompt.id, label: "development", version: (i % 5) + 1 }));

  const direct: number[] = [];
  const promoting: number[] = [];
  const full: number[] = [];
  let version = 1;
  for (let i = 0; i < rounds; i++) {
    // Alternate so drift (autovacuum, cache) affects both alike.
    const [d] = await time(() => runAudited(editor, (w) => moveLabel(w, ctx, { promptId: prompt.id, label: "staging", version: (i % 2) + 2 })));
    direct.push(d);
    version++;
    const [f, last] = await time(async () => {
      const { number } = await runAudited(editor, (w) =>
        createRequest(w, ctx, { prompt: "bench/reply", version, environment: "production", justification: "bench" }),
      );
      await runAudited(approver, (w) => approveRequest(w, ctx, { number, comment: "" }));
      return time(() => runAudited(admin, (w) => approveRequest(w, ctx, { number, comment: "" })));
    });
    const [p, outcome] = last;
    if (!outcome.deployed) throw new Error(`round ${i}: not deployed (${outcome.waiting.join("; ")})`);
    full.push(f);
    promoting.push(p);
  }

  await runAudited(owner, (w) =>
    setPolicy(w, ctx, { environment: "production", policy: { rules: [{ name: "Two approvers", required: 2, roles: ["approver"], users: [] }] } }),
  );
  const race: number[] = [];
  let exactlyOne = 0;
  for (let i = 0; i < races; i++) {
    version++;
    const { number } = await runAudited(editor, (w) =>
      createRequest(w, ctx, { prompt: "bench/reply", version, environment: "production", justification: "race" }),
    );
    const [ms, results] = await time(() => Promise.allSettled(racers.map((a) => runAudited(a, (w) => approveRequest(w, ctx, { number, comment: "" })))));
    race.push(ms);
    const deployments = await getDb().deployment.count({ where: { request: { projectId: ctx.projectId, number } } });
    const promoted = results.filter((r) => r.status === "fulfilled" && r.value.deployed).length;
    if (deployments === 1 && promoted === 1) exactlyOne++;
  }

  const d = stats(direct);
  const p = stats(promoting);
  const f = stats(full);
  console.log(
    `RESULT ${JSON.stringify({
      rounds,
      direct: d,
      promotingApproval: p,
      requestToDeployed: f,
      race: { ...stats(race), trials: races, exactlyOneDeployment: exactlyOne },
      ratios: { promotingApproval: Number((p.median / d.median).toFixed(2)), requestToDeployed: Number((f.median / d.median).toFixed(2)) },
    })}`,
  );
  await getDb().$disconnect();
} finally {
  await pg.stop();
}
