// Keel's egress policy through the product: provider base URLs and webhook URLs pointing at
// forbidden targets are refused when saved (a 400 naming the field, nothing written); saved
// under a wider policy, they are refused again when called (provider runs, webhook deliveries,
// the checkpoint sink), nothing reaches the listening servers behind the loopback targets, a
// redirect to loopback is not followed, and logs keep status codes, not answers. Allow-listed
// targets work. Runs without KEEL_EGRESS_ALLOW unless a test sets it.
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../db/client";
import { uuidv7 } from "../db/uuid";
import { encryptSecret } from "../crypto/secrets";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { FORBIDDEN_TARGETS } from "@/test/support/egress-targets";
import { dispatchDue, dispatcherIdle, type DeliveryAttempt } from "../domain/deployments/webhooks";
import { createCheckpoint } from "../domain/audit/checkpoints";
import type { PlaygroundEvent } from "../domain/playground/run";

const INTERNAL_ANSWER = "internal-service-answer-7f3a";

type Listener = { server: Server; port: number; hits: number };

async function listen(host: string, handler?: RequestListener): Promise<Listener> {
  const l: Listener = { server: undefined as unknown as Server, port: 0, hits: 0 };
  l.server = createServer((req, res) => {
    l.hits++;
    if (handler) return handler(req, res);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ message: INTERNAL_ANSWER }));
  });
  await new Promise<void>((resolve) => l.server.listen(0, host, resolve));
  l.port = (l.server.address() as AddressInfo).port;
  return l;
}

let t: TestOrg;
let v4: Listener;
let v6: Listener;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const targets = () => FORBIDDEN_TARGETS.map(([name, url, reason]) => ({ name, url: url({ v4: v4.port, v6: v6.port }), reason }));

beforeAll(async () => {
  t = await createTestOrg();
  [v4, v6] = await Promise.all([listen("127.0.0.1"), listen("::1")]);
});
afterAll(async () => {
  await Promise.all([v4, v6].map((l) => new Promise((resolve) => l.server.close(resolve))));
});
afterEach(() => {
  vi.unstubAllEnvs();
  expect(v4.hits + v6.hits, "a forbidden target was reached").toBe(0);
});

async function refusal(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as { code: string; message: string; cause?: { field?: string } } | null;
  expect(error, "expected the save to be refused").not.toBeNull();
  // A TRPCError from the caller; the AppError it wraps names the field (sent as data.field).
  return { code: error!.code, message: error!.message, field: error!.cause?.field };
}

