// Deployments over the public API (real HTTP): a CI key requests a deployment and polls it; no
// key can approve or move a protected label, whatever its scopes; history and "what was deployed
// at T"; bad input refused with reasons.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { bearer, createKey, startPublicApi, type RunningApi, type TestKey } from "@/test/support/public-api";
import { API_KEY_SCOPE_NAMES } from "../contracts/permissions";

let srv: RunningApi;
let t: TestOrg;
let ci: TestKey;
let reader: TestKey;
let everything: TestKey;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

async function call(method: string, path: string, key: TestKey, body?: unknown) {
  const response = await fetch(`${srv.base}${path}`, {
    method,
    headers: { ...bearer(key), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; field?: string } } };
}

beforeAll(async () => {
  srv = await startPublicApi();
  t = await createTestOrg();
  [ci, reader, everything] = await Promise.all([createKey(t, ["deployments:request"]), createKey(t, ["prompts:read"]), createKey(t, [...API_KEY_SCOPE_NAMES])]);
  const editor = callerFor(t.users.editor);
  await editor.prompts.create({ ...scope(), name: "faq", content: { type: "text", template: "v1 {{q}}" }, commitMessage: "v1" });
  await editor.prompts.moveLabel({ ...scope(), name: "faq", label: "production", version: 1 });
  await editor.prompts.createVersion({ ...scope(), name: "faq", content: { type: "text", template: "v2 {{q}}" }, commitMessage: "v2", basedOnVersion: 1 });
  await callerFor(t.users.admin).environments.setProtected({ ...scope(), name: "production", protected: true });
});
afterAll(() => srv.close());

