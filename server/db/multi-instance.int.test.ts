// Several Keel instances on one database, as separate processes: two web instances (Keel's request
// handler with the public API, the gateway and the real tRPC route, without Next:
// test/support/web-instance.ts) and two evaluation workers (`keel worker`). What they share lives
// in PostgreSQL, and this checks it holds across processes: a prompt change made through one web
// instance reaches the other's cache (NOTIFY/LISTEN); a key's rate limit and quota are exact over
// both; approvals racing through both produce one deployment, and both workers' sweepers racing to
// deploy held requests deploy each once; review leases handed out through both never overlap;
// evaluation runs worked by both workers store every item once.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppRouter } from "../api/root";
import type { SessionUser } from "../auth/session";
import { runAudited } from "../audit/mutation";
import { systemActor } from "../audit/actor";
import { getDb } from "./client";
import { callerFor, createTestOrg, createUser, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { pollUntil } from "@/test/support/processes";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { bearer, createKey, seedPrompt, addVersion, setLabel, text, type TestKey } from "@/test/support/public-api";
import { addFromDataset, createQueue, setReviewers } from "../domain/reviews/queues";
import type { Role } from "../contracts/permissions";

const root = fileURLToPath(new URL("../../", import.meta.url));
const children = new Set<ChildProcess>();
let t: TestOrg;
let fake: FakeProviderServer;
let webs: { base: string; child: ChildProcess }[];
let providerId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

const childEnv = () => ({
  ...process.env,
  NODE_ENV: "production" as const,
  KEEL_EVAL_SLICE_SECONDS: "1",
  KEEL_QUEUE_POLL_SECONDS: "0.5",
  KEEL_QUEUE_MAINTENANCE_SECONDS: "1",
  KEEL_DEPLOY_SWEEP_SECONDS: "0.5",
  KEEL_WORKER_RUNS: "1",
});

/** Starts a process and resolves with the first stdout line matching `ready`. */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], {
    cwd: root,
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start: ${output.slice(-2_000)}`)), 90_000);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited (${code}): ${output.slice(-2_000)}`));
    });
  });
}

const within = <T>(ms: number, what: string, fn: () => Promise<T | null | undefined | false>) => pollUntil(what, fn, ms);

/** A signed-in person's tRPC client on one web instance (a session cookie, as after sign-in). */
async function trpcAs(user: SessionUser, base: string) {
  const cookie = await sessionCookieFor(user);
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${base}/api/trpc`, transformer: superjson, headers: { cookie } })] });
}

async function member(role: Role, label: string): Promise<SessionUser> {
  const user = await createUser(`${label}-${Math.random().toString(36).slice(2, 8)}@example.com`);
  await getDb().membership.create({ data: { orgId: t.org.id, userId: user.id, role } });
  return user;
}

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  vi.stubEnv("KEEL_SECRET", "multi-instance-test-secret-".padEnd(40, "x"));
  t = await createTestOrg();
  fake = await startFakeOpenAI();
  const admin = callerFor(t.users.admin);
  providerId = (
    await admin.providers.create({
      ...scope(),
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  await admin.observability.updateSettings({
    ...scope(),
    retentionDays: 30,
    gatewayConnectionId: providerId,
    fallbackConnectionId: null,
    fallbackModel: null,
    gatewayTimeoutMs: 5_000,
  });
  // Seeded before the instances start, so no notification of the seeding can reach them later.
  await seedPrompt(t, "faq", text("one"));
  await addVersion(t, "faq", text("two"));
  await setLabel(t, "faq", "staging", 1);
  const [web1, web2] = await Promise.all([
    start(["test/support/web-instance.ts"], /listening (\d+)/),
    start(["test/support/web-instance.ts"], /listening (\d+)/),
    start(["server/cli/keel.ts", "worker"], /listening for evaluation runs/),
    start(["server/cli/keel.ts", "worker"], /listening for evaluation runs/),
  ]);
  webs = [web1, web2].map(({ child, match }) => ({ child, base: `http://127.0.0.1:${match[1]}` }));
}, 180_000);

