import "server-only";
// API-key authentication for the hot path: SHA-256 of the presented secret -> principal, cached
// for a short TTL so a request does not need PostgreSQL. A revocation drops the key at once:
// in this process through onApiKeyChanged (right after commit), on other instances through
// NOTIFY keel_apikey_changes heard by the LISTEN client. The TTL (KEY_CACHE_TTL_MS, 5 s) bounds
// what a missed notification can cost. Unknown or revoked secrets are never cached.
//
// `last_used_at` is bookkeeping, not a governed change: it is written fire-and-forget, at most
// once a minute per key, with a conditional UPDATE so that several instances together still
// write it at most about once a minute.
//
// While PostgreSQL is unavailable, a key verified at most KEEL_API_KEY_STALE_IF_ERROR_SECONDS ago
// is still accepted (stale-if-error), so a database restart does not turn every application's
// prompt fetch into a 401 or 503. A revocation committed meanwhile applies as soon as a lookup
// succeeds again (or its notice arrives), and an unknown key is never accepted.
import { hash as oneShotHash } from "node:crypto";
import { getDb, type Db } from "../db/client";
import { isDatabaseUnavailable } from "../db/unavailable";
import { setting } from "../env";
import { findActiveApiKey, LAST_USED_EVERY_MS, SECRET_PREFIX, touchApiKeyLastUsed } from "../domain/api-keys/api-keys";
import { permissionsOfScopes, type KeyPrincipal } from "../rbac/access";
import { Lru } from "./lru";
import { logger } from "../runtime/log";

const log = logger("public-api");

/** How long a verified key is trusted without asking PostgreSQL again: the bound for a missed revocation notice. */
export const KEY_CACHE_TTL_MS = 5_000;

export type Principal = KeyPrincipal;

/** `verifiedAt`: when PostgreSQL last confirmed the key (the stale-if-error bound counts from it). */
type Entry = { principal: Principal; verifiedAt: number; expiresAt: number; lastUsedAt: number };

/** The same digest as the domain's hashSecret (a test pins that), with Node's one-shot hash: ~3x cheaper per request. */
export function sha256Hex(secret: string): string {
  return oneShotHash("sha256", secret, "hex");
}

export { permissionsOfScopes };

export class ApiKeyCache {
  private readonly lru: Lru<string, Entry>;
  private readonly inflight = new Map<string, Promise<Entry | null>>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly staleIfErrorMs: number;
  private readonly db: () => Db;

  constructor(options: { ttlMs?: number; maxEntries?: number; db?: () => Db; staleIfErrorMs?: number } = {}) {
    this.ttlMs = Math.min(options.ttlMs ?? KEY_CACHE_TTL_MS, KEY_CACHE_TTL_MS);
    this.staleIfErrorMs = options.staleIfErrorMs ?? setting("KEEL_API_KEY_STALE_IF_ERROR_SECONDS") * 1000;
    this.lru = new Lru({ maxEntries: options.maxEntries ?? 10_000 });
    this.db = options.db ?? getDb;
  }

  /**
   * The key's principal, or null for an unknown, revoked or mismatched key. Synchronous on a cache
   * hit (the hot path does not wait for a promise), a promise otherwise.
   */
  authenticate(secret: string, publicKey?: string): Principal | null | Promise<Principal | null> {
    if (!secret.startsWith(SECRET_PREFIX)) return null;
    const hash = sha256Hex(secret);
    const entry = this.lru.get(hash);
    if (entry && entry.expiresAt > Date.now()) return this.accept(entry, publicKey);
    return this.load(hash).then(
      (loaded) => (loaded ? this.accept(loaded, publicKey) : null),
      (error: unknown) => {
        // Still cached (not revoked, not evicted) and verified recently enough: accepted meanwhile.
        const known = this.lru.peek(hash);
        if (known && isDatabaseUnavailable(error) && Date.now() - known.verifiedAt <= this.staleIfErrorMs) return this.accept(known, publicKey, false);
        throw error;
      },
    );
  }

  /** Drops a key (revoked or changed): by its secret's hash, or by id. */
  invalidate(change: { keyId: string; secretHash?: string }): void {
    this.generation++;
    this.inflight.clear();
    if (change.secretHash) this.lru.delete(change.secretHash);
    for (const hash of [...this.lru.keys()]) {
      if (this.lru.peek(hash)?.principal.keyId === change.keyId) this.lru.delete(hash);
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

  private accept(entry: Entry, publicKey: string | undefined, record = true): Principal | null {
    if (publicKey !== undefined && entry.principal.publicKey !== publicKey) return null;
    const now = Date.now();
    if (record && now - entry.lastUsedAt > LAST_USED_EVERY_MS) this.recordUse(entry, now);
    return entry.principal;
  }

  private load(hash: string): Promise<Entry | null> {
    const pending = this.inflight.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const loading = findActiveApiKey(this.db(), hash)
      .then((key) => {
        if (!key) {
          this.lru.delete(hash);
          return null;
        }
        const principal: Principal = {
          keyId: key.id,
          publicKey: key.publicKey,
          orgId: key.orgId,
          projectId: key.projectId,
          scopes: key.scopes,
          orgWide: key.orgWide,
          rateLimitPerMinute: key.rateLimitPerMinute,
          monthlyQuota: key.monthlyQuota,
          permissions: permissionsOfScopes(key.scopes),
        };
        const now = Date.now();
        const entry: Entry = { principal, verifiedAt: now, expiresAt: now + this.ttlMs, lastUsedAt: key.lastUsedAt?.getTime() ?? 0 };
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
    void touchApiKeyLastUsed(this.db(), entry.principal.keyId, new Date(now)).catch((error: unknown) => {
      if (!isDatabaseUnavailable(error)) log.warn("recording an API key's last use failed", { error });
    });
  }
}