describe("deployment requests over the API", () => {
  it("a CI key requests a deployment (audited as the key) and polls it by id and number; people approve it", async () => {
    const before = await lastSeq(t.org.id);
    const created = await call("POST", "/api/public/v1/deployment-requests", ci, {
      prompt: "faq",
      version: 2,
      environment: "production",
      justification: "Green run #12 in CI",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      number: 1,
      state: "pending",
      prompt: "faq",
      version: 2,
      fromVersion: 1,
      environment: "production",
      gate: { configured: false, passed: true },
      missing: ["Approval: 0 of 1 approval"],
    });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => [e.action, e.actorType, e.actorLabel])).toEqual([["deployment.requested", "api_key", ci.publicKey]]);

    const byId = await call("GET", `/api/public/v1/deployment-requests/${created.body.id as string}`, ci);
    const byNumber = await call("GET", "/api/public/v1/deployment-requests/1", ci);
    expect(byId.body).toEqual(byNumber.body);

    await callerFor(t.users.approver).deployments.approve({ ...scope(), number: 1 });
    const polled = await call("GET", "/api/public/v1/deployment-requests/1", ci);
    expect(polled.body).toMatchObject({ state: "deployed", deployedAt: expect.any(String), rules: [{ approvers: [t.users.approver.email], met: true }] });
    const served = await fetch(`${srv.base}/api/public/v1/prompts/faq`, { headers: bearer(reader) });
    expect(((await served.json()) as { version: number }).version).toBe(2);
  });

  it("no key moves a protected label or approves, whatever its scopes", async () => {
    const before = await lastSeq(t.org.id);
    const moved = await call("PUT", "/api/public/v1/prompts/faq/labels/production", everything, { version: 1 });
    expect(moved.status).toBe(403);
    expect(moved.body.error?.message).toMatch(/protected environment/);
    // There is no approval route at all: POST to one is a 404, and no scope maps to deployment:approve.
    const approve = await call("POST", "/api/public/v1/deployment-requests/1/approve", everything, {});
    expect(approve.status).toBe(404);
    const denied = (await auditEventsOf(t.org.id, before)).filter((e) => e.outcome === "denied");
    expect(denied.map((e) => e.actorLabel)).toEqual([everything.publicKey]);
  });

  it("refuses bad input with reasons, and keys without the scope", async () => {
    expect(
      (await call("POST", "/api/public/v1/deployment-requests", reader, { prompt: "faq", version: 1, environment: "production", justification: "x" })).status,
    ).toBe(403);
    const deployed = await call("POST", "/api/public/v1/deployment-requests", ci, {
      prompt: "faq",
      version: 2,
      environment: "production",
      justification: "again",
    });
    expect(deployed).toMatchObject({ status: 409, body: { error: { message: 'v2 of "faq" is already deployed to production', field: "version" } } });
    const unknown = await call("POST", "/api/public/v1/deployment-requests", ci, { prompt: "faq", version: 1, environment: "prod", justification: "x" });
    expect(unknown).toMatchObject({ status: 404, body: { error: { message: 'This project has no environment "prod"' } } });
    const missing = await call("POST", "/api/public/v1/deployment-requests", ci, { prompt: "faq", version: 1, environment: "production" });
    expect(missing).toMatchObject({ status: 400, body: { error: { field: "justification" } } });
    const extra = await call("POST", "/api/public/v1/deployment-requests", ci, {
      prompt: "faq",
      version: 1,
      environment: "production",
      justification: "x",
      approve: true,
    });
    expect(extra.status).toBe(400);
    await call("POST", "/api/public/v1/deployment-requests", ci, {
      prompt: "faq",
      version: 1,
      environment: "production",
      justification: "rollback by promotion",
    });
    const duplicate = await call("POST", "/api/public/v1/deployment-requests", ci, {
      prompt: "faq",
      version: 1,
      environment: "production",
      justification: "twice",
    });
    expect(duplicate).toMatchObject({ status: 409, body: { error: { message: 'Request #2 for v1 of "faq" to production is already pending' } } });
    expect((await call("GET", "/api/public/v1/deployment-requests/999", ci)).status).toBe(404);
    expect((await call("GET", "/api/public/v1/deployment-requests/not-a-number", ci)).status).toBe(400);
  });

  it("a failing gate answers 422 with the gate's result", async () => {
    await callerFor(t.users.editor).datasets.create({ ...scope(), name: "golden" });
    await callerFor(t.users.editor).evaluators.create({ ...scope(), name: "exact", config: { kind: "exact_match" } });
    await callerFor(t.users.owner).environments.setPolicy({
      ...scope(),
      name: "production",
      policy: {
        rules: [{ name: "Approval", required: 1, roles: ["approver"], users: [] }],
        gate: { dataset: "golden", evaluators: [{ name: "exact", metric: "passRate", min: 0.9 }] },
      },
    });
    await callerFor(t.users.editor).prompts.createVersion({
      ...scope(),
      name: "faq",
      content: { type: "text", template: "v3 {{q}}" },
      commitMessage: "v3",
      basedOnVersion: 2,
    });
    const refused = await call("POST", "/api/public/v1/deployment-requests", ci, { prompt: "faq", version: 3, environment: "production", justification: "x" });
    expect(refused).toMatchObject({
      status: 422,
      body: {
        error: { code: "UNPROCESSABLE", message: expect.stringMatching(/No completed evaluation run of this version on golden/) },
        gate: { passed: false, configured: true, reasons: [expect.any(String)] },
      },
    });
  });

  it("reads the history and what was deployed at a time", async () => {
    const history = await call("GET", "/api/public/v1/deployments?environment=production", ci);
    expect(history.body).toMatchObject({
      total: 1,
      deployments: [{ prompt: "faq", version: 2, fromVersion: 1, request: 1, approvers: [t.users.approver.email] }],
    });
    const deployedAt = (history.body.deployments as { deployedAt: string }[])[0]!.deployedAt;
    const before = await call("GET", `/api/public/v1/deployments?prompt=faq&at=${encodeURIComponent(new Date(Date.parse(deployedAt) - 1).toISOString())}`, ci);
    expect(before.body).toMatchObject({ environment: "production", prompts: [{ prompt: "faq", version: 1, deployment: null }] });
    const after = await call("GET", `/api/public/v1/deployments?prompt=faq&at=${encodeURIComponent(new Date().toISOString())}`, ci);
    expect(after.body).toMatchObject({ prompts: [{ prompt: "faq", version: 2, deployment: { request: 1, kind: "promote" } }] });
    const bad = await call("GET", "/api/public/v1/deployments?at=yesterday", ci);
    expect(bad).toMatchObject({ status: 400, body: { error: { field: "at" } } });
  });
});
