// The public API over real HTTP: API-key authentication (Bearer and Basic), scopes, revocation,
// last-used bookkeeping, and clean JSON errors. (Immediate revocation through NOTIFY and the
// prompt cache across instances: cache.int.test.ts.)
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestHandler } from "../runtime/request-handler";
import { getDb } from "../db/client";
import { KEY_CACHE_TTL_MS } from "./key-cache";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";

let server: Server;
let base: string;
let t: TestOrg;
let key: { id: string; publicKey: string; secret: string };

beforeAll(async () => {
  server = createServer(createRequestHandler({ dev: false, trustProxy: false, tls: false, next: (_req, res) => res.writeHead(418).end() }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestOrg();
  key = await callerFor(t.users.admin).apiKeys.create({ orgSlug: t.org.slug, projectSlug: t.project.slug, name: "sdk", scopes: ["prompts:read"] });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (path: string, headers: Record<string, string> = {}, method = "GET") => fetch(base + path, { method, headers });

describe("public API authentication", () => {
  it("accepts the secret as a Bearer token and records last use", async () => {
    expect((await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeNull();
    const res = await get("/api/public/v1/whoami", { authorization: `Bearer ${key.secret}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      publicKey: key.publicKey,
      scopes: ["prompts:read"],
      project: { slug: t.project.slug, name: "Project" },
      organization: { slug: t.org.slug, name: expect.any(String) },
    });
    // Recorded off the request's critical path (fire-and-forget), so it lands just after.
    await expect.poll(async () => (await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeInstanceOf(Date);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("accepts Basic public:secret and refuses a public key that is not the secret's", async () => {
    const basic = (pk: string) => ({ authorization: `Basic ${Buffer.from(`${pk}:${key.secret}`).toString("base64")}` });
    expect((await get("/api/public/v1/whoami", basic(key.publicKey))).status).toBe(200);
    expect((await get("/api/public/v1/whoami", basic("pk-keel-someoneelse"))).status).toBe(401);
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await get("/api/public/v1/whoami", { authorization: `Bearer ${key.secret}` }, "HEAD");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("refuses missing, malformed and unknown keys with 401 and a clear message", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer" },
      { authorization: "Bearer sk-keel-nope" },
      { authorization: "Token abc" },
    ]) {
      const res = await get("/api/public/v1/whoami", headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
    }
  });

  it("stops accepting a key at once when it is revoked, although verified keys are cached", async () => {
    const doomed = await callerFor(t.users.admin).apiKeys.create({
      orgSlug: t.org.slug,
      projectSlug: t.project.slug,
      name: "doomed",
      scopes: ["traces:ingest"],
    });
    expect((await get("/api/public/v1/whoami", { authorization: `Bearer ${doomed.secret}` })).status).toBe(200);
    expect((await get("/api/public/v1/whoami", { authorization: `Bearer ${doomed.secret}` })).status).toBe(200);
    await callerFor(t.users.admin).apiKeys.revoke({ orgSlug: t.org.slug, projectSlug: t.project.slug, id: doomed.id });
    expect((await get("/api/public/v1/whoami", { authorization: `Bearer ${doomed.secret}` })).status).toBe(401);
  });

  it("refuses a revoked key within the key cache's TTL (5 s) even when the revocation notice was missed", async () => {
    expect(KEY_CACHE_TTL_MS).toBeLessThanOrEqual(5_000);
    const doomed = await callerFor(t.users.admin).apiKeys.create({
      orgSlug: t.org.slug,
      projectSlug: t.project.slug,
      name: "silent",
      scopes: ["traces:ingest"],
    });
    expect((await get("/api/public/v1/whoami", { authorization: `Bearer ${doomed.secret}` })).status).toBe(200);
    // Revoked behind the cache's back: no notification at all.
    await getDb().$executeRaw`UPDATE api_keys SET revoked_at = now() WHERE id = ${doomed.id}::uuid`;
    const revokedAt = Date.now();
    await expect
      .poll(async () => (await get("/api/public/v1/whoami", { authorization: `Bearer ${doomed.secret}` })).status, {
        timeout: KEY_CACHE_TTL_MS + 2_000,
        interval: 100,
      })
      .toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(KEY_CACHE_TTL_MS + 1_000);
  }, 15_000);

  it("answers unknown routes and methods with JSON 404/400, and hands other paths to Next", async () => {
    const missing = await get("/api/public/v1/nothing-here", { authorization: `Bearer ${key.secret}` });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    const wrongMethod = await fetch(base + "/api/public/v1/whoami", { method: "POST", headers: { authorization: `Bearer ${key.secret}` } });
    expect(wrongMethod.status).toBe(400);
    expect((await get("/anything-else")).status).toBe(418);
  });

  it("never stores the secret, only its hash and a short hint", async () => {
    const row = await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(JSON.stringify(row)).not.toContain(key.secret);
    expect(key.secret.startsWith(row.secretHint)).toBe(true);
    expect(row.secretHint.length).toBeLessThan(16);
  });
});