describe("saving a forbidden URL", () => {
  it.each(FORBIDDEN_TARGETS.map(([name]) => name))("refuses %s as a provider's baseUrl and a webhook's url, writing nothing", async (name) => {
    const { url, reason } = targets().find((x) => x.name === name)!;
    const admin = callerFor(t.users.admin);
    const before = await lastSeq(t.org.id);

    const provider = await refusal(
      admin.providers.create({ ...scope(), name: `P ${name}`, kind: "openai_compatible", baseUrl: url, apiKey: "sk-test-1234567890" }),
    );
    expect(provider).toMatchObject({ code: "BAD_REQUEST", field: "baseUrl" });
    expect(provider.message).toMatch(/^baseUrl: is refused by Keel's egress policy \(/);
    expect(provider.message).toMatch(reason);

    const hook = await refusal(admin.webhooks.create({ ...scope(), url, events: ["deployment.requested"] }));
    expect(hook).toMatchObject({ code: "BAD_REQUEST", field: "url" });
    expect(hook.message).toMatch(/^url: is refused by Keel's egress policy \(/);
    expect(hook.message).toMatch(reason);

    expect(await getDb().providerConnection.count({ where: { projectId: t.project.id, name: `P ${name}` } })).toBe(0);
    expect(await getDb().webhook.count({ where: { projectId: t.project.id, url } })).toBe(0);
    expect(await auditEventsOf(t.org.id, before)).toEqual([]);
  });

  it("refuses changing a saved URL to a forbidden one, but not other edits of one saved under a wider policy", async () => {
    const admin = callerFor(t.users.admin);
    const provider = await admin.providers.create({ ...scope(), name: "Public", kind: "openai_compatible", baseUrl: "https://api.example.com/v1" });
    const hook = await admin.webhooks.create({ ...scope(), url: "https://hooks.example.com/keel", events: ["deployment.requested"] });
    const metadata = "http://169.254.169.254/latest/meta-data/";
    expect(await refusal(admin.providers.update({ ...scope(), id: provider.id, baseUrl: metadata }))).toMatchObject({ code: "BAD_REQUEST", field: "baseUrl" });
    expect(await refusal(admin.webhooks.update({ ...scope(), id: hook.id, url: metadata }))).toMatchObject({ code: "BAD_REQUEST", field: "url" });

    // Saved while loopback was allowed; the operator has since narrowed the policy.
    await getDb().providerConnection.update({ where: { id: provider.id }, data: { baseUrl: `http://127.0.0.1:${v4.port}/v1` } });
    await getDb().webhook.update({ where: { id: hook.id }, data: { url: `http://127.0.0.1:${v4.port}/hook` } });
    await expect(admin.providers.update({ ...scope(), id: provider.id, name: "Renamed" })).resolves.toMatchObject({ name: "Renamed" });
    await expect(admin.webhooks.update({ ...scope(), id: hook.id, active: false })).resolves.toMatchObject({ id: hook.id });
    await admin.providers.delete({ ...scope(), id: provider.id });
    await admin.webhooks.delete({ ...scope(), id: hook.id });
  });
});

describe("calling a forbidden URL saved under a wider policy", () => {
  it("refuses provider calls, naming the policy and nothing behind the target", async () => {
    const admin = callerFor(t.users.admin);
    const provider = await admin.providers.create({
      ...scope(),
      name: "Internal",
      kind: "openai_compatible",
      baseUrl: "https://api.example.com/v1",
      defaultModel: "gpt-4o-mini",
    });
    for (const { name, url, reason } of targets()) {
      await getDb().providerConnection.update({ where: { id: provider.id }, data: { baseUrl: url } });
      const stream = await callerFor(t.users.editor).playground.run({
        ...scope(),
        providerId: provider.id,
        source: { kind: "draft", content: { type: "text", template: "hi", config: {} } },
        variables: {},
      });
      const events: PlaygroundEvent[] = [];
      for await (const e of stream as AsyncIterable<PlaygroundEvent>) events.push(e);
      const last = events.at(-1)!;
      expect(last.type, name).toBe("error");
      expect((last as { message: string }).message, name).toMatch(/refused by Keel's egress policy \(/);
      expect((last as { message: string }).message, name).toMatch(reason);
      expect(JSON.stringify(events), name).not.toContain(INTERNAL_ANSWER);
    }
    await admin.providers.delete({ ...scope(), id: provider.id });
  });

  it("does not deliver webhooks; the log says refused by policy", async () => {
    const hooks = [];
    for (const { name, url, reason } of targets()) {
      const hook = await getDb().webhook.create({
        data: {
          projectId: t.project.id,
          url,
          events: ["deployment.requested"],
          secretEncrypted: encryptSecret("whsec_test", "webhook-secret"),
          secretHint: "test",
          createdByLabel: "test",
        },
      });
      const delivery = await getDb().webhookDelivery.create({
        data: { webhookId: hook.id, eventId: uuidv7(), event: "deployment.requested", payload: { name } },
      });
      hooks.push({ name, reason, hook, delivery });
    }
    await dispatcherIdle();
    await dispatchDue(100);
    for (const { name, reason, hook, delivery } of hooks) {
      const row = await getDb().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      const [attempt] = row.log as DeliveryAttempt[];
      expect(attempt, name).toMatchObject({ statusCode: null, response: null });
      expect(attempt!.error, name).toMatch(/^Not sent: refused by Keel's egress policy \(/);
      expect(attempt!.error, name).toMatch(reason);
      await getDb().webhook.update({ where: { id: hook.id }, data: { active: false, deletedAt: new Date() } });
      await getDb().webhookDelivery.update({ where: { id: delivery.id }, data: { status: "failed" } });
    }
  });

  it("does not push checkpoints to a forbidden sink", async () => {
    for (const [i, { name, url, reason }] of targets().entries()) {
      // Something to checkpoint.
      await callerFor(t.users.editor).prompts.create({ ...scope(), name: `sink-${i}`, content: { type: "text", template: "x" }, commitMessage: "x" });
      const made = await createCheckpoint(t.org.id, { sink: url });
      expect(made, name).not.toBeNull();
      expect(made!.sinkError, name).toMatch(/^not sent: refused by Keel's egress policy \(/);
      expect(made!.sinkError, name).toMatch(reason);
    }
  });
});

describe("a redirect to loopback", () => {
  it("is not followed by a webhook delivery or the checkpoint sink", async () => {
    // The redirecting receiver is allowed by name; the loopback address it points to is not.
    vi.stubEnv("KEEL_EGRESS_ALLOW", "localhost");
    const redirector = await listen("127.0.0.1", (req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${v4.port}/steal` }).end();
    });
    try {
      const hookUrl = `http://localhost:${redirector.port}/hook`;
      const created = await callerFor(t.users.admin).webhooks.create({ ...scope(), url: hookUrl, events: ["deployment.requested"] });
      const delivery = await getDb().webhookDelivery.create({ data: { webhookId: created.id, eventId: uuidv7(), event: "deployment.requested", payload: {} } });
      await dispatcherIdle();
      await dispatchDue(100);
      const row = await getDb().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      expect((row.log as DeliveryAttempt[])[0]).toMatchObject({ statusCode: 307, error: "The receiver answered 307", response: null });
      await callerFor(t.users.admin).webhooks.delete({ ...scope(), id: created.id });

      await callerFor(t.users.editor).prompts.create({ ...scope(), name: "redirected-sink", content: { type: "text", template: "x" }, commitMessage: "x" });
      const made = await createCheckpoint(t.org.id, { sink: `http://localhost:${redirector.port}/sink` });
      expect(made!.sinkError).toBe("the sink answered 307");
      expect(redirector.hits).toBe(2);
    } finally {
      await new Promise((resolve) => redirector.server.close(resolve));
    }
  });
});

describe("an allow-listed target", () => {
  it("is saved and called for providers, webhooks and the checkpoint sink; its answers are not logged", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
    const received: string[] = [];
    const allowed = await listen("127.0.0.1", (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push(`${req.method} ${req.url}`);
        res.writeHead(200, { "content-type": "text/plain" }).end(INTERNAL_ANSWER);
      });
    });
    try {
      const admin = callerFor(t.users.admin);
      const base = `http://127.0.0.1:${allowed.port}`;
      await expect(admin.providers.create({ ...scope(), name: "Allowed", kind: "openai_compatible", baseUrl: `${base}/v1` })).resolves.toMatchObject({
        name: "Allowed",
      });
      const hook = await admin.webhooks.create({ ...scope(), url: `${base}/hook`, events: ["deployment.requested"] });
      const delivery = await getDb().webhookDelivery.create({ data: { webhookId: hook.id, eventId: uuidv7(), event: "deployment.requested", payload: {} } });
      await dispatcherIdle();
      await dispatchDue(100);
      const row = await getDb().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      expect(row).toMatchObject({ status: "succeeded", lastStatusCode: 200 });
      expect(JSON.stringify(row.log)).not.toContain(INTERNAL_ANSWER);
      const listed = await admin.webhooks.deliveries({ ...scope(), webhookId: hook.id, page: 1, pageSize: 25 });
      expect(JSON.stringify(listed)).not.toContain(INTERNAL_ANSWER);

      await callerFor(t.users.editor).prompts.create({ ...scope(), name: "allowed-sink", content: { type: "text", template: "x" }, commitMessage: "x" });
      const made = await createCheckpoint(t.org.id, { sink: `${base}/sink` });
      expect(made!.sinkError).toBeNull();
      expect(received).toEqual(["POST /hook", "POST /sink"]);
    } finally {
      await new Promise((resolve) => allowed.server.close(resolve));
    }
  });
});

describe("delivery logs written before the policy", () => {
  it("no longer show what the receiver answered", async () => {
    const admin = callerFor(t.users.admin);
    const hook = await admin.webhooks.create({ ...scope(), url: "https://hooks.example.com/old", events: ["deployment.requested"] });
    const old: DeliveryAttempt & { response: unknown } = {
      at: new Date().toISOString(),
      attempt: 1,
      statusCode: 200,
      durationMs: 3,
      error: null,
      response: INTERNAL_ANSWER as unknown as null,
    };
    await getDb().webhookDelivery.create({
      data: {
        webhookId: hook.id,
        eventId: uuidv7(),
        event: "deployment.requested",
        payload: {},
        status: "succeeded",
        attempts: 1,
        log: [old],
        lastStatusCode: 200,
      },
    });
    const listed = await admin.webhooks.deliveries({ ...scope(), webhookId: hook.id, page: 1, pageSize: 25 });
    expect(listed.rows[0]!.log[0]).toMatchObject({ statusCode: 200, durationMs: 3, response: null });
    expect(JSON.stringify(listed)).not.toContain(INTERNAL_ANSWER);
  });
});
