// Stale-if-error: while PostgreSQL is unavailable (here a proxy in front of it is taken down), the
// public prompt API answers with the last prompt it knew to be current, saying so, and accepts API
// keys it verified recently; what it never knew, or knows to be superseded, is still a 503.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestOrg, type TestOrg } from "@/test/support/factories";
import { bearer, createKey, seedPrompt, addVersion, setLabel, startPublicApi, text, type RunningApi, type TestKey } from "@/test/support/public-api";
import { startTcpProxy, type TcpProxy } from "@/test/support/tcp-proxy";
import { STALE_HEADER } from "./prompt-handlers";
import { promptResponse } from "./schemas";

// Everything in this file, the helpers' writes included, reaches the database through the proxy.
const proxy: TcpProxy = await startTcpProxy(process.env.DATABASE_URL!);
process.env.DATABASE_URL = proxy.url;

let api: RunningApi;
let strict: RunningApi;
let t: TestOrg;
let read: TestKey;
let write: TestKey;
let unseen: TestKey;

beforeAll(async () => {
  t = await createTestOrg();
  [read, write, unseen] = await Promise.all([createKey(t, ["prompts:read"]), createKey(t, ["prompts:write"]), createKey(t, ["prompts:read"])]);
  for (const name of ["greeting", "moved", "never-fetched"]) {
    await seedPrompt(t, name, text(`${name} one`));
    await addVersion(t, name, text(`${name} two`));
    await setLabel(t, name, "production", 1);
  }
  // A key is verified again after 1 ms (not the usual 5 s), so the outage reaches the key lookup.
  api = await startPublicApi({ listen: { connectionString: proxy.url }, keyCache: { ttlMs: 1 } });
  // The same, but keys verified more than 1 ms ago are not accepted during an outage.
  strict = await startPublicApi({ listen: { connectionString: proxy.url }, keyCache: { ttlMs: 1, staleIfErrorMs: 1 } });
});
afterAll(async () => {
  await proxy.up().catch(() => {});
  await Promise.all([api?.close(), strict?.close()]);
  await proxy.close();
});

const get = (via: RunningApi, path: string, key = read, headers: Record<string, string> = {}) =>
  fetch(`${via.base}/api/public/v1/prompts/${path}`, { headers: { ...bearer(key), ...headers } });

async function until(check: () => boolean) {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe("stale-if-error while the database is unavailable", () => {
  it("serves the last known prompt with Age and keel-stale, accepts recently verified keys, and is fresh again once the database is back", async () => {
    const fresh = await get(api, "greeting");
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get(STALE_HEADER)).toBeNull();
    const etag = fresh.headers.get("etag");
    expect(promptResponse.parse(await fresh.json()).version).toBe(1);
    expect((await get(strict, "greeting")).status).toBe(200);
    // Moved while up: this instance hears it at once and must never serve version 1 of "moved" again.
    expect((await get(api, "moved")).status).toBe(200);
    await fetch(`${api.base}/api/public/v1/prompts/moved/labels/production`, {
      method: "PUT",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: JSON.stringify({ version: 2 }),
    });

    await proxy.down();
    await until(() => !api.api.stats().listener?.connected);

    const stale = await get(api, "greeting");
    expect(stale.status).toBe(200);
    expect(stale.headers.get(STALE_HEADER)).toBe("database-unavailable");
    expect(Number(stale.headers.get("age"))).toBeGreaterThanOrEqual(0);
    expect(stale.headers.get("cache-control")).toBe("private, no-store");
    expect(stale.headers.get("etag")).toBe(etag);
    expect(promptResponse.parse(await stale.json()).version).toBe(1);
    expect(api.api.stats().promptCache.stale).toBeGreaterThan(0);

    // Never fetched, superseded, an unverified key, a key verified too long ago: 503 with Retry-After.
    for (const response of [await get(api, "never-fetched"), await get(api, "moved"), await get(api, "greeting", unseen), await get(strict, "greeting")]) {
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
    }

    await proxy.up();
    await until(() => api.api.stats().listener?.connected === true);
    const back = await get(api, "greeting");
    expect(back.status).toBe(200);
    expect(back.headers.get(STALE_HEADER)).toBeNull();
    expect((await get(api, "moved")).status).toBe(200);
    expect(promptResponse.parse(await (await get(api, "moved")).json()).version).toBe(2);
  });
});
