// Outgoing webhooks against a local receiver: deliveries written with the change (none for a change
// that rolled back), signed with HMAC-SHA256 over "<timestamp>.<body>", retried with back-off
// until the receiver answers 2xx or the attempts run out, logged, and redelivered on request.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { dispatchDue, dispatcherIdle, MAX_ATTEMPTS, verifySignature } from "./webhooks";

type Received = { headers: Record<string, string | string[] | undefined>; body: string };
let receiver: Server;
let url: string;
let received: Received[] = [];
let answer = 200;
let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

beforeAll(async () => {
  // The local fake/receiver listens on loopback, which Keel's egress policy refuses unless allowed.
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  process.env.KEEL_WEBHOOK_RETRY_BASE_SECONDS = "0.001";
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer, { "content-type": "text/plain" }).end(answer === 200 ? "ok" : "receiver is down");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/keel`;
  t = await createTestOrg();
  const editor = callerFor(t.users.editor);
  await editor.prompts.create({ ...scope(), name: "faq", content: { type: "text", template: "v1" }, commitMessage: "v1" });
  await editor.prompts.createVersion({ ...scope(), name: "faq", content: { type: "text", template: "v2" }, commitMessage: "v2", basedOnVersion: 1 });
  await editor.prompts.createVersion({ ...scope(), name: "faq", content: { type: "text", template: "v3" }, commitMessage: "v3", basedOnVersion: 2 });
  await callerFor(t.users.admin).environments.setProtected({ ...scope(), name: "production", protected: true });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  delete process.env.KEEL_WEBHOOK_RETRY_BASE_SECONDS;
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function settle() {
  await dispatcherIdle();
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 20));
    await dispatchDue();
    const pending = await getDb().webhookDelivery.count({ where: { webhook: { projectId: t.project.id }, status: "pending" } });
    if (pending === 0) return;
  }
}

describe("webhooks", () => {
  let secret: string;
  let hookId: string;

  it("are admin-only and audited; the secret is shown once", async () => {
    await expect(callerFor(t.users.editor).webhooks.create({ ...scope(), url, events: ["deployment.requested"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(t.users.admin).webhooks.create({ ...scope(), url: "ftp://example.com", events: ["deployment.requested"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(callerFor(t.users.admin).webhooks.create({ ...scope(), url, events: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const before = await lastSeq(t.org.id);
    const created = await callerFor(t.users.admin).webhooks.create({
      ...scope(),
      url,
      description: "CI bot",
      events: ["deployment.requested", "deployment.deployed", "deployment.approved"],
    });
    secret = created.secret;
    hookId = created.id;
    expect(secret).toMatch(/^whsec_/);
    const listed = await callerFor(t.users.auditor).webhooks.list(scope());
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["webhook.created"]);
    await expect(callerFor(t.users.viewer).webhooks.list(scope())).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("deliver signed events after the change commits, and nothing for a refused change", async () => {
    received = [];
    await expect(
      callerFor(t.users.editor).deployments.request({ ...scope(), prompt: "faq", version: 9, environment: "production", justification: "x" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { number } = await callerFor(t.users.editor).deployments.request({
      ...scope(),
      prompt: "faq",
      version: 2,
      environment: "production",
      justification: "ship",
    });
    await callerFor(t.users.approver).deployments.approve({ ...scope(), number });
    await settle();
    // Deliveries are sent concurrently: receivers get no ordering promise (each carries its time).
    const events = received.map((r) => r.headers["keel-event"]).sort();
    expect(events).toEqual(["deployment.approved", "deployment.deployed", "deployment.requested"]);
    for (const r of received) {
      expect(verifySignature(secret, r.body, String(r.headers["keel-signature"]))).toBe(true);
      expect(verifySignature("whsec_wrong", r.body, String(r.headers["keel-signature"]))).toBe(false);
      expect(verifySignature(secret, r.body.replace("faq", "fax"), String(r.headers["keel-signature"]))).toBe(false);
    }
    const deployed = JSON.parse(received.find((r) => r.headers["keel-event"] === "deployment.deployed")!.body) as {
      event: string;
      data: { request: { number: number; version: number; fromVersion: number | null } };
    };
    expect(deployed).toMatchObject({ event: "deployment.deployed", data: { request: { number, version: 2, fromVersion: null } } });
    const log = await callerFor(t.users.admin).webhooks.deliveries({ ...scope(), webhookId: hookId });
    expect(log.rows.every((d) => d.status === "succeeded" && d.lastStatusCode === 200 && d.attempts === 1)).toBe(true);
  });

  it("retry with back-off while the receiver fails, then give up; a redelivery sends the event again", async () => {
    received = [];
    answer = 500;
    await callerFor(t.users.editor).deployments.request({ ...scope(), prompt: "faq", version: 3, environment: "production", justification: "next" });
    await settle();
    expect(received).toHaveLength(MAX_ATTEMPTS);
    const [failed] = (await callerFor(t.users.admin).webhooks.deliveries({ ...scope(), webhookId: hookId })).rows;
    expect(failed).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, lastStatusCode: 500, event: "deployment.requested" });
    expect(failed!.log.map((a) => a.statusCode)).toEqual(Array(MAX_ATTEMPTS).fill(500));
    // Status code and duration only: what the receiver answered is neither stored nor shown.
    expect(failed!.log[0]).toMatchObject({ error: "The receiver answered 500", response: null, durationMs: expect.any(Number) });
    const stored = await getDb().webhookDelivery.findUniqueOrThrow({ where: { id: failed!.id } });
    expect(JSON.stringify(stored.log)).not.toContain("receiver is down");
    // The same event id on every attempt: receivers can deduplicate.
    expect(new Set(received.map((r) => (JSON.parse(r.body) as { id: string }).id)).size).toBe(1);

    answer = 200;
    received = [];
    const before = await lastSeq(t.org.id);
    await callerFor(t.users.admin).webhooks.redeliver({ ...scope(), deliveryId: failed!.id });
    await settle();
    expect(received).toHaveLength(1);
    expect((JSON.parse(received[0]!.body) as { id: string }).id).toBe(failed!.eventId);
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["webhook.redelivered"]);
  });

  it("can be paused, edited and deleted (audited); a paused webhook gets nothing", async () => {
    const admin = callerFor(t.users.admin);
    await admin.webhooks.update({ ...scope(), id: hookId, active: false });
    received = [];
    await callerFor(t.users.editor).deployments.request({ ...scope(), prompt: "faq", version: 1, environment: "production", justification: "paused" });
    await settle();
    expect(received).toHaveLength(0);
    const before = await lastSeq(t.org.id);
    await admin.webhooks.delete({ ...scope(), id: hookId });
    expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toEqual(["webhook.deleted"]);
    expect(await admin.webhooks.list(scope())).toHaveLength(0);
  });
});
