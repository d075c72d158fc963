import "server-only";
// Outgoing webhooks. A change that emits an event writes one delivery row per subscribed webhook
// inside its own transaction (an outbox: no event is sent for a change that rolled back, none is
// lost when the process dies after commit). The dispatcher claims due deliveries with SKIP
// LOCKED, POSTs them signed (`Keel-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`),
// and retries failures with exponential back-off; every attempt lands in the delivery's log.
// URLs pass Keel's egress policy (server/net/egress.ts) when saved and at every delivery; the log
// keeps an attempt's status code and duration, never what the receiver answered.
// Delivery bookkeeping is an operational log, not a change of Keel's state, so attempts are not
// audited; adding, changing and deleting webhooks and asking for a redelivery are.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ReadDb } from "../../db/client";
import { getDb } from "../../db/client";
import type { AuditedTx } from "../../audit/mutation";
import { AppError, notFound } from "../../errors";
import { uuidv7 } from "../../db/uuid";
import { decryptSecret, encryptSecret, secretHint } from "../../crypto/secrets";
import { WEBHOOK_SIGNATURE_HEADER, webhookInput, type WebhookEvent } from "../../contracts/deployments";
import { checkUrlForSave, egressPost, egressRefusalIn } from "../../net/egress";
import type { z } from "zod";
import { setting } from "../../env";
import { logger, repeatLimited } from "../../runtime/log";

const log = repeatLimited(logger("webhooks"));

export type ProjectCtx = { orgId: string; projectId: string };
const PURPOSE = "webhook-secret";
export const MAX_ATTEMPTS = 6;

// ---- Signing --------------------------------------------------------------------------------------

export function signPayload(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does (docs/webhooks.md): recompute the HMAC and refuse stale timestamps. */
export function verifySignature(secret: string, body: string, header: string, options: { toleranceSeconds?: number; now?: number } = {}): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split("v1=")[1]!, "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ---- Webhooks ---------------------------------------------------------------------------------------

type WebhookInput = z.input<typeof webhookInput>;

export async function createWebhook(w: AuditedTx, ctx: ProjectCtx, input: WebhookInput) {
  const parsed = webhookInput.parse(input);
  await checkUrlForSave(parsed.url, "url");
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const hook = await w.tx.webhook.create({
    data: {
      projectId: ctx.projectId,
      url: parsed.url,
      description: parsed.description,
      events: [...new Set(parsed.events)],
      secretEncrypted: encryptSecret(secret, PURPOSE),
      secretHint: secretHint(secret),
      createdByLabel: w.actor.label,
    },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "webhook.created",
    targetType: "webhook",
    targetId: hook.id,
    after: { url: hook.url, events: hook.events },
  });
  // The signing secret is shown once, now; afterwards only its hint.
  return { id: hook.id, url: hook.url, events: hook.events, secret };
}

async function liveWebhook(db: ReadDb | AuditedTx["tx"], projectId: string, id: string) {
  const hook = await db.webhook.findFirst({ where: { id, projectId, deletedAt: null } });
  if (!hook) throw notFound("Webhook");
  return hook;
}

export async function updateWebhook(w: AuditedTx, ctx: ProjectCtx, input: { id: string; active?: boolean } & Partial<WebhookInput>) {
  const hook = await liveWebhook(w.tx, ctx.projectId, input.id);
  const parsed = webhookInput.parse({ url: input.url ?? hook.url, description: input.description ?? hook.description, events: input.events ?? hook.events });
  // Only a changed URL is checked: a narrower policy must not stop pausing or editing a webhook.
  if (parsed.url !== hook.url) await checkUrlForSave(parsed.url, "url");
  const updated = await w.tx.webhook.update({
    where: { id: hook.id },
    data: { url: parsed.url, description: parsed.description, events: [...new Set(parsed.events)], active: input.active ?? hook.active },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "webhook.updated",
    targetType: "webhook",
    targetId: hook.id,
    before: { url: hook.url, description: hook.description, events: hook.events, active: hook.active },
    after: { url: updated.url, description: updated.description, events: updated.events, active: updated.active },
  });
  return { id: updated.id };
}

export async function deleteWebhook(w: AuditedTx, ctx: ProjectCtx, input: { id: string }) {
  const hook = await liveWebhook(w.tx, ctx.projectId, input.id);
  // Kept (deleted_at) so the audit events that name it still resolve; pending deliveries stop.
  await w.tx.webhook.update({ where: { id: hook.id }, data: { deletedAt: new Date(), active: false } });
  await w.tx.webhookDelivery.updateMany({ where: { webhookId: hook.id, status: "pending" }, data: { status: "failed" } });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "webhook.deleted",
    targetType: "webhook",
    targetId: hook.id,
    before: { url: hook.url, events: hook.events },
  });
  return { id: hook.id };
}

