// The in-process caches' rules: bounded (entries and bytes, least recently used out first),
// invalidation by prompt, no stale store after an invalidation that raced a load, bypass while
// cross-instance invalidation is down.
import { describe, expect, it } from "vitest";
import { Lru } from "./lru";
import { PromptCache, type CachedBody } from "./prompt-cache";
import { permissionsOfScopes, sha256Hex } from "./key-cache";
import { hashSecret } from "../domain/api-keys/api-keys";

const body = (text: string): CachedBody => ({ payload: Buffer.from(text), etag: `"${text}"` });

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Lru", () => {
  it("evicts the least recently used entry by count and by weight", () => {
    const evicted: string[] = [];
    const lru = new Lru<string, number>({ maxEntries: 2, maxWeight: 10, onEvict: (k) => evicted.push(k) });
    lru.set("a", 1, 1);
    lru.set("b", 2, 1);
    lru.get("a");
    lru.set("c", 3, 1);
    expect([...lru.keys()]).toEqual(["a", "c"]);
    expect(evicted).toEqual(["b"]);
    lru.set("d", 4, 9); // over the weight budget: the oldest ("a") goes
    expect([...lru.keys()]).toEqual(["c", "d"]);
    expect(lru.weight).toBe(10);
    expect(lru.set("huge", 5, 11)).toBe(false);
  });
});

describe("PromptCache", () => {
  it("serves hits without loading, and drops every variant of a prompt on invalidation", async () => {
    const cache = new PromptCache();
    let loads = 0;
    const load = async () => (loads++, body("v1"));
    await cache.get("p", "greeting", "v1@production", load);
    await cache.get("p", "greeting", "v1#1", load);
    await cache.get("p", "other", "v1@production", load);
    expect(await cache.get("p", "greeting", "v1@production", load)).toEqual(body("v1"));
    expect(loads).toBe(3);
    cache.invalidate("p", "greeting");
    expect(cache.stats().size).toBe(1);
    await cache.get("p", "greeting", "v1#1", load);
    expect(loads).toBe(4);
  });

  it("does not store a load that an invalidation overtook, and later requests do not join it", async () => {
    const cache = new PromptCache();
    const slow = deferred<CachedBody | null>();
    const first = cache.get("p", "greeting", "v1@production", () => slow.promise);
    cache.invalidate("p", "greeting");
    let fresh = 0;
    const second = cache.get("p", "greeting", "v1@production", async () => (fresh++, body("new")));
    slow.resolve(body("old"));
    expect(await first).toEqual(body("old"));
    expect(await second).toEqual(body("new"));
    expect(fresh).toBe(1);
    expect(await cache.get("p", "greeting", "v1@production", async () => body("unexpected"))).toEqual(body("new"));
  });

  it("joins concurrent misses into one load", async () => {
    const cache = new PromptCache();
    let loads = 0;
    const gate = deferred<CachedBody | null>();
    const all = Promise.all([1, 2, 3].map(() => cache.get("p", "n", "v", () => (loads++, gate.promise))));
    gate.resolve(body("x"));
    expect(await all).toEqual([body("x"), body("x"), body("x")]);
    expect(loads).toBe(1);
  });

  it("is bypassed while disabled, and bounded in bytes", async () => {
    let enabled = false;
    const cache = new PromptCache({ enabled: () => enabled, maxBytes: 10 });
    await cache.get("p", "n", "v", async () => body("abc"));
    expect(cache.stats()).toMatchObject({ size: 0, bypassed: 1 });
    enabled = true;
    await cache.get("p", "a", "v", async () => body("123456"));
    await cache.get("p", "b", "v", async () => body("123456"));
    expect(cache.stats()).toMatchObject({ size: 1, bytes: 6 });
  });
});

describe("PromptCache's last good bodies (stale-if-error)", () => {
  it("keeps the last body of each key, dated when it was last known current, up to the given age", async () => {
    const cache = new PromptCache();
    await cache.get("p", "greeting", "v1@production", async () => body("v1"));
    const loadedAt = Date.now();
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000)?.body).toEqual(body("v1"));
    expect(cache.lastGood("p", "greeting", "v1#1", 60_000)).toBeNull();
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000, loadedAt + 61_000)).toBeNull();
    // Still in the trusted cache when invalidation went down: current until then.
    cache.suspend(loadedAt + 50_000);
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000, loadedAt + 61_000)).toEqual({ body: body("v1"), ageSeconds: 11 });
    expect(cache.stats().stale).toBe(2);
  });

  it("keeps them across a clear (missed notices), drops them on invalidation (superseded), and records loads made while bypassed", async () => {
    let enabled = true;
    const cache = new PromptCache({ enabled: () => enabled });
    await cache.get("p", "greeting", "v1@production", async () => body("v1"));
    cache.clear();
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000)?.body).toEqual(body("v1"));
    cache.invalidate("p", "greeting");
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000)).toBeNull();
    enabled = false;
    await cache.get("p", "greeting", "v1@production", async () => body("v2"));
    expect(cache.stats().size).toBe(0);
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000)?.body).toEqual(body("v2"));
  });

  it("does not keep a load that an invalidation overtook", async () => {
    const cache = new PromptCache();
    const slow = deferred<CachedBody | null>();
    const loading = cache.get("p", "greeting", "v1@production", () => slow.promise);
    cache.invalidate("p", "greeting");
    slow.resolve(body("old"));
    await loading;
    expect(cache.lastGood("p", "greeting", "v1@production", 60_000)).toBeNull();
  });
});

describe("API keys", () => {
  it("are looked up by the same digest the domain stores", () => {
    const secret = "sk-keel-" + "x".repeat(43);
    expect(sha256Hex(secret)).toBe(hashSecret(secret));
  });

  it("scopes map to registry permissions and never to person-only ones", () => {
    expect([...permissionsOfScopes(["prompts:read"])]).toEqual(["prompt:read"]);
    expect([...permissionsOfScopes(["prompts:write"])].sort()).toEqual(["label:move", "prompt:read", "prompt:write"]);
    expect([...permissionsOfScopes(["unknown:scope"])]).toEqual([]);
  });
});
