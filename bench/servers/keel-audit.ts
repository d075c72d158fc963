// Bench server for the audit-export case: Keel's real request handler (the custom server's public
// API path) on a throwaway embedded PostgreSQL, with an organization (created through the domain
// functions, so it has its first real events), a key with audit:read, and BENCH_AUDIT_EVENTS
// (default 1,000,000) generated events appended to the organization's chain: each event's hash is
// computed with the chain's own `eventHash` from the previous one, the rows are COPYed into
// audit_events and the chain head is moved to the last one, in one transaction, so the chain stays
// valid (spot-checked below by reading events back as the verifier does; BENCH_AUDIT_VERIFY=1
// verifies the whole chain). Prints
// `READY {"port":…,"secret":"…","databaseUrl":"…","orgId":"…","lastSeq":…,"csvHeader":"…",…}`.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { startTemporaryPostgres } from "../../server/db/embedded";
import { migrateDatabase } from "../../server/db/migrate";
import { eventHash, type HashedEvent, type JsonValue } from "../../server/audit/canonical";
import { CSV_COLUMNS } from "../../server/audit/export-format";
import { uuidv7 } from "../../server/db/uuid";

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);

const postgres = await startTemporaryPostgres();
const stop = async () => {
  await postgres.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

await migrateDatabase(postgres.url);
process.env.DATABASE_URL = postgres.url;
// The export signs its manifest with the organization's Ed25519 key, stored encrypted.
process.env.KEEL_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64url");

const { runAudited } = await import("../../server/audit/mutation");
const { systemActor } = await import("../../server/audit/actor");
const { toHashedEvent } = await import("../../server/audit/chain");
const { createOrganization } = await import("../../server/domain/orgs/organizations");
const { createApiKey } = await import("../../server/domain/api-keys/api-keys");
const { createRequestHandler } = await import("../../server/runtime/request-handler");
const { createPublicApi } = await import("../../server/public-api/api");
const { getDb } = await import("../../server/db/client");

const owner = await getDb().user.create({ data: { email: "bench@example.com", name: "Bench" } });
const { key, ctx } = await runAudited(systemActor("bench"), async (w) => {
  const org = await createOrganization(w, { name: "Bench", slug: "bench", ownerId: owner.id, projectName: "Bench", projectSlug: "bench" });
  const project = await w.tx.project.findFirstOrThrow({ where: { orgId: org.id } });
  const ctx = { orgId: org.id, projectId: project.id };
  return { ctx, key: await createApiKey(w, { ...ctx, actorUserId: owner.id }, { name: "bench", scopes: ["audit:read"], orgWide: true }) };
});

// ---- Generated events: a realistic mix of people, API keys and workers acting on prompts,
// deployments, datasets and evaluations, with small before/after snapshots (300-500 bytes a row
// in the table, more in the export with its two hashes).

let state = 0x9e3779b9;
/** xorshift32: the same events on every run. */
function rand(n: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}
const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;
const hex = (n: number) => {
  let s = "";
  while (s.length < n) s += (rand(0x10000000) + 0x10000000).toString(16).slice(1);
  return s.slice(0, n);
};
const fakeUuid = () => `${hex(8)}-${hex(4)}-7${hex(3)}-${pick(["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`;

const FIRST = ["alice", "bruno", "chen", "dara", "emeka", "fatima", "gustav", "hana", "ines", "jonas", "kofi", "lena"];
const LAST = ["martin", "okafor", "schmidt", "tanaka", "silva", "novak", "haddad", "larsen"];
const ROLES = ["owner", "admin", "editor", "editor", "editor", "approver", "reviewer", "viewer"] as const;
const USERS = Array.from({ length: 40 }, (_, i) => ({
  id: fakeUuid(),
  email: `${FIRST[i % FIRST.length]}.${LAST[i % LAST.length]}${i >= 24 ? i : ""}@acme-support.example`,
  role: ROLES[i % ROLES.length]!,
}));
const KEYS = Array.from({ length: 6 }, () => ({ id: fakeUuid(), label: `pk-keel-${hex(16)}` }));
const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
];
const SDK_AGENTS = ["keel-sdk-python/0.9.2 (CPython 3.12.7; linux)", "keel-sdk-js/0.9.1 (node 20.18.0; linux)", "GitHub-Actions keel-cli/0.9.0"];
const PROMPTS = Array.from({ length: 60 }, (_, i) => ({
  id: fakeUuid(),
  name: `${pick(["support", "billing", "onboarding", "search", "triage"])}/${pick(["reply", "summary", "classify", "rewrite", "extract"])}-${i}`,
}));
const DATASETS = Array.from({ length: 20 }, (_, i) => ({ id: fakeUuid(), name: `${pick(["tickets", "refunds", "faq", "escalations"])}-${i}` }));
const ENVIRONMENTS = ["production", "staging", "eu-production"];
const MESSAGES = [
  "Tighten the tone for refund questions",
  "Add the known-issues variable",
  "Shorter answers for mobile",
  "Fix the greeting in German",
  "Cite the policy link once",
  "Lower temperature to 0.2",
];

