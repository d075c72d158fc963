// Cache invalidation across instances: two public API instances (two request handlers, each with
// its own caches and its own LISTEN client) in one process, with in-process invalidation turned
// off so that only PostgreSQL NOTIFY can tell one about the other's changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withClient } from "@/test/support/db";
import { createTestOrg, type TestOrg } from "@/test/support/factories";
import { bearer, createKey, revokeKey, seedPrompt, addVersion, setLabel, startPublicApi, text, type RunningApi, type TestKey } from "@/test/support/public-api";
import { promptResponse } from "./schemas";

let a: RunningApi;
let b: RunningApi;
let t: TestOrg;
let read: TestKey;
let write: TestKey;

const url = () => process.env.DATABASE_URL!;

beforeAll(async () => {
  t = await createTestOrg();
  [read, write] = await Promise.all([createKey(t, ["prompts:read"]), createKey(t, ["prompts:write"])]);
  await seedPrompt(t, "shared", text("one"));
  await addVersion(t, "shared", text("two"));
  await addVersion(t, "shared", text("three"));
  await setLabel(t, "shared", "production", 1);
  [a, b] = await Promise.all([
    startPublicApi({ listen: { connectionString: url() }, inProcessInvalidation: false }),
    startPublicApi({ listen: { connectionString: url() }, inProcessInvalidation: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

async function versionVia(api: RunningApi, path = "/api/public/v1/prompts/shared", key = read): Promise<number> {
  const res = await fetch(api.base + path, { headers: bearer(key) });
  expect(res.status).toBe(200);
  return promptResponse.parse(await res.json()).version;
}

/** Polls until `check` holds; returns how long it took (fails after `within` ms). */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not within ${ms} ms`);
}

describe("prompt cache across instances", () => {
  it("a label move through one instance is served by the other within 1 s", async () => {
    expect(await versionVia(b)).toBe(1);
    const hits = b.api.stats().promptCache.hits;
    expect(await versionVia(b)).toBe(1);
    expect(b.api.stats().promptCache.hits).toBe(hits + 1); // served from B's cache

    const moved = await fetch(a.base + "/api/public/v1/prompts/shared/labels/production", {
      method: "PUT",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: JSON.stringify({ version: 2 }),
    });
    expect(moved.status).toBe(200);
    const took = await within(1_000, async () => (await versionVia(b)) === 2);
    expect(took).toBeLessThan(1_000);
    expect(b.api.stats().promptCache.invalidations).toBeGreaterThan(0);
  });

  it("a new version saved through one instance changes `latest` on the other within 1 s", async () => {
    expect(await versionVia(b, "/api/public/v1/prompts/shared?label=latest")).toBe(3);
    const saved = await fetch(a.base + "/api/public/v1/prompts/shared/versions", {
      method: "POST",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: JSON.stringify({ type: "text", prompt: "four", commitMessage: "via A" }),
    });
    expect(saved.status).toBe(201);
    await within(1_000, async () => (await versionVia(b, "/api/public/v1/prompts/shared?label=latest")) === 4);
  });

  it("after losing its LISTEN connection, an instance reconnects and empties its cache (notifications may have been missed)", async () => {
    expect(await versionVia(b)).toBe(2);
    expect(await versionVia(b)).toBe(2);
    // A change nobody is told about (as if its notification was lost): B keeps serving its cache.
    await withClient(url(), (c) =>
      c.query(
        "UPDATE prompt_labels SET version = 3 WHERE name = 'production' AND prompt_id = (SELECT id FROM prompts WHERE project_id = $1 AND name = 'shared')",
        [t.project.id],
      ),
    );
    expect(await versionVia(b)).toBe(2);

    const before = b.api.stats().listener!;
    expect(before.connected).toBe(true);
    await withClient(url(), (c) => c.query("SELECT pg_terminate_backend($1)", [before.pid]));
    await within(10_000, async () => b.api.stats().listener!.connections > before.connections);
    expect(b.api.stats().listener!.connected).toBe(true);
    expect(await versionVia(b)).toBe(3);
    // And it hears notifications again.
    await setLabel(t, "shared", "production", 1);
    await within(1_000, async () => (await versionVia(b)) === 1);
  });
});

describe("API keys across instances", () => {
  it("a revocation drops the cached key on every instance within 1 s (NOTIFY keel_apikey_changes, well inside the 5 s TTL)", async () => {
    const doomed = await createKey(t, ["prompts:read"], "doomed");
    expect(await versionVia(a, undefined, doomed)).toBeGreaterThan(0);
    expect(await versionVia(b, undefined, doomed)).toBeGreaterThan(0);
    expect(await versionVia(b, undefined, doomed)).toBeGreaterThan(0); // cached now
    await revokeKey(t, doomed.id);
    for (const api of [a, b]) {
      await within(1_000, async () => (await fetch(api.base + "/api/public/v1/prompts/shared", { headers: bearer(doomed) })).status === 401);
    }
  });
});
