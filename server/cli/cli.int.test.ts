// The operator CLI as an operator runs it: `node bin/keel.mjs …` against the test database.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { getDb } from "../db/client";
import { hashSecret } from "../domain/api-keys/api-keys";
import { getRun } from "../domain/evaluations/runs";
import { runResults } from "../domain/evaluations/results";
import type { RunSummary } from "../contracts/evaluations";
import { verifyAuditChain } from "../audit/chain";
import { createTestOrg } from "@/test/support/factories";

type Run = { code: number; stdout: string; stderr: string };
function keel(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile("node", ["bin/keel.mjs", ...args], { env: { ...process.env, KEEL_SECRET: "s".repeat(32) } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

describe("keel CLI", () => {
  it("migrate reports an up-to-date database", async () => {
    const r = await keel(["migrate"]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/up to date/) });
  });

  it("apikey create prints the public id and a working secret once, audited", async () => {
    const t = await createTestOrg();
    const r = await keel(["apikey", "create", "--project", t.project.slug, "--scopes", "prompts:read,traces:ingest", "--name", "deploy bot"]);
    expect(r.code).toBe(0);
    const publicKey = /public id: (pk-keel-\S+)/.exec(r.stdout)?.[1];
    const secret = /secret: +(sk-keel-\S+)/.exec(r.stdout)?.[1];
    expect(publicKey && secret).toBeTruthy();
    const key = await getDb().apiKey.findUniqueOrThrow({ where: { publicKey: publicKey! } });
    expect(key).toMatchObject({ name: "deploy bot", scopes: ["prompts:read", "traces:ingest"], secretHash: hashSecret(secret!), projectId: t.project.id });
    const event = await getDb().auditEvent.findFirstOrThrow({ where: { orgId: t.org.id, action: "apikey.created" } });
    expect(event).toMatchObject({ actorType: "system", actorLabel: expect.stringMatching(/^cli:/), targetId: key.id });
    expect(await verifyAuditChain(getDb(), t.org.id)).toMatchObject({ ok: true });
  }, 60_000);

  it("refuses bad input with one clear line and a non-zero exit", async () => {
    const t = await createTestOrg();
    const badScope = await keel(["apikey", "create", "--project", t.project.slug, "--scopes", "prompts:read,launch:missiles"]);
    expect(badScope.code).not.toBe(0);
    expect(badScope.stderr.trim().split("\n")).toHaveLength(1);
    expect(badScope.stderr).toMatch(/^keel: .*scope/);
    const noProject = await keel(["apikey", "create", "--project", "no-such-project", "--scopes", "prompts:read"]);
    expect(noProject).toMatchObject({ code: 1, stderr: expect.stringMatching(/^keel: no project "no-such-project"/) });
  }, 60_000);

  it("keys rotate re-encrypts stored secrets with the current key", async () => {
    const r = await keel(["keys", "rotate"]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/provider_connections: \d+ re-encrypted/) });
  }, 60_000);

  it("user create adds a member with a password from stdin", async () => {
    const t = await createTestOrg();
    const r = await keel(
      ["user", "create", "--email", "ops@example.com", "--org", t.org.slug, "--role", "auditor", "--name", "Ops", "--password-stdin"],
      "ops-long-password\n",
    );
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/Created ops@example.com \(auditor/) });
    const user = await getDb().user.findUniqueOrThrow({ where: { email: "ops@example.com" }, include: { memberships: true } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.memberships).toEqual([expect.objectContaining({ orgId: t.org.id, role: "auditor" })]);
  }, 60_000);

  it("org create makes a second organization, owned by an existing account or a new one with a link, audited", async () => {
    const t = await createTestOrg();
    const existing = await keel(["org", "create", "--name", "Beta Corp", "--slug", "beta-corp", "--owner", t.users.viewer.email]);
    expect(existing).toMatchObject({ code: 0, stdout: expect.stringMatching(/Created organization Beta Corp \(beta-corp\) with project default, owned by /) });
    expect(existing.stdout).not.toMatch(/set-password/);
    const beta = await getDb().organization.findUniqueOrThrow({ where: { slug: "beta-corp" }, include: { memberships: true, projects: true } });
    expect(beta.memberships).toEqual([expect.objectContaining({ userId: t.users.viewer.id, role: "owner" })]);
    expect(beta.projects.map((p) => p.slug)).toEqual(["default"]);
    const created = await getDb().auditEvent.findFirstOrThrow({ where: { orgId: beta.id, action: "org.created" } });
    expect(created).toMatchObject({ actorType: "system", actorLabel: expect.stringMatching(/^cli:/) });
    expect(await verifyAuditChain(getDb(), beta.id)).toMatchObject({ ok: true });

    const fresh = await keel([
      "org",
      "create",
      "--name",
      "Gamma",
      "--slug",
      "gamma",
      "--owner",
      "gamma-owner@example.com",
      "--project-slug",
      "assistant",
      "--project-name",
      "Assistant",
    ]);
    expect(fresh).toMatchObject({ code: 0, stdout: expect.stringMatching(/set-password\?token=[\w-]+/) });
    const taken = await keel(["org", "create", "--name", "Gamma again", "--slug", "gamma", "--owner", "x@example.com"]);
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringMatching(/^keel: .*taken/) });
  }, 60_000);

  it("seed --demo creates the demo workspace once", async () => {
    const first = await keel(["seed", "--demo"]);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/Demo workspace created/) });
    const org = await getDb().organization.findUniqueOrThrow({ where: { slug: "acme" }, include: { memberships: true, projects: true } });
    expect(org.memberships).toHaveLength(7);
    expect(org.projects.map((p) => p.slug)).toEqual(["support-assistant"]);
    // Two tenants sharing people: an invitation waits in Acme; Acme's admin owns Globex, its viewer edits there.
    expect(await getDb().invitation.findMany({ where: { orgId: org.id, acceptedAt: null }, select: { email: true, role: true } })).toEqual([
      { email: "new.hire@example.com", role: "editor" },
    ]);
    const globex = await getDb().organization.findUniqueOrThrow({
      where: { slug: "globex" },
      include: { memberships: { include: { user: { select: { email: true } } } } },
    });
    expect(globex.memberships.map((m) => [m.user.email, m.role]).sort()).toEqual([
      ["admin@example.com", "owner"],
      ["viewer@example.com", "editor"],
    ]);
    expect(await verifyAuditChain(getDb(), globex.id)).toMatchObject({ ok: true });
    const reply = await getDb().prompt.findFirstOrThrow({
      where: { projectId: org.projects[0]!.id, name: "support/reply" },
      include: { labels: true, labelEvents: true },
    });
    expect(reply.latestVersion).toBe(3);
    expect(Object.fromEntries(reply.labels.map((l) => [l.name, l.version]))).toEqual({ development: 3, staging: 3, production: 2 });
    expect(
      reply.labelEvents
        .filter((e) => e.label === "production")
        .map((e) => e.toVersion)
        .sort(),
    ).toEqual([1, 2]);
    expect(await getDb().environment.findFirst({ where: { projectId: org.projects[0]!.id, name: "production" } })).toMatchObject({ protected: true });
    const datasets = await getDb().dataset.findMany({
      where: { projectId: org.projects[0]!.id },
      orderBy: { name: "asc" },
      include: { versions: { orderBy: { version: "asc" } } },
    });
    expect(datasets.map((d) => [d.name, d.versions.map((v) => `${v.kind}:${v.itemCount}`)])).toEqual([
      ["support-questions", ["import:48", "edit:48", "edit:48", "archive:47", "tag:47", "add:48"]],
      ["ticket-triage", ["add:12"]],
    ]);
    const runs = await getDb().evaluationRun.findMany({
      where: { projectId: org.projects[0]!.id },
      orderBy: { number: "asc" },
      include: { promptVersion: { select: { version: true } } },
    });
    expect(runs.map((r) => [r.number, r.status, r.promptVersion?.version])).toEqual([
      [1, "completed", 2],
      [2, "completed", 3],
      [3, "completed", 1],
      [4, "completed", 2],
      [5, "completed", undefined],
    ]);
    // Run #5 is the nightly Langfuse experiment (dataset.runExperiment): external, linked item by
    // item with the job's API key, its outputs and scores read from the linked traces.
    const nightly = runs[4]!;
    expect(nightly).toMatchObject({
      source: "external",
      name: expect.stringMatching(/^langfuse-nightly-\d{4}-\d{2}-\d{2}$/),
      itemsTotal: 48,
      createdByType: "api_key",
    });
    const linkedBy = await getDb().auditEvent.groupBy({ by: ["action", "actorType"], where: { orgId: org.id, targetId: nightly.id }, _count: true });
    expect(linkedBy.map((e) => [e.action, e.actorType, e._count]).sort()).toEqual([
      ["evaluation.run.created", "api_key", 1],
      ["evaluation.run.item.linked", "api_key", 48],
    ]);
    const nightlyResults = await runResults(getDb(), org.projects[0]!.id, { number: 5, page: 1, pageSize: 50, sort: "position", direction: "asc" });
    expect(nightlyResults.rows).toHaveLength(48);
    expect(nightlyResults.rows.every((row) => typeof row.output === "string" && row.output.includes("The Acme team") && (row.inputTokens ?? 0) > 0)).toBe(true);
    expect(new Set(nightlyResults.rows.flatMap((row) => (row.scores ?? []).map((sc) => sc.name)))).toEqual(new Set(["helpfulness", "uses-name"]));
    // Traces sent by the help desk's Langfuse v3 SDK (ingestion API), the gateway's embeddings and Responses calls.
    const { readSql } = await import("../db/client");
    const { sql } = await import("../db/sql");
    const [telemetry] = await readSql<{ langfuseTraces: number; linkedGenerations: number; embeddings: number; responses: number }>(
      getDb(),
      sql`SELECT count(DISTINCT trace_id) FILTER (WHERE name = 'email-draft' AND attributes ? 'langfuse.trace.id')::int AS "langfuseTraces",
              count(*) FILTER (WHERE name = 'draft-reply' AND is_generation AND prompt_name = 'support/reply' AND attributes ? 'langfuse.observation.id')::int AS "linkedGenerations",
              count(*) FILTER (WHERE attributes->>'gen_ai.operation.name' = 'embeddings' AND is_generation)::int AS embeddings,
              count(*) FILTER (WHERE attributes->>'keel.gateway.api' = 'responses')::int AS responses
       FROM telemetry.spans WHERE project_id = ${org.projects[0]!.id}::uuid`,
    );
    expect(telemetry).toEqual({ langfuseTraces: 30, linkedGenerations: 30, embeddings: 16, responses: 2 });
    // A Langfuse trace id pasted into the trace search finds the trace it was stored under.
    const { listTraces } = await import("../telemetry/queries");
    const [langfuseRoot] = await readSql<{ traceId: string; langfuseId: string }>(
      getDb(),
      sql`SELECT trace_id AS "traceId", attributes->>'langfuse.trace.id' AS "langfuseId" FROM telemetry.spans WHERE project_id = ${org.projects[0]!.id}::uuid AND name = 'email-draft' ORDER BY start_time LIMIT 1`,
    );
    expect(langfuseRoot!.langfuseId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    const found = await listTraces(org.projects[0]!.id, { window: "7d", limit: 5, search: langfuseRoot!.langfuseId });
    expect(found.items.map((i) => [i.traceId, i.name])).toEqual([[langfuseRoot!.traceId, "email-draft"]]);
    // The demo comparison tells a story: v3 greets customers by name.
    const { compareRuns } = await import("../domain/evaluations/results");
    const comparison = await compareRuns(getDb(), org.projects[0]!.id, { baseline: 1, candidate: 2 });
    expect(comparison.evaluators.find((e) => e.name === "greets-customer")).toMatchObject({ direction: "better" });
    // … for the reason the story tells: v3's instructions ask for a greeting by name (the Simulated
    // provider follows them, with the name from the item), v2's do not; neither echoes its input.
    const rate = (run: (typeof runs)[number], name: string) => (run.summary as RunSummary).evaluators.find((e) => e.name === name)!.passRate;
    const [v2Run, v3Run] = [runs[0]!, runs[1]!];
    expect([rate(v2Run, "greets-customer"), rate(v3Run, "greets-customer")]).toEqual([0, 1]);
    expect(rate(v3Run, "length-limit")).toBeGreaterThanOrEqual(0.95);
    // Both quote the same policy where it covers the question, and hand over where it does not.
    expect(rate(v3Run, "cites-policy")).toBe(rate(v2Run, "cites-policy"));
    expect(rate(v2Run, "cites-policy")).toBeGreaterThan(0.5);
    expect(rate(v2Run, "cites-policy")).toBeLessThan(1);
    for (const number of [1, 2]) {
      const results = await runResults(getDb(), org.projects[0]!.id, { number, page: 1, pageSize: 50, sort: "position", direction: "asc" });
      expect(results.rows).toHaveLength(48);
      for (const row of results.rows) {
        const input = row.input as { customer_name: string; question: string };
        expect(row.output).toMatch(/^\[Simulated\] /);
        expect(row.output).not.toContain("Customer:");
        expect(row.output).not.toContain(input.question);
        if (number === 2) expect(row.output).toMatch(new RegExp(`^\\[Simulated\\] Hi ${input.customer_name.split(" ")[0]}!.* — The Acme team$`));
        else expect(row.output).not.toContain(input.customer_name.split(" ")[0]);
      }
    }
    const { evaluateGate } = await import("../domain/deployments/gate");
    const production = await getDb().environment.findFirstOrThrow({ where: { projectId: org.projects[0]!.id, name: "production" }, include: { policy: true } });
    const gate = production.policy!.gate as Parameters<typeof evaluateGate>[3];
    expect((await evaluateGate(getDb(), org.projects[0]!.id, v3Run.promptVersionId!, gate)).passed).toBe(true);
    const v2Gate = await evaluateGate(getDb(), org.projects[0]!.id, v2Run.promptVersionId!, gate);
    expect(v2Gate.checks.map((c) => [c.evaluator, c.passed])).toEqual([
      ["greets-customer", false],
      ["length-limit", true],
    ]);
    const queue = await getDb().reviewQueue.findFirstOrThrow({
      where: { projectId: org.projects[0]!.id, name: "support-reply-review" },
      include: { items: { orderBy: { position: "asc" } } },
    });
    expect(queue.items).toHaveLength(12);
    expect(queue.items.filter((i) => i.finalizedAt).map((i) => [i.position, i.finalSource])).toEqual([
      [1, "consensus"],
      [2, "consensus"],
      [3, "adjudicated"],
      [4, "consensus"],
      [5, "consensus"],
      [6, "consensus"],
    ]);
    const run1 = await getRun(getDb(), org.projects[0]!.id, 1);
    expect(run1.human.dimensions.map((d) => [d.key, d.n])).toEqual([
      ["helpful", 6],
      ["tone", 6],
      ["policy_ok", 6],
    ]);
    // Production: a week of traffic on the dashboards, thumbs-down routed to review by the rule.
    const { dashboard } = await import("../telemetry/queries");
    const week = await dashboard(org.projects[0]!.id, { window: "7d" });
    expect(week.totals.generations).toBeGreaterThan(1_000);
    expect(week.totals.guardrailBlocks).toBeGreaterThan(0);
    expect(week.quality.totals.map((q) => q.name).sort()).toEqual(["draft-accepted", "helpfulness", "length-limit", "user-feedback", "uses-name"]);
    const feedback = await getDb().reviewQueue.findFirstOrThrow({
      where: { projectId: org.projects[0]!.id, name: "production-feedback" },
      include: { items: true },
    });
    expect(feedback.items).toHaveLength(4);
    expect(feedback.items.every((i) => i.sourceType === "trace")).toBe(true);
    // The seeded online-evaluator history is what the worker would have scored: its pass adds
    // nothing to the widget's traffic, and scores the Langfuse-ingested production replies in its
    // sample (ingestion scores nothing by itself), as it would any trace that arrives.
    const { runOnlinePass, sampled } = await import("../domain/observability/feedback");
    const online = await getDb().onlineEvaluator.findFirstOrThrow({ where: { projectId: org.projects[0]!.id } });
    const ingested = await readSql<{ spanId: string }>(
      getDb(),
      sql`SELECT span_id AS "spanId" FROM telemetry.spans WHERE project_id = ${org.projects[0]!.id}::uuid AND is_generation AND prompt_name = 'support/reply' AND environment = 'production' AND output IS NOT NULL AND attributes ? 'langfuse.observation.id'`,
    );
    const inSample = ingested.filter((g) => sampled(g.spanId, online.id, online.sampleRate)).length;
    expect(inSample).toBeGreaterThan(0);
    let rescored = 0;
    for (let pass = 0; pass < 5; pass++) rescored += (await runOnlinePass({ lagMs: 0, limit: 1_000 })).scored;
    expect(rescored).toBe(inSample);
    expect(await verifyAuditChain(getDb(), org.id)).toMatchObject({ ok: true });
    expect(await keel(["seed", "--demo"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/already exists/) });
  }, 120_000);
});
