// Deployment approvals on real PostgreSQL, through the tRPC procedures people use: protection
// rules, separation of duties, the evaluation gate at request and at promotion, ten approvers at
// once producing exactly one promotion, wait timers, freeze windows with break glass, expiry,
// supersession, rejection, cancellation, rollback on the fast path, and the evidence pack.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEventsOf, callerFor, createTestOrg, createUser, lastSeq, type TestOrg } from "@/test/support/factories";
import type { SessionUser } from "../../auth/session";
import type { PolicyInput } from "../../contracts/deployments";
import { processRun } from "../evaluations/worker";
import { sweepDeployments } from "./sweep";
import { renderEvidenceHtml, buildEvidencePack } from "./evidence";

let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const as = (user: SessionUser) => callerFor(user);
const PROMPT = "app/reply";

async function labelOf(name: string, label: string) {
  const prompt = await getDb().prompt.findUniqueOrThrow({ where: { projectId_name: { projectId: t.project.id, name } } });
  return (await getDb().promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: label } } }))?.version ?? null;
}

async function newVersion(author: SessionUser, template: string) {
  return (
    await as(author).prompts.createVersion({ ...scope(), name: PROMPT, content: { type: "text", template }, commitMessage: template, basedOnVersion: null })
  ).version;
}

async function setPolicy(user: SessionUser, environment: string, policy: PolicyInput) {
  return as(user).environments.setPolicy({ ...scope(), name: environment, policy });
}

const TWO_RULES: PolicyInput = {
  rules: [
    { name: "Release approver", required: 1, roles: ["approver"], users: [] },
    { name: "Engineering lead", required: 1, roles: ["owner", "admin"], users: [] },
  ],
};

async function runOf(version: number) {
  const { number } = await as(t.users.editor).runs.create({
    ...scope(),
    prompt: { name: PROMPT, version },
    dataset: { name: "regression" },
    evaluators: ["mentions-refund", "short"],
  });
  const run = await getDb().evaluationRun.findFirstOrThrow({ where: { projectId: t.project.id, number } });
  for (let i = 0; i < 20; i++) if ((await processRun(run.id, { deadline: Date.now() + 10_000, log: () => {} })) !== "continue") break;
  return number;
}

beforeAll(async () => {
  t = await createTestOrg();
  await as(t.users.editor).prompts.create({ ...scope(), name: PROMPT, content: { type: "text", template: "v1 {{question}}" }, commitMessage: "first" });
  await as(t.users.editor).prompts.moveLabel({ ...scope(), name: PROMPT, label: "production", version: 1 });
  await as(t.users.admin).environments.setProtected({ ...scope(), name: "production", protected: true });
  await setPolicy(t.users.owner, "production", TWO_RULES);
  await as(t.users.editor).datasets.create({ ...scope(), name: "regression" });
  await as(t.users.editor).datasets.addItems({
    ...scope(),
    name: "regression",
    items: [
      { input: { question: "refund?" }, expected: "x" },
      { input: { question: "hours?" }, expected: "y" },
    ],
  });
  await as(t.users.editor).evaluators.create({ ...scope(), name: "mentions-refund", config: { kind: "contains", value: "refund" } });
  await as(t.users.editor).evaluators.create({ ...scope(), name: "short", config: { kind: "length", unit: "chars", max: 2000 } });
});
afterAll(async () => {
  const { stopBoss } = await import("../../queue/boss");
  await stopBoss();
});