type Generated = Pick<
  HashedEvent,
  | "actorType"
  | "actorId"
  | "actorLabel"
  | "actorRole"
  | "action"
  | "targetType"
  | "targetId"
  | "before"
  | "after"
  | "outcome"
  | "requestId"
  | "ip"
  | "userAgent"
> & { projectId: string | null };

let requestNumber = 0;
let runNumber = 0;
function generate(i: number): Generated {
  const r = rand(100);
  // Who: people in the browser (70%), CI and SDK keys (20%), Keel's own workers (10%).
  const who = r < 70 ? "user" : r < 90 ? "api_key" : "system";
  const user = pick(USERS);
  const apiKey = pick(KEYS);
  const actor =
    who === "user"
      ? {
          actorType: "user",
          actorId: user.id,
          actorLabel: user.email,
          actorRole: user.role as string | null,
          requestId: fakeUuid(),
          ip: `203.0.113.${1 + rand(250)}`,
          userAgent: pick(USER_AGENTS) as string | null,
        }
      : who === "api_key"
        ? {
            actorType: "api_key",
            actorId: apiKey.id,
            actorLabel: apiKey.label,
            actorRole: null,
            requestId: fakeUuid(),
            ip: `198.51.100.${1 + rand(250)}`,
            userAgent: pick(SDK_AGENTS) as string | null,
          }
        : { actorType: "system", actorId: null, actorLabel: "worker", actorRole: null, requestId: null, ip: null, userAgent: null };
  const prompt = pick(PROMPTS);
  const dataset = pick(DATASETS);
  const version = 1 + (i % 97);
  const base = { ...actor, projectId: ctx.projectId as string | null, outcome: "success" };
  if (who === "system") {
    runNumber++;
    return {
      ...base,
      action: "evaluation.run.finished",
      targetType: "evaluation_run",
      targetId: fakeUuid(),
      before: { status: "running" },
      after: { number: runNumber, status: "completed", done: 1000, errors: rand(3), durationMs: 12_000 + rand(9_000) },
    };
  }
  switch (rand(8)) {
    case 0:
    case 1:
      return {
        ...base,
        action: "prompt.version.created",
        targetType: "prompt",
        targetId: prompt.id,
        before: null,
        after: { name: prompt.name, version, commitMessage: pick(MESSAGES), contentHash: hex(16), tags: ["support"] },
      };
    case 2:
      return {
        ...base,
        action: "prompt.label.moved",
        targetType: "prompt",
        targetId: prompt.id,
        before: { label: "staging", version: version - 1 },
        after: { label: "staging", version },
      };
    case 3: {
      requestNumber++;
      return {
        ...base,
        action: "deployment.requested",
        targetType: "deployment_request",
        targetId: fakeUuid(),
        before: null,
        after: { number: requestNumber, prompt: prompt.name, version, environment: pick(ENVIRONMENTS), kind: "promote", gate: { passed: true, score: 0.94 } },
      };
    }
    case 4:
      return {
        ...base,
        action: "deployment.approval.given",
        targetType: "deployment_request",
        targetId: fakeUuid(),
        before: { approvals: 1, status: "pending" },
        after: { number: Math.max(1, requestNumber), approvals: 2, status: "approved", rule: "two-approvers", comment: "Checked the eval diff, looks good" },
      };
    case 5:
      return {
        ...base,
        action: "dataset.items.added",
        targetType: "dataset",
        targetId: dataset.id,
        before: { version: version - 1, items: 4_000 + version * 25 },
        after: { version, items: 4_025 + version * 25, added: 25, source: "manual" },
      };
    case 6:
      if (rand(10) === 0) {
        return {
          ...base,
          outcome: "denied",
          action: "access.denied",
          targetType: "environment",
          targetId: pick(ENVIRONMENTS),
          before: null,
          after: { route: "POST /api/public/v1/prompts/{name}/labels", reason: "This API key lacks the prompts:write scope" },
        };
      }
      return {
        ...base,
        action: "evaluation.run.created",
        targetType: "evaluation_run",
        targetId: fakeUuid(),
        before: null,
        after: { number: runNumber + 1, prompt: prompt.name, version, dataset: dataset.name, evaluators: ["exact", "tone"], concurrency: 16 },
      };
    default:
      return {
        ...base,
        action: "dataset.item.updated",
        targetType: "dataset",
        targetId: dataset.id,
        before: { itemId: fakeUuid(), expected: "Refunds take 5-7 days." },
        after: { expected: "Refunds take 3-5 business days." },
      };
  }
}

