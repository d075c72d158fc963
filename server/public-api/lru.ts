import "server-only";
// A bounded least-recently-used map for the public API's in-process caches. Bounded by entry
// count and by total weight (bytes of pre-serialized bodies), so a burst of large prompts cannot
// grow the process without limit. A JS Map keeps insertion order: eviction takes from the front,
// and a hit moves the entry to the end, but only once it has drifted into the older part of the
// order (an approximate LRU: the hot path's hits on hot entries cost one Map lookup, not a
// delete and a re-insert).

export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number; stamp: number }>();
  private totalWeight = 0;
  private clock = 0;

  constructor(private readonly options: { maxEntries: number; maxWeight?: number; onEvict?: (key: K, value: V) => void }) {}

  get size(): number {
    return this.map.size;
  }

  get weight(): number {
    return this.totalWeight;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (this.clock - entry.stamp > this.options.maxEntries >> 2) {
      this.map.delete(key);
      entry.stamp = ++this.clock;
      this.map.set(key, entry);
    }
    return entry.value;
  }

  /** The value without counting it as a use. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Stores the value; an entry heavier than the whole budget is not stored. */
  set(key: K, value: V, weight = 0): boolean {
    const maxWeight = this.options.maxWeight ?? Infinity;
    this.delete(key);
    if (weight > maxWeight) return false;
    this.map.set(key, { value, weight, stamp: ++this.clock });
    this.totalWeight += weight;
    while (this.map.size > this.options.maxEntries || this.totalWeight > maxWeight) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.evict(oldest.value);
    }
    return true;
  }

  delete(key: K): boolean {
    const entry = this.map.get(key);
    if (!entry) return false;
    this.map.delete(key);
    this.totalWeight -= entry.weight;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.totalWeight = 0;
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  private evict(key: K) {
    const entry = this.map.get(key)!;
    this.delete(key);
    this.options.onEvict?.(key, entry.value);
  }
}