describe("protected labels move only through approved requests", () => {
  it("refuses a direct move over tRPC, for every role, and records the refusal", async () => {
    const before = await lastSeq(t.org.id);
    for (const user of [t.users.owner, t.users.admin, t.users.editor]) {
      await expect(as(user).prompts.moveLabel({ ...scope(), name: PROMPT, label: "production", version: 1 })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringMatching(/protected environment/),
      });
    }
    const denied = (await auditEventsOf(t.org.id, before)).filter((e) => e.action === "access.denied");
    expect(denied).toHaveLength(3);
  });

  it("refuses bad requests with their reasons", async () => {
    const editor = as(t.users.editor);
    const base = { ...scope(), prompt: PROMPT, justification: "ship it" };
    await expect(editor.deployments.request({ ...base, version: 1, environment: "production" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: 'v1 of "app/reply" is already deployed to production',
    });
    await expect(editor.deployments.request({ ...base, version: 1, environment: "moon" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'This project has no environment "moon"',
    });
    await expect(editor.deployments.request({ ...base, version: 1, environment: "staging" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not a protected environment/),
    });
    await expect(editor.deployments.request({ ...base, version: 99, environment: "production" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: '"app/reply" has no version 99',
    });
    await expect(editor.deployments.request({ ...base, prompt: "nope", version: 1, environment: "production" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(editor.deployments.request({ ...base, version: 1, environment: "production", justification: "  " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(as(t.users.viewer).deployments.request({ ...base, version: 1, environment: "production" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(t.users.approver).deployments.request({ ...base, version: 1, environment: "production" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("four-eyes approval with separation of duties", () => {
  let number: number;
  it("a request waits for both rules; requester, author and rule editor cannot approve; the last approval moves the label", async () => {
    const v2 = await newVersion(t.users.editor, "v2 {{question}}");
    const before = await lastSeq(t.org.id);
    const created = await as(t.users.editor).deployments.request({
      ...scope(),
      prompt: PROMPT,
      version: v2,
      environment: "production",
      justification: "Friendlier greeting",
    });
    number = created.number;
    expect(created).toMatchObject({ state: "pending", version: 2, fromVersion: 1, gate: { configured: false, passed: true } });
    await expect(
      as(t.users.editor).deployments.request({ ...scope(), prompt: PROMPT, version: v2, environment: "production", justification: "again" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Request #${number} for v2 of "app/reply" to production is already pending`,
    });

    // The editor requested and wrote it; the owner last edited production's rules.
    await expect(as(t.users.editor).deployments.approve({ ...scope(), number })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(t.users.owner).deployments.approve({ ...scope(), number })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/last edited the protection rules/),
    });
    await expect(as(t.users.viewer).deployments.approve({ ...scope(), number })).rejects.toMatchObject({ code: "FORBIDDEN" });

    // The badge counts what each person could decide now.
    expect(await as(t.users.approver).deployments.pendingCount(scope())).toBe(1);
    expect(await as(t.users.admin).deployments.pendingCount(scope())).toBe(1);
    expect(await as(t.users.owner).deployments.pendingCount(scope())).toBe(0);
    expect(await as(t.users.editor).deployments.pendingCount(scope())).toBe(0);

    const first = await as(t.users.approver).deployments.approve({ ...scope(), number, comment: "Looks good" });
    expect(await as(t.users.approver).deployments.pendingCount(scope())).toBe(0);
    expect(first).toMatchObject({ state: "pending", deployed: false, waiting: ["Engineering lead: 0 of 1 approval"] });
    await expect(as(t.users.approver).deployments.approve({ ...scope(), number })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `You already decided on request #${number}`,
    });
    expect(await labelOf(PROMPT, "production")).toBe(1);

    const second = await as(t.users.admin).deployments.approve({ ...scope(), number });
    expect(second).toMatchObject({ state: "deployed", deployed: true });
    expect(await labelOf(PROMPT, "production")).toBe(2);
    const deployment = await getDb().deployment.findFirstOrThrow({ where: { request: { projectId: t.project.id, number } } });
    expect(deployment).toMatchObject({ version: 2, fromVersion: 1, kind: "promote" });

    const events = (await auditEventsOf(t.org.id, before)).filter((e) => e.outcome === "success").map((e) => e.action);
    expect(events).toEqual([
      "deployment.requested",
      "deployment.approval.given",
      "deployment.approval.given",
      "deployment.approved",
      "prompt.label.moved",
      "deployment.deployed",
    ]);
    const denied = (await auditEventsOf(t.org.id, before)).filter((e) => e.outcome === "denied");
    expect(denied.length).toBeGreaterThanOrEqual(3);

    await expect(as(t.users.admin).deployments.approve({ ...scope(), number })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/is deployed/),
    });
  });

  it("the history and 'what was live at T' answer from the records", async () => {
    const history = await as(t.users.viewer).deployments.history({ ...scope(), environment: "production" });
    expect(history.rows[0]).toMatchObject({
      prompt: PROMPT,
      version: 2,
      fromVersion: 1,
      approvers: expect.arrayContaining([t.users.approver.email, t.users.admin.email]),
    });
    const before = await as(t.users.viewer).deployments.at({ ...scope(), environment: "production", at: new Date(history.rows[0]!.deployedAt.getTime() - 1) });
    expect(before.prompts.find((p) => p.prompt === PROMPT)).toMatchObject({ version: 1, deployment: null });
    const now = await as(t.users.viewer).deployments.at({ ...scope(), environment: "production", at: new Date() });
    expect(now.prompts.find((p) => p.prompt === PROMPT)).toMatchObject({ version: 2, deployment: { request: number } });
  });

  it("the evidence pack embeds content hashes, the diff and the audit events it covers", async () => {
    const reader = { type: "user" as const, id: t.users.auditor.id, role: "auditor" as const, canApprove: false };
    const pack = await buildEvidencePack(getDb(), t.project.id, number, reader);
    const request = await getDb().deploymentRequest.findFirstOrThrow({ where: { projectId: t.project.id, number } });
    const events = await getDb().auditEvent.findMany({ where: { orgId: t.org.id, targetId: request.id }, orderBy: { seq: "asc" } });
    const move = await getDb().auditEvent.findFirstOrThrow({
      where: { orgId: t.org.id, action: "prompt.label.moved", targetId: request.promptId },
      orderBy: { seq: "desc" },
    });
    expect(pack.audit.map((e) => e.seq)).toEqual([...events.map((e) => Number(e.seq)), Number(move.seq)].sort((a, b) => a - b));
    expect(pack.audit.map((e) => e.action)).toEqual([
      "deployment.requested",
      "deployment.approval.given",
      "deployment.approval.given",
      "deployment.approved",
      "prompt.label.moved",
      "deployment.deployed",
    ]);
    expect(pack.contentHashes.candidate).toBe(request.contentHash);
    expect(pack.diff).toContain("-v1 {{question}}");
    expect(pack.diff).toContain("+v2 {{question}}");
    expect(pack.packSha256).toMatch(/^[0-9a-f]{64}$/);
    const html = renderEvidenceHtml(pack);
    expect(html).toContain(request.contentHash);
    expect(html).toContain(pack.packSha256);
    expect(html).not.toContain("<script");
    // One date format on the whole page: ISO 8601 in UTC, named; never Date#toString or a raw ISO stamp.
    expect(html).toContain(`Requested at</td><td>${request.createdAt.toISOString().slice(0, 19).replace("T", " ")} UTC</td>`);
    expect(html).not.toMatch(/GMT|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(html.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/g)!.length).toBeGreaterThanOrEqual(pack.audit.length + 3);
  });
});

describe("ten approvers at once", () => {
  it("produce exactly one promotion and one deployment record", async () => {
    const approvers: SessionUser[] = [];
    for (let i = 0; i < 10; i++) {
      const u = await createUser(`race-approver-${i}-${Date.now()}@example.com`);
      await getDb().membership.create({ data: { orgId: t.org.id, userId: u.id, role: "approver" } });
      approvers.push(u);
    }
    await setPolicy(t.users.owner, "production", { rules: [{ name: "Two approvers", required: 2, roles: ["approver"], users: [] }] });
    const v3 = await newVersion(t.users.editor, "v3 {{question}}");
    const { number } = await as(t.users.editor).deployments.request({
      ...scope(),
      prompt: PROMPT,
      version: v3,
      environment: "production",
      justification: "race",
    });
    const eventsBefore = await getDb().promptLabelEvent.count({ where: { prompt: { projectId: t.project.id, name: PROMPT }, label: "production" } });
    const results = await Promise.allSettled(approvers.map((u) => as(u).deployments.approve({ ...scope(), number })));
    const ok = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<{ deployed: boolean }>).value);
    expect(ok).toHaveLength(2);
    expect(ok.filter((r) => r.deployed)).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    expect(await getDb().deployment.count({ where: { request: { projectId: t.project.id, number } } })).toBe(1);
    expect(await getDb().promptLabelEvent.count({ where: { prompt: { projectId: t.project.id, name: PROMPT }, label: "production" } })).toBe(eventsBefore + 1);
    expect(await getDb().deploymentApproval.count({ where: { request: { projectId: t.project.id, number } } })).toBe(2);
    expect(await labelOf(PROMPT, "production")).toBe(3);
  });
});

describe("the evaluation gate", () => {
  it("refuses a request without a passing run, naming the evaluator and threshold, and checks again at promotion", async () => {
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: {
        dataset: "regression",
        evaluators: [
          { name: "mentions-refund", metric: "passRate", min: 0.5 },
          { name: "short", metric: "passRate", min: 1 },
        ],
      },
    });
    const v4 = await newVersion(t.users.editor, "v4 {{question}}");
    const request = { ...scope(), prompt: PROMPT, version: v4, environment: "production", justification: "gate" };
    await expect(as(t.users.editor).deployments.request(request)).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringMatching(/No completed evaluation run of this version on regression/),
    });
    const run = await runOf(v4);
    // The simulated provider echoes the input: "refund?" mentions a refund, "hours?" does not (pass rate 0.5).
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 0.75 }] },
    });
    await expect(as(t.users.editor).deployments.request(request)).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: `The evaluation gate of production fails: mentions-refund pass rate 0.5 is below the threshold 0.75 (run #${run})`,
    });
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 0.5 }] },
    });
    const created = await as(t.users.editor).deployments.request(request);
    expect(created.gate).toMatchObject({
      passed: true,
      configured: true,
      run: { number: run, dataset: "regression" },
      checks: [{ evaluator: "mentions-refund", actual: 0.5, passed: true }],
    });

    // The owner tightens the gate while the request waits: promotion re-checks and holds it.
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 0.9 }] },
    });
    await as(t.users.approver).deployments.approve({ ...scope(), number: created.number });
    const held = await as(t.users.admin).deployments.approve({ ...scope(), number: created.number });
    expect(held).toMatchObject({
      state: "approved",
      deployed: false,
      waiting: [expect.stringMatching(/evaluation gate fails now: mentions-refund pass rate 0.5 is below the threshold 0.9/)],
    });
    expect(await labelOf(PROMPT, "production")).toBe(3);
    await expect(as(t.users.editor).deployments.deployNow({ ...scope(), number: created.number })).rejects.toMatchObject({ code: "CONFLICT" });
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 0.5 }] },
    });
    const beforeDeploy = await lastSeq(t.org.id);
    expect(await as(t.users.editor).deployments.deployNow({ ...scope(), number: created.number })).toMatchObject({ deployed: true });
    expect((await auditEventsOf(t.org.id, beforeDeploy)).map((e) => [e.action, e.actorLabel])).toEqual([
      ["prompt.label.moved", t.users.editor.email],
      ["deployment.deployed", t.users.editor.email],
    ]);
    expect(await labelOf(PROMPT, "production")).toBe(v4);
    await setPolicy(t.users.owner, "production", TWO_RULES);
  });
});