/** Sends a delivery's event again as a new delivery (same event id, so receivers can tell). */
export async function redeliver(w: AuditedTx, ctx: ProjectCtx, input: { deliveryId: string }) {
  const delivery = await w.tx.webhookDelivery.findFirst({ where: { id: input.deliveryId, webhook: { projectId: ctx.projectId } }, include: { webhook: true } });
  if (!delivery) throw notFound("Delivery");
  if (delivery.webhook.deletedAt) throw new AppError("CONFLICT", "The webhook was deleted; its events are not sent any more");
  const copy = await w.tx.webhookDelivery.create({
    data: { webhookId: delivery.webhookId, eventId: delivery.eventId, event: delivery.event, payload: delivery.payload ?? {} },
  });
  w.record({
    orgId: ctx.orgId,
    projectId: ctx.projectId,
    action: "webhook.redelivered",
    targetType: "webhook",
    targetId: delivery.webhookId,
    after: { event: delivery.event, eventId: delivery.eventId, deliveryId: copy.id },
  });
  w.afterCommit(kickDispatcher);
  return { id: copy.id };
}

export async function listWebhooks(db: ReadDb, projectId: string) {
  const hooks = await db.webhook.findMany({ where: { projectId, deletedAt: null }, orderBy: { createdAt: "asc" } });
  const latest = await Promise.all(
    hooks.map((h) =>
      db.webhookDelivery.findFirst({
        where: { webhookId: h.id },
        orderBy: { createdAt: "desc" },
        select: { status: true, lastStatusCode: true, createdAt: true },
      }),
    ),
  );
  return hooks.map((h, i) => ({
    id: h.id,
    url: h.url,
    description: h.description,
    events: h.events,
    active: h.active,
    secretHint: h.secretHint,
    createdByLabel: h.createdByLabel,
    createdAt: h.createdAt,
    lastDelivery: latest[i] ?? null,
  }));
}

export async function listDeliveries(db: ReadDb, projectId: string, input: { webhookId: string; page: number; pageSize: number }) {
  const hook = await liveWebhook(db, projectId, input.webhookId);
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({
      where: { webhookId: hook.id },
      orderBy: { createdAt: "desc" },
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
    db.webhookDelivery.count({ where: { webhookId: hook.id } }),
  ]);
  return {
    // Attempts logged before the egress policy kept the start of the answer: never shown again.
    rows: rows.map((d) => ({ ...d, log: (d.log as DeliveryAttempt[]).map((a) => ({ ...a, response: null })) })),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}

// ---- The outbox -------------------------------------------------------------------------------------

export type WebhookEnvelope = { id: string; event: WebhookEvent; createdAt: string; project: { id: string }; data: unknown };

/** Writes the event's deliveries inside the change's transaction; they are sent after commit. */
export async function enqueueWebhookEvent(w: AuditedTx, projectId: string, event: WebhookEvent, data: unknown) {
  const hooks = await w.tx.webhook.findMany({ where: { projectId, active: true, deletedAt: null, events: { has: event } }, select: { id: true } });
  if (!hooks.length) return;
  const envelope: WebhookEnvelope = { id: uuidv7(), event, createdAt: new Date().toISOString(), project: { id: projectId }, data };
  const payload = JSON.parse(JSON.stringify(envelope)) as object;
  await w.tx.webhookDelivery.createMany({ data: hooks.map((h) => ({ webhookId: h.id, eventId: envelope.id, event, payload })) });
  w.afterCommit(kickDispatcher);
}

// ---- The dispatcher ---------------------------------------------------------------------------------

/** `response` is always null now (what a receiver answers is not kept); the field stays for old rows' shape. */
export type DeliveryAttempt = { at: string; attempt: number; statusCode: number | null; durationMs: number; error: string | null; response: null };

/** Seconds before retry n (1-based): base × 6^(n-1), capped at 6 h. KEEL_WEBHOOK_RETRY_BASE_SECONDS (default 10). */
export function retryDelaySeconds(attempt: number): number {
  const base = setting("KEEL_WEBHOOK_RETRY_BASE_SECONDS");
  return Math.min(base * 6 ** (attempt - 1), 6 * 3600);
}

const TIMEOUT_MS = 10_000;
let running: Promise<number> | null = null;
let again = false;

/** Starts a dispatch pass now (after a commit that enqueued deliveries); passes never overlap in a process. */
export function kickDispatcher(): void {
  if (running) {
    again = true;
    return;
  }
  running = dispatchDue()
    .catch((error) => {
      log.error("dispatching failed", { error });
      return 0;
    })
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        kickDispatcher();
      }
    });
}