afterAll(async () => {
  const exited = [...children].map((child) => new Promise((r) => child.once("exit", r)));
  for (const child of children) child.kill("SIGTERM");
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 10_000))]);
  for (const child of children) child.kill("SIGKILL");
  await fake?.close();
  vi.unstubAllEnvs();
});

describe("two web instances and two workers on one database", () => {
  it("a prompt change made through one instance reaches the other's cache", async () => {
    const [a, b] = webs as [(typeof webs)[0], (typeof webs)[0]];
    const read = await createKey(t, ["prompts:read"]);
    const write = await createKey(t, ["prompts:read", "prompts:write"]);
    const versionVia = async (base: string) =>
      ((await (await fetch(`${base}/api/public/v1/prompts/faq?label=staging`, { headers: bearer(read) })).json()) as { version: number }).version;
    expect(await versionVia(b.base)).toBe(1);
    // A change nobody announces (no NOTIFY): B keeps answering from its cache.
    await getDb()
      .$executeRaw`UPDATE prompt_labels SET version = 2 WHERE name = 'staging' AND prompt_id = (SELECT id FROM prompts WHERE project_id = ${t.project.id}::uuid AND name = 'faq')`;
    expect(await versionVia(b.base)).toBe(1);
    // A move through A's public API is announced: B drops its entry and serves the new version.
    const moved = await fetch(`${a.base}/api/public/v1/prompts/faq/labels/staging`, {
      method: "PUT",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: JSON.stringify({ version: 1 }),
    });
    expect(moved.status).toBe(200);
    await within(5_000, "instance B to serve version 1 again", async () => (await versionVia(b.base)) === 1);
    // And the other way: a version saved through B moves `latest` on A.
    const latestVia = async (base: string) =>
      ((await (await fetch(`${base}/api/public/v1/prompts/faq?label=latest`, { headers: bearer(read) })).json()) as { version: number }).version;
    expect(await latestVia(a.base)).toBe(2);
    const saved = await fetch(`${b.base}/api/public/v1/prompts/faq/versions`, {
      method: "POST",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: JSON.stringify({ type: "text", prompt: "three", commitMessage: "via B" }),
    });
    expect(saved.status).toBe(201);
    await within(5_000, "instance A to serve version 3 as latest", async () => (await latestVia(a.base)) === 3);
  });

  it("holds a key to its rate limit and its quota exactly, over both instances", async () => {
    const call = (base: string, key: TestKey) =>
      fetch(`${base}/api/gateway/v1/chat/completions`, {
        method: "POST",
        headers: { ...bearer(key), "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      });
    const burst = async (key: TestKey, n: number) => {
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => call(webs[i % 2]!.base, key)));
      const bodies = await Promise.all(
        answers.map(async (r) => ({ status: r.status, code: r.ok ? null : ((await r.json()) as { error: { code: string } }).error.code })),
      );
      return { ok: bodies.filter((b) => b.status === 200).length, refused: bodies.filter((b) => b.status === 429).map((b) => b.code) };
    };
    const admin = callerFor(t.users.admin);
    const rated = await createKey(t, ["gateway:invoke"], "rated");
    await admin.apiKeys.setLimits({ ...scope(), id: rated.id, rateLimitPerMinute: 4, monthlyQuota: null });
    const rate = await burst(rated, 14);
    expect(rate.ok).toBe(4);
    expect(rate.refused).toEqual(Array(10).fill("rate_limit_exceeded"));

    const quota = await createKey(t, ["gateway:invoke"], "quota");
    await admin.apiKeys.setLimits({ ...scope(), id: quota.id, rateLimitPerMinute: null, monthlyQuota: 3 });
    const month = await burst(quota, 11);
    expect(month.ok).toBe(3);
    expect(month.refused).toEqual(Array(8).fill("insufficient_quota"));
    const [usage] = await getDb().$queryRaw<{ requests: bigint }[]>`SELECT requests FROM telemetry.key_usage WHERE key_id = ${quota.id}::uuid`;
    expect(Number(usage?.requests)).toBe(3);
  });

  it("approvals racing through both instances produce one deployment", async () => {
    const editor = callerFor(t.users.editor);
    await editor.prompts.create({ ...scope(), name: "race", content: { type: "text", template: "v1" }, commitMessage: "v1" });
    await callerFor(t.users.admin).environments.setProtected({ ...scope(), name: "production", protected: true });
    await callerFor(t.users.owner).environments.setPolicy({
      ...scope(),
      name: "production",
      policy: { rules: [{ name: "Two approvers", required: 2, roles: ["approver"], users: [] }] },
    });
    const { number } = await editor.deployments.request({ ...scope(), prompt: "race", version: 1, environment: "production", justification: "race" });
    const approvers = await Promise.all(Array.from({ length: 6 }, (_, i) => member("approver", `race-approver-${i}`)));
    const clients = await Promise.all(approvers.map((u, i) => trpcAs(u, webs[i % 2]!.base)));
    const results = await Promise.allSettled(clients.map((c) => c.deployments.approve.mutate({ ...scope(), number })));
    const approved = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<{ deployed: boolean }>).value);
    expect(approved).toHaveLength(2);
    expect(approved.filter((r) => r.deployed)).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected")) {
      const reason = (r as PromiseRejectedResult).reason as TRPCClientError<AppRouter>;
      expect(reason).toBeInstanceOf(TRPCClientError);
      expect(reason.data?.code).toBe("CONFLICT");
    }
    expect(await getDb().deployment.count({ where: { request: { projectId: t.project.id, number } } })).toBe(1);
  });

  it("both workers' sweepers racing to deploy held requests deploy each exactly once", async () => {
    const owner = callerFor(t.users.owner);
    const editor = callerFor(t.users.editor);
    const rules = [{ name: "One approver", required: 1, roles: ["approver" as const], users: [] }];
    const hour = 3_600_000;
    const freeze = { start: new Date(Date.now() - hour).toISOString(), end: new Date(Date.now() + hour).toISOString(), reason: "release freeze" };
    await owner.environments.setPolicy({ ...scope(), name: "production", policy: { rules, freezeWindows: [freeze] } });
    const approver = await trpcAs(await member("approver", "sweep-approver"), webs[0]!.base);
    const numbers: number[] = [];
    for (let i = 0; i < 4; i++) {
      await editor.prompts.create({ ...scope(), name: `held-${i}`, content: { type: "text", template: "v1" }, commitMessage: "v1" });
      const { number } = await editor.deployments.request({
        ...scope(),
        prompt: `held-${i}`,
        version: 1,
        environment: "production",
        justification: "after the freeze",
      });
      // Approved, but held by the freeze: it stays approved for a sweeper to deploy.
      expect(await approver.deployments.approve.mutate({ ...scope(), number })).toMatchObject({ deployed: false });
      numbers.push(number);
    }
    // The freeze is lifted: every worker's sweeper (each 0.5 s) finds the four due at once.
    await owner.environments.setPolicy({ ...scope(), name: "production", policy: { rules } });
    await within(20_000, "the held requests to be deployed", async () => {
      const states = await getDb().deploymentRequest.findMany({ where: { projectId: t.project.id, number: { in: numbers } }, select: { state: true } });
      return states.every((s) => s.state === "deployed");
    });
    for (const number of numbers) expect(await getDb().deployment.count({ where: { request: { projectId: t.project.id, number } } })).toBe(1);
    const moves = await getDb().promptLabelEvent.groupBy({
      by: ["promptId"],
      where: { prompt: { projectId: t.project.id, name: { startsWith: "held-" } }, label: "production" },
      _count: true,
    });
    expect(moves.map((m) => m._count)).toEqual([1, 1, 1, 1]);
  });

  it("hands out review leases through both instances without overlap", async () => {
    const reviewers = await Promise.all(Array.from({ length: 6 }, (_, i) => member("reviewer", `lease-reviewer-${i}`)));
    const lead = systemActor("test");
    const ctx = { orgId: t.org.id, projectId: t.project.id };
    const rubric = [{ type: "boolean" as const, key: "ok", label: "OK", description: "", required: true }];
    await runAudited(lead, (w) => createQueue(w, ctx, { name: "leases", rubric, reviewsPerItem: 1, leaseSeconds: 600 }));
    await callerFor(t.users.editor).datasets.create({ ...scope(), name: "leases-data" });
    await callerFor(t.users.editor).datasets.addItems({
      ...scope(),
      name: "leases-data",
      items: Array.from({ length: 24 }, (_, i) => ({ input: { q: `Q${i}` }, expected: `A${i}` })),
    });
    await runAudited(lead, (w) => addFromDataset(w, ctx, { name: "leases", dataset: "leases-data" }));
    await runAudited(lead, (w) => setReviewers(w, ctx, { name: "leases", userIds: reviewers.map((r) => r.id) }));
    // Each reviewer takes the next item through one instance and grades it through the other.
    await Promise.all(
      reviewers.map(async (reviewer, i) => {
        const [take, grade] = await Promise.all([trpcAs(reviewer, webs[i % 2]!.base), trpcAs(reviewer, webs[(i + 1) % 2]!.base)]);
        for (;;) {
          const leased = await take.reviews.next.mutate({ ...scope(), name: "leases" });
          if (!leased) return;
          await grade.reviews.submit.mutate({ ...scope(), name: "leases", position: leased.position, grade: { ok: true } });
        }
      }),
    );
    const queue = await getDb().reviewQueue.findFirstOrThrow({ where: { projectId: t.project.id, name: "leases" } });
    const rows = await getDb().$queryRaw<{ position: number; submitted: number; leases: number }[]>`
      SELECT i.position, count(a.id) FILTER (WHERE a.status = 'submitted')::int AS submitted, count(a.id)::int AS leases
      FROM review_items i LEFT JOIN review_assignments a ON a.item_id = i.id
      WHERE i.queue_id = ${queue.id}::uuid GROUP BY i.position ORDER BY i.position`;
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => r.submitted === 1 && r.leases === 1)).toBe(true);
  }, 60_000);

  it("evaluation runs worked by both workers store every item once", async () => {
    fake.reset();
    fake.setLatency(30);
    const editor = callerFor(t.users.editor);
    await editor.prompts.create({
      ...scope(),
      name: "qa",
      content: { type: "text", template: "{{question}}", config: { providerId, model: "gpt-4o-mini" } },
      commitMessage: "v1",
    });
    await editor.datasets.create({ ...scope(), name: "qa" });
    await editor.datasets.addItems({
      ...scope(),
      name: "qa",
      items: Array.from({ length: 40 }, (_, i) => ({ input: { question: `Question ${i + 1}` }, expected: `Echo: Question ${i + 1}` })),
    });
    await editor.evaluators.create({ ...scope(), name: "exact", config: { kind: "exact_match" } });
    const client = await trpcAs(t.users.editor, webs[1]!.base);
    const runs = await Promise.all(
      Array.from({ length: 3 }, () =>
        client.runs.create.mutate({ ...scope(), prompt: { name: "qa" }, dataset: { name: "qa" }, evaluators: ["exact"], providerId, concurrency: 4 }),
      ),
    );
    const ids = (
      await getDb().evaluationRun.findMany({ where: { projectId: t.project.id, number: { in: runs.map((r) => r.number) } }, select: { id: true } })
    ).map((r) => r.id);
    await within(
      90_000,
      "the three runs to complete",
      async () => (await getDb().evaluationRun.count({ where: { id: { in: ids }, status: "completed" } })) === 3,
    );
    const items = await getDb().evaluationRunItem.findMany({
      where: { runId: { in: ids } },
      select: { status: true, output: true, attempts: true, scores: true },
    });
    expect(items).toHaveLength(120);
    expect(items.every((i) => i.status === "done" && i.output?.startsWith("Echo: Question"))).toBe(true);
    // Every item answered once; a call is repeated only for an item claimed again after its lease ran out.
    const reclaims = items.reduce((n, i) => n + i.attempts - 1, 0);
    expect(fake.requests.length).toBeGreaterThanOrEqual(120);
    expect(fake.requests.length).toBeLessThanOrEqual(120 + reclaims);
    for (const run of await getDb().evaluationRun.findMany({ where: { id: { in: ids } }, select: { summary: true } })) {
      expect((run.summary as { evaluators: { passRate: number }[] }).evaluators[0]!.passRate).toBe(1);
    }
  }, 120_000);
});