describe("timers, freezes and the ends of a request", () => {
  async function approved(version: number, policy: PolicyInput) {
    await setPolicy(t.users.owner, "production", policy);
    const { number } = await as(t.users.editor).deployments.request({
      ...scope(),
      prompt: PROMPT,
      version,
      environment: "production",
      justification: "timers",
    });
    await as(t.users.approver).deployments.approve({ ...scope(), number });
    return { number, outcome: await as(t.users.admin).deployments.approve({ ...scope(), number }) };
  }

  it("a wait timer holds an approved request until the sweeper deploys it", async () => {
    const v = await newVersion(t.users.editor, "wait {{question}}");
    const { number, outcome } = await approved(v, { ...TWO_RULES, waitMinutes: 30 });
    expect(outcome).toMatchObject({ state: "approved", deployed: false, waiting: [expect.stringMatching(/wait timer ends/)] });
    expect((await sweepDeployments()).deployed).toBe(0);
    // Time passes (the fixture moves the timer into the past).
    await getDb()
      .$executeRaw`UPDATE deployment_requests SET deployable_at = now() - interval '1 second' WHERE project_id = ${t.project.id}::uuid AND number = ${number}`;
    expect((await sweepDeployments()).deployed).toBeGreaterThanOrEqual(1);
    expect(await labelOf(PROMPT, "production")).toBe(v);
    const request = await getDb().deploymentRequest.findFirstOrThrow({ where: { projectId: t.project.id, number } });
    const deployed = await getDb().auditEvent.findFirstOrThrow({ where: { orgId: t.org.id, targetId: request.id, action: "deployment.deployed" } });
    expect(deployed.actorType).toBe("system");
  });

  it("a freeze window holds promotion; only an owner breaks the glass, with a reason, audited", async () => {
    const v = await newVersion(t.users.editor, "freeze {{question}}");
    const now = Date.now();
    const freezeWindows = [{ start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), reason: "Black Friday" }];
    // The admin edits the rules this time, so the owner may approve and break the glass.
    await setPolicy(t.users.admin, "production", { ...TWO_RULES, freezeWindows });
    const { number } = await as(t.users.editor).deployments.request({
      ...scope(),
      prompt: PROMPT,
      version: v,
      environment: "production",
      justification: "hotfix",
    });
    await as(t.users.approver).deployments.approve({ ...scope(), number });
    const outcome = await as(t.users.owner).deployments.approve({ ...scope(), number });
    expect(outcome).toMatchObject({ state: "approved", deployed: false, waiting: [expect.stringMatching(/frozen until .* \(Black Friday\)/)] });
    await expect(as(t.users.admin).deployments.overrideFreeze({ ...scope(), number, reason: "urgent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(t.users.owner).deployments.overrideFreeze({ ...scope(), number, reason: " " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const before = await lastSeq(t.org.id);
    expect(await as(t.users.owner).deployments.overrideFreeze({ ...scope(), number, reason: "Checkout is broken for EU customers" })).toMatchObject({
      deployed: true,
    });
    expect(await labelOf(PROMPT, "production")).toBe(v);
    const actions = (await auditEventsOf(t.org.id, before)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["deployment.freeze_overridden", "deployment.deployed"]));
    const deployment = await getDb().deployment.findFirstOrThrow({ where: { request: { projectId: t.project.id, number } } });
    expect(deployment.freezeOverride).toMatchObject({ by: t.users.owner.email, reason: "Checkout is broken for EU customers" });
    await setPolicy(t.users.owner, "production", TWO_RULES);
  });

  it("an expired request cannot be approved; the sweeper records the expiry", async () => {
    const v = await newVersion(t.users.editor, "expire {{question}}");
    const { number } = await as(t.users.editor).deployments.request({
      ...scope(),
      prompt: PROMPT,
      version: v,
      environment: "production",
      justification: "slow",
    });
    await getDb()
      .$executeRaw`UPDATE deployment_requests SET expires_at = now() - interval '1 second' WHERE project_id = ${t.project.id}::uuid AND number = ${number}`;
    await expect(as(t.users.approver).deployments.approve({ ...scope(), number })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(new RegExp(`Request #${number} expired at`)),
    });
    expect((await as(t.users.viewer).deployments.get({ ...scope(), number })).state).toBe("expired");
    expect((await sweepDeployments()).expired).toBeGreaterThanOrEqual(1);
    expect((await getDb().deploymentRequest.findFirstOrThrow({ where: { projectId: t.project.id, number } })).state).toBe("expired");
  });

  it("a newer request supersedes the open one; a rejection needs a comment and ends the request; only the requester or an admin cancels", async () => {
    const a = await newVersion(t.users.editor, "a {{question}}");
    const b = await newVersion(t.users.editor, "b {{question}}");
    const first = await as(t.users.editor).deployments.request({ ...scope(), prompt: PROMPT, version: a, environment: "production", justification: "a" });
    const second = await as(t.users.editor).deployments.request({ ...scope(), prompt: PROMPT, version: b, environment: "production", justification: "b" });
    const old = await as(t.users.viewer).deployments.get({ ...scope(), number: first.number });
    expect(old).toMatchObject({ state: "superseded", endedReason: `replaced by request #${second.number} (v${b})` });
    await expect(as(t.users.approver).deployments.approve({ ...scope(), number: first.number })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/is superseded: replaced by request/),
    });

    await expect(as(t.users.approver).deployments.reject({ ...scope(), number: second.number, comment: " " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await as(t.users.approver).deployments.reject({ ...scope(), number: second.number, comment: "Too long for mobile" });
    await expect(as(t.users.admin).deployments.approve({ ...scope(), number: second.number })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/is rejected: rejected by .*Too long for mobile/),
    });

    const third = await as(t.users.editor).deployments.request({ ...scope(), prompt: PROMPT, version: a, environment: "production", justification: "again" });
    const otherEditor = await createUser(`editor-2-${Date.now()}@example.com`);
    await getDb().membership.create({ data: { orgId: t.org.id, userId: otherEditor.id, role: "editor" } });
    await expect(as(otherEditor).deployments.cancel({ ...scope(), number: third.number })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await as(t.users.editor).deployments.cancel({ ...scope(), number: third.number, reason: "changed my mind" })).toMatchObject({ state: "cancelled" });
  });
});