/** A value in COPY's text format: null as \N; backslashes, tabs and line breaks escaped. */
function copyText(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : value;
}

async function seed(count: number) {
  const client = new pg.Client({ connectionString: postgres.url, application_name: "keel-bench-seed" });
  await client.connect();
  try {
    await client.query("BEGIN");
    const head = (
      await client.query<{ last_seq: string; last_hash: string; last_at: Date }>(
        `SELECT h.last_seq::text AS last_seq, h.last_hash, (SELECT max(created_at) FROM audit_events WHERE org_id = h.org_id) AS last_at FROM audit_chain_heads h WHERE h.org_id = $1::uuid FOR UPDATE`,
        [ctx.orgId],
      )
    ).rows[0]!;
    let seq = BigInt(head.last_seq);
    let prevHash = head.last_hash;
    // Events continue after the organization's real ones, a few milliseconds apart.
    let at = head.last_at.getTime() + 1;
    const copy = client.query(
      copyFrom(
        `COPY audit_events (id, org_id, project_id, seq, created_at, actor_type, actor_id, actor_label, actor_role, action, target_type, target_id, before, after, outcome, request_id, ip, user_agent, prev_hash, hash) FROM STDIN`,
      ),
    );
    const done = new Promise<void>((resolve, reject) => {
      copy.on("finish", resolve);
      copy.on("error", reject);
    });
    let batch = "";
    for (let i = 0; i < count; i++) {
      seq += 1n;
      at += rand(4);
      const g = generate(i);
      const createdAt = new Date(at).toISOString();
      const hashed: HashedEvent = {
        orgId: ctx.orgId,
        projectId: g.projectId,
        seq: seq.toString(),
        createdAt,
        actorType: g.actorType,
        actorId: g.actorId,
        actorLabel: g.actorLabel,
        actorRole: g.actorRole,
        action: g.action,
        targetType: g.targetType,
        targetId: g.targetId,
        before: g.before as JsonValue,
        after: g.after as JsonValue,
        outcome: g.outcome,
        requestId: g.requestId,
        ip: g.ip,
        userAgent: g.userAgent,
      };
      const hash = eventHash(prevHash, hashed);
      batch +=
        [
          uuidv7(at),
          ctx.orgId,
          g.projectId ?? "\\N",
          hashed.seq,
          createdAt,
          g.actorType,
          copyText(g.actorId),
          copyText(g.actorLabel),
          copyText(g.actorRole),
          g.action,
          g.targetType,
          copyText(g.targetId),
          copyText(g.before === null ? null : JSON.stringify(g.before)),
          copyText(g.after === null ? null : JSON.stringify(g.after)),
          g.outcome,
          copyText(g.requestId),
          copyText(g.ip),
          copyText(g.userAgent),
          prevHash,
          hash,
        ].join("\t") + "\n";
      prevHash = hash;
      if (batch.length >= 256 * 1024 || i === count - 1) {
        const ok = copy.write(batch);
        batch = "";
        if (!ok) await new Promise((resolve) => copy.once("drain", resolve));
      }
    }
    copy.end();
    await done;
    await client.query(`UPDATE audit_chain_heads SET last_seq = $2::bigint, last_hash = $3, updated_at = now() WHERE org_id = $1::uuid`, [
      ctx.orgId,
      seq.toString(),
      prevHash,
    ]);
    await client.query("COMMIT");
    // As after autovacuum on a live system: visibility map set (the export's count is an
    // index-only scan), statistics current.
    await client.query("VACUUM (ANALYZE) audit_events");
    return { lastSeq: seq.toString(), firstSeededSeq: (BigInt(head.last_seq) + 1n).toString() };
  } finally {
    await client.end();
  }
}

