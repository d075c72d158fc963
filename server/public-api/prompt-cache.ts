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

export type PromptCacheStats = { size: number; bytes: number; hits: number; misses: number; bypassed: number; invalidations: number; clears: number };

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
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, invalidations: 0, clears: 0 };

  constructor(options: PromptCacheOptions = {}) {
    this.enabled = options.enabled ?? (() => true);
    this.lru = new Lru<string, Entry>({
      maxEntries: options.maxEntries ?? 10_000,
      maxWeight: options.maxBytes ?? 64 * 1024 * 1024,
      onEvict: (key, entry) => this.unindex(key, entry.promptKey),
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
    if (!this.enabled()) {
      this.counters.bypassed++;
      return load();
    }
    this.counters.misses++;
    const key = this.keyOf(projectId, name, variant);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const loading = load()
      .then((value) => {
        if (value && generation === this.generation && this.enabled()) this.store(key, promptKeyOf(projectId, name), value);
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

  /** Drops every cached variant of one prompt. */
  invalidate(projectId: string, name: string): void {
    this.generation++;
    this.counters.invalidations++;
    this.inflight.clear();
    const promptKey = promptKeyOf(projectId, name);
    const keys = this.byPrompt.get(promptKey);
    if (!keys) return;
    this.byPrompt.delete(promptKey);
    for (const key of keys) this.lru.delete(key);
  }

  clear(): void {
    this.generation++;
    this.counters.clears++;
    this.inflight.clear();
    this.byPrompt.clear();
    this.lru.clear();
  }

  stats(): PromptCacheStats {
    return { size: this.lru.size, bytes: this.lru.weight, ...this.counters };
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

  private unindex(key: string, promptKey: string) {
    const keys = this.byPrompt.get(promptKey);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.byPrompt.delete(promptKey);
  }
}