/** Waits for the pass in progress (tests). */
export async function dispatcherIdle(): Promise<void> {
  while (running) await running;
}

type Claimed = { id: string; event: string; payload: unknown; attempts: number; url: string; secret_encrypted: string; log: DeliveryAttempt[] };

/** Sends every due delivery (claimed with SKIP LOCKED: several processes share the work). Returns how many were tried. */
export async function dispatchDue(limit = 50): Promise<number> {
  const db = getDb();
  // Claiming pushes next_attempt_at a minute ahead: a process that dies mid-send leaves the
  // delivery to be retried then, not lost.
  const claimed = await db.$queryRaw<Claimed[]>`
    UPDATE webhook_deliveries d SET next_attempt_at = now() + interval '60 seconds'
    FROM webhooks h
    WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      AND h.id = d.webhook_id
    RETURNING d.id, d.event, d.payload, d.attempts, d.log, h.url, h.secret_encrypted`;
  await Promise.all(claimed.map((d) => deliverOne(d)));
  return claimed.length;
}

async function deliverOne(d: Claimed): Promise<void> {
  const body = JSON.stringify(d.payload);
  const started = Date.now();
  const attempt = d.attempts + 1;
  let statusCode: number | null = null;
  let error: string | null = null;
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  let secret: string | null = null;
  try {
    secret = decryptSecret(d.secret_encrypted, PURPOSE);
  } catch (e) {
    log.error("a signing secret could not be decrypted", { deliveryId: d.id, error: e });
    error = "Not sent: the signing secret could not be decrypted (check KEEL_ENCRYPTION_KEY)";
  }
  if (secret !== null) {
    try {
      const timestamp = Math.floor(Date.now() / 1000);
      // Redirects are not followed: a 3xx is the receiver's answer (and a failed attempt).
      const res = await egressPost(d.url, {
        headers: {
          "content-type": "application/json",
          "user-agent": "Keel-Webhooks/1",
          [WEBHOOK_SIGNATURE_HEADER]: signPayload(secret, body, timestamp),
          "Keel-Event": d.event,
          "Keel-Delivery": d.id,
        },
        body,
        signal,
      });
      statusCode = res.status;
      if (res.status < 200 || res.status >= 300) error = `The receiver answered ${res.status}`;
    } catch (e) {
      // Nothing from the socket (refused, reset, closed, DNS): those would map someone's network.
      const refused = egressRefusalIn(e);
      error = refused ? `Not sent: ${refused.message}` : signal.aborted ? `No answer within ${TIMEOUT_MS / 1000} s` : "Could not reach the receiver";
    }
  }
  const ok = error === null;
  const entry: DeliveryAttempt = { at: new Date(started).toISOString(), attempt, statusCode, durationMs: Date.now() - started, error, response: null };
  const status = ok ? "succeeded" : attempt >= MAX_ATTEMPTS ? "failed" : "pending";
  const next = new Date(Date.now() + (ok ? 0 : retryDelaySeconds(attempt)) * 1000);
  await getDb().webhookDelivery.update({
    where: { id: d.id },
    data: { status, attempts: attempt, lastStatusCode: statusCode, log: [...d.log, entry], nextAttemptAt: next, deliveredAt: ok ? new Date() : null },
  });
}

/** The dispatcher loop of a worker process: a pass every KEEL_WEBHOOK_POLL_SECONDS (default 2). */
export function startWebhookDispatcher(): { stop(): Promise<void> } {
  const seconds = setting("KEEL_WEBHOOK_POLL_SECONDS");
  const timer = setInterval(kickDispatcher, seconds * 1000);
  timer.unref();
  return {
    // Lets the pass in progress finish (its claimed deliveries get their results recorded).
    async stop() {
      clearInterval(timer);
      await dispatcherIdle();
    },
  };
}