describe("rollback", () => {
  it("to a version production served before, on the fast path: one approval, no gate; a comment is mandatory", async () => {
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 1 }] },
      rollbackPolicy: "fast",
    });
    const current = (await labelOf(PROMPT, "production"))!;
    const never = await newVersion(t.users.editor, "never deployed {{question}}");
    const rollback = { ...scope(), prompt: PROMPT, environment: "production", kind: "rollback" as const };
    await expect(as(t.users.editor).deployments.request({ ...rollback, version: never, justification: "x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/was never deployed to production/),
    });
    await expect(as(t.users.editor).deployments.request({ ...rollback, version: 2, justification: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const targets = await as(t.users.viewer).deployments.rollbackTargets({ ...scope(), environment: "production", prompt: PROMPT });
    expect(targets.current).toBe(current);
    expect(targets.targets.map((x) => x.version)).toContain(2);
    const { number } = await as(t.users.editor).deployments.request({ ...rollback, version: 2, justification: "Latency regression in the new version" });
    expect(await as(t.users.approver).deployments.approve({ ...scope(), number })).toMatchObject({ state: "deployed", deployed: true });
    expect(await labelOf(PROMPT, "production")).toBe(2);
    await setPolicy(t.users.owner, "production", TWO_RULES);
  });
});

