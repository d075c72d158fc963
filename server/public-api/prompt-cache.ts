import "server-only";
// Resolved prompts, pre-serialized: the public API's hot path answers a cache hit without touching
// PostgreSQL. Entries are keyed by (format, project, name, label | version) and dropped by
// (project, name) whenever that prompt changes: synchronously in this process (onPromptChanged,
// right after commit) and, for other instances, through the LISTEN client (see
// change-listener.ts). While the LISTEN client is down the cache is bypassed, and it is emptied
// when it reconnects, because notifications may have been missed in between.
//
// Races: a load that read the database before an invalidation must not store its (stale) result
// after it. Every invalidation bumps a generation counter; a load stores only when the counter is
// unchanged since it started, and requests arriving after an invalidation never join a load
// started before it.
//
// Stale-if-error: beside the cache, the last body each key resolved to is kept with the time it
// was last known to be current (loaded, or still in the trusted cache when cross-instance
// invalidation went down: `suspend`). When PostgreSQL is unavailable, `lastGood` hands it out up
// to a bounded age, so a database restart is not an outage of every application fetching prompts.
// An invalidation drops it: a body known to be superseded is never served, even in an outage.
import { Lru } from "./lru";

export type CachedBody = {
  /** The JSON body, serialized once. */
  payload: Buffer;
  /** Strong ETag, quoted. */
  etag: string;
  /** Response headers for a 200 with this body (besides the per-request ones), built once. */
  headers?: readonly string[];
};

type Entry = { body: CachedBody; promptKey: string };
/** `at`: when the body was last known to be current (ms). */
type LastGood = { body: CachedBody; promptKey: string; at: number };

export type PromptCacheStats = {
  size: number;
  bytes: number;
  /** Keys with a last good body kept for stale-if-error. */
  lastGood: number;
  hits: number;
  misses: number;
  bypassed: number;
  invalidations: number;
  clears: number;
  /** Answers given from a last good body while the database was unavailable. */
  stale: number;
};

export type PromptCacheOptions = {
  maxEntries?: number;
  /** Total bytes of cached bodies. */
  maxBytes?: number;
  /** False while cross-instance invalidation cannot be trusted (LISTEN client down): bypass. */
  enabled?: () => boolean;
};

const promptKeyOf = (projectId: string, name: string) => `${projectId}\u0000${name}`;

