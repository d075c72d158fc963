import "server-only";
// API-key authentication for the hot path: SHA-256 of the presented secret -> principal, cached
// for a short TTL so a request does not need PostgreSQL. Revocation reaches the cache two ways:
// the TTL (KEY_CACHE_TTL_MS, at most 5 s: the guarantee today) and a NOTIFY on
// `keel_apikey_changes` heard by the LISTEN client (immediate on every instance once
// revokeApiKey sends it; see docs/api.md). Unknown or revoked secrets are never cached.
//
// `last_used_at` is bookkeeping, not a governed change: it is written fire-and-forget, at most
// once a minute per key, with a conditional UPDATE so that several instances together still
// write it at most about once a minute.
import { getDb, type Db } from "../db/client";
import { hashSecret, SECRET_PREFIX, type ApiKeyPrincipal } from "../domain/api-keys/api-keys";
import { PERMISSIONS, SCOPE_PERMISSIONS, type ApiKeyScope, type Permission } from "../contracts/permissions";
import { Lru } from "./lru";

/** How long a verified key is trusted without asking PostgreSQL again. Must stay <= 5 s until revokeApiKey sends NOTIFY keel_apikey_changes. */
export const KEY_CACHE_TTL_MS = 5_000;
const LAST_USED_EVERY_MS = 60_000;

export type Principal = ApiKeyPrincipal & {
  /** Registry permissions the key's scopes grant (never person-only ones). */
  permissions: ReadonlySet<Permission>;
};

type Entry = { principal: Principal; expiresAt: number; lastUsedAt: number };

export function permissionsOfScopes(scopes: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const scope of scopes) {
    for (const permission of SCOPE_PERMISSIONS[scope as ApiKeyScope] ?? []) {
      // Defence in depth: the registry never maps a scope to a person-only permission.
      if (!("personOnly" in PERMISSIONS[permission])) granted.add(permission);
    }
  }
  return granted;
}

export class ApiKeyCache {
  private readonly lru: Lru<string, Entry>;
  private readonly inflight = new Map<string, Promise<Entry | null>>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly db: () => Db;

  constructor(options: { ttlMs?: number; maxEntries?: number; db?: () => Db } = {}) {
    this.ttlMs = Math.min(options.ttlMs ?? KEY_CACHE_TTL_MS, KEY_CACHE_TTL_MS);
    this.lru = new Lru({ maxEntries: options.maxEntries ?? 10_000 });
    this.db = options.db ?? getDb;
  }

  /** The key's principal, or null for an unknown, revoked or mismatched key. */
  async authenticate(secret: string, publicKey?: string): Promise<Principal | null> {
    if (!secret.startsWith(SECRET_PREFIX)) return null;
    const hash = hashSecret(secret);
    const now = Date.now();
    let entry = this.lru.get(hash);
    if (!entry || entry.expiresAt <= now) entry = (await this.load(hash)) ?? undefined;
    if (!entry) return null;
    if (publicKey !== undefined && entry.principal.publicKey !== publicKey) return null;
    if (now - entry.lastUsedAt > LAST_USED_EVERY_MS) this.recordUse(entry, now);
    return entry.principal;
  }

  /** Drops a key (revoked or changed) from the cache. */
  invalidateKey(keyId: string): void {
    this.generation++;
    this.inflight.clear();
    for (const hash of [...this.lru.keys()]) {
      if (this.lru.get(hash)?.principal.keyId === keyId) this.lru.delete(hash);
    }
  }

  clear(): void {
    this.generation++;
    this.inflight.clear();
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  private load(hash: string): Promise<Entry | null> {
    const pending = this.inflight.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const loading = this.db()
      .apiKey.findUnique({
        where: { secretHash: hash },
        select: { id: true, publicKey: true, orgId: true, projectId: true, scopes: true, revokedAt: true, lastUsedAt: true },
      })
      .then((key) => {
        if (!key || key.revokedAt) {
          this.lru.delete(hash);
          return null;
        }
        const principal: Principal = {
          keyId: key.id,
          publicKey: key.publicKey,
          orgId: key.orgId,
          projectId: key.projectId,
          scopes: key.scopes,
          permissions: permissionsOfScopes(key.scopes),
        };
        const entry: Entry = { principal, expiresAt: Date.now() + this.ttlMs, lastUsedAt: key.lastUsedAt?.getTime() ?? 0 };
        if (generation === this.generation) this.lru.set(hash, entry);
        return entry;
      })
      .finally(() => {
        if (this.inflight.get(hash) === loading) this.inflight.delete(hash);
      });
    this.inflight.set(hash, loading);
    return loading;
  }

  private recordUse(entry: Entry, now: number) {
    entry.lastUsedAt = now;
    const at = new Date(now);
    void this.db()
      .apiKey.updateMany({
        where: { id: entry.principal.keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_EVERY_MS) } }] },
        data: { lastUsedAt: at },
      })
      .catch((error: unknown) => console.error("[public-api] recording an API key's last use failed:", error));
  }
}