describe("policies", () => {
  it("are admin-only, validated, audited with before and after; production keeps separation of duties", async () => {
    await expect(setPolicy(t.users.editor, "production", TWO_RULES)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setPolicy(t.users.owner, "production", { ...TWO_RULES, separationOfDuties: false })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/cannot be switched off for production/),
    });
    await expect(setPolicy(t.users.owner, "production", { rules: [] })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/rules/) });
    await expect(setPolicy(t.users.owner, "production", { rules: [{ name: "x", required: 1, roles: ["editor"], users: [] }] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/editor role cannot approve/),
    });
    await expect(
      setPolicy(t.users.owner, "production", { ...TWO_RULES, gate: { dataset: "nope", evaluators: [{ name: "short", metric: "passRate", min: 1 }] } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/dataset that does not exist/) });
    await expect(setPolicy(t.users.owner, "production", { rules: [{ name: "x", required: 1, roles: [], users: [t.users.editor.id] }] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `A rule names ${t.users.editor.email}, whose role (editor) cannot approve deployments`,
    });
    await expect(setPolicy(t.users.owner, "staging", TWO_RULES)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not protected/),
    });
    const before = await lastSeq(t.org.id);
    await setPolicy(t.users.owner, "production", { ...TWO_RULES, waitMinutes: 5 });
    const [event] = (await auditEventsOf(t.org.id, before)).filter((e) => e.action === "environment.policy.updated");
    expect(event?.before).toMatchObject({ environment: "production", policy: { waitMinutes: 0 } });
    expect(event?.after).toMatchObject({ environment: "production", policy: { waitMinutes: 5 } });
    await setPolicy(t.users.owner, "production", TWO_RULES);
  });

  it("protecting an environment gives it default rules (one approval)", async () => {
    await as(t.users.admin).environments.create({ ...scope(), name: "canary", protected: true });
    const { policy } = await as(t.users.viewer).environments.policy({ ...scope(), name: "canary" });
    expect(policy).toMatchObject({ rules: [{ required: 1, roles: ["owner", "admin", "approver"] }], separationOfDuties: true, expiryHours: 168 });
  });
});