export class PromptCache {
  private readonly lru: Lru<string, Entry>;
  private readonly lastGoodByKey: Lru<string, LastGood>;
  private readonly lastGoodByPrompt = new Map<string, Set<string>>();
  private readonly byPrompt = new Map<string, Set<string>>();
  private readonly inflight = new Map<string, Promise<CachedBody | null>>();
  /**
   * Full keys by (project, name, variant), built once: the hot path's strings (the key's project
   * id, the parsed name, the interned variant) are the same objects request after request, so
   * these lookups hash nothing new and no key string is concatenated per request.
   */
  private readonly keys = new Map<string, Map<string, Map<string, string>>>();
  private keyCount = 0;
  private readonly enabled: () => boolean;
  private generation = 0;
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, invalidations: 0, clears: 0, stale: 0 };

  constructor(options: PromptCacheOptions = {}) {
    this.enabled = options.enabled ?? (() => true);
    this.lru = new Lru<string, Entry>({
      maxEntries: options.maxEntries ?? 10_000,
      maxWeight: options.maxBytes ?? 64 * 1024 * 1024,
      onEvict: (key, entry) => unindex(this.byPrompt, key, entry.promptKey),
    });
    this.lastGoodByKey = new Lru<string, LastGood>({
      maxEntries: options.maxEntries ?? 10_000,
      maxWeight: options.maxBytes ?? 64 * 1024 * 1024,
      onEvict: (key, entry) => unindex(this.lastGoodByPrompt, key, entry.promptKey),
    });
  }

  /** The cached body (no allocation on the hot path), or undefined: then `load` it. */
  peek(projectId: string, name: string, variant: string): CachedBody | undefined {
    if (!this.enabled()) return undefined;
    const hit = this.lru.get(this.keyOf(projectId, name, variant));
    if (hit) this.counters.hits++;
    return hit?.body;
  }

  /** Runs the loader (joining a load of the same key already under way) and stores its result when still current. */
  load(projectId: string, name: string, variant: string, load: () => Promise<CachedBody | null>): Promise<CachedBody | null> {
    const key = this.keyOf(projectId, name, variant);
    if (!this.enabled()) {
      // Not cached (it could not be invalidated), but a last good body for an outage all the same.
      this.counters.bypassed++;
      const generation = this.generation;
      return load().then((value) => {
        if (value && generation === this.generation) this.remember(key, promptKeyOf(projectId, name), value, Date.now());
        return value;
      });
    }
    this.counters.misses++;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const loading = load()
      .then((value) => {
        if (value && generation === this.generation) {
          const promptKey = promptKeyOf(projectId, name);
          this.remember(key, promptKey, value, Date.now());
          if (this.enabled()) this.store(key, promptKey, value);
        }
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key) === loading) this.inflight.delete(key);
      });
    this.inflight.set(key, loading);
    return loading;
  }

  /** peek, else load. */
  get(projectId: string, name: string, variant: string, load: () => Promise<CachedBody | null>): CachedBody | Promise<CachedBody | null> {
    return this.peek(projectId, name, variant) ?? this.load(projectId, name, variant, load);
  }

  /** Drops every cached variant of one prompt, and its last good bodies (superseded). */
  invalidate(projectId: string, name: string): void {
    this.generation++;
    this.counters.invalidations++;
    this.inflight.clear();
    const promptKey = promptKeyOf(projectId, name);
    for (const [index, lru] of [
      [this.byPrompt, this.lru],
      [this.lastGoodByPrompt, this.lastGoodByKey],
    ] as const) {
      const keys = index.get(promptKey);
      if (!keys) continue;
      index.delete(promptKey);
      for (const key of keys) lru.delete(key);
    }
  }

  /**
   * Cross-instance invalidation stopped (the LISTEN connection is gone): whatever the trusted
   * cache holds was current until now, so its last good bodies are dated now.
   */
  suspend(now = Date.now()): void {
    for (const key of this.lru.keys()) {
      const good = this.lastGoodByKey.peek(key);
      if (good) good.at = Math.max(good.at, now);
    }
  }

  /**
   * The last body this key resolved to while it was known current, if that was at most `maxAgeMs`
   * ago (for an answer while the database is unavailable), with its age in whole seconds.
   */
  lastGood(projectId: string, name: string, variant: string, maxAgeMs: number, now = Date.now()): { body: CachedBody; ageSeconds: number } | null {
    const good = this.lastGoodByKey.peek(this.keyOf(projectId, name, variant));
    if (!good || now - good.at > maxAgeMs) return null;
    this.counters.stale++;
    return { body: good.body, ageSeconds: Math.max(0, Math.floor((now - good.at) / 1000)) };
  }

  /** Empties the cache (notifications may have been missed); last good bodies stay, dated as they are. */
  clear(): void {
    this.generation++;
    this.counters.clears++;
    this.inflight.clear();
    this.byPrompt.clear();
    this.lru.clear();
  }

  stats(): PromptCacheStats {
    return { size: this.lru.size, bytes: this.lru.weight, lastGood: this.lastGoodByKey.size, ...this.counters };
  }

  private keyOf(projectId: string, name: string, variant: string): string {
    let byName = this.keys.get(projectId);
    if (!byName) this.keys.set(projectId, (byName = new Map()));
    let byVariant = byName.get(name);
    if (!byVariant) byName.set(name, (byVariant = new Map()));
    let key = byVariant.get(variant);
    if (key === undefined) {
      if (++this.keyCount > 100_000) {
        this.keys.clear();
        this.keyCount = 0;
      }
      key = `${projectId}\u0000${name}\u0000${variant}`;
      byVariant.set(variant, key);
    }
    return key;
  }

  private store(key: string, promptKey: string, value: CachedBody) {
    if (!this.lru.set(key, { body: value, promptKey }, value.payload.length)) return;
    let keys = this.byPrompt.get(promptKey);
    if (!keys) this.byPrompt.set(promptKey, (keys = new Set()));
    keys.add(key);
  }

  private remember(key: string, promptKey: string, body: CachedBody, at: number) {
    if (!this.lastGoodByKey.set(key, { body, promptKey, at }, body.payload.length)) return;
    let keys = this.lastGoodByPrompt.get(promptKey);
    if (!keys) this.lastGoodByPrompt.set(promptKey, (keys = new Set()));
    keys.add(key);
  }
}

function unindex(index: Map<string, Set<string>>, key: string, promptKey: string) {
  const keys = index.get(promptKey);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) index.delete(promptKey);
}