const seedStart = process.hrtime.bigint();
const seeded = await seed(EVENTS);
const seedMs = Math.round(Number(process.hrtime.bigint() - seedStart) / 1e6);

// Spot check: the first and last seeded events, read back through Prisma as the verifier reads
// them, hash to what was stored and link to their predecessors.
const sample = [
  ...(await getDb().auditEvent.findMany({ where: { orgId: ctx.orgId, seq: { gte: BigInt(seeded.firstSeededSeq) - 1n } }, orderBy: { seq: "asc" }, take: 500 })),
  ...(await getDb().auditEvent.findMany({ where: { orgId: ctx.orgId }, orderBy: { seq: "desc" }, take: 500 })).reverse(),
];
for (let i = 1; i < sample.length; i++) {
  const e = sample[i]!;
  const prev = sample[i - 1]!;
  if (e.seq === prev.seq + 1n && e.prevHash !== prev.hash) throw new Error(`seeded event ${e.seq} does not link to ${prev.seq}`);
  if (eventHash(e.prevHash, toHashedEvent(e)) !== e.hash) throw new Error(`seeded event ${e.seq} does not hash to its stored hash`);
}
let verified: unknown = "spot-checked";
if (process.env.BENCH_AUDIT_VERIFY === "1") {
  const { verifyAuditChain } = await import("../../server/audit/chain");
  verified = await verifyAuditChain(getDb(), ctx.orgId);
  if (!(verified as { ok: boolean }).ok) throw new Error(`chain verification failed: ${JSON.stringify(verified)}`);
}

const publicApi = createPublicApi();
await publicApi.ready();
const server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, publicApi, next: (_req, res) => res.writeHead(404).end() }));
server.listen(0, "127.0.0.1", () => {
  console.log(
    `READY ${JSON.stringify({
      port: (server.address() as AddressInfo).port,
      secret: key.secret,
      databaseUrl: postgres.url,
      orgId: ctx.orgId,
      seeded: EVENTS,
      lastSeq: seeded.lastSeq,
      seedMs,
      verified,
      csvHeader: `${CSV_COLUMNS.join(",")}\n`,
    })}`,
  );
});
// BENCH_PROFILE=<dir>: SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it to <dir> (the
// harness sends them around the measured export).
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
      await writeFile(`${process.env.BENCH_PROFILE}/keel-audit-${Date.now()}.cpuprofile`, JSON.stringify(profile));
    })();
  });
}
process.removeAllListeners("SIGTERM");
process.removeAllListeners("SIGINT");
const shutdown = async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await publicApi.close();
  await getDb().$disconnect();
  await stop();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