describe("a run that measured nothing", () => {
  it("never satisfies the gate: the request and the preview name the run, its answers and its error", async () => {
    await setPolicy(t.users.owner, "production", {
      ...TWO_RULES,
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 0 }] },
    });
    const v = await newVersion(t.users.editor, "In a {{tone}} tone: {{question}}");
    const preview = { ...scope(), prompt: PROMPT, version: v, environment: "production" };

    // Before any run: the gate, its thresholds and the settings of a run that would count.
    const before = await as(t.users.viewer).deployments.gatePreview(preview);
    expect(before).toMatchObject({
      environment: "production",
      gate: { dataset: "regression", evaluators: [{ name: "mentions-refund", metric: "passRate", min: 0 }] },
      result: { passed: false, run: null, blockingRun: null, reasons: [expect.stringMatching(/No completed evaluation run of this version on regression/)] },
      suggestedRun: { prompt: PROMPT, version: v, dataset: "regression", datasetVersion: null, tag: null, evaluators: ["mentions-refund"] },
    });

    // Every item lacks `tone`: the run ends failed with the reason, not "completed" at 0%.
    const number = await runOf(v);
    const run = await as(t.users.editor).runs.get({ ...scope(), number });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^No usable results: 0 of 2 answers, every call failed: .*tone/);
    expect(run.summary).toMatchObject({ items: 2, done: 0, errors: 2, errorMessages: [{ message: expect.stringMatching(/tone/), count: 2 }] });

    const reason = new RegExp(`Run #${number} has 0 of 2 answers: .*tone.*\\. Fix the dataset or the prompt version, then run again`);
    await expect(as(t.users.editor).deployments.request({ ...preview, justification: "gate" })).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringMatching(reason),
    });
    const after = await as(t.users.editor).deployments.gatePreview(preview);
    expect(after.result).toMatchObject({
      passed: false,
      run: null,
      blockingRun: { number, status: "failed", answered: 0, items: 2, error: expect.stringMatching(/tone/) },
      reasons: [expect.stringMatching(reason)],
    });
    expect(after.suggestedRun).toMatchObject({ version: v, evaluators: ["mentions-refund"] });

    // A version the gate does not apply to, and an unknown version.
    await expect(as(t.users.editor).deployments.gatePreview({ ...preview, version: 999 })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/No version 999/),
    });
    expect(await as(t.users.editor).deployments.gatePreview({ ...preview, environment: "staging" })).toMatchObject({
      protected: false,
      gate: null,
      result: null,
      suggestedRun: null,
    });
    await setPolicy(t.users.owner, "production", TWO_RULES);
  });
});
